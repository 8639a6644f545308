//! The manager on the API emulator: servers up, leader election, controllers run only while
//! leading, graceful shutdown lets in-flight reconciles finish (bounded), the Lease is released.

use clap::Parser;
use flux_api::source::GitRepository;
use flux_runtime::flags::CommonFlags;
use flux_runtime::manager::Manager;
use flux_runtime::reconcile::{Context, Outcome, ReconcileError, Reconciler};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, PostParams};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, oneshot};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    common: CommonFlags,
}

fn flags(extra: &[&str]) -> CommonFlags {
    let mut args = vec![
        "controller",
        "--metrics-addr=127.0.0.1:0",
        "--health-addr=127.0.0.1:0",
        "--enable-leader-election",
        "--leader-election-lease-duration=2s",
        "--leader-election-renew-deadline=1500ms",
        "--leader-election-retry-period=200ms",
    ];
    args.extend_from_slice(extra);
    Cli::try_parse_from(args).unwrap().common
}

/// Reconciles block until released, so a shutdown finds them in flight.
#[derive(Clone, Default)]
struct Slow {
    started: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
    release: Arc<Notify>,
}

impl Reconciler<GitRepository> for Slow {
    async fn reconcile(
        &self,
        _repo: Arc<GitRepository>,
        _ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let released = self.release.notified();
        self.started.fetch_add(1, Ordering::SeqCst);
        released.await;
        self.finished.fetch_add(1, Ordering::SeqCst);
        Ok(Outcome {
            reason: "Succeeded".into(),
            message: "done".into(),
            ..Default::default()
        })
    }
    async fn cleanup(&self, _: Arc<GitRepository>, _: Arc<Context>) -> Result<(), ReconcileError> {
        Ok(())
    }
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

async fn install_crd(client: &kube::Client) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in flux_api::crds::all()
        .into_iter()
        .filter(|c| c.spec.names.kind == "GitRepository")
    {
        crds.create(&PostParams::default(), &crd).await.unwrap();
    }
    let repos: Api<GitRepository> = Api::namespaced(client.clone(), "default");
    eventually("CRD served", || async {
        repos.list(&ListParams::default()).await.is_ok()
    })
    .await;
}

async fn holder(client: &kube::Client) -> Option<String> {
    let leases: Api<Lease> = Api::namespaced(client.clone(), "default");
    leases
        .get_opt("source-controller-leader-election")
        .await
        .ok()??
        .spec?
        .holder_identity
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manager_runs_controllers_while_leading_and_shuts_down_gracefully() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.unwrap();
    install_crd(&client).await;
    let repos: Api<GitRepository> = Api::namespaced(client.clone(), "default");
    let repo: GitRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "podinfo", "namespace": "default"},
        "spec": {"url": "https://example.com/podinfo", "interval": "1h"}
    }))
    .unwrap();
    repos.create(&PostParams::default(), &repo).await.unwrap();

    // Someone else holds the lease: the manager serves probes and metrics but does not reconcile.
    let other = flux_runtime::leader::LeaderElector::new(
        client.clone(),
        "default",
        "source-controller-leader-election",
        "other-pod",
        flux_runtime::leader::LeaseTimings {
            lease_duration: Duration::from_secs(2),
            renew_deadline: Duration::from_millis(1500),
            retry_period: Duration::from_millis(200),
        },
    )
    .acquire()
    .await
    .unwrap();

    let mut manager = Manager::with_client("source-controller", &flags(&[]), client.clone())
        .await
        .unwrap()
        .with_identity("pod-a")
        .with_lease_namespace("default")
        .with_graceful_shutdown_timeout(Duration::from_secs(20));
    assert_eq!(manager.lease_name(), "source-controller-leader-election");
    let slow = Slow::default();
    let ctx = manager.context("gitrepository", 2, Duration::from_secs(30));
    manager.add_controller::<GitRepository, _>(slow.clone(), ctx);
    let metrics_url = format!("http://{}/metrics", manager.metrics_addr());
    let health_url = format!("http://{}/healthz", manager.health_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(manager.run_until(async move {
        let _ = stopped.await;
    }));

    let body = reqwest::get(&health_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "ok");
    let body = reqwest::get(&metrics_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("controller_runtime_reconcile_total") || body.contains("# EOF"),
        "{body}"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        slow.started.load(Ordering::SeqCst),
        0,
        "no reconcile before leading"
    );

    // The other holder releases: the manager takes the lease and starts reconciling.
    other.release().await;
    eventually("lease held by pod-a", || async {
        holder(&client).await.as_deref() == Some("pod-a")
    })
    .await;
    eventually("a reconcile in flight", || async {
        slow.started.load(Ordering::SeqCst) == 1
    })
    .await;

    // The workqueue metrics follow the queue: one add, taken by a worker, one active worker.
    let body = reqwest::get(&metrics_url)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "workqueue_adds_total{name=\"gitrepository\"} 1",
        "workqueue_depth{name=\"gitrepository\"} 0",
        "workqueue_queue_duration_seconds_count{name=\"gitrepository\"} 1",
        "controller_runtime_active_workers{controller=\"gitrepository\"} 1",
    ] {
        assert!(body.contains(expected), "{expected} missing from:\n{body}");
    }

    // Stop while the reconcile is in flight: the manager waits for it, then releases the lease.
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !running.is_finished(),
        "the manager waits for the in-flight reconcile"
    );
    slow.release.notify_waiters();
    let result = tokio::time::timeout(Duration::from_secs(15), running)
        .await
        .expect("manager stopped")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(slow.finished.load(Ordering::SeqCst), 1);
    assert_eq!(holder(&client).await, None, "lease released");
    assert!(
        reqwest::get(&health_url).await.is_err(),
        "servers stopped with the manager"
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconcile_that_outlives_the_graceful_timeout_is_dropped() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.unwrap();
    install_crd(&client).await;
    let repos: Api<GitRepository> = Api::namespaced(client.clone(), "default");
    let repo: GitRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "stuck", "namespace": "default"},
        "spec": {"url": "https://example.com/stuck", "interval": "1h"}
    }))
    .unwrap();
    repos.create(&PostParams::default(), &repo).await.unwrap();

    let mut manager = Manager::with_client("source-controller", &flags(&[]), client.clone())
        .await
        .unwrap()
        .with_lease_namespace("default")
        .with_graceful_shutdown_timeout(Duration::from_millis(500));
    let stuck = Slow::default();
    let ctx = manager.context("gitrepository", 1, Duration::from_secs(30));
    manager.add_controller::<GitRepository, _>(stuck.clone(), ctx);
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(manager.run_until(async move {
        let _ = stopped.await;
    }));
    eventually("a reconcile in flight", || async {
        stuck.started.load(Ordering::SeqCst) == 1
    })
    .await;
    stop.send(()).unwrap();
    // Never released: the manager must still return, bounded by its graceful timeout.
    let result = tokio::time::timeout(Duration::from_secs(15), running)
        .await
        .expect("the manager returned although the reconcile never finished")
        .unwrap();
    assert!(result.is_ok());
    assert_eq!(stuck.finished.load(Ordering::SeqCst), 0);
    assert_eq!(holder(&client).await, None, "the lease is released");
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_comes_from_the_kubeconfig_flag() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let path = emulator.kubeconfig_path().to_str().unwrap().to_string();
    let flags = Cli::try_parse_from(["c", "--kubeconfig", &path])
        .unwrap()
        .common;
    let client = flux_runtime::client::from_flags(&flags).await.unwrap();
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client);
    assert!(namespaces.get("default").await.is_ok());

    let flags = Cli::try_parse_from(["c", "--kubeconfig", "/nonexistent/kubeconfig"])
        .unwrap()
        .common;
    let Err(err) = flux_runtime::client::from_flags(&flags).await else {
        panic!("a missing kubeconfig must be an error");
    };
    assert!(
        err.to_string()
            .starts_with("cannot load kubeconfig '/nonexistent/kubeconfig': "),
        "{err}"
    );
    emulator.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_the_api_server_past_the_renew_deadline_loses_leadership() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.unwrap();
    let mut manager = Manager::with_client("source-controller", &flags(&[]), client.clone())
        .await
        .unwrap()
        .with_identity("pod-a")
        .with_lease_namespace("default");
    let started = Arc::new(Notify::new());
    let running_flag = started.clone();
    let shutdown = manager.shutdown_signal();
    manager.add("idle", async move {
        running_flag.notify_one();
        shutdown.await;
    });
    let running = tokio::spawn(manager.run_until(std::future::pending()));
    // Leading (the controller future only starts once the lease is held).
    tokio::time::timeout(Duration::from_secs(30), started.notified())
        .await
        .expect("leading");
    assert_eq!(holder(&client).await.as_deref(), Some("pod-a"));

    // The API server goes away: renewals fail, and past the renew deadline the manager stops
    // with LeadershipLost (the process should exit) rather than keep acting as leader.
    emulator.stop().await;
    let result = tokio::time::timeout(Duration::from_secs(30), running)
        .await
        .expect("the manager gave up leadership")
        .unwrap();
    assert!(
        matches!(
            result,
            Err(flux_runtime::manager::ManagerError::LeadershipLost)
        ),
        "{result:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controller_that_ends_on_its_own_stops_the_manager_with_an_error() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.unwrap();
    let mut manager = Manager::with_client("source-controller", &flags(&[]), client.clone())
        .await
        .unwrap()
        .with_identity("pod-a")
        .with_lease_namespace("default");
    let shutdown = manager.shutdown_signal();
    let stopped_gracefully = Arc::new(AtomicUsize::new(0));
    let seen = stopped_gracefully.clone();
    manager.add("steady", async move {
        shutdown.await;
        seen.fetch_add(1, Ordering::SeqCst);
    });
    manager.add("crashing", async { panic!("boom") });
    let result = tokio::time::timeout(
        Duration::from_secs(30),
        manager.run_until(std::future::pending()),
    )
    .await
    .expect("the manager stopped");
    match result {
        Err(err @ flux_runtime::manager::ManagerError::ControllerExited { .. }) => {
            assert_eq!(
                err.to_string(),
                "controller 'crashing' stopped unexpectedly (panicked)"
            );
        }
        other => panic!("expected ControllerExited, got {other:?}"),
    }
    assert_eq!(stopped_gracefully.load(Ordering::SeqCst), 1);
    assert_eq!(holder(&client).await, None, "the lease is released");
    emulator.stop().await;
}
