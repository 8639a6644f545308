//! Where the repository and the third-party fixtures are.

use std::path::PathBuf;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .canonicalize()
        .expect("repository root exists")
}

/// `../shared` beside the repository (Flux's CRDs, fixtures and oracles), or None with a loud
/// message naming the test that skips.
pub fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = repo_root().join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "\n!!! SKIPPED {test}: ../shared is absent (Flux's CRDs, fixtures and oracles) !!!\n"
        );
        None
    }
}

/// What `scripts/<script> --installed` prints (the folder or binary of an installed peer), or
/// None when it says the peer is not there.
pub fn installed_peer(script: &str) -> Option<PathBuf> {
    let output = std::process::Command::new("bash")
        .arg(repo_root().join("scripts").join(script))
        .arg("--installed")
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (output.status.success() && !path.is_empty()).then(|| PathBuf::from(path))
}
