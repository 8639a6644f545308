//! A Helm chart repository as Helm users run one: charts packaged by the real `helm package`,
//! an index written by the real `helm repo index`, served as static files by Python's
//! `http.server` (optionally behind HTTP basic auth, over HTTPS, with client certificates). The helm binary comes from
//! `scripts/setup/helm-cli.sh`.
//!
//! ```no_run
//! let repo = testkit::chart_repo::ChartRepo::start(None).unwrap();
//! repo.add_chart("demo", "0.1.0").unwrap();
//! repo.index().unwrap();
//! println!("{}/index.yaml", repo.url());
//! ```

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tls::Pki;

/// Why a chart repository could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartRepoError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{command} failed: {output}")]
    Command { command: String, output: String },
    #[error("the static server on port {0} did not start")]
    NotServing(u16),
    #[error("test certificates: {0}")]
    Tls(String),
}

pub type Result<T, E = ChartRepoError> = std::result::Result<T, E>;

/// The helm binary that `scripts/setup/helm-cli.sh` installed, if it did.
pub fn helm_binary() -> Option<PathBuf> {
    let dir = crate::paths::installed_peer("setup/helm-cli.sh")?;
    let helm = dir.join("helm");
    helm.is_file().then_some(helm)
}

/// The helm binary, or `None` after a loud message (tests then return early).
pub fn helm_or_skip() -> Option<PathBuf> {
    let helm = helm_binary();
    if helm.is_none() {
        eprintln!(
            "!!! SKIPPED: the real helm CLI is not installed; run scripts/setup/helm-cli.sh !!!"
        );
    }
    helm
}

/// Serves the files of a folder on 127.0.0.1, over HTTPS when given a certificate and key, and
/// then with client certificates required when given a CA. With `auth`, every request needs
/// those basic credentials (401 with `WWW-Authenticate` otherwise).
const SERVER: &str = r#"
import base64, functools, http.server, ssl, sys
root, port, auth, cert, key, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
expected = "Basic " + base64.b64encode(auth.encode()).decode() if auth else None
class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if expected and self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="charts"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()
    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.headers.get("Authorization") is not None, fmt % args))
handler = functools.partial(Handler, directory=root)
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
if cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(ca)
    server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
"#;

/// How the repository is served.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChartRepoOptions<'a> {
    /// `(username, password)` for HTTP basic auth.
    pub auth: Option<(&'a str, &'a str)>,
    /// HTTPS with a certificate of [`ChartRepo::pki`]'s CA.
    pub tls: bool,
    /// With `tls`, clients must present a certificate signed by that CA.
    pub require_client_cert: bool,
}

/// A chart repository folder and the server in front of it; stopped when dropped.
pub struct ChartRepo {
    dir: tempfile::TempDir,
    helm: PathBuf,
    port: u16,
    server: Child,
    pki: Option<Pki>,
}

impl ChartRepo {
    /// An empty repository served at [`ChartRepo::url`] over plain HTTP; `auth` is
    /// `(username, password)`.
    pub fn start(auth: Option<(&str, &str)>) -> Result<ChartRepo> {
        Self::start_with(ChartRepoOptions {
            auth,
            ..ChartRepoOptions::default()
        })
    }

    /// An empty repository served as `options` say.
    pub fn start_with(options: ChartRepoOptions<'_>) -> Result<ChartRepo> {
        let helm = helm_binary().ok_or_else(|| ChartRepoError::Command {
            command: "scripts/setup/helm-cli.sh --installed".into(),
            output: "helm is not installed".into(),
        })?;
        let dir = tempfile::Builder::new().prefix("chart-repo-").tempdir()?;
        std::fs::create_dir_all(dir.path().join("repo"))?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let credentials = options
            .auth
            .map(|(u, p)| format!("{u}:{p}"))
            .unwrap_or_default();
        let pki = if options.tls {
            Some(Pki::generate("chart-repo").map_err(ChartRepoError::Tls)?)
        } else {
            None
        };
        let mut tls_args = [String::new(), String::new(), String::new()];
        if let Some(pki) = &pki {
            let pem = |name: &str, text: &str| -> Result<String> {
                let path = dir.path().join(name);
                std::fs::write(&path, text)?;
                Ok(path.to_string_lossy().into_owned())
            };
            tls_args[0] = pem("server.crt", &pki.server_cert_pem)?;
            tls_args[1] = pem("server.key", &pki.server_key_pem)?;
            if options.require_client_cert {
                tls_args[2] = pem("ca.crt", &pki.ca_pem)?;
            }
        }
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        let server = Command::new("python3")
            .arg("-c")
            .arg(SERVER)
            .arg(dir.path().join("repo"))
            .arg(port.to_string())
            .arg(credentials)
            .args(&tls_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        let repo = ChartRepo {
            dir,
            helm,
            port,
            server,
            pki,
        };
        repo.wait_serving()?;
        Ok(repo)
    }

    /// The CA and certificates of an HTTPS repository.
    pub fn pki(&self) -> Option<&Pki> {
        self.pki.as_ref()
    }

    fn wait_serving(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(ChartRepoError::NotServing(self.port))
    }

    /// `http(s)://127.0.0.1:<port>`, without a trailing slash.
    pub fn url(&self) -> String {
        let scheme = if self.pki.is_some() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The folder served.
    pub fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The server's request log: one line per request, `True`/`False` for whether it carried
    /// an Authorization header, then the request line and status.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Packages a small application chart `name` at `version` into the repository folder with
    /// `helm package`; returns the archive's path.
    pub fn add_chart(&self, name: &str, version: &str) -> Result<PathBuf> {
        self.add_chart_with(name, version, &[])
    }

    /// [`ChartRepo::add_chart`] with more files in the chart (e.g. `values-prod.yaml`).
    pub fn add_chart_with(
        &self,
        name: &str,
        version: &str,
        extra: &[(&str, &str)],
    ) -> Result<PathBuf> {
        let src = self
            .dir
            .path()
            .join("src")
            .join(format!("{name}-{version}"));
        for (path, contents) in extra {
            let file = src.join(path);
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(file, contents)?;
        }
        std::fs::create_dir_all(src.join("templates"))?;
        std::fs::write(
            src.join("Chart.yaml"),
            format!(
                "apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\ndescription: A chart for tests\ntype: application\n"
            ),
        )?;
        std::fs::write(src.join("values.yaml"), "replicaCount: 1\n")?;
        std::fs::write(
            src.join("templates/configmap.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: {{ .Values.replicaCount | quote }}\n",
        )?;
        self.helm(&[
            "package",
            &src.to_string_lossy(),
            "-d",
            &self.root().to_string_lossy(),
        ])?;
        Ok(self.root().join(format!("{name}-{version}.tgz")))
    }

    /// `helm repo index` of the folder with this server's URL; returns the index bytes.
    pub fn index(&self) -> Result<Vec<u8>> {
        self.helm(&[
            "repo",
            "index",
            &self.root().to_string_lossy(),
            "--url",
            &self.url(),
        ])?;
        Ok(std::fs::read(self.root().join("index.yaml"))?)
    }

    /// Runs the real helm with its home folders inside this repository's temporary folder.
    pub fn helm(&self, args: &[&str]) -> Result<String> {
        let home = self.dir.path().join("helm-home");
        let out = Command::new(&self.helm)
            .args(args)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .output()?;
        if !out.status.success() {
            return Err(ChartRepoError::Command {
                command: format!("helm {}", args.join(" ")),
                output: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Writes a file into the served folder (e.g. a hand-made index).
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> Result<()> {
        let path: &Path = relative.as_ref();
        std::fs::write(self.root().join(path), contents)?;
        Ok(())
    }
}

impl Drop for ChartRepo {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
