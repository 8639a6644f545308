//! kube-rs clients for the clusters the tests start, and a cluster of either kind from async code.

use crate::processes::{Cluster, ClusterKind};
use std::path::Path;

/// The kube-rs client configuration of `kubeconfig` (its current context), as a controller given
/// `--kubeconfig` reads it.
pub async fn kube_config(kubeconfig: &Path) -> kube::Config {
    let file = kube::config::Kubeconfig::read_from(kubeconfig)
        .unwrap_or_else(|e| panic!("read {}: {e}", kubeconfig.display()));
    kube::Config::from_custom_kubeconfig(file, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("client config from {}: {e}", kubeconfig.display()))
}

/// A kube-rs client for `kubeconfig` (its current context).
pub async fn kube_client(kubeconfig: &Path) -> kube::Client {
    // A build that also compiles aws-lc-rs in leaves rustls without a default provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    kube::Client::try_from(kube_config(kubeconfig).await).expect("a kube client")
}

/// A cluster of `kind` without CRDs, started off the async runtime (the harness blocks), and an
/// admin client for it. Dropping the cluster stops it.
pub async fn start_cluster(kind: ClusterKind) -> (Cluster, kube::Client) {
    let cluster = tokio::task::spawn_blocking(move || Cluster::start_without_crds_on(kind))
        .await
        .expect("the cluster started");
    let client = kube_client(cluster.kubeconfig()).await;
    (cluster, client)
}
