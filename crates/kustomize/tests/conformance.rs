//! Conformance: every folder under tests/conformance is built by `kubectl kustomize`
//! (the oracle) and by this engine; outputs must be byte-identical, or both must fail.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// Each case builds the folder `build/` if present (so bases can sit beside it), else itself.
fn target(case: &Path) -> PathBuf {
    let b = case.join("build");
    if b.is_dir() { b } else { case.to_path_buf() }
}

enum Outcome {
    Output(String),
    Failed(String),
}

fn oracle(dir: &Path) -> Outcome {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `kubectl kustomize` ({e}); install it with scripts/setup/kustomize.sh"
            )
        });
    if out.status.success() {
        Outcome::Output(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Outcome::Failed(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn ours(dir: &Path) -> Outcome {
    let opts = flux_kustomize::BuildOptions::default();
    match std::panic::catch_unwind(|| flux_kustomize::build(dir, &opts)) {
        Ok(Ok(s)) => Outcome::Output(s),
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
        Err(_) => Outcome::Failed("PANIC".into()),
    }
}

fn check(case: &Path) -> Result<(), String> {
    let dir = target(case);
    match (oracle(&dir), ours(&dir)) {
        (Outcome::Output(a), Outcome::Output(b)) if a == b => Ok(()),
        (Outcome::Failed(_), Outcome::Failed(b)) if b != "PANIC" => Ok(()),
        (Outcome::Output(a), Outcome::Output(b)) => {
            Err(format!("output differs\n--- kubectl\n{a}\n--- ours\n{b}"))
        }
        (Outcome::Output(_), Outcome::Failed(e)) => {
            Err(format!("kubectl succeeded, we failed: {e}"))
        }
        (Outcome::Failed(e), Outcome::Output(_)) => {
            Err(format!("kubectl failed ({e}), we succeeded"))
        }
        (Outcome::Failed(_), Outcome::Failed(_)) => Err("we panicked".into()),
    }
}

#[test]
fn conformance_against_kubectl_kustomize() {
    let all = cases();
    assert!(!all.is_empty(), "no conformance cases found");
    let queue = Mutex::new(all.clone());
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let Some(case) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    if let Err(e) = check(&case) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{}: {e}", case.display()));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    eprintln!(
        "kustomize conformance: {}/{} cases pass",
        all.len() - failures.len(),
        all.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
