//! The controller manager: what a controller's `main` does besides its own reconcilers, in one
//! place, as controller-runtime's manager does it for Flux.
//!
//! [`Manager::start`] installs logging (`--log-level`, `--log-encoding`), builds the client
//! ([`crate::client::from_flags`]) and starts the metrics (`--metrics-addr`) and health
//! (`--health-addr`) servers. Controllers are then added ([`Manager::add_controller`] for a
//! [`Reconciler`], [`Manager::add`] for any future) and [`Manager::run`] runs them:
//!
//! - with `--enable-leader-election`, only once this process holds the Lease
//!   `<controller>-leader-election` (suffixed `-<8 hex of sha256(selector)>` when
//!   `--watch-label-selector` is set, as Flux does) in `RUNTIME_NAMESPACE` (else the in-cluster
//!   namespace, else the kubeconfig's namespace);
//! - until SIGTERM or SIGINT ([`Manager::run_until`] takes any future instead);
//! - then stops: controllers start no new reconcile, the in-flight ones get up to the graceful
//!   shutdown timeout (30s, as controller-runtime) to finish, the rest are dropped, and the Lease is
//!   released (`--leader-election-release-on-cancel`) so a standby takes over at once;
//! - when leadership is lost (renew deadline passed) it stops the controllers at once and returns
//!   [`ManagerError::LeadershipLost`]: the process should exit non-zero, as controller-runtime's does;
//! - when a controller (or any added future) ends on its own or panics, the others are stopped
//!   gracefully and [`ManagerError::ControllerExited`] is returned.
//!
//! ```no_run
//! use clap::Parser;
//! use flux_runtime::flags::{CommonFlags, DependencyFlags};
//! use flux_runtime::manager::Manager;
//! # use flux_runtime::reconcile::{Context, Outcome, ReconcileError, Reconciler};
//! # use std::sync::Arc;
//! # struct GitRepositoryReconciler;
//! # impl Reconciler<flux_api::source::GitRepository> for GitRepositoryReconciler {
//! #     async fn reconcile(&self, _: Arc<flux_api::source::GitRepository>, _: Arc<Context>)
//! #         -> Result<Outcome, ReconcileError> { Ok(Outcome::default()) }
//! #     async fn cleanup(&self, _: Arc<flux_api::source::GitRepository>, _: Arc<Context>)
//! #         -> Result<(), ReconcileError> { Ok(()) }
//! # }
//!
//! #[derive(Parser)]
//! struct Cli {
//!     #[command(flatten)]
//!     common: CommonFlags,
//!     #[command(flatten)]
//!     deps: DependencyFlags,
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     let cli = Cli::parse();
//!     let mut manager = match Manager::start("source-controller", &cli.common).await {
//!         Ok(m) => m,
//!         Err(err) => {
//!             eprintln!("{err}");
//!             return std::process::ExitCode::FAILURE;
//!         }
//!     };
//!     let ctx = manager.context("gitrepository", 2, cli.deps.requeue_dependency);
//!     manager.add_controller::<flux_api::source::GitRepository, _>(GitRepositoryReconciler, ctx);
//!     match manager.run().await {
//!         Ok(()) => std::process::ExitCode::SUCCESS,
//!         Err(err) => {
//!             tracing::error!(error = %err, "manager stopped");
//!             std::process::ExitCode::FAILURE
//!         }
//!     }
//! }
//! ```

use crate::client::{ClientError, ClientFactory, ClientFactoryError};
use crate::events::{DeliveryPolicy, EventRecorder};
use crate::flags::CommonFlags;
use crate::leader::{LeaderElector, LeaderError, LeaseTimings};
use crate::metrics::Metrics;
use crate::reconcile::{Context, ControllerSettings, FluxObject, Reconciler};
use crate::server::{Readiness, ServerError, serve_health, serve_metrics};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use sha2::Digest;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

/// How long queued Kubernetes Events may take to be written at shutdown.
const EVENT_FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// controller-runtime's default bound on the wait for in-flight reconciles at shutdown.
pub const DEFAULT_GRACEFUL_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

const IN_CLUSTER_NAMESPACE_FILE: &str = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(transparent)]
    LeaderElection(#[from] LeaderError),
    #[error("leader election lost")]
    LeadershipLost,
    #[error("controller '{name}' stopped unexpectedly{}", if *.panicked { " (panicked)" } else { "" })]
    ControllerExited { name: String, panicked: bool },
}

/// A future that resolves once the manager stops; clone it into every controller.
#[derive(Clone)]
pub struct Shutdown(Shared<BoxFuture<'static, ()>>);

impl Shutdown {
    fn new() -> (oneshot::Sender<()>, Shutdown) {
        let (tx, rx) = oneshot::channel::<()>();
        (tx, Shutdown(rx.map(|_| ()).boxed().shared()))
    }
}

impl Future for Shutdown {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        self.0.poll_unpin(cx)
    }
}

/// Runs a controller process's controllers (see the module docs).
pub struct Manager {
    name: String,
    flags: CommonFlags,
    client: kube::Client,
    metrics: Metrics,
    readiness: Readiness,
    events: EventRecorder,
    metrics_addr: SocketAddr,
    health_addr: SocketAddr,
    servers: Vec<tokio::task::JoinHandle<()>>,
    trigger: Option<oneshot::Sender<()>>,
    shutdown: Shutdown,
    controllers: Vec<(String, BoxFuture<'static, ()>)>,
    graceful_shutdown_timeout: Duration,
    identity: String,
    lease_namespace: Option<String>,
    config: Option<kube::Config>,
}

impl Manager {
    /// Install logging, build the client from the flags and start the metrics and health servers.
    /// `name` is the controller's name (`source-controller`, `kustomize-controller`): it names the
    /// Lease, the events' reporting controller and the field manager.
    pub async fn start(name: &str, flags: &CommonFlags) -> Result<Manager, ManagerError> {
        crate::logging::init(&flags.log_level, &flags.log_encoding);
        let (config, source) = crate::client::config_from_flags(flags).await?;
        tracing::info!(source = ?source, server = %config.cluster_url, "loaded cluster configuration");
        Self::with_config(name, flags, config).await
    }

    /// As [`Manager::start`] with a configuration already loaded (throttled by the flags; kept
    /// for [`Manager::client_factory`]); logging is left as it is.
    pub async fn with_config(
        name: &str,
        flags: &CommonFlags,
        config: kube::Config,
    ) -> Result<Manager, ManagerError> {
        let client = crate::client::client_with_throttle(
            config.clone(),
            flags.kube_api_qps,
            flags.kube_api_burst,
        )?;
        let mut manager = Self::with_client(name, flags, client).await?;
        manager.config = Some(config);
        Ok(manager)
    }

    /// Clients acting for objects (impersonation, remote clusters), sharing this manager's
    /// configuration and throttle settings. `default_service_account` is
    /// `--default-service-account`. Fails only for managers built [`Manager::with_client`].
    pub fn client_factory(
        &self,
        default_service_account: &str,
    ) -> Result<ClientFactory, ClientFactoryError> {
        let config = self
            .config
            .clone()
            .ok_or(ClientFactoryError::NoBaseConfig)?;
        Ok(
            ClientFactory::new(config, self.client.clone(), default_service_account)
                .with_throttle(self.flags.kube_api_qps, self.flags.kube_api_burst),
        )
    }

    /// As [`Manager::start`] with a client already built (tests, or a custom configuration);
    /// logging is left as it is.
    pub async fn with_client(
        name: &str,
        flags: &CommonFlags,
        client: kube::Client,
    ) -> Result<Manager, ManagerError> {
        let metrics = Metrics::new();
        let readiness = Readiness::default();
        let (metrics_addr, metrics_task) =
            serve_metrics(&flags.metrics_addr, metrics.clone()).await?;
        let (health_addr, health_task) =
            match serve_health(&flags.health_addr, readiness.clone()).await {
                Ok(bound) => bound,
                Err(err) => {
                    metrics_task.abort();
                    return Err(err.into());
                }
            };
        let events = EventRecorder::new(
            Some(client.clone()),
            &flags.events_addr,
            name,
            DeliveryPolicy::default(),
        );
        let (trigger, shutdown) = Shutdown::new();
        Ok(Manager {
            name: name.to_string(),
            flags: flags.clone(),
            client,
            metrics,
            readiness,
            events,
            metrics_addr,
            health_addr,
            servers: vec![metrics_task, health_task],
            trigger: Some(trigger),
            shutdown,
            controllers: Vec::new(),
            graceful_shutdown_timeout: DEFAULT_GRACEFUL_SHUTDOWN_TIMEOUT,
            identity: default_identity(),
            lease_namespace: None,
            config: None,
        })
    }

    /// How long in-flight reconciles may take to finish after a shutdown signal.
    pub fn with_graceful_shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.graceful_shutdown_timeout = timeout;
        self
    }

    /// The leader election identity (default: `<hostname>_<random>`, as controller-runtime's).
    pub fn with_identity(mut self, identity: &str) -> Self {
        self.identity = identity.to_string();
        self
    }

    /// The Lease's namespace (default: see the module docs).
    pub fn with_lease_namespace(mut self, namespace: &str) -> Self {
        self.lease_namespace = Some(namespace.to_string());
        self
    }

    pub fn client(&self) -> kube::Client {
        self.client.clone()
    }

    pub fn metrics(&self) -> Metrics {
        self.metrics.clone()
    }

    pub fn readiness(&self) -> Readiness {
        self.readiness.clone()
    }

    /// The bound metrics address (useful with port 0).
    pub fn metrics_addr(&self) -> SocketAddr {
        self.metrics_addr
    }

    pub fn health_addr(&self) -> SocketAddr {
        self.health_addr
    }

    /// The event recorder for this controller (Kubernetes Events, and `--events-addr`).
    pub fn event_recorder(&self) -> EventRecorder {
        self.events.clone()
    }

    /// Resolves when the manager stops; give it to futures added with [`Manager::add`].
    pub fn shutdown_signal(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// The Lease name: `<name>-leader-election`, plus the selector hash under sharding.
    pub fn lease_name(&self) -> String {
        lease_name(&self.name, &self.flags.watch_label_selector)
    }

    /// One controller's settings from the common flags: `metrics_name` is the lower-cased kind
    /// (the `controller` metrics label), `default_concurrency` applies when `--concurrent` is unset.
    pub fn controller_settings(
        &self,
        metrics_name: &str,
        default_concurrency: u16,
        requeue_dependency: Duration,
    ) -> ControllerSettings {
        let flags = &self.flags;
        ControllerSettings {
            name: self.name.clone(),
            metrics_name: metrics_name.to_string(),
            concurrency: flags.concurrent.unwrap_or(default_concurrency).max(1),
            requeue_dependency,
            min_retry_delay: flags.min_retry_delay,
            max_retry_delay: flags.max_retry_delay,
            jitter_percent: flags.interval_jitter_percentage,
            namespace: (!flags.watch_all_namespaces)
                .then(runtime_namespace)
                .flatten(),
            label_selector: Some(flags.watch_label_selector.clone()).filter(|s| !s.is_empty()),
        }
    }

    /// A reconcile [`Context`] sharing this manager's client, events and metrics.
    pub fn context(
        &self,
        metrics_name: &str,
        default_concurrency: u16,
        requeue_dependency: Duration,
    ) -> Context {
        Context::new(
            self.client.clone(),
            self.events.clone(),
            self.metrics.clone(),
            self.controller_settings(metrics_name, default_concurrency, requeue_dependency),
        )
    }

    /// Run `reconciler` on its kind (see [`crate::reconcile::run_until`]) once the manager runs.
    pub fn add_controller<K, R>(&mut self, reconciler: R, ctx: Context)
    where
        K: FluxObject,
        R: Reconciler<K>,
    {
        let name = ctx.settings.metrics_name.clone();
        let shutdown = self.shutdown.clone();
        self.controllers.push((
            name,
            crate::reconcile::run_until::<K, R, _>(reconciler, ctx, shutdown).boxed(),
        ));
    }

    /// [`Manager::add_controller`] with watches of related objects (see [`crate::watches`]).
    pub fn add_controller_with_watches<K, R>(
        &mut self,
        reconciler: R,
        ctx: Context,
        watches: Vec<crate::watches::RelatedWatch<K>>,
    ) where
        K: FluxObject,
        R: Reconciler<K>,
    {
        let name = ctx.settings.metrics_name.clone();
        let shutdown = self.shutdown.clone();
        self.controllers.push((
            name,
            crate::reconcile::run_with_watches::<K, R, _>(reconciler, ctx, shutdown, watches)
                .boxed(),
        ));
    }

    /// Run any future alongside the controllers (started after leadership is won). It should end
    /// soon after [`Manager::shutdown_signal`] resolves; past the graceful timeout it is dropped.
    pub fn add(&mut self, name: &str, future: impl Future<Output = ()> + Send + 'static) {
        self.controllers.push((name.to_string(), future.boxed()));
    }

    /// Run until SIGTERM or SIGINT.
    pub async fn run(self) -> Result<(), ManagerError> {
        self.run_until(crate::reconcile::shutdown_signal()).await
    }

    /// Run until `stop` resolves (or leadership is lost).
    pub async fn run_until(
        mut self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ManagerError> {
        let mut stop = Box::pin(stop);
        self.readiness.set_ready(true);
        let leadership = if self.flags.enable_leader_election {
            let namespace = self
                .lease_namespace
                .clone()
                .or_else(runtime_namespace)
                .unwrap_or_else(|| self.client.default_namespace().to_string());
            let elector = LeaderElector::new(
                self.client.clone(),
                &namespace,
                &self.lease_name(),
                &self.identity,
                LeaseTimings {
                    lease_duration: self.flags.leader_election_lease_duration,
                    renew_deadline: self.flags.leader_election_renew_deadline,
                    retry_period: self.flags.leader_election_retry_period,
                },
            );
            tracing::info!(lease = %format!("{namespace}/{}", self.lease_name()), identity = %self.identity, "attempting to acquire leader lease");
            tokio::select! {
                acquired = elector.acquire() => Some(acquired?),
                _ = &mut stop => {
                    tracing::info!("stopped while waiting for leadership");
                    self.stop_servers();
                    return Ok(());
                }
            }
        } else {
            None
        };

        let mut tasks = JoinSet::new();
        let mut names = std::collections::HashMap::new();
        for (name, future) in self.controllers.drain(..) {
            tracing::info!(controller = %name, "starting controller");
            let handle = tasks.spawn(future);
            names.insert(handle.id(), name);
        }
        let mut lost = leadership.as_ref().map(|l| l.lost.clone());
        let leadership_lost = async move {
            match lost.as_mut() {
                Some(lost) => {
                    if lost.wait_for(|l| *l).await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending::<()>().await,
            }
        };
        let nothing_to_run = tasks.is_empty();
        let outcome = tokio::select! {
            _ = &mut stop => Ok(()),
            _ = leadership_lost => Err(ManagerError::LeadershipLost),
            // A controller that ends on its own stops the manager (as a failed runnable stops
            // controller-runtime's), the others shutting down gracefully.
            Some(ended) = tasks.join_next_with_id(), if !nothing_to_run => {
                let (id, panicked) = match ended {
                    Ok((id, ())) => (id, false),
                    Err(err) => (err.id(), err.is_panic()),
                };
                let name = names.get(&id).cloned().unwrap_or_default();
                tracing::error!(controller = %name, panicked, "controller stopped unexpectedly");
                Err(ManagerError::ControllerExited { name, panicked })
            }
        };
        let lost_leadership = matches!(outcome, Err(ManagerError::LeadershipLost));
        self.readiness.set_ready(false);
        if let Some(trigger) = self.trigger.take() {
            let _ = trigger.send(());
        }
        if !lost_leadership {
            tracing::info!(timeout = ?self.graceful_shutdown_timeout, "stopping: waiting for in-flight reconciles");
            let drained = tokio::time::timeout(self.graceful_shutdown_timeout, async {
                while tasks.join_next().await.is_some() {}
            })
            .await;
            if drained.is_err() {
                tracing::warn!("graceful shutdown timed out: dropping the remaining reconciles");
            }
            // Events of the last reconciles are still queued for the writer task.
            if tokio::time::timeout(EVENT_FLUSH_TIMEOUT, self.events.flush())
                .await
                .is_err()
            {
                tracing::warn!("Kubernetes events still queued at shutdown were dropped");
            }
        }
        tasks.shutdown().await;
        if let Some(leadership) = leadership {
            if !lost_leadership && self.flags.leader_election_release_on_cancel {
                leadership.release().await;
            } else {
                leadership.abandon();
            }
        }
        self.stop_servers();
        outcome
    }

    fn stop_servers(&mut self) {
        for server in self.servers.drain(..) {
            server.abort();
        }
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        self.stop_servers();
    }
}

/// `<name>-leader-election`, suffixed with the first 8 hex digits of sha256(selector) when a
/// watch label selector shards the controllers (so each shard elects its own leader).
pub fn lease_name(controller: &str, watch_label_selector: &str) -> String {
    let id = format!("{controller}-leader-election");
    if watch_label_selector.is_empty() {
        return id;
    }
    let digest = sha2::Sha256::digest(watch_label_selector.as_bytes());
    format!("{id}-{}", hex::encode(&digest[..4]))
}

/// `RUNTIME_NAMESPACE`, else the namespace of the in-cluster service account.
pub fn runtime_namespace() -> Option<String> {
    std::env::var("RUNTIME_NAMESPACE")
        .ok()
        .filter(|n| !n.is_empty())
        .or_else(|| {
            std::fs::read_to_string(IN_CLUSTER_NAMESPACE_FILE)
                .ok()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
        })
}

fn default_identity() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "localhost".into());
    format!("{host}_{:016x}", fastrand::u64(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_names_follow_flux() {
        assert_eq!(
            lease_name("kustomize-controller", ""),
            "kustomize-controller-leader-election"
        );
        let sharded = lease_name("kustomize-controller", "sharding.fluxcd.io/key=shard1");
        let suffix = sharded
            .strip_prefix("kustomize-controller-leader-election-")
            .unwrap();
        assert_eq!(suffix.len(), 8);
        let full = hex::encode(sha2::Sha256::digest(b"sharding.fluxcd.io/key=shard1"));
        assert!(full.starts_with(suffix));
    }
}
