//! The e2e process harness: a cluster (the API emulator, or the real control plane of
//! [`crate::control_plane`]) and the controllers as separate processes on free ports, each logging
//! to a file; every log is printed (and the directory kept) when a test fails.
//!
//! ```no_run
//! use std::time::Duration;
//! use testkit::processes::Cluster;
//!
//! // $FLUX_RS_CLUSTER picks the cluster: the emulator (default) or `real`; config/crds installed.
//! let mut cluster = Cluster::start();
//! cluster.start_controller("source-controller", &["--storage-path=/tmp/x"]);
//! cluster.kubectl().ok(&["get", "gitrepositories", "-A"]);
//! cluster.wait_ready("gitrepository", "flux-system", "podinfo", Duration::from_secs(60));
//! // Dropped: every process is stopped; during a panic, every log is printed first.
//! ```
//!
//! Everything here is blocking (std::process and kubectl); from an async test call it inside
//! `tokio::task::spawn_blocking` or use a plain `#[test]`.

use crate::control_plane::{ControlPlane, PROCESSES};
use crate::kubectl::Kubectl;
use crate::paths::repo_root;
use std::collections::HashMap;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// How long the emulator may take to write its kubeconfig.
const EMULATOR_START_TIMEOUT: Duration = Duration::from_secs(60);
/// Lines of each log printed when a test fails.
const LOG_TAIL_LINES: usize = 300;
/// What a controller binary prints while its reconcilers have not landed.
pub const STUB_MESSAGE: &str = "no reconciler is implemented";

/// A process started by the harness, logging stdout and stderr to one file.
#[derive(Debug)]
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
    exited: Option<ExitStatus>,
    metrics_addr: Option<String>,
    health_addr: Option<String>,
}

impl Process {
    /// Start `program` with `args`, stdout and stderr appended to `log`.
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        env: &[(&str, &Path)],
        log: PathBuf,
    ) -> Process {
        let out =
            File::create(&log).unwrap_or_else(|e| panic!("cannot create {}: {e}", log.display()));
        let err = out.try_clone().expect("clone log file handle");
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} ({}): {e}", program.display()));
        Process {
            name: name.to_string(),
            child,
            log,
            exited: None,
            metrics_addr: None,
            health_addr: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Everything the process printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `--metrics-addr` the harness gave a controller.
    pub fn metrics_addr(&self) -> Option<&str> {
        self.metrics_addr.as_deref()
    }

    /// `--health-addr` the harness gave a controller.
    pub fn health_addr(&self) -> Option<&str> {
        self.health_addr.as_deref()
    }

    /// The exit status once the process has exited.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited
    }

    /// Kill the process (SIGKILL) and reap it.
    pub fn kill(&mut self) {
        if self.exit_status().is_none() {
            let _ = self.child.kill();
            self.exited = self.child.wait().ok();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Which API server the e2e tests run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterKind {
    /// kube-emulator (crates/kube-emulator) with its workload simulator.
    Emulator,
    /// etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (scripts/control-plane.sh).
    Real,
}

impl ClusterKind {
    /// `$FLUX_RS_CLUSTER`: unset or `emulator` for the emulator, `real` for the real control plane.
    pub fn from_env() -> ClusterKind {
        match std::env::var("FLUX_RS_CLUSTER").as_deref() {
            Err(_) | Ok("") | Ok("emulator") => ClusterKind::Emulator,
            Ok("real") => ClusterKind::Real,
            Ok(other) => panic!("FLUX_RS_CLUSTER={other:?}: expected `emulator` or `real`"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ClusterKind::Emulator => "emulator",
            ClusterKind::Real => "real",
        }
    }
}

/// The API server behind a [`Cluster`].
enum Server {
    Emulator(Process),
    Real(ControlPlane),
}

/// A cluster (the emulator or the real control plane) with the Flux CRDs installed, and the
/// controllers started on it.
pub struct Cluster {
    // Field order matters: processes are killed before the directory is removed.
    controllers: Vec<Process>,
    server: Server,
    kind: ClusterKind,
    kubectl: Kubectl,
    kubeconfig: PathBuf,
    server_url: String,
    dir: Option<tempfile::TempDir>,
}

impl Cluster {
    /// Start the cluster `$FLUX_RS_CLUSTER` names (see [`ClusterKind::from_env`]) and install
    /// `config/crds`. Panics with a clear message (and the server's log) when anything fails.
    pub fn start() -> Cluster {
        Cluster::start_on(ClusterKind::from_env())
    }

    /// The API emulator, whatever `$FLUX_RS_CLUSTER` says, with `config/crds`.
    pub fn emulator() -> Cluster {
        Cluster::start_on(ClusterKind::Emulator)
    }

    /// The real control plane, whatever `$FLUX_RS_CLUSTER` says, with `config/crds`.
    pub fn real() -> Cluster {
        Cluster::start_on(ClusterKind::Real)
    }

    /// A cluster of `kind` with `config/crds` installed.
    pub fn start_on(kind: ClusterKind) -> Cluster {
        let cluster = Cluster::start_without_crds_on(kind);
        let crds = repo_root().join("config/crds");
        let crds = crds.to_str().expect("UTF-8 path");
        cluster.kubectl.ok(&["apply", "--server-side", "-f", crds]);
        cluster.kubectl.ok(&[
            "wait",
            "--for=condition=Established",
            "crd",
            "--all",
            "--timeout=60s",
        ]);
        cluster
    }

    /// The cluster `$FLUX_RS_CLUSTER` names, without CRDs.
    pub fn start_without_crds() -> Cluster {
        Cluster::start_without_crds_on(ClusterKind::from_env())
    }

    /// A cluster of `kind` without CRDs.
    pub fn start_without_crds_on(kind: ClusterKind) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("flux-rs-e2e-")
            .tempdir()
            .expect("create a temporary directory");
        let (server, kubeconfig) = match kind {
            ClusterKind::Emulator => {
                let kubeconfig = dir.path().join("kubeconfig");
                (
                    Server::Emulator(start_emulator(dir.path(), &kubeconfig)),
                    kubeconfig,
                )
            }
            ClusterKind::Real => {
                let control_plane = ControlPlane::start(&dir.path().join("control-plane"))
                    .unwrap_or_else(|e| panic!("the real control plane did not start: {e}"));
                let kubeconfig = control_plane.kubeconfig();
                (Server::Real(control_plane), kubeconfig)
            }
        };
        let text = std::fs::read_to_string(&kubeconfig).expect("read kubeconfig");
        let server_url = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("server:"))
            .map(|s| s.trim().trim_matches('"').to_string())
            .unwrap_or_else(|| panic!("kubeconfig names no server:\n{text}"));
        Cluster {
            controllers: Vec::new(),
            server,
            kind,
            kubectl: Kubectl::new(&kubeconfig),
            kubeconfig,
            server_url,
            dir: Some(dir),
        }
    }

    /// Which API server this is.
    pub fn kind(&self) -> ClusterKind {
        self.kind
    }

    /// The API server's own processes (`kube-emulator`, or etcd, kube-apiserver, ... for the
    /// real control plane) with their pids, e.g. for a benchmark to read their usage.
    pub fn server_processes(&self) -> Vec<(&'static str, u32)> {
        match &self.server {
            Server::Emulator(process) => vec![("kube-emulator", process.pid())],
            Server::Real(control_plane) => PROCESSES
                .iter()
                .filter_map(|p| control_plane.pid(p).map(|pid| (*p, pid)))
                .collect(),
        }
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    pub fn kubectl(&self) -> &Kubectl {
        &self.kubectl
    }

    /// The API server's `https://127.0.0.1:PORT` (the emulator also answers plain HTTP there).
    pub fn server_url(&self) -> &str {
        &self.server_url
    }

    /// A scratch directory removed with the cluster (kept when a test fails).
    pub fn dir(&self) -> &Path {
        self.dir
            .as_ref()
            .expect("directory present until drop")
            .path()
    }

    /// Start the source-controller with its artifact storage in `<dir>/storage`, served on a free
    /// local port that is also the advertised address; `extra` flags are added. Returns that
    /// address (`127.0.0.1:<port>`).
    pub fn start_source_controller(&mut self, extra: &[&str]) -> String {
        let storage = self.dir().join("storage");
        let storage_addr = format!("127.0.0.1:{}", free_port());
        let mut args = vec![
            format!("--storage-path={}", storage.display()),
            format!("--storage-addr={storage_addr}"),
            format!("--storage-adv-addr={storage_addr}"),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.start_controller("source-controller", &args);
        storage_addr
    }

    /// Start a controller binary (located or built by [`binary`]) with `args`, plus
    /// `--kubeconfig`, `--metrics-addr` and `--health-addr` on free ports and
    /// `--log-encoding=console` unless `args` sets them. Its output goes to `<dir>/<name>.log`.
    pub fn start_controller(&mut self, name: &str, args: &[&str]) -> &Process {
        let program = binary(name);
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let has = |flag: &str| {
            args.iter()
                .any(|a| *a == flag || a.starts_with(&format!("{flag}=")))
        };
        if !has("--kubeconfig") {
            all.push(format!("--kubeconfig={}", self.kubeconfig.display()));
        }
        let mut metrics_addr = None;
        if !has("--metrics-addr") {
            let addr = format!("127.0.0.1:{}", free_port());
            all.push(format!("--metrics-addr={addr}"));
            metrics_addr = Some(addr);
        }
        let mut health_addr = None;
        if !has("--health-addr") {
            let addr = format!("127.0.0.1:{}", free_port());
            all.push(format!("--health-addr={addr}"));
            health_addr = Some(addr);
        }
        if !has("--log-encoding") {
            all.push("--log-encoding=console".to_string());
        }
        let count = self.controllers.iter().filter(|p| p.name == name).count();
        let log_name = if count == 0 {
            format!("{name}.log")
        } else {
            format!("{name}-{count}.log")
        };
        let log = self.dir().join(log_name);
        let mut process = Process::spawn(
            name,
            &program,
            &all,
            &[("KUBECONFIG", self.kubeconfig.as_path())],
            log,
        );
        process.metrics_addr = metrics_addr;
        process.health_addr = health_addr;
        self.controllers.push(process);
        self.controllers.last().expect("just pushed")
    }

    /// The controllers started so far.
    pub fn controllers(&self) -> &[Process] {
        &self.controllers
    }

    /// Stop (SIGKILL) every controller named `name`, e.g. to restart it with other flags.
    pub fn stop_controller(&mut self, name: &str) {
        self.controllers.retain(|p| p.name != name);
    }

    /// Panics, naming the process and showing its log, when the emulator or a controller exited.
    pub fn assert_running(&mut self) {
        if let Server::Real(control_plane) = &self.server
            && let Some((name, log)) = control_plane.exited()
        {
            panic!(
                "{name} (real control plane) exited; its log ends with:\n{}",
                tail(&log, LOG_TAIL_LINES)
            );
        }
        let server = match &mut self.server {
            Server::Emulator(process) => Some(process),
            Server::Real(_) => None,
        };
        let exited = server
            .into_iter()
            .chain(self.controllers.iter_mut())
            .find_map(|p| p.exit_status().map(|s| (p.name.clone(), s, p.log())));
        if let Some((name, status, log)) = exited {
            panic!(
                "{name} exited ({status}); its log ends with:\n{}",
                tail(&log, LOG_TAIL_LINES)
            );
        }
    }

    /// Poll `check` every 250 ms until it returns Some, failing early when a process exits and with
    /// `what` and the last value of `describe` at the deadline.
    pub fn wait_for<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&Kubectl) -> Option<T>,
        describe: impl Fn(&Kubectl) -> String,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            self.assert_running();
            if let Some(value) = check(&self.kubectl) {
                return value;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}; now:\n{}",
                    describe(&self.kubectl)
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Wait until the object's condition `type_` has `status` ("True", "False", "Unknown") for the
    /// object's generation (the condition's observedGeneration, as kstatus reads it: a failed
    /// generation leaves status.observedGeneration behind). Returns the object.
    pub fn wait_condition(
        &mut self,
        kind: &str,
        namespace: &str,
        name: &str,
        type_: &str,
        status: &str,
        timeout: Duration,
    ) -> serde_json::Value {
        let what = format!("{kind} {namespace}/{name} condition {type_}={status}");
        let args = ["get", kind, name, "-n", namespace, "-o", "json"];
        self.wait_for(
            &what,
            timeout,
            |kubectl| {
                let run = kubectl.run(&args, None);
                if !run.success {
                    return None;
                }
                let object: serde_json::Value = serde_json::from_str(&run.stdout).ok()?;
                condition(&object, type_)
                    .is_some_and(|c| c["status"] == status && condition_is_current(&object, c))
                    .then_some(object)
            },
            |kubectl| {
                let run = kubectl.run(&["get", kind, name, "-n", namespace, "-o", "yaml"], None);
                format!("{}{}", run.stdout, run.stderr)
            },
        )
    }

    /// Wait until the object is Ready=True for its current generation.
    pub fn wait_ready(
        &mut self,
        kind: &str,
        namespace: &str,
        name: &str,
        timeout: Duration,
    ) -> serde_json::Value {
        self.wait_condition(kind, namespace, name, "Ready", "True", timeout)
    }

    /// Every process's log (the last lines of each), for a failure message.
    pub fn logs(&self) -> String {
        let mut logs: Vec<(String, PathBuf)> = match &self.server {
            Server::Emulator(process) => vec![(process.name.clone(), process.log.clone())],
            Server::Real(control_plane) => PROCESSES
                .iter()
                .map(|p| (p.to_string(), control_plane.log_path(p)))
                .collect(),
        };
        logs.extend(
            self.controllers
                .iter()
                .map(|p| (p.name.clone(), p.log.clone())),
        );
        let mut out = String::new();
        for (name, path) in logs {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            out.push_str(&format!(
                "\n===== {name} ({}) =====\n{}",
                path.display(),
                tail(&text, LOG_TAIL_LINES)
            ));
        }
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "\n===== test failed: logs of every process started by testkit::processes ====="
            );
            eprintln!("{}", self.logs());
            if let Some(dir) = self.dir.take() {
                eprintln!("===== logs kept in {} =====\n", dir.keep().display());
            }
        }
        self.controllers.clear();
        match &mut self.server {
            Server::Emulator(process) => process.kill(),
            Server::Real(control_plane) => control_plane.stop(),
        }
    }
}

/// kube-emulator (workload simulator on) on a free port, once it has written `kubeconfig`.
fn start_emulator(dir: &Path, kubeconfig: &Path) -> Process {
    let emulator_bin = binary("kube-emulator");
    let args = vec![
        "--listen=127.0.0.1:0".to_string(),
        format!("--kubeconfig={}", kubeconfig.display()),
        "--log=info".to_string(),
    ];
    let mut emulator = Process::spawn(
        "kube-emulator",
        &emulator_bin,
        &args,
        &[],
        dir.join("kube-emulator.log"),
    );
    let deadline = Instant::now() + EMULATOR_START_TIMEOUT;
    // The emulator renames the kubeconfig into place once it serves, so a present file is whole.
    while !kubeconfig.exists() {
        if let Some(status) = emulator.exit_status() {
            panic!(
                "kube-emulator exited ({status}) before serving:\n{}",
                emulator.log()
            );
        }
        if Instant::now() > deadline {
            panic!(
                "kube-emulator wrote no kubeconfig within {EMULATOR_START_TIMEOUT:?}:\n{}",
                emulator.log()
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    emulator
}

/// The condition of `type_` in `status.conditions`.
pub fn condition<'a>(object: &'a serde_json::Value, type_: &str) -> Option<&'a serde_json::Value> {
    object["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)
}

/// True when `condition` describes the object's current generation: its own observedGeneration,
/// else status.observedGeneration, when either is set.
pub fn condition_is_current(object: &serde_json::Value, condition: &serde_json::Value) -> bool {
    match condition["observedGeneration"].as_i64() {
        Some(observed) => Some(observed) == object["metadata"]["generation"].as_i64(),
        None => is_observed(object),
    }
}

/// True when status.observedGeneration is absent or equals metadata.generation.
pub fn is_observed(object: &serde_json::Value) -> bool {
    match (
        object["status"]["observedGeneration"].as_i64(),
        object["metadata"]["generation"].as_i64(),
    ) {
        (Some(observed), Some(generation)) => observed == generation,
        _ => true,
    }
}

/// A port free on 127.0.0.1 at the time of the call.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// The last `n` lines of `text`, without terminal colour codes.
pub fn tail(text: &str, n: usize) -> String {
    let text = strip_ansi(text);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// `text` without ANSI escape sequences (ESC [ ... letter), as console logs write colours.
pub fn strip_ansi(text: &str) -> String {
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

/// If the controller binary `name` is still the stub that exits with [`STUB_MESSAGE`], that line.
/// The binary runs once against an absent kubeconfig (scratch storage and free ports for the flags
/// its `--help` lists), for at most 10 s.
pub fn stub_message(name: &str) -> Option<String> {
    let program = binary(name);
    let dir = tempfile::tempdir().expect("temporary directory");
    let candidates = [
        format!(
            "--kubeconfig={}",
            dir.path().join("absent-kubeconfig").display()
        ),
        format!("--metrics-addr=127.0.0.1:{}", free_port()),
        format!("--health-addr=127.0.0.1:{}", free_port()),
        format!("--storage-path={}", dir.path().join("storage").display()),
        format!("--storage-addr=127.0.0.1:{}", free_port()),
    ];
    let args = supported_flags(&program, &candidates);
    let mut process = Process::spawn(name, &program, &args, &[], dir.path().join("probe.log"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while process.exit_status().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    process.kill();
    let log = process.log();
    log.lines()
        .find(|l| l.contains(STUB_MESSAGE))
        .map(str::to_string)
}

/// The flags among `flags` (`--name=value`) that `program --help` lists.
pub fn supported_flags(program: &Path, flags: &[String]) -> Vec<String> {
    let help = Command::new(program)
        .arg("--help")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let known: Vec<&str> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--"))
        .collect();
    flags
        .iter()
        .filter(|f| known.contains(&f.split('=').next().unwrap_or_default()))
        .cloned()
        .collect()
}

/// The path of the workspace binary `name` (package and binary share the name), in this order:
/// `$FLUX_RS_BIN_DIR/<name>`; the binary next to the running test (target/<profile>/<name>) when it
/// is newer than every source file of the workspace (so what `cargo test --workspace` just built is
/// used as is); otherwise `cargo build -p <name> --bin <name>` into the same target directory and
/// profile, once per test process.
pub fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    // Holding the lock while building keeps parallel tests from building the same binary twice.
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(name) {
        return path.clone();
    }
    let path = locate_or_build(name);
    built.insert(name.to_string(), path.clone());
    path
}

fn locate_or_build(name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("FLUX_RS_BIN_DIR") {
        let path = PathBuf::from(dir).join(name);
        assert!(
            path.is_file(),
            "FLUX_RS_BIN_DIR is set but {} does not exist",
            path.display()
        );
        return path;
    }
    let (target_dir, profile_dir) = test_target_dirs();
    let next_to_test = profile_dir.join(name);
    if let Ok(built) = next_to_test.metadata().and_then(|m| m.modified())
        && newest_source_mtime().is_some_and(|newest| built >= newest)
    {
        return next_to_test;
    }
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev".to_string(),
        Some(other) => other.to_string(),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("testkit: building {name} (cargo build -p {name} --profile {profile})");
    let output = Command::new(&cargo)
        .current_dir(repo_root())
        .args([
            "build",
            "--quiet",
            "--message-format=json",
            "-p",
            name,
            "--bin",
            name,
            "--profile",
            &profile,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build {name}: {e}"));
    assert!(
        output.status.success(),
        "cargo build -p {name} failed (see its output above)"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo build -p {name} reported no executable"))
}

/// (target dir, profile dir) of the running test executable: `<target>/<profile>/deps/<test>`.
fn test_target_dirs() -> (PathBuf, PathBuf) {
    let exe = std::env::current_exe().expect("current test executable");
    let deps = exe.parent().expect("test executable has a directory");
    let profile_dir = if deps.file_name().is_some_and(|n| n == "deps") {
        deps.parent().expect("deps has a parent").to_path_buf()
    } else {
        deps.to_path_buf()
    };
    let target_dir = profile_dir
        .parent()
        .expect("profile dir has a parent")
        .to_path_buf();
    (target_dir, profile_dir)
}

/// The newest modification time among the workspace's manifests and every crate's sources
/// (`crates/*/{Cargo.toml, build.rs, src/**}`).
fn newest_source_mtime() -> Option<SystemTime> {
    let root = repo_root();
    let mut newest = None;
    for file in ["Cargo.toml", "Cargo.lock"] {
        bump(&mut newest, &root.join(file));
    }
    let mut stack = Vec::new();
    for krate in std::fs::read_dir(root.join("crates")).ok()?.flatten() {
        let dir = krate.path();
        bump(&mut newest, &dir.join("Cargo.toml"));
        bump(&mut newest, &dir.join("build.rs"));
        stack.push(dir.join("src"));
    }
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(entry.path()),
                Ok(kind) if kind.is_file() => bump(&mut newest, &entry.path()),
                _ => {}
            }
        }
    }
    newest
}

fn bump(newest: &mut Option<SystemTime>, path: &Path) {
    if let Ok(modified) = path.metadata().and_then(|m| m.modified()) {
        *newest = Some(newest.map_or(modified, |n| n.max(modified)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_serves_kubectl_and_waits_on_simulated_workloads() {
        let mut cluster = Cluster::start();
        let crds = cluster.kubectl().ok(&["get", "crd", "-o", "name"]);
        assert!(
            crds.contains("kustomizations.kustomize.toolkit.fluxcd.io"),
            "{crds}"
        );

        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n";
        let run = cluster
            .kubectl()
            .run(&["apply", "-f", "-"], Some(deployment));
        assert!(run.success, "{}", run.stderr);
        let object = cluster.wait_condition(
            "deployment",
            "default",
            "web",
            "Available",
            "True",
            Duration::from_secs(60),
        );
        assert_eq!(object["status"]["readyReplicas"], 1, "{object}");
    }

    #[test]
    fn an_exited_process_is_named_with_its_log() {
        let mut cluster = Cluster::start_without_crds();
        // kube-emulator refuses an unknown flag: a process that exits at once.
        cluster.start_controller("kube-emulator", &["--no-such-flag"]);
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cluster.wait_for(
                "nothing",
                Duration::from_secs(60),
                |_| None::<()>,
                |_| String::new(),
            )
        }))
        .expect_err("the exited process is reported");
        let message = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.starts_with("kube-emulator exited"), "{message}");
        assert!(message.contains("--no-such-flag"), "{message}");
        cluster.stop_controller("kube-emulator");
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        assert_eq!(tail("a\nb\nc", 2), "b\nc");
        assert_eq!(tail("a", 5), "a");
        assert_eq!(tail("\x1b[32mINFO\x1b[0m x", 1), "INFO x");
    }
}
