//! `flux kustomize`: not implemented yet.

use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum KustomizeCommand {}

pub fn run(command: KustomizeCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
