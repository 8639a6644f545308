//! source-controller: Flux's flags, the artifact storage and its HTTP server, and the
//! GitRepository, OCIRepository, Bucket, HelmRepository and HelmChart controllers under the runtime's manager.

use clap::Parser;
use flux_api::source::{Bucket, GitRepository, HelmChart, HelmRepository, OCIRepository};
use flux_runtime::duration::parse_duration;
use flux_runtime::flags::{CommonFlags, DependencyFlags, FeatureGates, ImpersonationFlags};
use flux_runtime::manager::Manager;
use source_controller::bucket::BucketReconciler;
use source_controller::externalartifact::ExternalArtifactCollector;
use source_controller::gitrepository::GitRepositoryReconciler;
use source_controller::helmchart::{self, HelmChartReconciler};
use source_controller::helmrepository::HelmRepositoryReconciler;
use source_controller::ocirepository::OCIRepositoryReconciler;
use source_controller::storage::{DigestAlgorithm, Retention, Storage, advertised_address};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Feature gates source-controller knows, with their defaults.
const FEATURE_GATES: &[(&str, bool)] = &[
    ("CacheSecretsAndConfigMaps", false),
    ("ObjectLevelWorkloadIdentity", false),
];

#[derive(Debug, Parser)]
#[command(
    name = "source-controller",
    version,
    about = "Flux source-controller, in Rust"
)]
struct Cli {
    #[command(flatten)]
    common: CommonFlags,
    #[command(flatten)]
    deps: DependencyFlags,
    #[command(flatten)]
    impersonation: ImpersonationFlags,

    /// The local storage path.
    #[arg(long, default_value = "/data", env = "STORAGE_PATH")]
    storage_path: String,
    /// The address the static file server binds to.
    #[arg(long, default_value = ":9090", env = "STORAGE_ADDRESS")]
    storage_addr: String,
    /// The advertised address of the static file server.
    #[arg(long, default_value = "", env = "STORAGE_ADV_ADDR")]
    storage_adv_addr: String,
    /// The duration of time that artifacts from previous reconciliations will be kept in storage
    /// before being garbage collected.
    #[arg(long, default_value = "1m", value_parser = parse_duration)]
    artifact_retention_ttl: Duration,
    /// The maximum number of artifacts to be kept in storage after a garbage collection.
    #[arg(long, default_value_t = 2)]
    artifact_retention_records: usize,
    /// The algorithm to use to calculate the digest of artifacts.
    #[arg(long, default_value = "sha256")]
    artifact_digest_algo: String,
    /// The max allowed size in bytes of a HelmRepository index file.
    #[arg(long, default_value_t = 52_428_800)]
    helm_index_max_size: i64,
    /// The max allowed size in bytes of a Helm chart file.
    #[arg(long, default_value_t = 10_485_760)]
    helm_chart_max_size: i64,
    /// The max allowed size in bytes of a file in a Helm chart.
    #[arg(long, default_value_t = 5_242_880)]
    helm_chart_file_max_size: i64,
    /// The maximum size of the Helm index cache (0 disables it).
    #[arg(long, default_value_t = 0)]
    helm_cache_max_size: i64,
    /// The TTL of an index in the Helm index cache.
    #[arg(long, default_value = "15m")]
    helm_cache_ttl: String,
    /// The interval at which the Helm index cache is purged.
    #[arg(long, default_value = "1m")]
    helm_cache_purge_interval: String,
    /// The list of key exchange algorithms to use for ssh connections.
    #[arg(long, value_delimiter = ',')]
    ssh_kex_algos: Vec<String>,
    /// The list of hostkey algorithms to use for ssh connections.
    #[arg(long, value_delimiter = ',')]
    ssh_hostkey_algos: Vec<String>,
    /// The maximum number of tokens cached for workload identity (not used: no cloud providers).
    #[arg(long, default_value_t = 100)]
    token_cache_max_size: i64,
    /// The maximum time a workload-identity token is cached.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    token_cache_max_duration: Duration,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("source-controller: {message}");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    source_controller::oci::install_crypto_provider();
    let cli = Cli::parse();
    if let Err(e) = FeatureGates::resolve(FEATURE_GATES, &cli.common.feature_gates) {
        return fail(e);
    }
    let algorithm = match DigestAlgorithm::parse(&cli.artifact_digest_algo) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let listen = match flux_runtime::server::parse_listen_addr(&cli.storage_addr) {
        Ok(a) => a,
        Err(e) => return fail(format!("invalid --storage-addr: {e}")),
    };
    let retention = Retention {
        ttl: cli.artifact_retention_ttl,
        records: cli.artifact_retention_records,
    };
    let adv_addr = advertised_address(&cli.storage_addr, &cli.storage_adv_addr);
    let storage = match Storage::new(&cli.storage_path, &adv_addr, retention, algorithm) {
        Ok(s) => Arc::new(s),
        Err(e) => return fail(e),
    };
    let scratch = match tempfile::Builder::new()
        .prefix("source-controller-")
        .tempdir()
    {
        Ok(d) => d,
        Err(e) => return fail(format!("cannot create a scratch directory: {e}")),
    };
    let reconciler = match GitRepositoryReconciler::new(
        storage.clone(),
        &scratch.path().join("git-cache"),
        &scratch.path().join("work"),
    ) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let oci_repositories =
        match OCIRepositoryReconciler::new(storage.clone(), &scratch.path().join("oci")) {
            Ok(r) => r,
            Err(e) => return fail(format!("cannot create the OCI work directory: {e}")),
        };
    let buckets = match BucketReconciler::new(storage.clone(), &scratch.path().join("bucket")) {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot create the Bucket work directory: {e}")),
    };
    let mut manager = match Manager::start("source-controller", &cli.common).await {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    if !cli.ssh_kex_algos.is_empty() || !cli.ssh_hostkey_algos.is_empty() {
        tracing::warn!(
            "--ssh-kex-algos and --ssh-hostkey-algos are not supported by this build and are ignored"
        );
    }
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => return fail(format!("cannot listen on {listen} (--storage-addr): {e}")),
    };
    let shutdown = manager.shutdown_signal();
    let root = storage.base().to_path_buf();
    // The file server runs only while this process leads, as Flux's.
    manager.add("storage-server", async move {
        if let Err(e) = source_controller::server::serve(listener, root, shutdown).await {
            tracing::error!(error = %e, "artifact server stopped");
        }
    });
    // ExternalArtifact producers own their objects' status; the storage's retention is ours.
    let external = ExternalArtifactCollector::new(storage.clone(), manager.client(), retention.ttl);
    let shutdown = manager.shutdown_signal();
    manager.add(
        "externalartifact-gc",
        external.run(Duration::from_secs(60), shutdown),
    );
    let ctx = manager.context("gitrepository", 2, cli.deps.requeue_dependency);
    manager.add_controller::<GitRepository, _>(reconciler, ctx);
    let ctx = manager.context("ocirepository", 2, cli.deps.requeue_dependency);
    manager.add_controller::<OCIRepository, _>(oci_repositories, ctx);
    let ctx = manager.context("bucket", 2, cli.deps.requeue_dependency);
    manager.add_controller::<Bucket, _>(buckets, ctx);
    let helm_repositories =
        HelmRepositoryReconciler::new(storage.clone(), cli.helm_index_max_size.max(0) as u64);
    let ctx = manager.context("helmrepository", 2, cli.deps.requeue_dependency);
    manager.add_controller::<HelmRepository, _>(helm_repositories, ctx);
    let helm_charts =
        HelmChartReconciler::new(storage.clone(), cli.helm_chart_max_size.max(0) as u64)
            .with_index_max_size(cli.helm_index_max_size.max(0) as u64);
    let ctx = manager.context("helmchart", 2, cli.deps.requeue_dependency);
    manager.add_controller_with_watches::<HelmChart, _>(helm_charts, ctx, helmchart::watches());
    tracing::info!(addr = %listen, adv_addr = %adv_addr, path = %cli.storage_path, "artifact server configured");
    let result = manager.run().await;
    drop(scratch);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "manager stopped");
            ExitCode::FAILURE
        }
    }
}
