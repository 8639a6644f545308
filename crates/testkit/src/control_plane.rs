//! The real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
//! kube-scheduler and kwok) as `scripts/control-plane.sh` starts it: the tests run the same script
//! a person runs, so there is one way to start it. The binaries come from
//! `scripts/setup/control-plane.sh` (built once from the Go module proxy, cached outside the repo).

use crate::paths::repo_root;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The processes the script starts, in its start order.
pub const PROCESSES: [&str; 5] = [
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
];

/// A running control plane, stopped (exactly the processes its start started) on drop.
#[derive(Debug)]
pub struct ControlPlane {
    dir: PathBuf,
    stopped: bool,
}

/// Why a control plane could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ControlPlaneError {
    #[error(
        "the control plane binaries are not built: run `bash scripts/setup/control-plane.sh` \
         (it builds kube-apiserver, kube-controller-manager, kube-scheduler, etcd and kwok from \
         the Go module proxy)"
    )]
    NotInstalled,
    #[error("scripts/control-plane.sh start {dir} failed ({status}):\n{output}")]
    Start {
        dir: String,
        status: String,
        output: String,
    },
    #[error("cannot run bash: {0}")]
    Spawn(#[from] std::io::Error),
}

impl ControlPlane {
    /// The directory holding the built binaries, when `scripts/setup/control-plane.sh` has run.
    pub fn installed() -> Option<PathBuf> {
        crate::paths::installed_peer("setup/control-plane.sh")
    }

    /// [`ControlPlane::installed`], or None after a loud message naming the test that skips.
    pub fn installed_or_skip(test: &str) -> Option<PathBuf> {
        let installed = ControlPlane::installed();
        if installed.is_none() {
            eprintln!(
                "\n!!! SKIPPED {test}: the real control plane is not built; run \
                 scripts/setup/control-plane.sh (scripts/test.sh does) !!!\n"
            );
        }
        installed
    }

    /// Start a control plane with its state in `dir` (created if missing). Returns once the API
    /// server serves, the fake Node is Ready and the default ServiceAccount exists.
    pub fn start(dir: &Path) -> Result<ControlPlane, ControlPlaneError> {
        // The script picks free ports and the components bind them a moment later; a port
        // another test took in between fails the start with EADDRINUSE: try again.
        let mut attempt = 1;
        loop {
            match Self::start_once(dir) {
                Err(ControlPlaneError::Start { output, .. })
                    if attempt < 3 && output.contains("address already in use") =>
                {
                    eprintln!(
                        "testkit: control plane port taken meanwhile (attempt {attempt}); starting again"
                    );
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    fn start_once(dir: &Path) -> Result<ControlPlane, ControlPlaneError> {
        let peers = ControlPlane::installed().ok_or(ControlPlaneError::NotInstalled)?;
        let output = Command::new("bash")
            .arg(repo_root().join("scripts/control-plane.sh"))
            .arg("start")
            .arg(dir)
            .env("FLUX_RS_CONTROL_PLANE", &peers)
            // Should this test process die without dropping us, the script's watchdog stops
            // the control plane instead of leaving it running.
            .env(
                "FLUX_RS_CONTROL_PLANE_OWNER",
                std::process::id().to_string(),
            )
            .output()?;
        let control_plane = ControlPlane {
            dir: dir.to_path_buf(),
            stopped: false,
        };
        if !output.status.success() || !control_plane.kubeconfig().is_file() {
            return Err(ControlPlaneError::Start {
                dir: dir.display().to_string(),
                status: output.status.to_string(),
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ),
            });
        }
        Ok(control_plane)
    }

    /// The admin kubeconfig (client certificate in `system:masters`).
    pub fn kubeconfig(&self) -> PathBuf {
        self.dir.join("kubeconfig")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The log file of one of [`PROCESSES`].
    pub fn log_path(&self, process: &str) -> PathBuf {
        self.dir.join("logs").join(format!("{process}.log"))
    }

    /// The pid of one of [`PROCESSES`] while it runs.
    pub fn pid(&self, process: &str) -> Option<u32> {
        let pid: u32 =
            std::fs::read_to_string(self.dir.join("pids").join(format!("{process}.pid")))
                .ok()?
                .trim()
                .parse()
                .ok()?;
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
        let name = exe.file_name()?.to_string_lossy();
        (name.trim_end_matches(" (deleted)") == process).then_some(pid)
    }

    /// The first of [`PROCESSES`] that is no longer running, with the end of its log.
    pub fn exited(&self) -> Option<(&'static str, String)> {
        PROCESSES.iter().find(|p| self.pid(p).is_none()).map(|p| {
            (
                *p,
                std::fs::read_to_string(self.log_path(p)).unwrap_or_default(),
            )
        })
    }

    /// Stop every process (`scripts/control-plane.sh stop`); also done on drop.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let output = Command::new("bash")
            .arg(repo_root().join("scripts/control-plane.sh"))
            .arg("stop")
            .arg(&self.dir)
            .output();
        if let Ok(output) = output
            && !output.status.success()
        {
            eprintln!(
                "scripts/control-plane.sh stop {} failed: {}",
                self.dir.display(),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        self.stop();
    }
}
