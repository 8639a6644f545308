//! examples/fleet builds with the native engine exactly as with `kubectl kustomize`, and the
//! cluster folder (no kustomization.yaml) with Flux's generated kustomization.

use std::path::PathBuf;
use std::process::Command;

fn fleet(path: &str) -> String {
    let dir =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/fleet")).join(path);
    dir.to_str().expect("UTF-8 path").to_string()
}

fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}); kubectl: scripts/setup/kubectl.sh")
        });
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn overlays_build_as_kubectl_builds_them() {
    for path in ["infrastructure/cache", "apps/base/podinfo", "apps/local"] {
        let ours = run(
            env!("CARGO_BIN_EXE_flux"),
            &["kustomize", "build", &fleet(path)],
        );
        let kubectl = run("kubectl", &["kustomize", &fleet(path)]);
        assert_eq!(ours, kubectl, "{path}");
    }
    let apps = run(
        env!("CARGO_BIN_EXE_flux"),
        &["kustomize", "build", &fleet("apps/local")],
    );
    // postBuild substitutes these in the cluster; the build leaves them for it.
    assert!(
        apps.contains("PODINFO_UI_MESSAGE: Hello from ${cluster_name}"),
        "{apps}"
    );
    assert!(apps.contains("replicas: 1"), "{apps}");
}

#[test]
fn the_cluster_folder_holds_the_two_kustomizations() {
    let out = run(
        env!("CARGO_BIN_EXE_flux"),
        &["kustomize", "build", "--generate", &fleet("clusters/local")],
    );
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&out).expect("YAML");
    let names: Vec<&str> = docs
        .iter()
        .filter_map(|d| d["metadata"]["name"].as_str())
        .collect();
    assert_eq!(names, ["apps", "infrastructure"], "{out}");
    let apps = &docs[0];
    assert_eq!(apps["spec"]["dependsOn"][0]["name"], "infrastructure");
    assert_eq!(
        apps["spec"]["postBuild"]["substitute"]["cluster_name"],
        "local"
    );
}
