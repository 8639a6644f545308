//! A build is rooted at a folder: nothing outside it is read, symlinks included;
//! cycles and remote bases (when refused) are errors.

use flux_kustomize::{BuildOptions, LoadRestrictions, build};
use std::fs;
use std::path::Path;

fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, body).unwrap();
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

fn rooted(root: &Path) -> BuildOptions {
    BuildOptions {
        root: Some(root.to_path_buf()),
        load_restrictions: LoadRestrictions::None,
        ..Default::default()
    }
}

#[test]
fn files_anywhere_inside_the_root_are_allowed_with_no_restrictions() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "shared/cm.yaml", CM);
    write(
        tmp.path(),
        "app/kustomization.yaml",
        "resources:\n- ../shared/cm.yaml\n",
    );
    let out = build(&tmp.path().join("app"), &rooted(tmp.path())).unwrap();
    assert!(out.contains("name: x"));
}

#[test]
fn kubectl_default_restriction_refuses_files_above_the_kustomization() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "shared/cm.yaml", CM);
    write(
        tmp.path(),
        "app/kustomization.yaml",
        "resources:\n- ../shared/cm.yaml\n",
    );
    let err = build(&tmp.path().join("app"), &BuildOptions::default()).unwrap_err();
    assert!(err.to_string().contains("security"), "{err}");
}

#[test]
fn paths_leaving_the_root_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "secret.yaml", CM);
    write(
        outer.path(),
        "root/kustomization.yaml",
        "resources:\n- ../secret.yaml\n",
    );
    let root = outer.path().join("root");
    let err = build(&root, &rooted(&root)).unwrap_err();
    assert!(err.to_string().contains("is not in or below"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinks_pointing_outside_the_root_are_refused() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "secret.yaml", CM);
    write(
        outer.path(),
        "root/kustomization.yaml",
        "resources:\n- link.yaml\n",
    );
    let root = outer.path().join("root");
    std::os::unix::fs::symlink(outer.path().join("secret.yaml"), root.join("link.yaml")).unwrap();
    let err = build(&root, &rooted(&root)).unwrap_err();
    assert!(err.to_string().contains("is not in or below"), "{err}");
}

#[test]
fn kustomization_cycles_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a/kustomization.yaml", "resources:\n- ../b\n");
    write(tmp.path(), "b/kustomization.yaml", "resources:\n- ../a\n");
    let err = build(&tmp.path().join("a"), &rooted(tmp.path())).unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
}

#[test]
fn remote_bases_are_refused_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "kustomization.yaml",
        "resources:\n- github.com/org/repo//deploy?ref=v1\n",
    );
    let opts = BuildOptions {
        no_remote: true,
        ..Default::default()
    };
    let err = build(tmp.path(), &opts).unwrap_err();
    assert!(
        err.to_string().contains("remote bases are disabled"),
        "{err}"
    );
}

#[test]
fn helm_charts_are_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "kustomization.yaml",
        "helmCharts:\n- name: x\n  repo: https://example.com\n",
    );
    let err = build(tmp.path(), &BuildOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("helmCharts are not supported"),
        "{err}"
    );
}
