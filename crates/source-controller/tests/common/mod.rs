//! A test environment: the API emulator in-process with the GitRepository CRD, a storage in a
//! temporary directory, and the reconciler called one reconcile at a time, its outcome written
//! to the object's status as the runtime harness does.

#![allow(dead_code)]

use flux_api::meta::Artifact;
use flux_api::source::GitRepository;
use flux_runtime::events::{DeliveryPolicy, EventRecorder};
use flux_runtime::metrics::Metrics;
use flux_runtime::reconcile::{Context, ControllerSettings, Outcome, ReconcileError, Reconciler};
use k8s_openapi::api::core::v1::{Event, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use source_controller::gitrepository::GitRepositoryReconciler;
use source_controller::storage::{DigestAlgorithm, Retention, Storage};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub const NS: &str = "default";

pub struct Env {
    pub emulator: kube_emulator::Emulator,
    pub client: kube::Client,
    pub storage: Arc<Storage>,
    pub reconciler: GitRepositoryReconciler,
    pub ctx: Arc<Context>,
    _storage_dir: tempfile::TempDir,
    _scratch: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Env {
        Self::start_with(Retention::default()).await
    }

    pub async fn start_with(retention: Retention) -> Env {
        let emulator = kube_emulator::Emulator::start().await.expect("emulator");
        let client = emulator.client().await.expect("client");
        install_crds(&client).await;
        let storage_dir = tempfile::tempdir().unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let storage = Arc::new(
            Storage::new(
                storage_dir.path(),
                "localhost:9090",
                retention,
                DigestAlgorithm::Sha256,
            )
            .unwrap(),
        );
        let reconciler = GitRepositoryReconciler::new(
            storage.clone(),
            &scratch.path().join("cache"),
            &scratch.path().join("work"),
        )
        .unwrap();
        let ctx = Arc::new(context(&client, "gitrepository"));
        Env {
            emulator,
            client,
            storage,
            reconciler,
            ctx,
            _storage_dir: storage_dir,
            _scratch: scratch,
        }
    }

    pub fn repos(&self) -> Api<GitRepository> {
        Api::namespaced(self.client.clone(), NS)
    }

    /// Create a GitRepository with this spec (interval defaults to 1h).
    pub async fn create(&self, name: &str, mut spec: Value) {
        if spec.get("interval").is_none() {
            spec["interval"] = json!("1h");
        }
        let repo: GitRepository = serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": name, "namespace": NS},
            "spec": spec,
        }))
        .expect("valid GitRepository");
        self.repos()
            .create(&PostParams::default(), &repo)
            .await
            .expect("GitRepository created");
    }

    /// Replace the spec.
    pub async fn set_spec(&self, name: &str, spec: Value) {
        self.repos()
            .patch(
                name,
                &PatchParams::default(),
                &Patch::Merge(&json!({ "spec": spec })),
            )
            .await
            .expect("spec patched");
    }

    pub async fn get(&self, name: &str) -> GitRepository {
        self.repos().get(name).await.expect("GitRepository exists")
    }

    /// One reconcile; the outcome is written to the object's status (artifact and the Ready,
    /// ArtifactInStorage and SourceVerified conditions) as the harness does.
    pub async fn reconcile(&self, name: &str) -> Result<Outcome, ReconcileError> {
        let obj = Arc::new(self.get(name).await);
        let result = self
            .reconciler
            .reconcile(obj.clone(), self.ctx.clone())
            .await;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let condition = |t: &str, s: &str, r: &str, m: &str| json!({"type": t, "status": s, "reason": r, "message": m, "lastTransitionTime": now});
        let mut status = serde_json::Map::new();
        let mut conditions = Vec::new();
        match &result {
            Ok(outcome) => {
                status.extend(outcome.status.clone());
                conditions.push(condition(
                    "Ready",
                    "True",
                    &outcome.reason,
                    &outcome.message,
                ));
                for (t, s, r, m) in &outcome.conditions {
                    conditions.push(condition(t, &format!("{s:?}"), r, m));
                }
            }
            Err(e) => conditions.push(condition("Ready", "False", &e.reason, &e.message)),
        }
        status.insert("conditions".into(), json!(conditions));
        self.repos()
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(&json!({ "status": status })),
            )
            .await
            .expect("status patched");
        result
    }

    /// Reconcile and expect success; the stored artifact.
    pub async fn artifact(&self, name: &str) -> Artifact {
        let outcome = self
            .reconcile(name)
            .await
            .unwrap_or_else(|e| panic!("reconcile of {name} failed: {} ({})", e.message, e.reason));
        serde_json::from_value(outcome.status["artifact"].clone()).expect("artifact in status")
    }

    pub async fn create_secret(&self, name: &str, data: &[(&str, &[u8])]) {
        let secret: Secret = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": NS},
        }))
        .unwrap();
        let mut secret = secret;
        secret.data = Some(
            data.iter()
                .map(|(k, v)| (k.to_string(), k8s_openapi::ByteString(v.to_vec())))
                .collect(),
        );
        let api: Api<Secret> = Api::namespaced(self.client.clone(), NS);
        let _ = api.delete(name, &Default::default()).await;
        api.create(&PostParams::default(), &secret)
            .await
            .expect("secret created");
    }

    /// The files of a stored artifact: path -> contents (directories map to None).
    pub fn files(&self, artifact: &Artifact) -> BTreeMap<String, Option<Vec<u8>>> {
        let path = self.storage.local_path(&artifact.path).unwrap();
        read_tar_gz(&path)
    }

    /// Event (reason, message) pairs recorded for an object.
    pub async fn events(&self, name: &str) -> Vec<(String, String)> {
        let api: Api<Event> = Api::namespaced(self.client.clone(), NS);
        let list = api
            .list(&ListParams::default().fields(&format!("involvedObject.name={name}")))
            .await
            .expect("events listed");
        list.items
            .into_iter()
            .map(|e| (e.reason.unwrap_or_default(), e.message.unwrap_or_default()))
            .collect()
    }
}

pub fn read_tar_gz(path: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path).expect("artifact file");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        if entry.header().entry_type().is_dir() {
            out.insert(name, None);
        } else {
            let mut buf = Vec::new();
            entry.read_to_end(&mut buf).unwrap();
            out.insert(name, Some(buf));
        }
    }
    out
}

/// The context of one controller of source-controller: events recorded through the client,
/// fresh metrics, [`settings`] with `metrics_name` (the lower-cased kind).
pub fn context(client: &kube::Client, metrics_name: &str) -> Context {
    let events = EventRecorder::new(
        Some(client.clone()),
        "",
        "source-controller",
        DeliveryPolicy::default(),
    );
    let mut controller = settings();
    controller.metrics_name = metrics_name.into();
    Context::new(client.clone(), events, Metrics::new(), controller)
}

pub fn settings() -> ControllerSettings {
    ControllerSettings {
        name: "source-controller".into(),
        metrics_name: "gitrepository".into(),
        concurrency: 2,
        requeue_dependency: Duration::from_secs(1),
        min_retry_delay: Duration::from_millis(100),
        max_retry_delay: Duration::from_secs(2),
        jitter_percent: 0,
        namespace: None,
        label_selector: None,
    }
}

pub async fn install_crds(client: &kube::Client) {
    install_crd(client, "GitRepository").await;
}

/// Installs the CRD of `kind` and waits until it is served.
pub async fn install_crd(client: &kube::Client, kind: &str) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in flux_api::crds::all()
        .into_iter()
        .filter(|c| c.spec.names.kind == kind)
    {
        crds.create(&PostParams::default(), &crd)
            .await
            .expect("CRD installed");
    }
    let resource = kube::discovery::ApiResource {
        group: "source.toolkit.fluxcd.io".into(),
        version: "v1".into(),
        api_version: "source.toolkit.fluxcd.io/v1".into(),
        kind: kind.into(),
        plural: match kind.to_lowercase().strip_suffix('y') {
            Some(stem) => format!("{stem}ies"),
            None => format!("{}s", kind.to_lowercase()),
        },
    };
    let objects: Api<kube::api::DynamicObject> =
        Api::namespaced_with(client.clone(), NS, &resource);
    for _ in 0..200 {
        if objects.list(&ListParams::default()).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the {kind} CRD was not served");
}

/// A git server, failing with the setup script's name when git is missing.
pub fn git_server(
    options: testkit::git_server::GitServerOptions,
) -> testkit::git_server::GitServer {
    testkit::git_server::GitServer::start_with(options).unwrap_or_else(|e| {
        panic!("cannot start the test git server ({e}); run scripts/setup/git-server.sh")
    })
}

/// The file names of an artifact (directories with a trailing `/`).
pub fn names(files: &BTreeMap<String, Option<Vec<u8>>>) -> Vec<String> {
    files
        .iter()
        .map(|(k, v)| {
            if v.is_none() {
                format!("{k}/")
            } else {
                k.clone()
            }
        })
        .collect()
}

/// Polls `check` every 50 ms, for up to 30 s, until it gives a value.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    for _ in 0..600 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// The object's condition of `type_`.
pub fn condition<K: flux_runtime::reconcile::FluxObject>(
    obj: &K,
    type_: &str,
) -> Option<flux_api::Condition> {
    obj.status_conditions()
        .into_iter()
        .find(|c| c.type_ == type_)
}

/// A storage in a temporary folder, served by the artifact file server on a free port (the
/// storage advertises that address); the server stops when this is dropped.
pub struct ServedStorage {
    pub dir: tempfile::TempDir,
    pub storage: Arc<Storage>,
    pub addr: String,
    files: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl ServedStorage {
    pub async fn start() -> ServedStorage {
        let dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let storage = Arc::new(
            Storage::new(
                dir.path(),
                &addr,
                Retention::default(),
                DigestAlgorithm::Sha256,
            )
            .unwrap(),
        );
        let files = tokio::spawn(source_controller::server::serve(
            listener,
            dir.path().to_path_buf(),
            std::future::pending(),
        ));
        ServedStorage {
            dir,
            storage,
            addr,
            files,
        }
    }
}

impl Drop for ServedStorage {
    fn drop(&mut self) {
        self.files.abort();
    }
}

/// Waits until Ready has `status` with a message for which `check` holds.
pub async fn ready<K>(api: &Api<K>, name: &str, status: &str, check: impl Fn(&str) -> bool) -> K
where
    K: flux_runtime::reconcile::FluxObject + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    eventually(&format!("{name} Ready={status}"), || async {
        let obj = api.get(name).await.ok()?;
        let ready = condition(&obj, "Ready")?;
        (format!("{:?}", ready.status) == status && check(&ready.message)).then_some(obj)
    })
    .await
}

/// Sets `reconcile.fluxcd.io/requestedAt` to `at`.
pub async fn request_reconcile<K>(api: &Api<K>, name: &str, at: &str)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(
            json!({"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": at}}}),
        ),
    )
    .await
    .unwrap();
}

/// Creates or replaces Secret `name` with `data` as its stringData.
pub async fn apply_secret(client: &kube::Client, name: &str, data: &[(&str, &str)]) {
    let data: serde_json::Map<String, Value> = data
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": name, "namespace": NS},
        "stringData": data,
    }))
    .unwrap();
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NS);
    secrets
        .patch(
            name,
            &PatchParams::apply("test").force(),
            &Patch::Apply(&secret),
        )
        .await
        .unwrap();
}

/// One controller of source-controller under the runtime's harness, against the emulator with
/// the CRD of its kind, its storage served over HTTP; [`Running::stop`] ends it.
pub struct Running {
    pub client: kube::Client,
    pub served: ServedStorage,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    controller: tokio::task::JoinHandle<()>,
    _emulator: kube_emulator::Emulator,
}

impl Running {
    pub async fn start<K, R>(kind: &str, reconciler: impl FnOnce(Arc<Storage>) -> R) -> Running
    where
        K: flux_runtime::reconcile::FluxObject,
        R: Reconciler<K>,
    {
        let emulator = kube_emulator::Emulator::start().await.expect("emulator");
        let client = emulator.client().await.expect("client");
        install_crd(&client, kind).await;
        let served = ServedStorage::start().await;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let controller = tokio::spawn(flux_runtime::reconcile::run_until::<K, _, _>(
            reconciler(served.storage.clone()),
            context(&client, &kind.to_lowercase()),
            async move {
                let _ = stop_rx.await;
            },
        ));
        Running {
            client,
            served,
            stop: Some(stop_tx),
            controller,
            _emulator: emulator,
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), &mut self.controller)
            .await
            .expect("controller stops")
            .unwrap();
    }
}

/// GET `url` (an artifact from the served storage); the body.
pub async fn download(url: &str) -> Vec<u8> {
    reqwest::get(url)
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// The regular files of a tar.gz artifact.
pub fn files_of(bytes: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.tar.gz");
    std::fs::write(&path, bytes).unwrap();
    read_tar_gz(&path)
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k)
        .collect()
}
