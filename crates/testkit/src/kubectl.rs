//! Run the real `kubectl` against a kubeconfig, with a bounded wait.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// kubectl bound to one kubeconfig.
#[derive(Debug, Clone)]
pub struct Kubectl {
    kubeconfig: PathBuf,
    timeout: Duration,
}

/// What one kubectl run printed.
#[derive(Debug)]
pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Kubectl {
    pub fn new(kubeconfig: &Path) -> Self {
        Kubectl {
            kubeconfig: kubeconfig.to_path_buf(),
            timeout: Duration::from_secs(60),
        }
    }

    /// Run kubectl with `args` and optional stdin.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut child = Command::new("kubectl")
            .env("KUBECONFIG", &self.kubeconfig)
            // Keep kubectl's discovery cache out of the user's home.
            .env(
                "HOME",
                self.kubeconfig.parent().unwrap_or(Path::new("/tmp")),
            )
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run kubectl ({e}): install it with scripts/setup/kubectl.sh")
            });
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write stdin");
        }
        drop(child.stdin.take());
        let deadline = Instant::now() + self.timeout;
        while child.try_wait().expect("kubectl wait").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("kubectl {args:?} did not finish within {:?}", self.timeout);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().expect("kubectl output");
        Run {
            success: status.success(),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Run and require success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args, None);
        assert!(
            run.success,
            "kubectl {args:?} failed\nstdout: {}\nstderr: {}",
            run.stdout, run.stderr
        );
        run.stdout
    }

    /// Run and require failure; returns stderr.
    pub fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let run = self.run(args, stdin);
        assert!(
            !run.success,
            "kubectl {args:?} unexpectedly succeeded\nstdout: {}",
            run.stdout
        );
        run.stderr
    }
}
