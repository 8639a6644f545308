//! Flags shared by every controller, with Flux's names and defaults (fluxcd/pkg/runtime).
//!
//! A controller flattens [`CommonFlags`] into its own clap parser, plus the optional groups it uses
//! ([`DependencyFlags`], [`AclFlags`], [`ImpersonationFlags`]), exactly as each Flux controller binds
//! only some of them.

use crate::duration::parse_duration;
use clap::Args;
use std::collections::BTreeMap;
use std::time::Duration;

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

    /// The number of concurrent reconciles per kind (the controller's own default when unset).
    #[arg(long)]
    pub concurrent: Option<u16>,

    /// Log verbosity level.
    #[arg(long, default_value = "info", value_parser = ["trace", "debug", "info", "error"])]
    pub log_level: String,

    /// Log encoding format.
    #[arg(long, default_value = "json", value_parser = ["json", "console"])]
    pub log_encoding: String,

    /// Enable leader election for the controller manager, ensuring only one is active.
    #[arg(long)]
    pub enable_leader_election: bool,

    /// How long non-leaders wait before forcing a leadership acquisition.
    #[arg(long, default_value = "35s", value_parser = parse_duration)]
    pub leader_election_lease_duration: Duration,

    /// How long the leader keeps retrying to refresh its lease before giving it up.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub leader_election_renew_deadline: Duration,

    /// How long clients wait between attempts to acquire or renew the lease.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub leader_election_retry_period: Duration,

    /// Release the lease when the controller stops.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub leader_election_release_on_cancel: bool,

    /// The maximum queries-per-second of requests sent to the Kubernetes API.
    #[arg(long, default_value_t = 50.0)]
    pub kube_api_qps: f32,

    /// The maximum burst of queries sent to the Kubernetes API.
    #[arg(long, default_value_t = 300)]
    pub kube_api_burst: u32,

    /// The minimum delay before retrying a failed reconcile (exponential per-object backoff).
    #[arg(long, default_value = "750ms", value_parser = parse_duration)]
    pub min_retry_delay: Duration,

    /// The maximum delay before retrying a failed reconcile.
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    pub max_retry_delay: Duration,

    /// Feature gates, as a comma-separated list of Name=true|false.
    #[arg(long, default_value = "", value_parser = parse_feature_gates)]
    pub feature_gates: FeatureGateValues,

    /// Watch custom resources in all namespaces; if false, only the runtime namespace is watched.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub watch_all_namespaces: bool,

    /// Watch only the custom resources matching this label selector (for sharding).
    #[arg(long, default_value = "")]
    pub watch_label_selector: String,

    /// Secrets and ConfigMaps matching this label selector trigger reconciles of the objects
    /// referencing them.
    #[arg(long, default_value = "reconcile.fluxcd.io/watch=Enabled")]
    pub watch_configs_label_selector: String,

    /// Percentage of jitter (0-99) applied to each object's requeue interval.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(0..100))]
    pub interval_jitter_percentage: u8,

    /// Path to a kubeconfig; falls back to KUBECONFIG, then to the in-cluster configuration.
    #[arg(long)]
    pub kubeconfig: Option<String>,
}

/// For controllers that wait on dependencies and sources.
#[derive(Debug, Clone, Args)]
pub struct DependencyFlags {
    /// The interval at which failing dependencies are re-evaluated.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub requeue_dependency: Duration,
}

/// For controllers whose objects reference objects in other namespaces.
#[derive(Debug, Clone, Args)]
pub struct AclFlags {
    /// When set, references between objects across namespaces are refused.
    #[arg(long)]
    pub no_cross_namespace_refs: bool,
}

/// For controllers that act on behalf of a service account.
#[derive(Debug, Clone, Args)]
pub struct ImpersonationFlags {
    /// The service account used when an object names none.
    #[arg(long, default_value = "")]
    pub default_service_account: String,
}

/// For controllers that reach remote clusters through kubeconfig Secrets (kustomize, helm); see
/// [`crate::client::KubeConfigPolicy`].
#[derive(Debug, Clone, Args)]
pub struct KubeConfigFlags {
    /// Allow use of the user.exec section in kubeconfigs provided for remote apply.
    #[arg(long)]
    pub insecure_kubeconfig_exec: bool,

    /// Allow that kubeconfigs provided for remote apply can disable TLS verification.
    #[arg(long)]
    pub insecure_kubeconfig_tls: bool,
}

/// The `--feature-gates` values as given; [`FeatureGates::resolve`] checks them against the
/// controller's known gates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeatureGateValues(pub BTreeMap<String, bool>);

fn parse_feature_gates(input: &str) -> Result<FeatureGateValues, String> {
    let mut gates = BTreeMap::new();
    for pair in input.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').ok_or_else(|| {
            format!("missing bool value for feature gate '{pair}' (want Name=true|false)")
        })?;
        let value = match value.trim() {
            "true" | "True" | "TRUE" | "1" | "t" | "T" => true,
            "false" | "False" | "FALSE" | "0" | "f" | "F" => false,
            other => return Err(format!("invalid value of {name}={other}, err: not a bool")),
        };
        gates.insert(name.trim().to_string(), value);
    }
    Ok(FeatureGateValues(gates))
}

/// A controller's known feature gates with their defaults, resolved against the flag.
#[derive(Debug, Clone)]
pub struct FeatureGates {
    enabled: BTreeMap<&'static str, bool>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unrecognized feature gate: {0}")]
pub struct UnknownFeatureGate(pub String);

impl FeatureGates {
    /// Resolve `values` against `known` (name, default); unknown names are an error, as in Flux.
    pub fn resolve(
        known: &[(&'static str, bool)],
        values: &FeatureGateValues,
    ) -> Result<Self, UnknownFeatureGate> {
        let mut enabled: BTreeMap<&'static str, bool> = known.iter().copied().collect();
        for (name, value) in &values.0 {
            let key = known
                .iter()
                .map(|(k, _)| *k)
                .find(|k| k == name)
                .ok_or_else(|| UnknownFeatureGate(name.clone()))?;
            enabled.insert(key, *value);
        }
        Ok(FeatureGates { enabled })
    }

    pub fn enabled(&self, name: &str) -> bool {
        self.enabled.get(name).copied().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        common: CommonFlags,
        #[command(flatten)]
        deps: DependencyFlags,
        #[command(flatten)]
        acl: AclFlags,
    }

    #[test]
    fn defaults_are_fluxs() {
        let cli = Cli::try_parse_from(["ctl"]).unwrap();
        let c = &cli.common;
        assert_eq!(c.metrics_addr, ":8080");
        assert_eq!(c.health_addr, ":9440");
        assert_eq!(c.log_encoding, "json");
        assert_eq!(c.leader_election_lease_duration, Duration::from_secs(35));
        assert_eq!(c.min_retry_delay, Duration::from_millis(750));
        assert_eq!(c.max_retry_delay, Duration::from_secs(900));
        assert_eq!(c.kube_api_burst, 300);
        assert!(c.watch_all_namespaces);
        assert_eq!(
            c.watch_configs_label_selector,
            "reconcile.fluxcd.io/watch=Enabled"
        );
        assert_eq!(cli.deps.requeue_dependency, Duration::from_secs(30));
        assert!(!cli.acl.no_cross_namespace_refs);
    }

    #[test]
    fn malformed_values_are_refused_with_a_clear_message() {
        let err = Cli::try_parse_from(["ctl", "--requeue-dependency", "soon"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid duration 'soon'"), "{err}");
        let err = Cli::try_parse_from(["ctl", "--log-encoding", "xml"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("xml"), "{err}");
        let err = Cli::try_parse_from(["ctl", "--no-such-flag"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--no-such-flag"), "{err}");
        let err = Cli::try_parse_from(["ctl", "--feature-gates", "A=maybe"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid value of A=maybe"), "{err}");
    }

    #[test]
    fn feature_gates_resolve_against_known_gates() {
        let cli = Cli::try_parse_from([
            "ctl",
            "--feature-gates",
            "StrictPostBuildSubstitutions=false",
        ])
        .unwrap();
        let known = [
            ("StrictPostBuildSubstitutions", true),
            ("GroupChangeLog", false),
        ];
        let gates = FeatureGates::resolve(&known, &cli.common.feature_gates).unwrap();
        assert!(!gates.enabled("StrictPostBuildSubstitutions"));
        assert!(!gates.enabled("GroupChangeLog"));
        let defaults = FeatureGates::resolve(&known, &FeatureGateValues::default()).unwrap();
        assert!(defaults.enabled("StrictPostBuildSubstitutions"));
        let cli = Cli::try_parse_from(["ctl", "--feature-gates", "Bogus=true"]).unwrap();
        let err = FeatureGates::resolve(&known, &cli.common.feature_gates).unwrap_err();
        assert_eq!(err.to_string(), "unrecognized feature gate: Bogus");
    }
}
