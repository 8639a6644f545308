//! A folder without a kustomization file builds like Flux's kustomize-controller builds it:
//! checked against `kubectl kustomize` on the same folder with the kustomization Flux writes.

use flux_kustomize::{BuildOptions, build};
use std::fs;
use std::path::Path;
use std::process::Command;

fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, body).unwrap();
}

fn cm(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n")
}

fn generate_opts() -> BuildOptions {
    BuildOptions {
        generate_missing: true,
        ..Default::default()
    }
}

#[test]
fn generated_kustomization_matches_kubectl_on_the_flux_equivalent() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "b.yaml", &cm("b"));
    write(root, "a.yml", &cm("a"));
    write(root, "notes.txt", "not a manifest");
    write(root, "nested/deeper/c.yaml", &cm("c"));
    write(
        root,
        "app/kustomization.yaml",
        "resources:\n- d.yaml\nnamePrefix: app-\n",
    );
    write(root, "app/d.yaml", &cm("d"));
    write(root, "app/ignored.yaml", &cm("never-scanned"));
    let ours = build(root, &generate_opts()).expect("build with a generated kustomization");

    // The kustomization Flux generates for this tree, in its walk order.
    write(
        root,
        "kustomization.yaml",
        "resources:\n- ./a.yml\n- ./app\n- ./b.yaml\n- ./nested/deeper/c.yaml\n",
    );
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(root)
        .output()
        .expect("kubectl is installed (scripts/setup/kustomize.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ours, String::from_utf8_lossy(&out.stdout));
    assert!(!ours.contains("never-scanned"));
}

#[test]
fn yaml_that_is_not_kubernetes_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "values.yaml", "replicaCount: 2\n");
    let err = build(tmp.path(), &generate_opts()).unwrap_err().to_string();
    assert!(err.contains("failed to decode Kubernetes YAML"), "{err}");
}

#[test]
fn empty_folder_builds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(build(tmp.path(), &generate_opts()).unwrap(), "");
}

#[test]
fn without_the_option_a_missing_kustomization_is_an_error_like_kubectl() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.yaml", &cm("a"));
    let err = build(tmp.path(), &BuildOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("unable to find one of"), "{err}");
}
