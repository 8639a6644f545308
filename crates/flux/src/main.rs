//! `flux`: the command-line interface.

mod cmd;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "flux",
    version,
    about = "Command line utility for assembling Kubernetes CD pipelines the GitOps way (flux-rs)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up; the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Kustomize engine commands.
    #[command(subcommand)]
    Kustomize(cmd::kustomize::KustomizeCommand),
    /// Helm engine commands.
    #[command(subcommand)]
    Helm(cmd::helm::HelmCommand),
    /// flux-rs on this machine with no cluster: `flux local up`.
    #[command(subcommand)]
    Local(cmd::local::LocalCommand),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Kustomize(c) => cmd::kustomize::run(c),
        Command::Helm(c) => cmd::helm::run(c),
        Command::Local(c) => cmd::local::run(c),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("✗ {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
