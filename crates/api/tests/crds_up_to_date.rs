//! config/crds/ and the chart's crds/ must be exactly what the types generate (`make crds`).

use std::path::Path;

#[test]
fn committed_crds_match_the_types() {
    check_dir("config/crds");
}

#[test]
fn chart_crds_match_the_types() {
    check_dir("charts/flux-rs/crds");
}

fn check_dir(relative: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    let mut problems = Vec::new();
    let mut expected_files = Vec::new();
    for crd in flux_api::crds::all() {
        let name = flux_api::crds::file_name(&crd);
        let want = flux_api::crds::to_yaml(&crd).expect("CRD renders as YAML");
        match std::fs::read_to_string(dir.join(&name)) {
            Ok(have) if have == want => {}
            Ok(_) => problems.push(format!("{name}: differs from the types")),
            Err(_) => problems.push(format!("{name}: missing")),
        }
        expected_files.push(name);
    }
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{relative}: {e}")) {
        let name = entry
            .expect("dir entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        if name.ends_with(".yaml") && !expected_files.contains(&name) {
            problems.push(format!("{name}: no type generates it"));
        }
    }
    assert!(
        problems.is_empty(),
        "config/crds is stale, run `make crds`:\n{}",
        problems.join("\n")
    );
}
