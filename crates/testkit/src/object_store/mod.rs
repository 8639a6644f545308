//! S3 servers as the Bucket source meets them: SeaweedFS (static identities in its S3 config)
//! and moto's server (IAM users, enforced after its first unauthenticated calls), both checking
//! SigV4 signatures. Objects are written with boto3. The peers come from
//! `scripts/setup/object-storage.sh`.
//!
//! ```no_run
//! let s3 = testkit::object_store::S3Server::seaweedfs().unwrap();
//! s3.create_bucket("fleet").unwrap();
//! s3.put("fleet", "apps/cm.yaml", b"kind: ConfigMap\n").unwrap();
//! println!("{} {} {}", s3.endpoint(), s3.access_key(), s3.secret_key());
//! ```

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const S3_PY: &str = include_str!("s3.py");

/// Why a server could not be started or written to.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{command} failed: {output}")]
    Command { command: String, output: String },
    #[error("the S3 server on port {port} did not start: {log}")]
    NotServing { port: u16, log: String },
}

pub type Result<T, E = S3Error> = std::result::Result<T, E>;

/// The virtualenv `scripts/setup/object-storage.sh` made, when it is complete.
pub fn peers_installed() -> Option<PathBuf> {
    crate::paths::installed_peer("setup/object-storage.sh")
}

/// True when the S3 peers are installed; otherwise false after a loud message.
pub fn installed_or_skip() -> bool {
    let found = peers_installed().is_some();
    if !found {
        eprintln!(
            "!!! SKIPPED: the S3 peers are not installed; run scripts/setup/object-storage.sh !!!"
        );
    }
    found
}

/// A running S3 server; stopped (killed) when dropped.
pub struct S3Server {
    dir: tempfile::TempDir,
    venv: PathBuf,
    port: u16,
    child: Child,
    access_key: String,
    secret_key: String,
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl S3Server {
    /// SeaweedFS with one identity (`AKIDFLUX0000` / `s3cretkey`) allowed everything.
    pub fn seaweedfs() -> Result<S3Server> {
        let venv = installed()?;
        let dir = tempfile::Builder::new().prefix("seaweedfs-").tempdir()?;
        let (access_key, secret_key) = ("AKIDFLUX0000".to_string(), "s3cretkey".to_string());
        let config = serde_json::json!({"identities": [{"name": "flux",
            "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]});
        std::fs::write(dir.path().join("s3.json"), config.to_string())?;
        std::fs::create_dir_all(dir.path().join("data"))?;
        let port = free_port()?;
        let mut args = vec![
            "server".to_string(),
            format!("-dir={}", dir.path().join("data").display()),
            "-ip=127.0.0.1".into(),
            "-ip.bind=127.0.0.1".into(),
            "-master.telemetry=false".into(),
            "-filer".into(),
            "-s3".into(),
            format!("-s3.port={port}"),
            format!("-s3.config={}", dir.path().join("s3.json").display()),
            // Off: the Iceberg and Lance catalogs would take fixed ports.
            "-s3.port.iceberg=0".into(),
            "-s3.port.lance=0".into(),
        ];
        // Every other listener on a free port too (gRPC defaults to port + 10000).
        for flag in [
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port.grpc",
        ] {
            args.push(format!("-{flag}={}", free_port()?));
        }
        let child = spawn(&venv.join("bin/weed"), &args, dir.path(), &[])?;
        let server = S3Server {
            dir,
            venv,
            port,
            child,
            access_key,
            secret_key,
        };
        // The S3 port answers before the filer behind it is ready: wait for a real request.
        server.wait_serving(|s| s.run_py(&["create", "probe-bucket"]).is_ok())?;
        Ok(server)
    }

    /// moto's server with auth enforced, and an IAM user whose key the Bucket uses.
    pub fn moto() -> Result<S3Server> {
        let venv = installed()?;
        let dir = tempfile::Builder::new().prefix("moto-").tempdir()?;
        let port = free_port()?;
        let args = vec![
            "-H".to_string(),
            "127.0.0.1".into(),
            "-p".into(),
            port.to_string(),
        ];
        // Three free calls make the IAM user, its policy and its key; then SigV4 is enforced.
        let child = spawn(
            &venv.join("bin/moto_server"),
            &args,
            dir.path(),
            &[("INITIAL_NO_AUTH_ACTION_COUNT", "3")],
        )?;
        let mut server = S3Server {
            dir,
            venv,
            port,
            child,
            access_key: String::new(),
            secret_key: String::new(),
        };
        server.wait_serving(|s| std::net::TcpStream::connect(("127.0.0.1", s.port)).is_ok())?;
        let keys = server.run_py(&["iam-user"])?;
        let (key, secret) = keys
            .trim()
            .split_once(' ')
            .ok_or_else(|| S3Error::Command {
                command: "s3.py iam-user".into(),
                output: keys.clone(),
            })?;
        server.access_key = key.to_string();
        server.secret_key = secret.to_string();
        Ok(server)
    }

    fn wait_serving(&self, ready: impl Fn(&S3Server) -> bool) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if ready(self) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(S3Error::NotServing {
            port: self.port,
            log: self.log(),
        })
    }

    /// `127.0.0.1:<port>`, as Bucket's `spec.endpoint` takes it.
    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    pub fn create_bucket(&self, bucket: &str) -> Result<()> {
        self.run_py(&["create", bucket]).map(|_| ())
    }

    pub fn put(&self, bucket: &str, key: &str, content: &[u8]) -> Result<()> {
        let file = tempfile::NamedTempFile::new_in(self.dir.path())?;
        std::fs::write(file.path(), content)?;
        // SeaweedFS answers InternalError while its volume server is still joining the master,
        // after bucket creation already works: retry for a while.
        let path = file.path().to_string_lossy().into_owned();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.run_py(&["put", bucket, key, &path]) {
                Ok(_) => return Ok(()),
                Err(S3Error::Command { output, .. })
                    if output.contains("InternalError") && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => return Err(e),
            }
        }
    }

    pub fn delete(&self, bucket: &str, key: &str) -> Result<()> {
        self.run_py(&["delete", bucket, key]).map(|_| ())
    }

    fn run_py(&self, args: &[&str]) -> Result<String> {
        let script = self.dir.path().join("s3.py");
        if !script.exists() {
            std::fs::write(&script, S3_PY)?;
        }
        let out = Command::new(self.venv.join("bin/python"))
            .arg(&script)
            .args(args)
            .env("S3_ENDPOINT", format!("http://{}", self.endpoint()))
            .env("S3_ACCESS_KEY", &self.access_key)
            .env("S3_SECRET_KEY", &self.secret_key)
            .output()?;
        if !out.status.success() {
            return Err(S3Error::Command {
                command: format!("s3.py {}", args.join(" ")),
                output: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        // SeaweedFS shuts down slowly on SIGTERM; nothing in it needs to survive the test.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn installed() -> Result<PathBuf> {
    peers_installed().ok_or_else(|| S3Error::Command {
        command: "scripts/setup/object-storage.sh --installed".into(),
        output: "the S3 peers are not installed".into(),
    })
}

fn spawn(
    program: &std::path::Path,
    args: &[String],
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> Result<Child> {
    let log = std::fs::File::create(dir.join("server.log"))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    for (k, v) in env {
        command.env(k, v);
    }
    Ok(command.spawn()?)
}

/// The folder `scripts/setup/azurite.sh` made, when it is complete.
pub fn azurite_installed() -> Option<PathBuf> {
    crate::paths::installed_peer("setup/azurite.sh")
}

/// True when Azurite is installed; otherwise false after a loud message.
pub fn azurite_or_skip() -> bool {
    let found = azurite_installed().is_some();
    if !found {
        eprintln!("!!! SKIPPED: Azurite is not installed; run scripts/setup/azurite.sh !!!");
    }
    found
}

/// Azurite's Blob service with its well-known account `devstoreaccount1`; stopped when dropped.
pub struct Azurite {
    dir: tempfile::TempDir,
    modules: PathBuf,
    port: u16,
    child: Child,
}

impl Azurite {
    /// The account's well-known key.
    pub const ACCOUNT_KEY: &'static str =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    pub fn start() -> Result<Azurite> {
        let home = azurite_installed().ok_or_else(|| S3Error::Command {
            command: "scripts/setup/azurite.sh --installed".into(),
            output: "Azurite is not installed".into(),
        })?;
        let dir = tempfile::Builder::new().prefix("azurite-").tempdir()?;
        let port = free_port()?;
        let args = vec![
            "--blobHost".to_string(),
            "127.0.0.1".into(),
            "--blobPort".into(),
            port.to_string(),
            "--location".into(),
            dir.path().join("data").to_string_lossy().into_owned(),
            "--silent".into(),
            "--skipApiVersionCheck".into(),
        ];
        let child = spawn(
            &home.join("node_modules/.bin/azurite-blob"),
            &args,
            dir.path(),
            &[],
        )?;
        let azurite = Azurite {
            dir,
            modules: home.join("node_modules"),
            port,
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", azurite.port)).is_err() {
            if Instant::now() > deadline {
                return Err(S3Error::NotServing {
                    port: azurite.port,
                    log: std::fs::read_to_string(azurite.dir.path().join("server.log"))
                        .unwrap_or_default(),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(azurite)
    }

    /// `http://127.0.0.1:<port>/devstoreaccount1`, the account's path-style URL.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/devstoreaccount1", self.port)
    }

    pub fn create_container(&self, container: &str) -> Result<()> {
        self.node(&["create", container]).map(|_| ())
    }

    pub fn put(&self, container: &str, name: &str, content: &[u8]) -> Result<()> {
        let file = tempfile::NamedTempFile::new_in(self.dir.path())?;
        std::fs::write(file.path(), content)?;
        self.node(&["put", container, name, &file.path().to_string_lossy()])
            .map(|_| ())
    }

    /// `(name, etag)` of every blob, as the official client lists them.
    pub fn list(&self, container: &str) -> Result<Vec<(String, String)>> {
        let out = self.node(&["list", container])?;
        Ok(out
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(n, e)| (n.to_string(), e.to_string()))
            .collect())
    }

    fn node(&self, args: &[&str]) -> Result<String> {
        let script = self.dir.path().join("blob.js");
        if !script.exists() {
            std::fs::write(&script, include_str!("blob.js"))?;
        }
        let out = Command::new("node")
            .arg(&script)
            .args(args)
            .env("AZURITE_URL", self.endpoint())
            .env("NODE_PATH", &self.modules)
            .output()?;
        if !out.status.success() {
            return Err(S3Error::Command {
                command: format!("blob.js {}", args.join(" ")),
                output: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
