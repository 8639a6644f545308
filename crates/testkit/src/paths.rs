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
