//! What the e2e tests share beyond `testkit::processes`: driving `flux local up` as a user would,
//! and the process set-up of the Kustomization tests ([`fleet`]).

pub mod fleet;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use testkit::kubectl::Kubectl;
use testkit::processes::{binary, tail};

/// `flux local up` running as a process, its state in a temporary folder, its stdout collected.
pub struct LocalRun {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    status: Option<ExitStatus>,
    dir: tempfile::TempDir,
}

impl LocalRun {
    /// Start `flux local up --state-dir <tmp>/state --bin-dir <tmp>/bin` plus `args`, with the
    /// workspace's binaries (located or built by `testkit::processes::binary`).
    pub fn start(args: &[&str]) -> LocalRun {
        let dir = tempfile::Builder::new()
            .prefix("flux-rs-local-run-")
            .tempdir()
            .expect("temporary directory");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).expect("bin folder");
        for name in ["kube-emulator", "source-controller", "kustomize-controller"] {
            std::os::unix::fs::symlink(binary(name), bin.join(name)).expect("link a binary");
        }
        let mut child = Command::new(binary("flux"))
            .args(["local", "up"])
            .arg(format!(
                "--state-dir={}",
                dir.path().join("state").display()
            ))
            .arg(format!("--bin-dir={}", bin.display()))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start flux local up");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().expect("piped stdout")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("piped stderr")),
        ] {
            let lines = stdout.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                }
            });
        }
        LocalRun {
            child,
            stdout,
            status: None,
            dir,
        }
    }

    /// The state folder (`kubeconfig`, `fleet` work tree, `logs/`).
    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn kubectl(&self) -> Kubectl {
        Kubectl::new(&self.state().join("kubeconfig"))
    }

    /// Everything `flux local up` printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        self.stdout
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .join("\n")
    }

    /// Wait for a printed line starting with `prefix`; fails when `flux` exits first.
    pub fn wait_for_line(&mut self, prefix: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.output().lines().find(|l| l.starts_with(prefix)) {
                return line.to_string();
            }
            if let Some(status) = self.exit_status() {
                // Let the reader threads drain what is left.
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "flux local up exited ({status}) before printing {prefix:?}:\n{}",
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "flux local up printed no {prefix:?} within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Poll `check` until it returns Some; fails when `flux` exits first or at the deadline.
    pub fn wait_for<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut() -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(value) = check() {
                return value;
            }
            if let Some(status) = self.exit_status() {
                panic!("flux local up exited ({status}) while waiting for {what}");
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// Run git in the fleet work tree `flux local up` pushed from.
    pub fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .current_dir(self.state().join("fleet"))
            .args(args)
            .output()
            .expect("run git");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Replace `from` by `to` in the fleet file `path`, commit and push. Returns the new commit.
    pub fn push_change(&self, path: &str, from: &str, to: &str, message: &str) -> String {
        let file = self.state().join("fleet").join(path);
        let text = std::fs::read_to_string(&file).expect("read a fleet file");
        assert!(text.contains(from), "{path} has no {from:?}");
        std::fs::write(&file, text.replacen(from, to, 1)).expect("write a fleet file");
        self.git(&["-c", "commit.gpgsign=false", "commit", "-qam", message]);
        self.git(&["push", "-q"]);
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Send SIGINT (a user's Ctrl-C) and wait for `flux` to stop every process and exit.
    pub fn interrupt(&mut self, timeout: Duration) -> ExitStatus {
        if self.exit_status().is_none() {
            let pid = i32::try_from(self.child.id()).expect("pid fits i32");
            // SAFETY: kill(2) on our own child, not yet reaped.
            unsafe {
                libc::kill(pid, libc::SIGINT);
            }
        }
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exit_status() {
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "flux local up did not exit within {timeout:?} of SIGINT"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The log of every process `flux local up` started (their last lines).
    pub fn logs(&self) -> String {
        let mut out = String::new();
        let Ok(entries) = std::fs::read_dir(self.state().join("logs")) else {
            return out;
        };
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            out.push_str(&format!(
                "\n===== {} =====\n{}",
                entry.path().display(),
                tail(&text, 200)
            ));
        }
        out
    }
}

impl Drop for LocalRun {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("\n===== flux local up printed =====\n{}", self.output());
            eprintln!("{}", self.logs());
        }
        if self.exit_status().is_none() {
            // Let `flux` stop its own processes first; SIGKILL only if it does not.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.interrupt(Duration::from_secs(60))
            }));
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Lines to append to a Deployment whose pod template `spec:` sits at four spaces, so that its pods
/// never become ready on either cluster. The emulator's workload simulator fails images tagged
/// `fail` (the caller tags the image so); on the real control plane kwok runs any image, so the
/// pods are kept Pending by a nodeSelector that no Node matches.
pub const NEVER_SCHEDULED: &str =
    "      nodeSelector:\n        flux-rs.test/schedulable: \"never\"\n";

/// The host:port of a URL like `https://127.0.0.1:PORT`.
pub fn host_port(url: &str) -> &str {
    url.split("://").nth(1).unwrap_or(url).trim_end_matches('/')
}

/// True when something accepts TCP connections at `address`.
pub fn listening(address: &str) -> bool {
    std::net::TcpStream::connect_timeout(
        &address.parse().expect("a socket address"),
        Duration::from_secs(2),
    )
    .is_ok()
}

/// The server URL written in a kubeconfig.
pub fn kubeconfig_server(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("read kubeconfig")
        .lines()
        .find_map(|l| l.trim().strip_prefix("server:"))
        .map(|s| s.trim().trim_matches('"').to_string())
        .expect("kubeconfig names a server")
}
