//! An OCI registry as users run one: Debian's docker-registry (the CNCF distribution registry)
//! over plain HTTP or HTTPS, optionally behind htpasswd basic auth. Content goes in through real
//! clients: the ORAS Python client for Flux-style artifacts, the real `helm push` for charts,
//! and plain registry calls for images and cosign signatures made with the `cryptography`
//! package. The peers come from `scripts/setup/oci-registry.sh`.
//!
//! ```no_run
//! let registry = testkit::registry::Registry::start(Default::default()).unwrap();
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("cm.yaml"), "kind: ConfigMap\n").unwrap();
//! let digest = registry.push_artifact("demo/manifests", "1.0.0", dir.path(), &[]).unwrap();
//! println!("{}@{digest}", registry.url("demo/manifests"));
//! ```

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tls::Pki;

const PUSH: &str = include_str!("push.py");

/// Why a registry could not be started or written to.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{command} failed: {output}")]
    Command { command: String, output: String },
    #[error("the registry on port {port} did not start: {log}")]
    NotServing { port: u16, log: String },
    #[error("test certificates: {0}")]
    Tls(String),
}

pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

/// The oras-py virtualenv that `scripts/setup/oci-registry.sh` made, when every peer is there.
pub fn peers_installed() -> Option<PathBuf> {
    crate::paths::installed_peer("setup/oci-registry.sh")
}

/// True when the registry peers are installed; otherwise false after a loud message (tests
/// then return early).
pub fn installed_or_skip() -> bool {
    let found = peers_installed().is_some();
    if !found {
        eprintln!(
            "!!! SKIPPED: the OCI registry peers are not installed; run scripts/setup/oci-registry.sh !!!"
        );
    }
    found
}

/// How the registry is served.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegistryOptions<'a> {
    /// `(username, password)` for htpasswd basic auth.
    pub auth: Option<(&'a str, &'a str)>,
    /// HTTPS with a certificate of [`Registry::pki`]'s CA.
    pub tls: bool,
}

/// A running registry with its storage folder; stopped when dropped.
pub struct Registry {
    dir: tempfile::TempDir,
    venv: PathBuf,
    port: u16,
    child: Child,
    auth: Option<(String, String)>,
    pki: Option<Pki>,
}

impl Registry {
    /// An empty registry on a free port of 127.0.0.1.
    pub fn start(options: RegistryOptions<'_>) -> Result<Registry> {
        let venv = peers_installed().ok_or_else(|| RegistryError::Command {
            command: "scripts/setup/oci-registry.sh --installed".into(),
            output: "the registry peers are not installed".into(),
        })?;
        let dir = tempfile::Builder::new().prefix("oci-registry-").tempdir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let root = dir.path();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            root.join("data").display()
        );
        let pki = if options.tls {
            let pki = Pki::generate("oci-registry").map_err(RegistryError::Tls)?;
            std::fs::write(root.join("tls.crt"), &pki.server_cert_pem)?;
            std::fs::write(root.join("tls.key"), &pki.server_key_pem)?;
            std::fs::write(root.join("ca.crt"), &pki.ca_pem)?;
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                root.join("tls.crt").display(),
                root.join("tls.key").display()
            ));
            Some(pki)
        } else {
            None
        };
        if let Some((user, password)) = options.auth {
            let out = Command::new("htpasswd")
                .args(["-Bbn", user, password])
                .output()?;
            if !out.status.success() {
                return Err(RegistryError::Command {
                    command: "htpasswd -Bbn".into(),
                    output: String::from_utf8_lossy(&out.stderr).into_owned(),
                });
            }
            std::fs::write(root.join("htpasswd"), &out.stdout)?;
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: basic-realm\n    path: {}\n",
                root.join("htpasswd").display()
            ));
        }
        std::fs::write(root.join("config.yml"), config)?;
        std::fs::write(root.join("push.py"), PUSH)?;
        let log = std::fs::File::create(root.join("registry.log"))?;
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(root.join("config.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        let registry = Registry {
            dir,
            venv,
            port,
            child,
            auth: options.auth.map(|(u, p)| (u.to_string(), p.to_string())),
            pki,
        };
        registry.wait_serving()?;
        Ok(registry)
    }

    fn wait_serving(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Err(RegistryError::NotServing {
            port: self.port,
            log: self.log(),
        })
    }

    /// `127.0.0.1:<port>`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `oci://127.0.0.1:<port>/<repository>`, as OCIRepository's `spec.url` names it.
    pub fn url(&self, repository: &str) -> String {
        format!("oci://{}/{repository}", self.host())
    }

    /// The CA and certificates of an HTTPS registry.
    pub fn pki(&self) -> Option<&Pki> {
        self.pki.as_ref()
    }

    /// The registry's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Pushes `dir` as `flux push artifact` does (a tar.gz layer with Flux's media types) with
    /// the given manifest annotations; returns the manifest digest.
    pub fn push_artifact(
        &self,
        repository: &str,
        tag: &str,
        dir: &Path,
        annotations: &[(&str, &str)],
    ) -> Result<String> {
        let work = tempfile::Builder::new()
            .prefix("push-")
            .tempdir_in(self.dir.path())?;
        let content = work.path().join("content");
        copy_dir(dir, &content)?;
        let mut args = vec![
            "artifact".to_string(),
            self.host(),
            repository.into(),
            tag.into(),
            content.to_string_lossy().into_owned(),
        ];
        args.extend(annotations.iter().map(|(k, v)| format!("{k}={v}")));
        self.push_py(&args)
    }

    /// Pushes `dir` as a plain container image with one layer; returns the manifest digest.
    pub fn push_image(&self, repository: &str, tag: &str, dir: &Path) -> Result<String> {
        self.push_py(&[
            "image".into(),
            self.host(),
            repository.into(),
            tag.into(),
            dir.to_string_lossy().into_owned(),
        ])
    }

    /// Pushes the file at `layer` as the artifact's only layer, byte for byte, with `media_type`;
    /// returns the manifest digest.
    pub fn push_layer(
        &self,
        repository: &str,
        tag: &str,
        layer: &Path,
        media_type: &str,
    ) -> Result<String> {
        self.push_py(&[
            "layer".into(),
            self.host(),
            repository.into(),
            tag.into(),
            layer.to_string_lossy().into_owned(),
            media_type.into(),
        ])
    }

    /// Signs `repository@digest` with the PEM (PKCS#8) ECDSA P-256 key at `key`, as
    /// `cosign sign --key` does (a simple-signing payload under tag `sha256-<hex>.sig`).
    pub fn cosign_sign(&self, repository: &str, digest: &str, key: &Path) -> Result<String> {
        self.push_py(&[
            "sign".into(),
            self.host(),
            repository.into(),
            digest.into(),
            key.to_string_lossy().into_owned(),
        ])
    }

    /// Pushes a packaged chart with the real `helm push` into `oci://<host>/<namespace>`.
    pub fn helm_push(&self, helm: &Path, chart: &Path, namespace: &str) -> Result<()> {
        let home = self.dir.path().join("helm-home");
        let mut base = Command::new(helm);
        base.env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_DATA_HOME", home.join("data"));
        let tls_args: Vec<String> = match &self.pki {
            Some(_) => vec![
                "--ca-file".into(),
                self.dir
                    .path()
                    .join("ca.crt")
                    .to_string_lossy()
                    .into_owned(),
            ],
            None => vec!["--plain-http".into()],
        };
        if let Some((user, password)) = &self.auth {
            let mut login = Command::new(helm);
            login
                .env("HELM_CONFIG_HOME", home.join("config"))
                .env("HELM_CACHE_HOME", home.join("cache"))
                .env("HELM_DATA_HOME", home.join("data"))
                .args(["registry", "login", &self.host(), "--username", user])
                .args(["--password", password])
                .args(&tls_args);
            run(login)?;
        }
        base.arg("push")
            .arg(chart)
            .arg(format!("oci://{}/{namespace}", self.host()))
            .args(&tls_args);
        run(base)
    }

    fn push_py(&self, args: &[String]) -> Result<String> {
        let mut command = Command::new(self.venv.join("bin/python"));
        command.arg(self.dir.path().join("push.py")).args(args);
        if let Some((user, password)) = &self.auth {
            command.env("REGISTRY_AUTH", format!("{user}:{password}"));
        }
        if self.pki.is_some() {
            command.env("REGISTRY_CA", self.dir.path().join("ca.crt"));
        }
        let out = command.output()?;
        if !out.status.success() {
            return Err(RegistryError::Command {
                command: format!("push.py {}", args.join(" ")),
                output: format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            });
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        Ok(stdout.lines().last().unwrap_or_default().trim().to_string())
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A cosign key pair (ECDSA P-256): the private key as PKCS#8 PEM written to `dir/cosign.key`
/// (unencrypted, for [`Registry::cosign_sign`]), and the public key's PEM, as `cosign.pub`
/// holds it.
pub fn cosign_key_pair(dir: &Path) -> Result<(PathBuf, String)> {
    let key = rcgen::KeyPair::generate().map_err(|e| RegistryError::Tls(e.to_string()))?;
    let path = dir.join("cosign.key");
    std::fs::write(&path, key.serialize_pem())?;
    Ok((path, key.public_key_pem()))
}

fn run(mut command: Command) -> Result<()> {
    let out = command.output()?;
    if out.status.success() {
        return Ok(());
    }
    Err(RegistryError::Command {
        command: format!("{command:?}"),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    })
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
