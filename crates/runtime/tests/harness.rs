//! The controller harness against the API emulator, with a sample reconciler that holds nothing but
//! its kind's logic: conditions, requeue, requestedAt, suspend/resume, finalizer and cleanup,
//! failures with retry and stall, Kubernetes events with de-duplication.

use flux_api::source::GitRepository;
use flux_runtime::events::{DeliveryPolicy, EventRecorder};
use flux_runtime::metrics::Metrics;
use flux_runtime::reconcile::{
    Context, ControllerSettings, Disposition, Outcome, ReconcileError, Reconciler,
};
use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The sample: "fetch" succeeds unless the URL says otherwise, and records an artifact.
#[derive(Default, Clone)]
struct Sample {
    reconciles: Arc<AtomicUsize>,
    cleanups: Arc<AtomicUsize>,
}

impl Reconciler<GitRepository> for Sample {
    async fn reconcile(
        &self,
        repo: Arc<GitRepository>,
        _ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        self.reconciles.fetch_add(1, Ordering::SeqCst);
        if repo.spec.url.contains("unreachable") {
            return Err(ReconcileError::new(
                Disposition::Retry,
                "GitOperationFailed",
                "failed to checkout: connection refused",
            )
            .with_condition("FetchFailed", flux_api::ConditionStatus::True));
        }
        if repo.spec.url.contains("invalid") {
            return Err(
                ReconcileError::new(Disposition::Stalled, "URLInvalid", "unsupported URL")
                    .removing(&["FetchFailed"]),
            );
        }
        let mut outcome = Outcome {
            reason: "Succeeded".into(),
            message: "stored artifact for revision 'main@sha1:abc'".into(),
            ..Default::default()
        };
        outcome.status.insert(
            "artifact".into(),
            json!({"path": "gitrepository/default/x/abc.tar.gz", "url": "http://localhost/x.tar.gz", "revision": "main@sha1:abc",
                   "digest": "sha256:0123", "lastUpdateTime": "2024-01-01T00:00:00Z"}),
        );
        Ok(outcome)
    }

    async fn cleanup(
        &self,
        _repo: Arc<GitRepository>,
        _ctx: Arc<Context>,
    ) -> Result<(), ReconcileError> {
        self.cleanups.fetch_add(1, Ordering::SeqCst);
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

fn ready(repo: &GitRepository) -> Option<(String, String)> {
    let c = repo
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")?;
    Some((format!("{:?}", c.status), c.reason.clone()))
}

fn condition<'a>(repo: &'a GitRepository, type_: &str) -> Option<&'a flux_api::Condition> {
    repo.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_reconciles_a_kind_from_its_logic_alone() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.expect("client");
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in flux_api::crds::all()
        .into_iter()
        .filter(|c| c.spec.names.kind == "GitRepository")
    {
        crds.create(&PostParams::default(), &crd)
            .await
            .expect("CRD installed");
    }
    let repos: Api<GitRepository> = Api::namespaced(client.clone(), "default");
    eventually("CRD served", || async {
        repos.list(&ListParams::default()).await.is_ok()
    })
    .await;

    let sample = Sample::default();
    let settings = ControllerSettings {
        name: "source-controller".into(),
        metrics_name: "gitrepository".into(),
        concurrency: 2,
        requeue_dependency: Duration::from_secs(1),
        min_retry_delay: Duration::from_millis(100),
        max_retry_delay: Duration::from_secs(1),
        jitter_percent: 0,
        namespace: None,
        label_selector: None,
    };
    let events = EventRecorder::new(
        Some(client.clone()),
        "",
        "source-controller",
        DeliveryPolicy::default(),
    );
    let ctx = Context::new(client.clone(), events, Metrics::new(), settings);
    let controller = tokio::spawn(flux_runtime::reconcile::run::<GitRepository, _>(
        sample.clone(),
        ctx,
    ));

    // A new object becomes Ready, with the finalizer, observedGeneration and the kind's status.
    let repo: GitRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "podinfo", "namespace": "default"},
        "spec": {"url": "https://example.com/podinfo", "interval": "1h"}
    }))
    .unwrap();
    repos.create(&PostParams::default(), &repo).await.unwrap();
    eventually("Ready=True", || async {
        repos.get("podinfo").await.ok().as_ref().and_then(ready)
            == Some(("True".into(), "Succeeded".into()))
    })
    .await;
    let repo = repos.get("podinfo").await.unwrap();
    assert_eq!(
        repo.metadata.finalizers.as_deref(),
        Some(&["finalizers.fluxcd.io".to_string()][..])
    );
    let status = repo.status.clone().unwrap();
    assert_eq!(status.observed_generation, Some(1));
    assert_eq!(status.artifact.unwrap().revision, "main@sha1:abc");
    assert!(condition(&repo, "Reconciling").is_none() && condition(&repo, "Stalled").is_none());
    let first_transition = condition(&repo, "Ready")
        .unwrap()
        .last_transition_time
        .clone();

    // requestedAt triggers a reconcile at once (the interval is an hour) and is recorded.
    let before = sample.reconciles.load(Ordering::SeqCst);
    let annotate = |value: &str| json!({"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": value}}});
    repos
        .patch(
            "podinfo",
            &PatchParams::default(),
            &Patch::Merge(&annotate("2024-01-01T00:00:00Z")),
        )
        .await
        .unwrap();
    eventually("lastHandledReconcileAt", || async {
        repos
            .get("podinfo")
            .await
            .ok()
            .and_then(|r| r.status?.last_handled_reconcile_at)
            .as_deref()
            == Some("2024-01-01T00:00:00Z")
    })
    .await;
    assert!(sample.reconciles.load(Ordering::SeqCst) > before);
    // Same status: lastTransitionTime is kept.
    let repo = repos.get("podinfo").await.unwrap();
    assert_eq!(
        condition(&repo, "Ready").unwrap().last_transition_time,
        first_transition
    );

    // Suspended: nothing is reconciled, but as Flux's finalizeStatus the handled request (and the
    // generation, while Ready) is still recorded.
    repos
        .patch(
            "podinfo",
            &PatchParams::default(),
            &Patch::Merge(&json!({"spec": {"suspend": true}})),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let suspended_count = sample.reconciles.load(Ordering::SeqCst);
    repos
        .patch(
            "podinfo",
            &PatchParams::default(),
            &Patch::Merge(&annotate("2024-01-02T00:00:00Z")),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        sample.reconciles.load(Ordering::SeqCst),
        suspended_count,
        "suspended objects are not reconciled"
    );
    let repo = repos.get("podinfo").await.unwrap();
    let status = repo.status.as_ref().unwrap();
    assert_eq!(
        status.last_handled_reconcile_at.as_deref(),
        Some("2024-01-02T00:00:00Z")
    );
    assert_eq!(status.observed_generation, repo.metadata.generation);
    assert_eq!(
        condition(&repo, "Ready").unwrap().last_transition_time,
        first_transition,
        "conditions are left as they were"
    );
    // Resuming reconciles at once.
    repos
        .patch(
            "podinfo",
            &PatchParams::default(),
            &Patch::Merge(&json!({"spec": {"suspend": false}})),
        )
        .await
        .unwrap();
    eventually("reconciled after resume", || async {
        sample.reconciles.load(Ordering::SeqCst) > suspended_count
    })
    .await;

    // A retryable failure: Ready=False, Reconciling=True with ProgressingWithRetry, a Warning event
    // whose repeats raise its count.
    repos
        .patch(
            "podinfo",
            &PatchParams::default(),
            &Patch::Merge(
                &json!({"spec": {"url": "https://unreachable.example.com/x", "interval": "1s"}}),
            ),
        )
        .await
        .unwrap();
    eventually("Ready=False", || async {
        repos.get("podinfo").await.ok().as_ref().and_then(ready)
            == Some(("False".into(), "GitOperationFailed".into()))
    })
    .await;
    let repo = repos.get("podinfo").await.unwrap();
    assert_eq!(
        condition(&repo, "Reconciling").unwrap().reason,
        "ProgressingWithRetry"
    );
    assert!(condition(&repo, "Ready").unwrap().last_transition_time >= first_transition);
    // The new generation failed: it is not observed yet (Flux updates observedGeneration only on
    // success or stall), while the conditions name the generation they describe.
    let status = repo.status.as_ref().unwrap();
    let generation = repo.metadata.generation.unwrap();
    assert!(
        status.observed_generation.unwrap() < generation,
        "observedGeneration {:?} after a failure at generation {generation}",
        status.observed_generation
    );
    assert_eq!(
        condition(&repo, "Ready").unwrap().observed_generation,
        Some(generation)
    );
    // The error's own condition, with its reason and message.
    let fetch_failed = condition(&repo, "FetchFailed").expect("FetchFailed set with Ready=False");
    assert_eq!(
        (fetch_failed.status, fetch_failed.reason.as_str()),
        (flux_api::ConditionStatus::True, "GitOperationFailed")
    );
    let events: Api<Event> = Api::namespaced(client.clone(), "default");
    eventually("event count above 1", || async {
        events
            .list(&ListParams::default())
            .await
            .map(|l| {
                l.items.iter().any(|e| {
                    e.reason.as_deref() == Some("GitOperationFailed")
                        && e.type_.as_deref() == Some("Warning")
                        && e.count.unwrap_or(0) >= 2
                        && e.involved_object.name.as_deref() == Some("podinfo")
                })
            })
            .unwrap_or(false)
    })
    .await;

    // A terminal failure: Stalled=True, Reconciling gone.
    repos
        .patch(
            "podinfo",
            &PatchParams::default(),
            &Patch::Merge(&json!({"spec": {"url": "https://invalid.example.com/x"}})),
        )
        .await
        .unwrap();
    eventually("Stalled", || async {
        repos
            .get("podinfo")
            .await
            .ok()
            .is_some_and(|r| condition(&r, "Stalled").is_some_and(|c| c.reason == "URLInvalid"))
    })
    .await;
    let repo = repos.get("podinfo").await.unwrap();
    assert!(condition(&repo, "Reconciling").is_none());
    // A stalled generation is observed: nothing more will happen until the spec changes.
    assert_eq!(
        repo.status.as_ref().unwrap().observed_generation,
        repo.metadata.generation
    );
    assert!(
        condition(&repo, "FetchFailed").is_none(),
        "conditions an error removes are gone"
    );

    // Deletion runs cleanup, removes the finalizer, and the object goes.
    repos
        .delete("podinfo", &DeleteParams::default())
        .await
        .unwrap();
    eventually("deleted", || async {
        repos.get_opt("podinfo").await.ok().flatten().is_none()
    })
    .await;
    assert_eq!(sample.cleanups.load(Ordering::SeqCst), 1);

    controller.abort();
    emulator.stop().await;
}
