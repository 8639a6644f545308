//! 100 OCIRepositories pulled from a local registry (Debian's docker-registry, artifacts pushed
//! by the ORAS client as `flux push artifact` lays them out), by flux-rs's source-controller and,
//! in the same run, by Flux's own (tools/peers/flux-source-controller, v1.9.1 of Flux 2.9) when
//! `scripts/setup/bench/flux-source-controller.sh` has built it. Each controller runs as a
//! process against a fresh cluster (the API emulator; FLUX_RS_CLUSTER=real for the real control
//! plane) with its default concurrency; the clock runs from `kubectl apply` of all objects to
//! the last one Ready, and peak memory is the controller's VmHWM.
//! Run: `cargo bench -p source-controller --bench oci_pull` (OCI_BENCH_OBJECTS sets the count).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use testkit::processes::{Cluster, Process, free_port};
use testkit::registry::{Registry, RegistryOptions};

struct Run {
    seconds: f64,
    peak_mib: f64,
}

fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn manifests(registry: &Registry, count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: app-{i}\n  namespace: default\nspec:\n  interval: 1h\n  insecure: true\n  url: {}\n  ref:\n    tag: '1.0.0'\n---\n",
                registry.url(&format!("bench/app-{i}"))
            )
        })
        .collect()
}

/// Applies the objects and waits until every one is Ready.
fn measure(cluster: &Cluster, pid: u32, yaml: &str, count: usize) -> Run {
    let start = Instant::now();
    let applied = cluster.kubectl().run(&["apply", "-f", "-"], Some(yaml));
    assert!(applied.success, "kubectl apply: {}", applied.stderr);
    let deadline = start + Duration::from_secs(600);
    loop {
        let out = cluster
            .kubectl()
            .ok(&["get", "ocirepositories", "-n", "default", "-o", "json"]);
        let list: serde_json::Value = serde_json::from_str(&out).expect("a list");
        let ready = list["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter(|o| {
                        o["status"]["conditions"].as_array().is_some_and(|cs| {
                            cs.iter()
                                .any(|c| c["type"] == "Ready" && c["status"] == "True")
                        })
                    })
                    .count()
            })
            .unwrap_or(0);
        if ready == count {
            break;
        }
        assert!(Instant::now() < deadline, "only {ready} of {count} Ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    Run {
        seconds: start.elapsed().as_secs_f64(),
        peak_mib: peak_rss_mib(pid),
    }
}

fn flux_binary() -> Option<PathBuf> {
    testkit::paths::installed_peer("setup/bench/flux-source-controller.sh").filter(|p| p.is_file())
}

fn run_flux(binary: &Path, yaml: &str, count: usize) -> Run {
    let cluster = Cluster::start();
    let storage = cluster.dir().join("flux-storage");
    std::fs::create_dir_all(&storage).expect("Flux's storage folder");
    let addr = format!("127.0.0.1:{}", free_port());
    // Flux's binary reads KUBECONFIG; it has no --kubeconfig flag.
    let args = vec![
        format!("--storage-path={}", storage.display()),
        format!("--storage-addr={addr}"),
        format!("--storage-adv-addr={addr}"),
        format!("--metrics-addr=127.0.0.1:{}", free_port()),
        format!("--health-addr=127.0.0.1:{}", free_port()),
        "--enable-leader-election=false".into(),
        "--watch-all-namespaces=true".into(),
        "--log-level=error".into(),
    ];
    let mut process = Process::spawn(
        "flux-source-controller",
        binary,
        &args,
        &[("KUBECONFIG", cluster.kubeconfig())],
        cluster.dir().join("flux-source-controller.log"),
    );
    let run = measure(&cluster, process.pid(), yaml, count);
    process.kill();
    drop(cluster);
    run
}

fn main() {
    if !testkit::registry::installed_or_skip() {
        return;
    }
    let count: usize = std::env::var("OCI_BENCH_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let registry = Registry::start(RegistryOptions::default()).expect("registry");
    let content = tempfile::tempdir().unwrap();
    for f in 0..20 {
        std::fs::write(
            content.path().join(format!("deploy-{f}.yaml")),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{f}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/example/app:{f}.0.0\n"
            )
            .repeat(20),
        )
        .unwrap();
    }
    for i in 0..count {
        registry
            .push_artifact(&format!("bench/app-{i}"), "1.0.0", content.path(), &[])
            .expect("push");
    }
    let yaml = manifests(&registry, count);

    let mut cluster = Cluster::start();
    cluster.start_source_controller(&["--log-level=error"]);
    let pid = cluster.controllers()[0].pid();
    let ours = measure(&cluster, pid, &yaml, count);
    drop(cluster);

    println!(
        "OCIRepository pull: {count} objects, one artifact each (20 files, 0.3 MB), default concurrency"
    );
    println!("| controller | time to all Ready | peak RSS |");
    println!("|---|---|---|");
    println!(
        "| flux-rs source-controller | {:.2} s | {:.1} MiB |",
        ours.seconds, ours.peak_mib
    );
    match flux_binary() {
        Some(binary) => {
            let flux = run_flux(&binary, &yaml, count);
            println!(
                "| Flux source-controller v1.9.1 | {:.2} s | {:.1} MiB |",
                flux.seconds, flux.peak_mib
            );
            println!(
                "flux-rs: {:.2}x faster, {:.2}x less memory",
                flux.seconds / ours.seconds,
                flux.peak_mib / ours.peak_mib
            );
        }
        None => println!(
            "(Flux's source-controller is not built: run scripts/setup/bench/flux-source-controller.sh)"
        ),
    }
}
