//! `kube-emulator`: serve the emulated Kubernetes API until SIGTERM/SIGINT.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use kube_emulator::{Emulator, EmulatorConfig, read_tokens_file};

/// A Kubernetes API server emulator for tests, benchmarks and local runs.
///
/// Serves the Kubernetes REST API over plain HTTP, and writes a kubeconfig (admin token, current
/// context set) to --kubeconfig only once it is ready to serve.
#[derive(Debug, Parser)]
#[command(name = "kube-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port; the kubeconfig names the real one).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where to write the admin kubeconfig once the server is ready.
    #[arg(long)]
    kubeconfig: PathBuf,
    /// Keep every object in this directory across restarts (journal.jsonl); memory only if unset.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Extra users: CSV lines `token,user,uid,"group1,group2"` (as kube-apiserver's
    /// --token-auth-file). Their requests are authorized by RBAC.
    #[arg(long)]
    tokens: Option<PathBuf>,
    /// The admin token written into the kubeconfig (random if unset). Its user is in system:masters.
    #[arg(long, env = "KUBE_EMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Do not simulate workload controllers (Deployments etc. then never report status).
    #[arg(long)]
    no_workload_simulator: bool,
    /// Milliseconds after a spec change before simulated workloads report ready.
    #[arg(long, default_value_t = 500)]
    workload_delay_ms: u64,
    /// Seconds between BOOKMARK events on watches that allow them.
    #[arg(long, default_value_t = 10)]
    bookmark_interval_secs: u64,
    /// Number of changes kept for watches to resume from; older resourceVersions get 410 Gone.
    #[arg(long, default_value_t = 10_000)]
    watch_history: usize,
    /// Log filter (tracing EnvFilter syntax), e.g. `info` or `kube_emulator=debug`.
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    log: String,
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term => {},
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&args.log)?)
        .with_writer(std::io::stderr)
        .init();
    let tokens = match &args.tokens {
        Some(p) => read_tokens_file(p)?,
        None => Default::default(),
    };
    let cfg = EmulatorConfig {
        listen: args.listen,
        kubeconfig: Some(args.kubeconfig.clone()),
        data_dir: args.data_dir.clone(),
        admin_token: args.admin_token.clone(),
        tokens,
        workload_simulator: !args.no_workload_simulator,
        workload_delay: Duration::from_millis(args.workload_delay_ms),
        bookmark_interval: Duration::from_secs(args.bookmark_interval_secs.max(1)),
        watch_history: args.watch_history,
    };
    let emu = Emulator::start_with(cfg).await?;
    tracing::info!(url = emu.url(), kubeconfig = %emu.kubeconfig_path().display(), "kube-emulator ready");
    shutdown_signal().await;
    tracing::info!("shutting down");
    emu.stop().await;
    Ok(())
}
