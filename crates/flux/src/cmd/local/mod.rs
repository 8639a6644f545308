//! `flux local`: flux-rs on this machine, with no cluster: the API emulator, a git server serving the
//! example fleet and the controllers, as separate processes.

mod cluster;
mod git_http;
mod progress;
mod repo;
mod supervisor;
mod up;

use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Where this crate sits in the repository, for the defaults of --fleet and --crds.
const REPO_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Start the API emulator, a git server serving the fleet repository and the controllers,
    /// bootstrap Flux on the fleet and show its progress until every object is Ready; Ctrl-C stops
    /// everything and removes the temporary state.
    Up(UpArgs),
    /// The git server `up` starts as a process: smart HTTP for the bare repositories under ROOT.
    #[command(hide = true)]
    ServeGit {
        /// Folder holding the bare repositories (served as /<name>.git).
        #[arg(long)]
        root: PathBuf,
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        /// Write the bound address here once listening.
        #[arg(long)]
        address_file: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// The fleet repository's content: copied, committed and pushed to the local git server.
    #[arg(long, default_value_os_t = PathBuf::from(REPO_ROOT).join("examples/fleet"))]
    pub fleet: PathBuf,
    /// The folder of the fleet the flux-system Kustomization applies.
    #[arg(long, default_value = "./clusters/local")]
    pub path: String,
    /// The CRDs to install.
    #[arg(long, default_value_os_t = PathBuf::from(REPO_ROOT).join("config/crds"))]
    pub crds: PathBuf,
    /// Where kube-emulator, source-controller and kustomize-controller are (default: beside flux).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Keep the state (kubeconfig, repositories, logs, artifacts) in this folder, which is not
    /// removed on exit. By default a temporary folder is used and removed.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// The flux-system GitRepository's interval: how often the fleet repository is fetched.
    #[arg(long, default_value = "30s")]
    pub interval: String,
    /// Give up (stop everything, exit 1) when not every object is Ready after this many seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_secs: u64,
}

pub fn run(command: LocalCommand) -> anyhow::Result<ExitCode> {
    match command {
        LocalCommand::Up(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            runtime.block_on(up::up(args))
        }
        LocalCommand::ServeGit {
            root,
            listen,
            address_file,
        } => {
            git_http::serve(&root, &listen, address_file.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
