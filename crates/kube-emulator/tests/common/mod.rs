//! Shared helpers for the conformance tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use kube_emulator::{Emulator, EmulatorConfig};

pub async fn start() -> Emulator {
    start_with(EmulatorConfig {
        workload_delay: Duration::from_millis(200),
        ..Default::default()
    })
    .await
}

pub async fn start_with(cfg: EmulatorConfig) -> Emulator {
    Emulator::start_with(cfg).await.expect("emulator starts")
}

pub fn shared_dir() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    if p.join("reference/flux-crds").is_dir() {
        // kubectl cleans paths lexically; resolve `..` through any symlinks first.
        Some(p.canonicalize().unwrap_or(p))
    } else {
        eprintln!(
            "!!! SKIPPING: ../shared/reference/flux-crds is absent; the Flux CRD conformance checks did not run"
        );
        None
    }
}

/// Run the real kubectl against a kubeconfig.
pub async fn kubectl(kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use tokio::io::AsyncWriteExt;
    let mut cmd = tokio::process::Command::new("kubectl");
    cmd.env("KUBECONFIG", kubeconfig)
        .env("HOME", kubeconfig.parent().unwrap_or(Path::new("/tmp")))
        .env_remove("KUBECTL_EXTERNAL_DIFF")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot run kubectl ({e}): kubectl v1.32 must be on PATH (preinstalled on project machines; see scripts/setup/kubectl.sh)")
    });
    if let Some(input) = stdin {
        let mut s = child.stdin.take().expect("stdin");
        s.write_all(input.as_bytes()).await.expect("write stdin");
        drop(s);
    } else {
        drop(child.stdin.take());
    }
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("kubectl finished within 60s")
        .expect("kubectl ran")
}

/// Run kubectl and require success; returns stdout.
pub async fn ok(kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = kubectl(kubeconfig, args, stdin).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "kubectl {args:?} failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    stdout
}

/// Run kubectl and require failure; returns stderr.
pub async fn fails(kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = kubectl(kubeconfig, args, stdin).await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !out.status.success(),
        "kubectl {args:?} unexpectedly succeeded\nstdout: {stdout}"
    );
    stderr
}

/// Poll `f` until it returns Some, for at most `secs` seconds (a bound, not a timing assertion).
pub async fn eventually<T, F, Fut>(secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not reached within {secs}s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
