//! The in-process test bed: the API emulator with the Flux CRDs, a small HTTP server publishing
//! artifacts (tar.gz built here, no source controller), and the Kustomization controller running
//! against both.

#![allow(dead_code)]

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use flux_api::kustomize::Kustomization;
use flux_api::source::GitRepository;
use flux_runtime::artifact::{ArtifactFetcher, FetchOptions};
use flux_runtime::client::ClientFactory;
use flux_runtime::events::{DeliveryPolicy, EventRecorder};
use flux_runtime::metrics::Metrics;
use flux_runtime::reconcile::{Context, ControllerSettings};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kustomize_controller::kustomization::{KustomizationReconciler, Settings};
use serde_json::{Value, json};
use sha2::Digest;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

type Files = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// A gzip'd tar of `files` (path, content), as the source controller archives a checkout.
pub fn tarball(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o600);
        header.set_cksum();
        builder
            .append_data(&mut header, path, content.as_bytes())
            .expect("tar entry");
    }
    builder.into_inner().expect("tar").finish().expect("gzip")
}

async fn serve(State(files): State<Files>, UrlPath(path): UrlPath<String>) -> impl IntoResponse {
    match files.lock().ok().and_then(|f| f.get(&path).cloned()) {
        Some(bytes) => (StatusCode::OK, bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub struct Bed {
    pub emulator: kube_emulator::Emulator,
    pub client: kube::Client,
    files: Files,
    base_url: String,
    stop: Option<oneshot::Sender<()>>,
    controller: Option<tokio::task::JoinHandle<()>>,
}

/// Options for the controller under test.
pub fn test_settings() -> Settings {
    let mut settings = Settings {
        health_check_interval: Duration::from_millis(300),
        ..Settings::default()
    };
    settings.source_policy.requeue_dependency = Duration::from_secs(1);
    settings
}

pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..600 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}

impl Bed {
    pub async fn start() -> Bed {
        let emulator = kube_emulator::Emulator::start_with(kube_emulator::EmulatorConfig {
            workload_delay: Duration::from_millis(200),
            ..Default::default()
        })
        .await
        .expect("emulator");
        let client = emulator.client().await.expect("client");
        let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
        for crd in flux_api::crds::all().into_iter().filter(|c| {
            matches!(
                c.spec.names.kind.as_str(),
                "Kustomization" | "GitRepository" | "OCIRepository" | "Bucket"
            )
        }) {
            crds.create(&PostParams::default(), &crd)
                .await
                .expect("CRD installed");
        }
        let ks: Api<Kustomization> = Api::all(client.clone());
        eventually("CRDs served", || async {
            ks.list(&ListParams::default()).await.is_ok()
        })
        .await;

        let files: Files = Arc::default();
        let app = Router::new()
            .route("/{*path}", axum::routing::get(serve))
            .with_state(files.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("listen");
        let base_url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Bed {
            emulator,
            client,
            files,
            base_url,
            stop: None,
            controller: None,
        }
    }

    /// Start the controller with `settings`.
    pub async fn run_controller(&mut self, settings: Settings) {
        let config = self
            .emulator
            .config_with_token(self.emulator.admin_token())
            .await
            .expect("config");
        let clients = ClientFactory::new(config, self.client.clone(), "");
        let fetcher = ArtifactFetcher::new(FetchOptions {
            retries: 1,
            min_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_millis(100),
            host_override: None,
            ..FetchOptions::default()
        });
        let reconciler = KustomizationReconciler::new(settings.clone(), fetcher, clients);
        let controller_settings = ControllerSettings {
            name: "kustomize-controller".into(),
            metrics_name: "kustomization".into(),
            concurrency: 4,
            requeue_dependency: settings.source_policy.requeue_dependency,
            min_retry_delay: Duration::from_millis(200),
            max_retry_delay: Duration::from_secs(2),
            jitter_percent: 0,
            namespace: None,
            label_selector: None,
        };
        let events = EventRecorder::new(
            Some(self.client.clone()),
            "",
            "kustomize-controller",
            DeliveryPolicy::default(),
        );
        let ctx = Context::new(
            self.client.clone(),
            events,
            Metrics::new(),
            controller_settings,
        );
        let (tx, rx) = oneshot::channel::<()>();
        let watches = kustomize_controller::watches::related(false, None);
        self.controller = Some(tokio::spawn(flux_runtime::reconcile::run_with_watches::<
            Kustomization,
            _,
            _,
        >(
            reconciler,
            ctx,
            async move {
                let _ = rx.await;
            },
            watches,
        )));
        self.stop = Some(tx);
    }

    pub async fn stop_controller(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.controller.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }

    pub async fn create_namespace(&self, name: &str) {
        let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(self.client.clone());
        let ns = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
        let _ = api.create(&PostParams::default(), &ns).await;
    }

    /// A GitRepository with no artifact yet.
    pub async fn create_source(&self, namespace: &str, name: &str) {
        let api: Api<GitRepository> = Api::namespaced(self.client.clone(), namespace);
        let repo: GitRepository = serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"url": "https://example.com/repo", "interval": "1h"}
        }))
        .unwrap();
        api.create(&PostParams::default(), &repo)
            .await
            .expect("GitRepository created");
    }

    /// Publish `files` as the artifact of the GitRepository at `revision`.
    pub async fn publish(
        &self,
        namespace: &str,
        name: &str,
        revision: &str,
        files: &[(&str, &str)],
    ) {
        let bytes = tarball(files);
        let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)));
        let hash = revision.rsplit(':').next().unwrap_or(revision);
        let path = format!("gitrepository/{namespace}/{name}/{hash}.tar.gz");
        let size = bytes.len();
        self.files.lock().unwrap().insert(path.clone(), bytes);
        let api: Api<GitRepository> = Api::namespaced(self.client.clone(), namespace);
        api.patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": {
                "observedGeneration": 1,
                "artifact": {
                    "path": path,
                    "url": format!("{}/{path}", self.base_url),
                    "revision": revision,
                    "digest": digest,
                    "lastUpdateTime": "2026-01-01T00:00:00Z",
                    "size": size,
                },
                "conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded",
                    "message": format!("stored artifact for revision '{revision}'"),
                    "lastTransitionTime": "2026-01-01T00:00:00Z"}]
            }})),
        )
        .await
        .expect("artifact published");
    }

    /// Drop the artifact file (the status keeps pointing at it).
    pub fn unpublish_all(&self) {
        self.files.lock().unwrap().clear();
    }

    pub async fn apply_kustomization(&self, namespace: &str, name: &str, spec: Value) {
        let api: Api<Kustomization> = Api::namespaced(self.client.clone(), namespace);
        let ks: Kustomization = serde_json::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }))
        .expect("valid Kustomization");
        api.patch(
            name,
            &PatchParams::apply("test").force(),
            &Patch::Apply(&ks),
        )
        .await
        .expect("Kustomization applied");
    }

    pub async fn kustomization(&self, namespace: &str, name: &str) -> Option<Kustomization> {
        let api: Api<Kustomization> = Api::namespaced(self.client.clone(), namespace);
        api.get_opt(name).await.ok().flatten()
    }

    /// (status, reason, message) of a condition.
    pub async fn condition(
        &self,
        namespace: &str,
        name: &str,
        type_: &str,
    ) -> Option<(String, String, String)> {
        let ks = self.kustomization(namespace, name).await?;
        let c = ks
            .status?
            .conditions?
            .into_iter()
            .find(|c| c.type_ == type_)?;
        Some((format!("{:?}", c.status), c.reason, c.message))
    }

    /// Wait until Ready has `status` and `reason`; returns its message.
    pub async fn wait_ready(
        &self,
        namespace: &str,
        name: &str,
        status: &str,
        reason: &str,
    ) -> String {
        let mut last = None;
        for _ in 0..600 {
            last = self.condition(namespace, name, "Ready").await;
            if let Some((s, r, m)) = &last
                && s == status
                && r == reason
            {
                return m.clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{namespace}/{name}: Ready never became {status}/{reason}; last: {last:?}");
    }

    /// Ask for a reconcile now.
    pub async fn request_reconcile(&self, namespace: &str, name: &str, token: &str) {
        let api: Api<Kustomization> = Api::namespaced(self.client.clone(), namespace);
        api.patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(
                &json!({"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": token}}}),
            ),
        )
        .await
        .expect("annotated");
    }

    /// Any object by api path, as JSON.
    pub async fn get_json(&self, path: &str) -> Option<Value> {
        let req = http::Request::get(path).body(Vec::new()).ok()?;
        self.client.request::<Value>(req).await.ok()
    }

    /// Events recorded for an object, messages only.
    pub async fn event_messages(&self, namespace: &str, name: &str) -> Vec<String> {
        let api: Api<k8s_openapi::api::core::v1::Event> =
            Api::namespaced(self.client.clone(), namespace);
        let list = api
            .list(&ListParams::default().fields(&format!("involvedObject.name={name}")))
            .await
            .map(|l| l.items)
            .unwrap_or_default();
        list.into_iter().filter_map(|e| e.message).collect()
    }
}
