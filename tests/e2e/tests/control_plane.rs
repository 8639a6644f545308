//! The real control plane as a person uses it: `scripts/control-plane.sh start DIR` prints
//! `KUBECONFIG=DIR/kubeconfig`; the API server reports etcd healthy, is the real v1.36 and enforces
//! RBAC; a Deployment becomes Available (controller-manager, scheduler and kwok at work); deleting a
//! namespace deletes its objects; `stop DIR` ends exactly the processes `start` started.
//!
//! Skips loudly when the binaries are not built (scripts/setup/control-plane.sh builds them).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use testkit::control_plane::{ControlPlane, PROCESSES};
use testkit::kubectl::Kubectl;
use testkit::paths::repo_root;

fn script(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new("bash")
        .arg(repo_root().join("scripts/control-plane.sh"))
        .args(args)
        .arg(dir)
        .output()
        .expect("run scripts/control-plane.sh")
}

fn pids(dir: &Path) -> Vec<u32> {
    PROCESSES
        .iter()
        .filter_map(|p| std::fs::read_to_string(dir.join("pids").join(format!("{p}.pid"))).ok())
        .filter_map(|text| text.trim().parse().ok())
        .collect()
}

fn running(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
}

fn wait(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn start_serve_and_stop_the_real_control_plane() {
    if ControlPlane::installed_or_skip("control_plane").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir = tmp.path().join("cp");
    let started = script(&["start"], &dir);
    let stdout = String::from_utf8_lossy(&started.stdout);
    assert!(
        started.status.success(),
        "start failed:\n{stdout}{}",
        String::from_utf8_lossy(&started.stderr)
    );
    let kubeconfig = dir.join("kubeconfig");
    assert_eq!(
        stdout.trim(),
        format!("KUBECONFIG={}", kubeconfig.display())
    );
    let started_pids = pids(&dir);
    assert_eq!(started_pids.len(), PROCESSES.len(), "one pid per process");
    let kubectl = Kubectl::new(&kubeconfig);

    let livez = kubectl.ok(&["get", "--raw", "/livez?verbose"]);
    assert!(livez.contains("[+]etcd ok"), "{livez}");
    let version: serde_json::Value =
        serde_json::from_str(&kubectl.ok(&["get", "--raw", "/version"])).expect("JSON");
    assert_eq!(version["gitVersion"], "v1.36.3", "{version}");

    // RBAC is enforced: a user with no binding is refused.
    let denied = kubectl.fails(&["get", "secrets", "-n", "default", "--as", "nobody"], None);
    assert!(
        denied.contains("User \"nobody\" cannot list resource \"secrets\""),
        "{denied}"
    );

    kubectl.ok(&["create", "namespace", "doomed"]);
    kubectl.ok(&[
        "-n",
        "doomed",
        "create",
        "configmap",
        "inside",
        "--from-literal=a=1",
    ]);
    kubectl.ok(&[
        "-n",
        "doomed",
        "create",
        "deployment",
        "web",
        "--image=nginx",
        "--replicas=2",
    ]);
    kubectl.ok(&[
        "-n",
        "doomed",
        "wait",
        "--for=condition=Available",
        "deployment/web",
        "--timeout=120s",
    ]);
    let pods = kubectl.ok(&[
        "-n",
        "doomed",
        "get",
        "pods",
        "-o",
        "jsonpath={.items[*].status.phase}",
    ]);
    assert_eq!(pods, "Running Running", "kwok runs the scheduled pods");

    kubectl.ok(&["delete", "namespace", "doomed", "--wait=false"]);
    wait("namespace doomed to be deleted", || {
        !kubectl.run(&["get", "namespace", "doomed"], None).success
    });
    let left = kubectl.ok(&[
        "get",
        "configmaps,deployments,pods",
        "-n",
        "doomed",
        "-o",
        "name",
    ]);
    assert!(left.trim().is_empty(), "objects left behind: {left}");

    let stopped = script(&["stop"], &dir);
    assert!(
        stopped.status.success(),
        "{}",
        String::from_utf8_lossy(&stopped.stderr)
    );
    wait("every started process to exit", || {
        started_pids.iter().all(|&pid| !running(pid))
    });
    assert!(!kubeconfig.exists(), "stop removes the kubeconfig");
}
