//! kustomize-controller: Flux's flags, then the Kustomization controller under the runtime's
//! manager.

use clap::Parser;
use flux_api::kustomize::Kustomization;
use flux_runtime::acl::CrossNamespacePolicy;
use flux_runtime::artifact::{ArtifactFetcher, FetchOptions};
use flux_runtime::client::KubeConfigPolicy;
use flux_runtime::duration::parse_duration;
use flux_runtime::flags::{
    AclFlags, CommonFlags, DependencyFlags, FeatureGates, ImpersonationFlags, KubeConfigFlags,
};
use flux_runtime::manager::{Manager, runtime_namespace};
use kustomize_controller::build::BuildSettings;
use kustomize_controller::kustomization::{KustomizationReconciler, Settings};
use kustomize_controller::source::SourcePolicy;
use std::process::ExitCode;
use std::time::Duration;

/// Feature gates kustomize-controller knows, with their defaults (Flux 2.9).
const FEATURE_GATES: &[(&str, bool)] = &[
    ("CacheSecretsAndConfigMaps", false),
    ("ObjectLevelWorkloadIdentity", false),
    ("DisableStatusPollerCache", true),
    ("DisableFailFastBehavior", false),
    ("StrictPostBuildSubstitutions", true),
    ("GroupChangeLog", false),
    ("AdditiveCELDependencyCheck", false),
    ("ExternalArtifact", false),
    ("CancelHealthCheckOnNewRevision", false),
    ("DisableConfigWatchers", false),
    ("DirectSourceFetch", false),
    ("MigrateAPIVersion", false),
];

#[derive(Debug, Parser)]
#[command(
    name = "kustomize-controller",
    version,
    about = "Flux kustomize-controller, in Rust"
)]
struct Cli {
    #[command(flatten)]
    common: CommonFlags,
    #[command(flatten)]
    deps: DependencyFlags,
    #[command(flatten)]
    acl: AclFlags,
    #[command(flatten)]
    impersonation: ImpersonationFlags,
    #[command(flatten)]
    kubeconfig: KubeConfigFlags,

    /// The number of concurrent server-side apply operations.
    #[arg(long, default_value_t = 4)]
    concurrent_ssa: usize,
    /// Disallow remote bases usage in Kustomize overlays. When this flag is enabled, all
    /// resources must refer to local files included in the source artifact.
    #[arg(long)]
    no_remote_bases: bool,
    /// The maximum number of retries when failing to fetch artifacts over HTTP.
    #[arg(long, default_value_t = 9)]
    http_retry: u32,
    /// Default service account used for decryption (KMS workload identity is not supported).
    #[arg(long, default_value = "")]
    default_decryption_service_account: String,
    /// Default service account used for kubeconfig (workload identity is not supported).
    #[arg(long, default_value = "")]
    default_kubeconfig_service_account: String,
    /// The name of a Kubernetes secret in the RUNTIME_NAMESPACE containing a SOPS age decryption
    /// key for fallback usage.
    #[arg(long, default_value = "")]
    sops_age_secret: String,
    /// The name of a ConfigMap in the RUNTIME_NAMESPACE configuring the OpenBao/Vault instances
    /// trusted for SOPS decryption (Vault is not supported by this build).
    #[arg(long, default_value = "")]
    sops_vault_configmap: String,
    /// Field manager disallowed to perform changes on managed resources (repeatable).
    #[arg(long = "override-manager")]
    override_manager: Vec<String>,
    /// A comma-separated list of GroupKind (e.g. 'rbac.authorization.k8s.io/Role') applied in
    /// their own stage, after CRDs, Namespaces and classes.
    #[arg(long, default_value = "")]
    custom_apply_stage_kinds: String,
    /// The maximum number of tokens cached for workload identity (not used: no cloud providers).
    #[arg(long, default_value_t = 100)]
    token_cache_max_size: i64,
    /// The maximum time a workload-identity token is cached.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    token_cache_max_duration: Duration,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("kustomize-controller: {message}");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let gates = match FeatureGates::resolve(FEATURE_GATES, &cli.common.feature_gates) {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    if !cli.sops_vault_configmap.is_empty() {
        return fail(
            "--sops-vault-configmap: Vault/OpenBao decryption is not supported by this build",
        );
    }
    let mut manager = match Manager::start("kustomize-controller", &cli.common).await {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    let clients = match manager.client_factory(&cli.impersonation.default_service_account) {
        Ok(f) => f.with_kubeconfig_policy(KubeConfigPolicy {
            allow_exec: cli.kubeconfig.insecure_kubeconfig_exec,
            allow_insecure_tls: cli.kubeconfig.insecure_kubeconfig_tls,
            ..KubeConfigPolicy::default()
        }),
        Err(e) => return fail(e),
    };
    let sops_age_secret = match (cli.sops_age_secret.as_str(), runtime_namespace()) {
        ("", _) => None,
        (name, Some(ns)) => Some((ns, name.to_string())),
        (_, None) => {
            return fail("--sops-age-secret needs the RUNTIME_NAMESPACE environment variable");
        }
    };
    let external_artifact = gates.enabled("ExternalArtifact");
    let settings = Settings {
        controller_name: "kustomize-controller".into(),
        build: BuildSettings {
            no_remote_bases: cli.no_remote_bases,
            strict_substitutions: gates.enabled("StrictPostBuildSubstitutions"),
        },
        source_policy: SourcePolicy {
            cross_namespace: CrossNamespacePolicy::from(&cli.acl),
            allow_external_artifact: external_artifact,
            requeue_dependency: cli.deps.requeue_dependency,
        },
        concurrent_ssa: cli.concurrent_ssa.max(1),
        override_managers: cli.override_manager.clone(),
        custom_stage_kinds: flux_ssa::parse_group_kinds(&cli.custom_apply_stage_kinds),
        fail_fast: !gates.enabled("DisableFailFastBehavior"),
        object_level_workload_identity: gates.enabled("ObjectLevelWorkloadIdentity"),
        sops_age_secret,
        health_check_interval: Duration::from_secs(5),
    };
    let fetcher = ArtifactFetcher::new(FetchOptions {
        retries: cli.http_retry,
        ..FetchOptions::default()
    });
    let reconciler = KustomizationReconciler::new(settings, fetcher, clients);
    let ctx = manager.context("kustomization", 4, cli.deps.requeue_dependency);
    let configs = (!gates.enabled("DisableConfigWatchers"))
        .then_some(cli.common.watch_configs_label_selector.as_str());
    let watches = kustomize_controller::watches::related(external_artifact, configs);
    manager.add_controller_with_watches::<Kustomization, _>(reconciler, ctx, watches);
    match manager.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "manager stopped");
            ExitCode::FAILURE
        }
    }
}
