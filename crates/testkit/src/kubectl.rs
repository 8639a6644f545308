//! Run the real `kubectl` against a kubeconfig, with a bounded wait.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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
        // Feed stdin and drain stdout/stderr on their own threads: a child blocked writing a
        // full pipe (a list of 1,000 objects is megabytes) would otherwise never exit.
        let input = stdin.map(str::to_owned);
        let mut stdin_pipe = child.stdin.take().expect("stdin");
        let feeder = std::thread::spawn(move || {
            if let Some(input) = input {
                // A kubectl that exits early closes the pipe; its own error says why.
                let _ = stdin_pipe.write_all(input.as_bytes());
            }
        });
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut out);
                }
                out
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            if let Some(status) = child.try_wait().expect("kubectl wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kubectl {args:?} did not finish within {:?}", self.timeout);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = feeder.join();
        let stdout = stdout.join().expect("stdout reader");
        let stderr = stderr.join().expect("stderr reader");
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
