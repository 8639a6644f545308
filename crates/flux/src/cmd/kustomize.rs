//! `flux kustomize`: the native kustomize engine.

use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum KustomizeCommand {
    /// Build a kustomization folder and print the YAML, like `kubectl kustomize DIR`.
    Build {
        /// Folder holding a kustomization.yaml (defaults to the current folder).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Refuse remote resources and bases.
        #[arg(long)]
        no_remote_bases: bool,
        /// When DIR has no kustomization file, include every manifest under it (Flux's rule).
        #[arg(long)]
        generate: bool,
    },
}

pub fn run(command: KustomizeCommand) -> anyhow::Result<ExitCode> {
    match command {
        KustomizeCommand::Build {
            dir,
            no_remote_bases,
            generate,
        } => {
            let opts = flux_kustomize::BuildOptions {
                no_remote: no_remote_bases,
                generate_missing: generate,
                ..Default::default()
            };
            match flux_kustomize::build(&dir, &opts) {
                Ok(out) => {
                    std::io::stdout().write_all(out.as_bytes())?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("Error: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
