//! `flux local up`: start everything, bootstrap the fleet, follow it until Ready, stop on Ctrl-C.

use super::UpArgs;
use super::cluster::{self, FLUX_SYSTEM, ObjectState};
use super::progress::Progress;
use super::repo;
use super::supervisor::{Supervisor, exit_message, wait_for_file};
use anyhow::{Context as _, bail};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long the emulator and the git server may take to serve.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the progress display polls the cluster.
const POLL: Duration = Duration::from_secs(1);

/// The binaries `up` runs, beside the flux executable unless --bin-dir says otherwise.
struct Binaries {
    flux: PathBuf,
    emulator: PathBuf,
    source_controller: PathBuf,
    kustomize_controller: PathBuf,
}

impl Binaries {
    fn find(bin_dir: Option<&Path>) -> anyhow::Result<Binaries> {
        let flux = std::env::current_exe().context("locating the flux executable")?;
        let dir = match bin_dir {
            Some(dir) => dir.to_path_buf(),
            None => flux
                .parent()
                .context("the flux executable has no folder")?
                .to_path_buf(),
        };
        let find = |name: &str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(anyhow::anyhow!(
                    "{} not found: build it first (`cargo build --release -p kube-emulator -p source-controller \
                     -p kustomize-controller`, as scripts/run.sh does) or pass --bin-dir",
                    path.display()
                ))
            }
        };
        Ok(Binaries {
            emulator: find("kube-emulator")?,
            source_controller: find("source-controller")?,
            kustomize_controller: find("kustomize-controller")?,
            flux,
        })
    }
}

/// The state folder: temporary (removed on exit) unless --state-dir names one.
struct State {
    root: PathBuf,
    _temporary: Option<tempfile::TempDir>,
}

impl State {
    fn new(requested: Option<&Path>) -> anyhow::Result<State> {
        let (root, temporary) = match requested {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                (dir.canonicalize()?, None)
            }
            None => {
                let dir = tempfile::Builder::new().prefix("flux-local-").tempdir()?;
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        for sub in ["logs", "git", "artifacts"] {
            std::fs::create_dir_all(root.join(sub))?;
        }
        Ok(State {
            root,
            _temporary: temporary,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn log(&self, process: &str) -> PathBuf {
        self.root.join("logs").join(format!("{process}.log"))
    }
}

pub async fn up(args: UpArgs) -> anyhow::Result<ExitCode> {
    // Signals first: the children run in their own process groups, so until `flux` stops them a
    // Ctrl-C must not kill `flux` alone and leave them running.
    let interrupted = Arc::new(AtomicBool::new(false));
    listen_for_signals(interrupted.clone())?;

    let binaries = Binaries::find(args.bin_dir.as_deref())?;
    repo::git(None, &["--version"])?;
    if !args.fleet.is_dir() {
        bail!(
            "the fleet folder {} does not exist (pass --fleet DIR)",
            args.fleet.display()
        );
    }
    let args = UpArgs {
        fleet: canonical(&args.fleet, "--fleet")?,
        crds: canonical(&args.crds, "--crds")?,
        ..args
    };
    let state = State::new(args.state_dir.as_deref())?;
    let mut supervisor = Supervisor::default();
    let outcome = run(&args, &binaries, &state, &mut supervisor, &interrupted).await;
    if let Err(err) = &outcome {
        eprintln!("✗ {err:#}");
    }
    println!("► stopping every process");
    supervisor.stop_all();
    if args.state_dir.is_some() {
        println!("✔ stopped; state kept in {}", state.root.display());
    } else {
        println!("✔ stopped; removed {}", state.root.display());
        if outcome.is_err() {
            println!("  (run with --state-dir DIR to keep the logs)");
        }
    }
    Ok(if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn canonical(path: &Path, flag: &str) -> anyhow::Result<PathBuf> {
    path.canonicalize()
        .with_context(|| format!("{} does not exist (pass {flag} DIR)", path.display()))
}

fn listen_for_signals(interrupted: Arc<AtomicBool>) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = int.recv() => {},
            _ = term.recv() => {},
        }
        interrupted.store(true, Ordering::SeqCst);
    });
    Ok(())
}

async fn run(
    args: &UpArgs,
    binaries: &Binaries,
    state: &State,
    supervisor: &mut Supervisor,
    interrupted: &AtomicBool,
) -> anyhow::Result<()> {
    let started = Instant::now();

    // The API emulator.
    let kubeconfig = state.path("kubeconfig");
    supervisor.start(
        "kube-emulator",
        &binaries.emulator,
        &[
            "--listen=127.0.0.1:0".into(),
            format!("--kubeconfig={}", kubeconfig.display()),
        ],
        &[],
        state.log("kube-emulator"),
    )?;
    wait_for_file(
        supervisor,
        &kubeconfig,
        "kube-emulator",
        START_TIMEOUT,
        interrupted,
    )?;
    let client = cluster::client(&kubeconfig).await?;
    let server = client_url(&kubeconfig);
    println!("✔ API emulator serving at {server} (workload simulator on)");
    let crds = cluster::install_crds(&client, &args.crds).await?;
    println!("✔ installed {crds} CRDs from {}", args.crds.display());

    // The git server and the fleet repository.
    let bare = state.path("git").join("fleet.git");
    repo::init_bare(&bare)?;
    let address_file = state.path("git-server.address");
    supervisor.start(
        "git-server",
        &binaries.flux,
        &[
            "local".into(),
            "serve-git".into(),
            format!("--root={}", state.path("git").display()),
            format!("--address-file={}", address_file.display()),
        ],
        &[],
        state.log("git-server"),
    )?;
    wait_for_file(
        supervisor,
        &address_file,
        "the git server",
        START_TIMEOUT,
        interrupted,
    )?;
    let address = std::fs::read_to_string(&address_file)?;
    let url = format!("http://{}/fleet.git", address.trim());
    let work_tree = state.path("fleet");
    let commit = repo::seed(&args.fleet, &work_tree, &url)?;
    println!(
        "✔ fleet repository served at {url} ({}@sha1:{}, from {})",
        repo::BRANCH,
        &commit[..commit.len().min(12)],
        args.fleet.display()
    );

    // The controllers.
    let artifacts_port = free_port()?;
    let env = [("KUBECONFIG", kubeconfig.as_path())];
    let source_flags = [
        format!("--storage-path={}", state.path("artifacts").display()),
        format!("--storage-addr=127.0.0.1:{artifacts_port}"),
        format!("--storage-adv-addr=127.0.0.1:{artifacts_port}"),
    ];
    let kustomize_flags = ["--requeue-dependency=5s".to_string()];
    for (name, program, own) in [
        (
            "source-controller",
            &binaries.source_controller,
            &source_flags[..],
        ),
        (
            "kustomize-controller",
            &binaries.kustomize_controller,
            &kustomize_flags[..],
        ),
    ] {
        let mut flags = vec![
            format!("--kubeconfig={}", kubeconfig.display()),
            format!("--metrics-addr=127.0.0.1:{}", free_port()?),
            format!("--health-addr=127.0.0.1:{}", free_port()?),
            "--log-encoding=console".into(),
        ];
        flags.extend(own.iter().cloned());
        let flags = supported(program, flags)?;
        supervisor.start(name, program, &flags, &env, state.log(name))?;
    }
    println!(
        "✔ started source-controller and kustomize-controller (logs in {})",
        state.path("logs").display()
    );

    cluster::bootstrap(&client, &url, repo::BRANCH, &args.path, &args.interval).await?;
    println!(
        "✔ created GitRepository and Kustomization {FLUX_SYSTEM}/{FLUX_SYSTEM} (path {})",
        args.path
    );
    println!();

    follow(
        args,
        state,
        supervisor,
        &client,
        &server,
        interrupted,
        started,
    )
    .await
}

/// Show progress until every object is Ready, print how to use the cluster, then keep showing
/// changes until interrupted.
async fn follow(
    args: &UpArgs,
    state: &State,
    supervisor: &mut Supervisor,
    client: &kube::Client,
    server: &str,
    interrupted: &AtomicBool,
    started: Instant,
) -> anyhow::Result<()> {
    let mut progress = Progress::new(std::io::stdout().is_terminal());
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);
    let mut ready_once = false;
    let mut last: Vec<ObjectState> = Vec::new();
    loop {
        if interrupted.load(Ordering::SeqCst) {
            return Ok(());
        }
        if let Some(exited) = supervisor.exited() {
            bail!(exit_message(&exited));
        }
        match cluster::states(client).await {
            Ok(states) => {
                progress.show(&states);
                last = states;
            }
            // The emulator going away is reported by supervisor.exited(); a failed list is retried.
            Err(err) => eprintln!("  (listing Flux objects failed: {err:#})"),
        }
        let all_ready = ["GitRepository", "Kustomization"]
            .iter()
            .all(|kind| last.iter().any(|s| s.kind == *kind))
            && last.iter().all(|s| s.is_ready);
        if all_ready && !ready_once {
            ready_once = true;
            println!();
            println!("✔ all Ready after {}s", started.elapsed().as_secs());
            print_usage(args, state, server);
            progress.detach();
        }
        if !ready_once && Instant::now() > deadline {
            let stuck: Vec<String> = last
                .iter()
                .filter(|s| !s.is_ready)
                .map(|s| {
                    let why = if s.ready == "-" {
                        "not reconciled yet"
                    } else {
                        s.message.as_str()
                    };
                    format!(
                        "  {}/{}/{}: Ready={} {why}",
                        s.kind, s.namespace, s.name, s.ready
                    )
                })
                .collect();
            bail!(
                "not every object was Ready after {}s:\n{}\nthe logs are in {}",
                args.timeout_secs,
                stuck.join("\n"),
                state.path("logs").display()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

fn print_usage(args: &UpArgs, state: &State, server: &str) {
    let kubeconfig = state.path("kubeconfig");
    let work_tree = state.path("fleet");
    println!(
        "
The cluster (the API emulator at {server}):
  export KUBECONFIG={kubeconfig}
  kubectl get gitrepositories,kustomizations -A
  kubectl get deployments,services,configmaps -n podinfo

Push a change to the fleet repository and watch it roll out:
  cd {work_tree}
  sed -i 's/value: 1/value: 3/' apps/local/kustomization.yaml
  git commit -qam 'podinfo: 3 replicas' && git push -q
  kubectl get deployment podinfo -n podinfo -w
The GitRepository fetches the repository every {interval}; the apps Kustomization then applies it.

Logs: {logs}
Press Ctrl-C to stop every process{removal}.
",
        kubeconfig = kubeconfig.display(),
        work_tree = work_tree.display(),
        interval = args.interval,
        logs = state.path("logs").display(),
        removal = if args.state_dir.is_some() {
            String::new()
        } else {
            format!(" and remove {}", state.root.display())
        },
    );
}

/// The server URL in a kubeconfig (for messages).
fn client_url(kubeconfig: &Path) -> String {
    std::fs::read_to_string(kubeconfig)
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.trim().strip_prefix("server:"))
        .map(|s| s.trim().trim_matches('"').to_string())
        .unwrap_or_default()
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The flags among `flags` that `program --help` lists: a controller that does not (yet) take one
/// of Flux's flags still starts.
fn supported(program: &Path, flags: Vec<String>) -> anyhow::Result<Vec<String>> {
    let output = std::process::Command::new(program)
        .arg("--help")
        .output()
        .with_context(|| format!("running {} --help", program.display()))?;
    let help = String::from_utf8_lossy(&output.stdout);
    let known: Vec<&str> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--"))
        .collect();
    Ok(flags
        .into_iter()
        .filter(|f| known.contains(&f.split('=').next().unwrap_or_default()))
        .collect())
}
