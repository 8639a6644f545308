//! source-controller: parses Flux's flags, then stops: its reconcilers have not landed yet.

use clap::Parser;
use flux_runtime::flags::CommonFlags;

#[derive(Debug, Parser)]
#[command(
    name = "source-controller",
    version,
    about = "Flux source-controller, in Rust"
)]
struct Cli {
    #[command(flatten)]
    common: CommonFlags,
}

fn main() -> std::process::ExitCode {
    let _cli = Cli::parse();
    eprintln!(
        "source-controller: no reconciler is implemented yet in this build of flux-rs; exiting."
    );
    std::process::ExitCode::from(2)
}
