//! The processes `flux local up` starts: each in its own process group (so a Ctrl-C in the terminal
//! reaches only `flux`, which then stops them in order), logging to its own file.

use anyhow::Context as _;
use std::fs::File;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a process may take to stop after SIGTERM before it gets SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A started process.
pub struct Managed {
    pub name: String,
    pub log: PathBuf,
    child: Child,
    status: Option<ExitStatus>,
}

/// Every process started, stopped in reverse order.
#[derive(Default)]
pub struct Supervisor {
    processes: Vec<Managed>,
}

/// A process that exited on its own.
pub struct Exited {
    pub name: String,
    pub status: ExitStatus,
    pub log: PathBuf,
}

impl Supervisor {
    /// Start `program args`, stdout and stderr to `log`, with `env` added.
    pub fn start(
        &mut self,
        name: &str,
        program: &Path,
        args: &[String],
        env: &[(&str, &Path)],
        log: PathBuf,
    ) -> anyhow::Result<()> {
        let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let err = out.try_clone()?;
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {name} ({})", program.display()))?;
        self.processes.push(Managed {
            name: name.to_string(),
            log,
            child,
            status: None,
        });
        Ok(())
    }

    /// The first process that has exited, if any.
    pub fn exited(&mut self) -> Option<Exited> {
        self.processes.iter_mut().find_map(|p| {
            if p.status.is_none() {
                p.status = p.child.try_wait().ok().flatten();
            }
            p.status.map(|status| Exited {
                name: p.name.clone(),
                status,
                log: p.log.clone(),
            })
        })
    }

    /// SIGTERM each process, last started first, and wait for it; SIGKILL after the grace period.
    pub fn stop_all(&mut self) {
        while let Some(mut process) = self.processes.pop() {
            stop(&mut process);
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop_all();
    }
}

fn stop(process: &mut Managed) {
    if process.status.is_some() || matches!(process.child.try_wait(), Ok(Some(_))) {
        return;
    }
    if let Ok(pid) = i32::try_from(process.child.id()) {
        // SAFETY: kill(2) on the pid of a child we have not reaped yet: it cannot name another process.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
    let deadline = Instant::now() + STOP_GRACE;
    while Instant::now() < deadline {
        if matches!(process.child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = process.child.kill();
    let _ = process.child.wait();
}

/// The last `n` lines of a log file, without terminal colour codes.
pub fn log_tail(path: &Path, n: usize) -> String {
    let text = strip_ansi(&std::fs::read_to_string(path).unwrap_or_default());
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// `text` without ANSI escape sequences (ESC [ ... letter).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Wait until `file` exists (a process writes it, renamed into place, once it serves), failing
/// when a supervised process exits first, on Ctrl-C or at `timeout`.
pub fn wait_for_file(
    supervisor: &mut Supervisor,
    file: &Path,
    what: &str,
    timeout: Duration,
    interrupted: &std::sync::atomic::AtomicBool,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    while !file.exists() {
        if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
            anyhow::bail!("interrupted while waiting for {what}");
        }
        if let Some(exited) = supervisor.exited() {
            anyhow::bail!(exit_message(&exited));
        }
        if Instant::now() > deadline {
            anyhow::bail!("{what} did not start within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Ok(())
}

/// "NAME exited (STATUS); the end of its log (PATH):" and the log's last lines.
pub fn exit_message(exited: &Exited) -> String {
    format!(
        "{} exited ({}); the end of its log ({}):\n{}",
        exited.name,
        exited.status,
        exited.log.display(),
        indent(&log_tail(&exited.log, 20))
    )
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn colour_codes_are_stripped() {
        assert_eq!(
            super::strip_ansi("\x1b[2m2026\x1b[0m \x1b[32m INFO\x1b[0m ok"),
            "2026  INFO ok"
        );
    }
}
