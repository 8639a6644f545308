//! A Kubernetes API server emulator: the real REST protocol over HTTP, generic JSON storage with
//! resourceVersions and watch, CRDs with schema enforcement, server-side apply, RBAC, garbage
//! collection and a workload simulator. See README.md for what is emulated and what is not.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kube_emulator::EmulatorError> {
//! let emu = kube_emulator::Emulator::start().await?;
//! let client = emu.client().await?;
//! let _ = (client, emu.url(), emu.kubeconfig_path());
//! emu.stop().await;
//! # Ok(()) }
//! ```

mod auth;
mod crd;
mod discovery;
mod error;
mod kinds;
mod lifecycle;
mod objects;
mod openapi;
mod persist;
mod protobuf;
mod rbac;
mod request;
mod schema;
mod selectors;
mod server;
mod store;
mod table;
mod tls;
mod verbs;
mod watch;
mod workloads;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use auth::{TokensError, User, parse_tokens, read_tokens_file};
pub use error::ApiError;
pub use persist::PersistError;

/// How to run an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Where to write the admin kubeconfig (None: a temporary file removed on stop).
    pub kubeconfig: Option<PathBuf>,
    /// Keep state here across restarts (None: memory only).
    pub data_dir: Option<PathBuf>,
    /// The admin bearer token (None: a random one).
    pub admin_token: Option<String>,
    /// Extra users: token -> user (see [`parse_tokens`] for the file format).
    pub tokens: HashMap<String, User>,
    pub workload_simulator: bool,
    /// How long after a spec change simulated workloads become ready.
    pub workload_delay: Duration,
    /// How often watches that allow bookmarks receive one.
    pub bookmark_interval: Duration,
    /// How many changes are kept for watches to resume from; older resourceVersions get 410 Gone.
    pub watch_history: usize,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            kubeconfig: None,
            data_dir: None,
            admin_token: None,
            tokens: HashMap::new(),
            workload_simulator: true,
            workload_delay: Duration::from_millis(500),
            bookmark_interval: Duration::from_secs(10),
            watch_history: 10_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot write kubeconfig {path}: {source}")]
    Kubeconfig {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Persist(#[from] PersistError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot build a client: {0}")]
    Client(String),
}

/// A running emulator.
pub struct Emulator {
    url: String,
    ca_pem: String,
    kubeconfig: PathBuf,
    admin_token: String,
    shutdown: Option<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
    server_task: Option<JoinHandle<()>>,
    _tmp: Option<tempfile::TempDir>,
}

fn kubeconfig_yaml(url: &str, ca_pem: &str, token: &str) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: kube-emulator\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\ncontexts:\n- name: kube-emulator\n  context:\n    cluster: kube-emulator\n    user: kube-emulator-admin\n    namespace: default\ncurrent-context: kube-emulator\nusers:\n- name: kube-emulator-admin\n  user:\n    token: {token}\npreferences: {{}}\n"
    )
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp-kube-emulator");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Namespaces every cluster starts with.
fn seed(srv: &server::Server) {
    let Some(rt) = srv.type_for_key("namespaces") else {
        return;
    };
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        if srv.store.get("namespaces", "", ns).is_some() {
            continue;
        }
        let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        match objects::prepare_create(&rt, "", obj, false) {
            Ok(o) => {
                if let Err(e) = verbs::commit_create(srv, &rt, o) {
                    tracing::warn!(ns, error = %e, "cannot create a default namespace");
                }
            }
            Err(e) => tracing::warn!(ns, error = %e, "cannot create a default namespace"),
        }
    }
}

impl Emulator {
    /// Start with defaults: a free port on 127.0.0.1, a temporary kubeconfig, memory only.
    pub async fn start() -> Result<Emulator, EmulatorError> {
        Self::start_with(EmulatorConfig::default()).await
    }

    pub async fn start_with(cfg: EmulatorConfig) -> Result<Emulator, EmulatorError> {
        let (journal, recovered) = match &cfg.data_dir {
            Some(dir) => {
                let (j, r) = persist::Journal::open(dir)?;
                (Some(j), Some(r))
            }
            None => (None, None),
        };
        let store = store::Store::new(cfg.watch_history, journal);
        if let Some(r) = recovered {
            store.restore(r.rv, r.objects);
        }
        let admin_token = cfg
            .admin_token
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        let authn = auth::Authenticator::new(admin_token.clone(), cfg.tokens.clone());
        let tuning = server::Tuning {
            bookmark_interval: cfg.bookmark_interval,
            workload_delay: cfg.workload_delay,
        };
        let srv = Arc::new(server::Server::new(
            store,
            kinds::Registry::new(kinds::builtin_types()),
            authn,
            tuning,
        ));
        crd::rebuild_registry(&srv);
        seed(&srv);

        let listener = tokio::net::TcpListener::bind(cfg.listen)
            .await
            .map_err(|source| EmulatorError::Listen {
                addr: cfg.listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Listen {
                addr: cfg.listen,
                source,
            })?;
        *srv.address.write().unwrap_or_else(|p| p.into_inner()) = addr.to_string();
        let url = format!("https://{addr}");
        let tls = tls::generate()?;
        let listener = tls::DualListener::new(listener, tls.config.clone())
            .map_err(|source| EmulatorError::Listen { addr, source })?;

        let mut tasks = vec![tokio::spawn(lifecycle::run(srv.clone()))];
        // Pending deletions restored from disk need a pass.
        srv.gc_kick.notify_one();
        if cfg.workload_simulator {
            tasks.push(tokio::spawn(workloads::run(srv.clone())));
        }
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(srv.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let server_task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "server stopped");
            }
        });

        let (kubeconfig, tmp) = match &cfg.kubeconfig {
            Some(p) => (p.clone(), None),
            None => {
                let dir = tempfile::tempdir().map_err(|source| EmulatorError::Kubeconfig {
                    path: "<tempdir>".into(),
                    source,
                })?;
                (dir.path().join("kubeconfig"), Some(dir))
            }
        };
        write_atomically(
            &kubeconfig,
            &kubeconfig_yaml(&url, &tls.ca_pem, &admin_token),
        )
        .map_err(|source| EmulatorError::Kubeconfig {
            path: kubeconfig.clone(),
            source,
        })?;
        Ok(Emulator {
            url,
            ca_pem: tls.ca_pem,
            kubeconfig,
            admin_token,
            shutdown: Some(tx),
            tasks,
            server_task: Some(server_task),
            _tmp: tmp,
        })
    }

    /// `https://127.0.0.1:PORT` (the same port also answers plain HTTP).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `http://127.0.0.1:PORT`: the same server without TLS.
    pub fn http_url(&self) -> String {
        self.url.replacen("https://", "http://", 1)
    }

    /// PEM of the CA that signed the server certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// A client authenticated as the admin.
    pub async fn client(&self) -> Result<kube::Client, EmulatorError> {
        self.client_with_token(&self.admin_token).await
    }

    /// A client authenticated with another bearer token (from the tokens file).
    pub async fn client_with_token(&self, token: &str) -> Result<kube::Client, EmulatorError> {
        let config = self.config_with_token(token).await?;
        kube::Client::try_from(config).map_err(|e| EmulatorError::Client(e.to_string()))
    }

    /// A client configuration for a bearer token (to adjust, e.g. impersonation, before use).
    pub async fn config_with_token(&self, token: &str) -> Result<kube::Config, EmulatorError> {
        // A build that also compiles aws-lc-rs in leaves rustls without a default provider;
        // whoever turns this configuration into a client needs one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        use base64::Engine;
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        let kc: kube::config::Kubeconfig = serde_json::from_value(json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "e", "cluster": {"server": self.url, "certificate-authority-data": ca}}],
            "contexts": [{"name": "e", "context": {"cluster": "e", "user": "u", "namespace": "default"}}],
            "current-context": "e",
            "users": [{"name": "u", "user": {"token": token}}]
        }))
        .map_err(|e| EmulatorError::Client(e.to_string()))?;
        kube::Config::from_custom_kubeconfig(kc, &Default::default())
            .await
            .map_err(|e| EmulatorError::Client(e.to_string()))
    }

    /// Stop serving: open watches are cut, background tasks end.
    pub async fn stop(mut self) {
        self.shutdown_now().await;
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for t in self.tasks.drain(..) {
            t.abort();
        }
        if let Some(mut t) = self.server_task.take() {
            // Open watch streams keep graceful shutdown waiting; cut them after a short grace.
            if tokio::time::timeout(Duration::from_millis(500), &mut t)
                .await
                .is_err()
            {
                t.abort();
                let _ = t.await;
            }
        }
    }

    /// Serve until the task is cancelled (used by the binary together with a signal).
    pub async fn wait(&mut self) {
        if let Some(t) = self.server_task.as_mut() {
            let _ = t.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for t in self.tasks.drain(..) {
            t.abort();
        }
        if let Some(t) = self.server_task.take() {
            t.abort();
        }
    }
}
