//! Requeue timing with a paused clock: the controller runs on a runtime whose clock is paused and
//! moved only by the test (a blocking task stays open throughout, which stops tokio from
//! auto-advancing the clock while the runtime waits for the emulator's answers), against the API
//! emulator running on its own real-time runtime. Reconciles happen at `spec.interval` after success, at `--requeue-dependency` while
//! waiting, at the interval after a retryable failure, and with doubling backoff (capped) after
//! harness-level failures.

use flux_api::source::GitRepository;
use flux_runtime::events::{DeliveryPolicy, EventRecorder};
use flux_runtime::metrics::{ControllerLabels, Metrics};
use flux_runtime::reconcile::{
    Context, ControllerSettings, Disposition, Outcome, ReconcileError, Reconciler,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, PostParams};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Records the (virtual) time of each reconcile per object; the URL picks the outcome.
#[derive(Clone, Default)]
struct Timed(Arc<Mutex<HashMap<String, Vec<Instant>>>>);

impl Timed {
    fn times(&self, name: &str) -> Vec<Instant> {
        self.0
            .lock()
            .unwrap()
            .get(name)
            .cloned()
            .unwrap_or_default()
    }
}

impl Reconciler<GitRepository> for Timed {
    async fn reconcile(
        &self,
        repo: Arc<GitRepository>,
        _ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let name = repo.metadata.name.clone().unwrap_or_default();
        self.0
            .lock()
            .unwrap()
            .entry(name)
            .or_default()
            .push(Instant::now());
        let fail = |disposition| Err(ReconcileError::new(disposition, "Failed", "failed"));
        match repo.spec.url.as_str() {
            "https://example.com/waiting" => fail(Disposition::Waiting),
            "https://example.com/retry" => fail(Disposition::Retry),
            "https://example.com/backoff" => fail(Disposition::Backoff),
            _ => Ok(Outcome {
                reason: "Succeeded".into(),
                message: "ok".into(),
                ..Default::default()
            }),
        }
    }
    async fn cleanup(&self, _: Arc<GitRepository>, _: Arc<Context>) -> Result<(), ReconcileError> {
        Ok(())
    }
}

/// The emulator on its own thread and runtime, so that its clock keeps real time.
fn start_emulator() -> (kube::Config, std::sync::mpsc::Sender<()>) {
    let (config_tx, config_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let emulator = kube_emulator::Emulator::start().await.expect("emulator");
            let config = emulator
                .config_with_token(emulator.admin_token())
                .await
                .unwrap();
            config_tx.send(config).unwrap();
            let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
            emulator.stop().await;
        });
    });
    (config_rx.recv().expect("emulator config"), stop_tx)
}

fn gaps(times: &[Instant]) -> Vec<Duration> {
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

/// Virtual time moves in steps of this much...
const STEP: Duration = Duration::from_millis(500);

/// ...with this much real time between steps for the API calls of due reconciles to complete.
async fn let_io_settle() {
    tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(10)))
        .await
        .unwrap();
}

/// `gap` is `expected`, give or take a step.
fn assert_close(gap: Duration, expected: Duration, what: &str) {
    assert!(
        gap >= expected && gap <= expected + 2 * STEP,
        "{what}: gap {gap:?}, expected {expected:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn requeues_follow_interval_dependency_and_backoff_in_virtual_time() {
    let (mut config, stop_emulator) = start_emulator();
    // Held open for the whole test: no auto-advance, the clock moves only with `advance`.
    let (release_clock, hold) = std::sync::mpsc::channel::<()>();
    let clock_hold = tokio::task::spawn_blocking(move || hold.recv());
    // No HTTP timers: with a paused clock they would fire whenever the runtime idles.
    config.connect_timeout = None;
    config.read_timeout = None;
    config.write_timeout = None;
    flux_runtime::client::install_crypto_provider();
    let client = kube::Client::try_from(config).unwrap();

    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in flux_api::crds::all()
        .into_iter()
        .filter(|c| c.spec.names.kind == "GitRepository")
    {
        crds.create(&PostParams::default(), &crd).await.unwrap();
    }
    let repos: Api<GitRepository> = Api::namespaced(client.clone(), "default");
    while repos.list(&ListParams::default()).await.is_err() {
        let_io_settle().await;
    }
    for (name, interval) in [
        ("ok", "2m"),
        ("waiting", "10m"),
        ("retry", "1m"),
        ("backoff", "10m"),
    ] {
        let repo: GitRepository = serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"url": format!("https://example.com/{name}"), "interval": interval}
        }))
        .unwrap();
        repos.create(&PostParams::default(), &repo).await.unwrap();
    }

    let timed = Timed::default();
    let settings = ControllerSettings {
        name: "source-controller".into(),
        metrics_name: "gitrepository".into(),
        concurrency: 4,
        requeue_dependency: Duration::from_secs(20),
        min_retry_delay: Duration::from_secs(1),
        max_retry_delay: Duration::from_secs(8),
        jitter_percent: 0,
        namespace: None,
        label_selector: None,
    };
    let metrics = Metrics::new();
    let workers = metrics
        .active_workers
        .get_or_create(&ControllerLabels {
            controller: "gitrepository".into(),
        })
        .clone();
    let ctx = Context::new(
        client.clone(),
        EventRecorder::new(None, "", "source-controller", DeliveryPolicy::default()),
        metrics,
        settings,
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn(flux_runtime::reconcile::run_until(
        timed.clone(),
        ctx,
        async {
            let _ = stopped.await;
        },
    ));

    // Three intervals of the slowest object, in virtual time.
    let start = Instant::now();
    while timed.times("ok").len() < 4 && Instant::now() - start < Duration::from_secs(3 * 120 + 60)
    {
        tokio::time::advance(STEP).await;
        // Reconciles that came due run to the end (API calls included) before time moves on.
        let_io_settle().await;
        for _ in 0..500 {
            if workers.get() == 0 {
                break;
            }
            let_io_settle().await;
        }
    }
    for name in ["ok", "waiting", "retry", "backoff"] {
        eprintln!("{name}: gaps {:?}", gaps(&timed.times(name)));
    }
    let ok = gaps(&timed.times("ok"));
    assert!(ok.len() >= 3, "reconciles of 'ok': {}", ok.len() + 1);
    for gap in &ok[..3] {
        assert_close(
            *gap,
            Duration::from_secs(120),
            "after success: spec.interval",
        );
    }
    let waiting = gaps(&timed.times("waiting"));
    assert!(waiting.len() >= 10);
    for gap in &waiting[..10] {
        assert_close(
            *gap,
            Duration::from_secs(20),
            "waiting: --requeue-dependency",
        );
    }
    let retry = gaps(&timed.times("retry"));
    assert!(retry.len() >= 3);
    for gap in &retry[..3] {
        assert_close(*gap, Duration::from_secs(60), "retry: spec.interval");
    }
    let backoff = gaps(&timed.times("backoff"));
    assert!(backoff.len() >= 6);
    for (gap, expected) in backoff.iter().zip([1, 2, 4, 8, 8, 8]) {
        assert_close(
            *gap,
            Duration::from_secs(expected),
            "backoff: doubling from --min-retry-delay, capped at --max-retry-delay",
        );
    }

    stop.send(()).unwrap();
    while !controller.is_finished() {
        let_io_settle().await;
    }
    let _ = release_clock.send(());
    clock_hold.await.unwrap().unwrap();
    let _ = stop_emulator.send(());
}
