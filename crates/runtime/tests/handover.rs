//! Leader hand-over between real processes: this test binary re-runs itself as controller
//! processes (the ignored `lease_candidate_process` test, which runs a `Manager` with
//! `--enable-leader-election` against the emulator until SIGTERM). A standby takes over when the
//! leader is killed with SIGKILL (after the lease expires), and at once when the leader stops on
//! SIGTERM (it releases the lease).

use clap::Parser;
use flux_runtime::flags::CommonFlags;
use flux_runtime::manager::Manager;
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::Api;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KUBECONFIG_ENV: &str = "FLUX_RUNTIME_CANDIDATE_KUBECONFIG";
const LEASE: &str = "handover-controller-leader-election";
const LEASE_SECONDS: u64 = 3;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    common: CommonFlags,
}

/// The controller process. Does nothing unless started by the hand-over test.
#[tokio::test]
#[ignore = "run as a child process by the hand-over test"]
async fn lease_candidate_process() {
    let Ok(kubeconfig) = std::env::var(KUBECONFIG_ENV) else {
        return;
    };
    let lease = format!("--leader-election-lease-duration={LEASE_SECONDS}s");
    let cli = Cli::try_parse_from([
        "handover-controller",
        "--kubeconfig",
        &kubeconfig,
        "--enable-leader-election",
        &lease,
        "--leader-election-renew-deadline=2s",
        "--leader-election-retry-period=300ms",
        "--metrics-addr=127.0.0.1:0",
        "--health-addr=127.0.0.1:0",
        "--log-encoding=console",
    ])
    .unwrap();
    let mut manager = Manager::start("handover-controller", &cli.common)
        .await
        .expect("manager");
    let shutdown = manager.shutdown_signal();
    manager.add("idle", shutdown);
    manager.run().await.expect("manager stopped cleanly");
}

fn candidate(kubeconfig: &str, host: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "lease_candidate_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(KUBECONFIG_ENV, kubeconfig)
        .env("HOSTNAME", host)
        .env("RUNTIME_NAMESPACE", "default")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("candidate process")
}

async fn holder(leases: &Api<Lease>) -> Option<String> {
    leases.get_opt(LEASE).await.ok()??.spec?.holder_identity
}

async fn wait_for_holder(leases: &Api<Lease>, host: &str, within: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < within {
        if holder(leases)
            .await
            .is_some_and(|h| h.starts_with(&format!("{host}_")))
        {
            return start.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{host} did not take the lease within {within:?} (holder: {:?})",
        holder(leases).await
    );
}

/// Kills every child still running when the test ends, even on panic.
struct Reaper(Vec<Child>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill(1)");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_process_takes_over_from_a_killed_or_stopped_leader() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let kubeconfig = emulator.kubeconfig_path().to_str().unwrap().to_string();
    let leases: Api<Lease> = Api::namespaced(emulator.client().await.unwrap(), "default");
    let lease = Duration::from_secs(LEASE_SECONDS);
    let mut reaper = Reaper(Vec::new());

    reaper.0.push(candidate(&kubeconfig, "pod-a"));
    wait_for_holder(&leases, "pod-a", Duration::from_secs(60)).await;
    reaper.0.push(candidate(&kubeconfig, "pod-b"));
    // The standby keeps waiting while the leader renews.
    tokio::time::sleep(lease + Duration::from_secs(1)).await;
    assert!(holder(&leases).await.unwrap().starts_with("pod-a_"));

    // SIGKILL: no release; the standby takes over once the lease has expired, i.e. within one
    // lease duration (plus one retry period) of the last renewal. Bounded loosely here because
    // the machine is shared; the measured figure is printed.
    reaper.0[0].kill().unwrap();
    reaper.0[0].wait().unwrap();
    let took = wait_for_holder(&leases, "pod-b", lease * 3).await;
    eprintln!("standby took over {took:?} after SIGKILL (lease duration {lease:?})");
    let transitions = leases
        .get(LEASE)
        .await
        .unwrap()
        .spec
        .unwrap()
        .lease_transitions;
    assert_eq!(transitions, Some(1));

    // SIGTERM: the leader stops cleanly and releases the lease; the next standby need not wait
    // for it to expire.
    reaper.0.push(candidate(&kubeconfig, "pod-c"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(holder(&leases).await.unwrap().starts_with("pod-b_"));
    terminate(&reaper.0[1]);
    let status = tokio::task::spawn_blocking({
        let mut child = reaper.0.remove(1);
        move || child.wait()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(status.success(), "the stopped leader exits 0: {status}");
    let took = wait_for_holder(&leases, "pod-c", lease * 3).await;
    eprintln!("standby took over {took:?} after SIGTERM");
    assert!(
        took < lease,
        "a released lease is taken at once, not after expiry ({took:?})"
    );
    terminate(&reaper.0[1]);
    drop(reaper);
    emulator.stop().await;
}
