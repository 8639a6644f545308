//! The `kube-emulator` binary: interface scripts rely on.

mod common;

use std::time::Duration;

#[tokio::test]
async fn binary_writes_kubeconfig_when_ready_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    let data = dir.path().join("data");
    let tokens = dir.path().join("tokens.csv");
    std::fs::write(&tokens, "t1,carol,1,\"a,b\"\n").unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kube-emulator"))
        .args(["--listen", "127.0.0.1:0", "--kubeconfig"])
        .arg(&kc)
        .arg("--data-dir")
        .arg(&data)
        .arg("--tokens")
        .arg(&tokens)
        .arg("--no-workload-simulator")
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    common::eventually(30, || async { kc.exists().then_some(()) }).await;
    let text = std::fs::read_to_string(&kc).unwrap();
    assert!(text.contains("current-context: kube-emulator"), "{text}");
    assert!(text.contains("server: https://127.0.0.1:"), "{text}");
    // Ready as soon as the file exists: the first request succeeds.
    let ns = common::ok(&kc, &["get", "namespace", "default", "-o", "name"], None).await;
    assert_eq!(ns, "namespace/default\n");
    let out = common::ok(
        &kc,
        &["apply", "--server-side", "-f", "-"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n"),
    )
    .await;
    assert_eq!(out, "configmap/c serverside-applied\n");
    let pid = child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(data.join("journal.jsonl").exists());
}

#[test]
fn help_documents_every_flag() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kube-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--kubeconfig",
        "--data-dir",
        "--tokens",
        "--no-workload-simulator",
        "--admin-token",
        "--workload-delay-ms",
        "--bookmark-interval-secs",
        "--watch-history",
        "--log",
    ] {
        assert!(
            help.contains(flag),
            "--help does not document {flag}:\n{help}"
        );
    }
}
