//! notification-controller: parses Flux's flags, then stops: its reconcilers have not landed yet.

use clap::Parser;
use flux_runtime::flags::CommonFlags;

#[derive(Debug, Parser)]
#[command(
    name = "notification-controller",
    version,
    about = "Flux notification-controller, in Rust"
)]
struct Cli {
    #[command(flatten)]
    common: CommonFlags,
}

fn main() -> std::process::ExitCode {
    let _cli = Cli::parse();
    eprintln!(
        "notification-controller: no reconciler is implemented yet in this build of flux-rs; exiting."
    );
    std::process::ExitCode::from(2)
}
