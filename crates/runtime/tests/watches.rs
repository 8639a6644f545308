//! Watches of related objects on the API emulator (`watches::kustomization_watches`): a
//! Kustomization is re-queued when its GitRepository gets a new artifact revision (unless it is
//! Ready and already attempted it; not on other changes), and when a labelled ConfigMap it
//! substitutes from changes (unlabelled ones are ignored).

use flux_api::kustomize::Kustomization;
use flux_api::source::GitRepository;
use flux_runtime::events::{DeliveryPolicy, EventRecorder};
use flux_runtime::metrics::Metrics;
use flux_runtime::reconcile::{Context, ControllerSettings, Outcome, ReconcileError, Reconciler};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Counting(Arc<Mutex<HashMap<String, usize>>>);

impl Counting {
    fn count(&self, name: &str) -> usize {
        self.0.lock().unwrap().get(name).copied().unwrap_or(0)
    }
}

impl Reconciler<Kustomization> for Counting {
    async fn reconcile(
        &self,
        ks: Arc<Kustomization>,
        _ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let name = ks.metadata.name.clone().unwrap_or_default();
        *self.0.lock().unwrap().entry(name).or_default() += 1;
        Ok(Outcome {
            reason: "ReconciliationSucceeded".into(),
            message: "applied".into(),
            ..Default::default()
        })
    }
    async fn cleanup(&self, _: Arc<Kustomization>, _: Arc<Context>) -> Result<(), ReconcileError> {
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

fn kustomization(name: &str, source: &str, vars: Option<&str>) -> Kustomization {
    let mut spec = json!({"interval": "1h", "prune": false, "path": "./",
        "sourceRef": {"kind": "GitRepository", "name": source}});
    if let Some(vars) = vars {
        spec["postBuild"] = json!({"substituteFrom": [{"kind": "ConfigMap", "name": vars}]});
    }
    serde_json::from_value(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "default"}, "spec": spec
    }))
    .unwrap()
}

fn artifact(revision: &str) -> serde_json::Value {
    json!({"status": {"artifact": {"path": "p", "url": "http://localhost/p.tar.gz", "revision": revision,
        "digest": "sha256:0", "lastUpdateTime": "2024-01-01T00:00:00Z"}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn related_changes_requeue_the_objects_that_refer_to_them() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in flux_api::crds::all()
        .into_iter()
        .filter(|c| c.spec.names.kind == "Kustomization" || c.spec.names.kind == "GitRepository")
    {
        crds.create(&PostParams::default(), &crd).await.unwrap();
    }
    let repos: Api<GitRepository> = Api::namespaced(client.clone(), "default");
    let kss: Api<Kustomization> = Api::namespaced(client.clone(), "default");
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    eventually("CRDs served", || async {
        repos.list(&ListParams::default()).await.is_ok()
            && kss.list(&ListParams::default()).await.is_ok()
    })
    .await;

    for name in ["src", "other-src"] {
        let repo: GitRepository = serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"url": "https://example.com/x", "interval": "1h"}
        }))
        .unwrap();
        repos.create(&PostParams::default(), &repo).await.unwrap();
        repos
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(&artifact("main@sha1:1")),
            )
            .await
            .unwrap();
    }
    for (name, labelled) in [("vars", true), ("unlabelled", false)] {
        let mut cm = json!({"metadata": {"name": name}, "data": {"A": "1"}});
        if labelled {
            cm["metadata"]["labels"] = json!({"reconcile.fluxcd.io/watch": "Enabled"});
        }
        maps.create(&PostParams::default(), &serde_json::from_value(cm).unwrap())
            .await
            .unwrap();
    }
    for ks in [
        kustomization("uses-src", "src", None),
        kustomization("uses-other", "other-src", None),
        kustomization("uses-vars", "other-src", Some("vars")),
        kustomization("uses-unlabelled", "other-src", Some("unlabelled")),
    ] {
        kss.create(&PostParams::default(), &ks).await.unwrap();
    }

    let watches = flux_runtime::watches::kustomization_watches("reconcile.fluxcd.io/watch=Enabled");
    let counting = Counting::default();
    let settings = ControllerSettings {
        name: "kustomize-controller".into(),
        metrics_name: "kustomization".into(),
        concurrency: 4,
        requeue_dependency: Duration::from_secs(30),
        min_retry_delay: Duration::from_millis(100),
        max_retry_delay: Duration::from_secs(1),
        jitter_percent: 0,
        namespace: None,
        label_selector: None,
    };
    let ctx = Context::new(
        client.clone(),
        EventRecorder::new(None, "", "kustomize-controller", DeliveryPolicy::default()),
        Metrics::new(),
        settings,
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn(flux_runtime::reconcile::run_with_watches(
        counting.clone(),
        ctx,
        async move {
            let _ = stopped.await;
        },
        watches,
    ));
    let all = ["uses-src", "uses-other", "uses-vars", "uses-unlabelled"];
    eventually("initial reconciles", || async {
        all.iter().all(|n| counting.count(n) >= 1)
    })
    .await;
    // Let the start-up triggers (every related object is new to the watch) settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before: HashMap<&str, usize> = all.iter().map(|n| (*n, counting.count(n))).collect();

    // "uses-other" is Ready and has already attempted the revision its source will get: Flux
    // does not re-queue it for that revision.
    kss.patch_status(
        "uses-other",
        &PatchParams::default(),
        &Patch::Merge(&json!({"status": {"lastAttemptedRevision": "main@sha1:2"}})),
    )
    .await
    .unwrap();

    // A new artifact revision of "src" re-queues its Kustomization.
    repos
        .patch_status(
            "src",
            &PatchParams::default(),
            &Patch::Merge(&artifact("main@sha1:2")),
        )
        .await
        .unwrap();
    eventually("uses-src re-queued", || async {
        counting.count("uses-src") > before["uses-src"]
    })
    .await;
    // "other-src" gets the new revision: its users re-queued, except the one already there.
    repos
        .patch_status(
            "other-src",
            &PatchParams::default(),
            &Patch::Merge(&artifact("main@sha1:2")),
        )
        .await
        .unwrap();
    eventually("users of other-src re-queued", || async {
        counting.count("uses-vars") > before["uses-vars"]
            && counting.count("uses-unlabelled") > before["uses-unlabelled"]
    })
    .await;
    // A change that keeps the revision (a label) re-queues nothing.
    repos
        .patch(
            "src",
            &PatchParams::default(),
            &Patch::Merge(&json!({"metadata": {"labels": {"team": "a"}}})),
        )
        .await
        .unwrap();
    // The labelled ConfigMap changes: its user is re-queued.
    maps.patch(
        "vars",
        &PatchParams::default(),
        &Patch::Merge(&json!({"data": {"A": "2"}})),
    )
    .await
    .unwrap();
    eventually("uses-vars re-queued", || async {
        counting.count("uses-vars") > before["uses-vars"] + 1
    })
    .await;
    // The unlabelled one is not watched.
    maps.patch(
        "unlabelled",
        &PatchParams::default(),
        &Patch::Merge(&json!({"data": {"A": "2"}})),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(counting.count("uses-src"), before["uses-src"] + 1);
    assert_eq!(counting.count("uses-other"), before["uses-other"]);
    assert_eq!(counting.count("uses-vars"), before["uses-vars"] + 2);
    assert_eq!(
        counting.count("uses-unlabelled"),
        before["uses-unlabelled"] + 1
    );

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), controller)
        .await
        .expect("controller stopped")
        .unwrap();
    emulator.stop().await;
}
