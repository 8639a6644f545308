//! Flags shared by every controller, with Flux's names and defaults.

use clap::Args;

/// The flags bound by fluxcd/pkg's runtime in every Flux controller.
#[derive(Debug, Clone, Args)]
pub struct CommonFlags {
    /// The address the metric endpoint binds to.
    #[arg(long, default_value = ":8080", env = "METRICS_ADDR")]
    pub metrics_addr: String,

    /// The address the probe endpoint binds to.
    #[arg(long, default_value = ":9440")]
    pub health_addr: String,

    /// The address of the events receiver (the notification controller).
    #[arg(long, default_value = "", env = "EVENTS_ADDR")]
    pub events_addr: String,

    /// The number of concurrent reconciles per kind.
    #[arg(long)]
    pub concurrent: Option<u32>,

    /// Log verbosity: trace, debug, info or error.
    #[arg(long, default_value = "info", value_parser = ["trace", "debug", "info", "error"])]
    pub log_level: String,

    /// Log encoding: json or console.
    #[arg(long, default_value = "json", value_parser = ["json", "console"])]
    pub log_encoding: String,

    /// Enable leader election, ensuring there is only one active controller manager.
    #[arg(long)]
    pub enable_leader_election: bool,

    /// Watch custom resources in all namespaces; if false, only the runtime namespace is watched.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub watch_all_namespaces: bool,

    /// Path to a kubeconfig; falls back to KUBECONFIG, then in-cluster configuration.
    #[arg(long)]
    pub kubeconfig: Option<String>,
}
