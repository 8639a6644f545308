//! `flux helm`: not implemented yet.

use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum HelmCommand {}

pub fn run(command: HelmCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
