//! A real git server on 127.0.0.1 for tests: smart HTTP (git http-backend, optional basic auth or
//! bearer token, optional TLS with a generated CA) and ssh (Debian openssh-server run as the test
//! user, with a generated host key and an authorized client key), plus work trees that push to it
//! with the real `git` binary and throwaway gpg keys for signed commits and tags.
//!
//! Needs `git`, `gpg` and `/usr/sbin/sshd`: `scripts/setup/git-server.sh` installs them.
//!
//! ```no_run
//! use testkit::git_server::{GitServer, GitServerOptions, HttpAuth};
//! let server = GitServer::start_with(GitServerOptions {
//!     auth: HttpAuth::Basic { username: "flux".into(), password: "s3cret".into() },
//!     ..Default::default()
//! }).unwrap();
//! server.create_repo("app").unwrap();
//! let wt = server.work_tree("app").unwrap();
//! wt.write("deploy/cm.yaml", "kind: ConfigMap\n").unwrap();
//! let hash = wt.commit("first").unwrap();
//! wt.push_branch("main").unwrap();
//! let url = server.http_url("app"); // http://127.0.0.1:<port>/app.git
//! # let _ = (hash, url);
//! ```

mod gpg;
mod http;
mod ssh;
mod work_tree;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use gpg::GpgKey;
pub use work_tree::WorkTree;

/// What can go wrong while starting the server or driving git.
#[derive(Debug, thiserror::Error)]
pub enum GitServerError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("`{command}` failed ({status}): {stderr}")]
    Command {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("{tool} is missing: run scripts/setup/git-server.sh")]
    MissingTool { tool: String },
    #[error("TLS setup: {0}")]
    Tls(String),
    #[error("invalid repository name {0:?}: use letters, digits, '-', '_', '.' and '/' only")]
    InvalidName(String),
    #[error("ssh server: {0}")]
    Ssh(String),
}

pub type Result<T, E = GitServerError> = std::result::Result<T, E>;

/// HTTP authentication the server demands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum HttpAuth {
    #[default]
    None,
    /// `Authorization: Basic base64(username:password)`.
    Basic { username: String, password: String },
    /// `Authorization: Bearer <token>`.
    Bearer { token: String },
}

/// How to start the server.
#[derive(Debug, Clone, Default)]
pub struct GitServerOptions {
    /// Credentials the HTTP side requires (anonymous when `None`).
    pub auth: HttpAuth,
    /// Serve HTTPS with a certificate for 127.0.0.1/localhost signed by a generated CA
    /// ([`GitServer::ca_cert_pem`]).
    pub tls: bool,
    /// With `tls`: require a client certificate signed by the CA
    /// ([`GitServer::client_cert_pem`], [`GitServer::client_key_pem`]).
    pub require_client_cert: bool,
    /// Also start sshd on a free port (see [`GitServer::ssh_url`]).
    pub ssh: bool,
}

/// A running git server. Repositories live in a temporary directory; every process is stopped
/// and every file removed on drop.
pub struct GitServer {
    root: tempfile::TempDir,
    http: http::HttpServer,
    ca_pem: Option<String>,
    client_cert: Option<(String, String)>,
    ssh: Option<ssh::SshServer>,
}

impl GitServer {
    /// Plain HTTP, anonymous, no ssh.
    pub fn start() -> Result<GitServer> {
        Self::start_with(GitServerOptions::default())
    }

    pub fn start_with(options: GitServerOptions) -> Result<GitServer> {
        require_tool("git", &["--version"])?;
        let root = tempfile::Builder::new().prefix("git-server-").tempdir()?;
        let repos = root.path().join("repos");
        std::fs::create_dir_all(&repos)?;
        let (tls, ca_pem, client_cert) = if options.tls {
            let generated = http::generate_tls(options.require_client_cert)?;
            (
                Some(generated.config),
                Some(generated.ca_pem),
                generated.client,
            )
        } else {
            (None, None, None)
        };
        let http = http::HttpServer::start(http::HttpConfig {
            project_root: repos.clone(),
            auth: options.auth.clone(),
            tls,
            log: root.path().join("http.log"),
        })?;
        let ssh = if options.ssh {
            Some(ssh::SshServer::start(&root.path().join("ssh"))?)
        } else {
            None
        };
        Ok(GitServer {
            root,
            http,
            ca_pem,
            client_cert,
            ssh,
        })
    }

    /// The directory holding the bare repositories (`<name>.git`).
    pub fn repos_dir(&self) -> PathBuf {
        self.root.path().join("repos")
    }

    /// The bare repository's path on disk.
    pub fn repo_path(&self, name: &str) -> PathBuf {
        self.repos_dir().join(format!("{name}.git"))
    }

    /// Create an empty bare repository `<name>.git` whose default branch is `main`.
    pub fn create_repo(&self, name: &str) -> Result<PathBuf> {
        validate_name(name)?;
        let path = self.repo_path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        run_git(
            self.root.path(),
            &["init", "--quiet", "--bare", "-b", "main"],
            Some(&path),
        )?;
        // Allow pushes over HTTP too (the work trees push through the file system).
        run_git(&path, &["config", "http.receivepack", "true"], None)?;
        Ok(path)
    }

    /// `http://127.0.0.1:<port>/<name>.git` (`https://` when started with `tls`).
    pub fn http_url(&self, name: &str) -> String {
        format!("{}/{name}.git", self.http_base_url())
    }

    /// `http(s)://127.0.0.1:<port>`.
    pub fn http_base_url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://127.0.0.1:{}", self.http.port())
    }

    /// The PEM of the CA that signed the HTTPS certificate (None for plain HTTP).
    pub fn ca_cert_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The client certificate (PEM) the server accepts, with `require_client_cert`.
    pub fn client_cert_pem(&self) -> Option<&str> {
        self.client_cert.as_ref().map(|(c, _)| c.as_str())
    }

    /// The client certificate's private key (PEM, PKCS#8), with `require_client_cert`.
    pub fn client_key_pem(&self) -> Option<&str> {
        self.client_cert.as_ref().map(|(_, k)| k.as_str())
    }

    /// `ssh://<user>@127.0.0.1:<port>/<abs path>/<name>.git`, when started with `ssh`.
    pub fn ssh_url(&self, name: &str) -> Option<String> {
        let ssh = self.ssh.as_ref()?;
        Some(format!(
            "ssh://{}@127.0.0.1:{}{}",
            ssh.user(),
            ssh.port(),
            self.repo_path(name).display()
        ))
    }

    /// The known_hosts line for the ssh server (`[127.0.0.1]:<port> ssh-ed25519 AAAA...`).
    pub fn ssh_known_hosts(&self) -> Option<String> {
        self.ssh.as_ref().map(|s| s.known_hosts_line())
    }

    /// A known_hosts line for the same host and port but another key: a client using it must
    /// refuse the server.
    pub fn ssh_foreign_known_hosts(&self) -> Option<String> {
        self.ssh.as_ref().map(|s| s.foreign_known_hosts_line())
    }

    /// The authorized client's private key (OpenSSH format, ed25519, no passphrase).
    pub fn ssh_client_key(&self) -> Option<&str> {
        self.ssh.as_ref().map(|s| s.client_key())
    }

    /// An authorized client key in PEM (RSA, `-----BEGIN RSA PRIVATE KEY-----`).
    pub fn ssh_client_key_rsa_pem(&self) -> Option<&str> {
        self.ssh.as_ref().map(|s| s.client_key_rsa_pem())
    }

    /// A fresh local repository whose `origin` is the bare repository `<name>.git` (pushes go
    /// through the file system, so they need no credentials).
    pub fn work_tree(&self, name: &str) -> Result<WorkTree> {
        validate_name(name)?;
        WorkTree::new(&self.repo_path(name))
    }

    /// What the HTTP server logged: one line per request (`GET /app.git/info/refs?... -> 200`,
    /// with ` (via proxy, proxy-authorization present|absent)` when the request came in proxy
    /// form), plus git http-backend's stderr. The server also acts as an HTTP proxy for itself:
    /// point a client's proxy at [`Self::http_base_url`] and use any host name in the URL.
    pub fn http_log(&self) -> String {
        std::fs::read_to_string(self.root.path().join("http.log")).unwrap_or_default()
    }
}

fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && name
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
    if ok {
        Ok(())
    } else {
        Err(GitServerError::InvalidName(name.to_string()))
    }
}

fn require_tool(tool: &str, args: &[&str]) -> Result<()> {
    match Command::new(tool).args(args).output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => Err(GitServerError::MissingTool {
            tool: tool.to_string(),
        }),
    }
}

/// A `git` command isolated from the user's and the system's configuration.
pub(crate) fn git_command(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", "Flux Test")
        .env("GIT_AUTHOR_EMAIL", "flux-test@example.com")
        .env("GIT_COMMITTER_NAME", "Flux Test")
        .env("GIT_COMMITTER_EMAIL", "flux-test@example.com")
        .args([
            "-c",
            "protocol.file.allow=always",
            "-c",
            "advice.detachedHead=false",
        ]);
    cmd
}

/// Run git in `dir` with `args` (and an optional trailing path argument); stdout on success.
pub(crate) fn run_git(dir: &Path, args: &[&str], path_arg: Option<&Path>) -> Result<String> {
    let mut cmd = git_command(dir);
    cmd.args(args);
    if let Some(p) = path_arg {
        cmd.arg(p);
    }
    run(cmd, &format!("git {}", args.join(" ")))
}

pub(crate) fn run(mut cmd: Command, label: &str) -> Result<String> {
    let out = cmd.output()?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(GitServerError::Command {
            command: label.to_string(),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(validate_name("app").is_ok());
        assert!(validate_name("org/app-1.x").is_ok());
        assert!(validate_name("../x").is_err());
        assert!(validate_name("a//b").is_err());
        assert!(validate_name("").is_err());
        assert!(validate_name("a b").is_err());
    }

    fn clone_with(url: &str, envs: &[(&str, &str)]) -> Result<String> {
        let dest = tempfile::tempdir()?;
        let mut cmd = git_command(dest.path());
        cmd.args(["clone", "--quiet", url, "c"]);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        run(cmd, "git clone")?;
        Ok(std::fs::read_to_string(dest.path().join("c/README"))?)
    }

    #[test]
    fn http_with_basic_auth_serves_real_git() {
        let server = GitServer::start_with(GitServerOptions {
            auth: HttpAuth::Basic {
                username: "flux".into(),
                password: "s3cret".into(),
            },
            ..Default::default()
        })
        .unwrap();
        server.create_repo("app").unwrap();
        let wt = server.work_tree("app").unwrap();
        wt.write("README", "hello\n").unwrap();
        wt.commit("first").unwrap();
        wt.push_branch("main").unwrap();
        let url = server.http_url("app");
        let err = clone_with(&url, &[]).unwrap_err().to_string();
        assert!(err.contains("could not read Username"), "{err}");
        let wrong = url.replace("http://", "http://flux:nope@");
        let err = clone_with(&wrong, &[]).unwrap_err().to_string();
        assert!(err.contains("Authentication failed"), "{err}");
        let right = url.replace("http://", "http://flux:s3cret@");
        assert_eq!(clone_with(&right, &[]).unwrap(), "hello\n");
    }

    #[test]
    fn https_and_ssh_serve_real_git() {
        let server = GitServer::start_with(GitServerOptions {
            tls: true,
            ssh: true,
            ..Default::default()
        })
        .unwrap();
        server.create_repo("app").unwrap();
        let wt = server.work_tree("app").unwrap();
        wt.write("README", "over tls and ssh\n").unwrap();
        wt.commit("first").unwrap();
        wt.push_branch("main").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.crt");
        std::fs::write(&ca, server.ca_cert_pem().unwrap()).unwrap();
        let url = server.http_url("app");
        assert!(url.starts_with("https://"));
        let err = clone_with(&url, &[]).unwrap_err().to_string();
        assert!(err.contains("certificate"), "{err}");
        let ca = ca.to_str().unwrap();
        assert_eq!(
            clone_with(&url, &[("GIT_SSL_CAINFO", ca)]).unwrap(),
            "over tls and ssh\n"
        );

        let key = dir.path().join("id");
        std::fs::write(&key, server.ssh_client_key().unwrap()).unwrap();
        let mut perms = std::fs::metadata(&key).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
        std::fs::set_permissions(&key, perms).unwrap();
        let known = dir.path().join("known_hosts");
        let foreign = dir.path().join("foreign_known_hosts");
        std::fs::write(&known, server.ssh_known_hosts().unwrap() + "\n").unwrap();
        std::fs::write(&foreign, server.ssh_foreign_known_hosts().unwrap() + "\n").unwrap();
        let ssh_command = |known: &Path| {
            format!(
                "ssh -i {} -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes",
                key.display(),
                known.display()
            )
        };
        let ssh_url = server.ssh_url("app").unwrap();
        let good = ssh_command(&known);
        assert_eq!(
            clone_with(&ssh_url, &[("GIT_SSH_COMMAND", good.as_str())]).unwrap(),
            "over tls and ssh\n"
        );
        let bad = ssh_command(&foreign);
        let err = clone_with(&ssh_url, &[("GIT_SSH_COMMAND", bad.as_str())])
            .unwrap_err()
            .to_string();
        assert!(err.contains("Host key verification failed"), "{err}");
    }

    #[test]
    fn signed_commits_carry_a_gpgsig_header() {
        let server = GitServer::start().unwrap();
        server.create_repo("signed").unwrap();
        let wt = server.work_tree("signed").unwrap();
        let key = GpgKey::generate("Flux Signer", "signer@example.com").unwrap();
        wt.write("a", "1").unwrap();
        let hash = wt.commit_signed("signed", &key).unwrap();
        let object = wt.git(&["cat-file", "commit", &hash]).unwrap();
        assert!(
            object.contains("gpgsig -----BEGIN PGP SIGNATURE-----"),
            "{object}"
        );
        wt.signed_tag("v1.0.0", "release", &key).unwrap();
        let tag = wt.git(&["cat-file", "tag", "v1.0.0"]).unwrap();
        assert!(tag.contains("-----BEGIN PGP SIGNATURE-----"), "{tag}");
        assert!(
            key.public_armored()
                .starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        );
    }
}
