//! Talking to the remote with gix: URL checks, http (reqwest + rustls) and ssh (the `ssh`
//! binary with a private identity file and known_hosts) transports, ls-remote and fetch.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gix::protocol::handshake::Ref;
use gix::protocol::transport::client::blocking_io::{connect, http, ssh};
use gix::remote::Direction;

use crate::error::{redact_url, scrub};
use crate::{Credentials, GitError, TransportOptions};

/// A reference as the remote advertises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRef {
    /// Full name, e.g. `refs/heads/main`.
    pub name: String,
    /// The object the ref points at (a tag object for annotated tags).
    pub target: String,
    /// The commit an annotated tag points at.
    pub peeled: Option<String>,
}

impl RemoteRef {
    /// The commit: the peeled object for annotated tags, else the target.
    pub fn commit(&self) -> &str {
        self.peeled.as_deref().unwrap_or(&self.target)
    }
}

/// The parts of a URL this crate needs.
#[derive(Debug, Clone)]
pub(crate) struct ParsedUrl {
    pub scheme: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl ParsedUrl {
    pub fn parse(url: &str) -> Result<ParsedUrl, GitError> {
        let invalid = |reason: &str| GitError::InvalidUrl {
            url: redact_url(url),
            reason: reason.to_string(),
        };
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| invalid("a scheme (http://, https:// or ssh://) is required"))?;
        if !matches!(scheme, "http" | "https" | "ssh") {
            return Err(invalid("the scheme must be http, https or ssh"));
        }
        let authority = rest.split('/').next().unwrap_or("");
        let (userinfo, hostport) = match authority.rfind('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
            None => (None, authority),
        };
        let (username, password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)), Some(percent_decode(p))),
                None => (Some(percent_decode(info)), None),
            },
            None => (None, None),
        };
        let (host, port) = if let Some(stripped) = hostport.strip_prefix('[') {
            let (h, after) = stripped
                .split_once(']')
                .ok_or_else(|| invalid("unterminated IPv6 address"))?;
            let port = after.strip_prefix(':').map(|p| p.parse::<u16>());
            (h.to_string(), port)
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p.parse::<u16>())),
                None => (hostport.to_string(), None),
            }
        };
        let port = port
            .transpose()
            .map_err(|_| invalid("the port is not a number"))?;
        if host.is_empty() {
            return Err(invalid("the host is empty"));
        }
        if host.starts_with('-') || username.as_deref().is_some_and(|u| u.starts_with('-')) {
            return Err(invalid("the host or user could be mistaken for an option"));
        }
        Ok(ParsedUrl {
            scheme: scheme.to_string(),
            username,
            password,
            host,
            port,
        })
    }

    pub fn is_ssh(&self) -> bool {
        self.scheme == "ssh"
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One remote with its options; owns the temporary files ssh needs.
pub(crate) struct RemoteAccess {
    url: String,
    gix_url: gix::Url,
    options: TransportOptions,
    ssh: Option<SshFiles>,
    interrupt: Arc<AtomicBool>,
    auth_requested: Arc<AtomicBool>,
}

struct SshFiles {
    dir: tempfile::TempDir,
    command: String,
}

impl RemoteAccess {
    pub fn new(
        url: &str,
        options: &TransportOptions,
        interrupt: Arc<AtomicBool>,
    ) -> Result<RemoteAccess, GitError> {
        let parsed = ParsedUrl::parse(url)?;
        // Credentials in the URL go through the options, not the URL handed to gix.
        let clean = strip_password(url);
        let gix_url = gix::url::parse(gix::bstr::BStr::new(clean.as_str())).map_err(|e| {
            GitError::InvalidUrl {
                url: redact_url(url),
                reason: e.to_string(),
            }
        })?;
        let ssh = if parsed.is_ssh() {
            Some(SshFiles::new(&parsed, options)?)
        } else {
            if matches!(options.credentials, Credentials::Ssh { .. }) {
                return Err(GitError::InvalidCredentials(
                    "ssh credentials given for a non-ssh URL".into(),
                ));
            }
            None
        };
        Ok(RemoteAccess {
            url: url.to_string(),
            gix_url,
            options: options.clone(),
            ssh,
            interrupt,
            auth_requested: Arc::new(AtomicBool::new(false)),
        })
    }

    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    fn connect<'r>(
        &self,
        remote: &'r gix::Remote<'r>,
    ) -> Result<
        gix::remote::Connection<
            'r,
            'static,
            'r,
            Box<dyn gix::protocol::transport::client::blocking_io::Transport + Send>,
        >,
        GitError,
    > {
        let ssh_options = match &self.ssh {
            Some(files) => ssh::connect::Options {
                command: Some(files.command.clone().into()),
                disallow_shell: false,
                kind: Some(ssh::ProgramKind::Ssh),
            },
            None => ssh::connect::Options::default(),
        };
        let transport = connect::connect(
            self.gix_url.clone(),
            connect::Options {
                version: gix::protocol::transport::Protocol::V2,
                ssh: ssh_options,
                trace: false,
            },
        )
        .map_err(|e| self.classify(&error_chain(&e)))?;
        let connection = remote.to_connection_with_transport(transport);
        Ok(connection)
    }

    fn http_options(&self) -> http::Options {
        let mut opts = http::Options {
            user_agent: Some("flux-rs/source-controller".into()),
            connect_timeout: Some(Duration::from_secs(20)),
            ..Default::default()
        };
        match &self.options.credentials {
            Credentials::Basic { username, password } => {
                use base64::Engine;
                let token = base64::engine::general_purpose::STANDARD
                    .encode(format!("{username}:{password}"));
                opts.extra_headers
                    .push(format!("Authorization: Basic {token}"));
            }
            Credentials::Bearer { token } => {
                opts.extra_headers
                    .push(format!("Authorization: Bearer {token}"));
            }
            _ => {}
        }
        let ca = self.options.ca_cert_pem.clone();
        let identity = self.options.client_certificate.clone();
        let proxy = self.options.proxy.clone();
        let timeout = self.options.timeout;
        let backend = http::reqwest::Options {
            configure_client: Some(Box::new(move |mut builder| {
                // reqwest is built without a default crypto provider; ring is ours.
                let _ = rustls::crypto::ring::default_provider().install_default();
                if let Some(pem) = &ca {
                    let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                        gix::Error::from_error(std::io::Error::other(format!(
                            "invalid CA certificate (ca.crt): {e}"
                        )))
                    })?;
                    builder = builder.tls_certs_merge(certs);
                }
                if let Some(id) = &identity {
                    let mut pem = id.cert_pem.clone();
                    pem.push(b'\n');
                    pem.extend_from_slice(&id.key_pem);
                    let identity = reqwest::Identity::from_pem(&pem).map_err(|e| {
                        gix::Error::from_error(std::io::Error::other(format!(
                            "invalid client certificate (tls.crt/tls.key): {e}"
                        )))
                    })?;
                    builder = builder.identity(identity);
                }
                if let Some(p) = &proxy {
                    let mut proxy = reqwest::Proxy::all(&p.url).map_err(|e| {
                        gix::Error::from_error(std::io::Error::other(format!(
                            "invalid proxy address: {}",
                            scrub(&e.to_string(), &[p.password.as_deref().unwrap_or("")])
                        )))
                    })?;
                    if let (Some(u), Some(pw)) = (&p.username, &p.password) {
                        proxy = proxy.basic_auth(u, pw);
                    }
                    builder = builder.proxy(proxy);
                }
                if let Some(t) = timeout {
                    builder = builder.timeout(t);
                }
                Ok(builder)
            })),
            configure_request: None,
        };
        opts.backend = Some(Arc::new(Mutex::new(backend)));
        opts
    }

    fn prepare<'r>(
        &'r self,
        remote: &'r gix::Remote<'r>,
    ) -> Result<
        gix::remote::Connection<
            'r,
            'r,
            'r,
            Box<dyn gix::protocol::transport::client::blocking_io::Transport + Send>,
        >,
        GitError,
    > {
        let connection = self.connect(remote)?;
        let asked = self.auth_requested.clone();
        let connection = connection.with_credentials(move |action| {
            use gix::credentials::helper::Action;
            match action {
                Action::Get(_) => {
                    asked.store(true, Ordering::SeqCst);
                    Err(gix::Error::from_error(std::io::Error::new(
                        std::io::ErrorKind::PermissionDenied,
                        "the server asked for credentials: none given or they were refused",
                    )))
                }
                // Nothing is stored or erased: credentials come from the Secret only.
                _ => Ok(None),
            }
        });
        Ok(if self.ssh.is_none() {
            connection.with_transport_options(Box::new(self.http_options()))
        } else {
            connection
        })
    }

    /// ls-remote restricted to the refs `refspecs` name.
    pub fn list(
        &self,
        repo: &gix::Repository,
        refspecs: &[String],
    ) -> Result<Vec<RemoteRef>, GitError> {
        let remote = self.remote(repo, refspecs)?;
        let connection = self.prepare(&remote)?;
        let (ref_map, _) = connection
            .ref_map(gix::progress::Discard, Default::default())
            .map_err(|e| self.classify(&error_chain(&e)))?;
        Ok(remote_refs(&ref_map))
    }

    /// List the refs named by `refspecs`; unless `skip` says the result is already known,
    /// fetch them into `repo` (depth 1 when `shallow`). None when skipped.
    pub fn fetch(
        &self,
        repo: &gix::Repository,
        refspecs: &[String],
        shallow: bool,
        skip: impl FnOnce(&[RemoteRef]) -> Result<bool, GitError>,
    ) -> Result<Option<Vec<RemoteRef>>, GitError> {
        let remote = self.remote(repo, refspecs)?;
        let connection = self.prepare(&remote)?;
        let prepare = connection
            .prepare_fetch(gix::progress::Discard, Default::default())
            .map_err(|e| self.classify(&error_chain(&e)))?;
        let refs = remote_refs(prepare.ref_map());
        if skip(&refs)? {
            return Ok(None);
        }
        let mut prepare = prepare;
        if shallow {
            prepare = prepare.with_shallow(gix::remote::fetch::Shallow::DepthAtRemote(
                std::num::NonZeroU32::new(1).expect("1 is not zero"),
            ));
        }
        prepare
            .receive(gix::progress::Discard, &self.interrupt)
            .map_err(|e| self.classify(&error_chain(&e)))?;
        Ok(Some(refs))
    }

    fn remote<'r>(
        &self,
        repo: &'r gix::Repository,
        refspecs: &[String],
    ) -> Result<gix::Remote<'r>, GitError> {
        let remote = repo
            .remote_at(self.gix_url.clone())
            .map_err(|e| GitError::InvalidUrl {
                url: redact_url(&self.url),
                reason: error_chain(&e),
            })?
            .with_fetch_tags(gix::remote::fetch::Tags::None)
            .with_refspecs(refspecs.iter().map(String::as_str), Direction::Fetch)
            .map_err(|e| GitError::InvalidReference(error_chain(&e)))?;
        Ok(remote)
    }

    /// Turn a library message into a typed error, without secrets.
    pub fn classify(&self, message: &str) -> GitError {
        let url = redact_url(&self.url);
        if self.interrupt.load(Ordering::SeqCst)
            || (self.options.timeout.is_some() && message.to_lowercase().contains("timed out"))
        {
            return GitError::Timeout {
                url,
                seconds: self.options.timeout.map_or(0, |t| t.as_secs()),
            };
        }
        let mut message = message.to_string();
        let ssh_log = self.ssh.as_ref().map(|s| s.log()).unwrap_or_default();
        if !ssh_log.is_empty() {
            message = format!("{message}; ssh: {ssh_log}");
        }
        let message = scrub(&message, &self.secrets());
        let lower = message.to_lowercase();
        if lower.contains("host key verification failed")
            || lower.contains("no ed25519 host key is known")
            || lower.contains("host key is known")
            || lower.contains("remote host identification has changed")
            || lower.contains("host key for")
        {
            return GitError::HostKey { url, message };
        }
        if self.auth_requested.load(Ordering::SeqCst)
            || lower.contains("permission denied")
            || lower.contains("401")
            || lower.contains("403")
            || lower.contains("authentication")
        {
            return GitError::Auth { url, message };
        }
        if lower.contains("404")
            || lower.contains("not found")
            || lower.contains("does not appear to be a git repository")
            || lower.contains("not a git repository")
        {
            return GitError::RepositoryNotFound { url, message };
        }
        GitError::Transport { url, message }
    }

    fn secrets(&self) -> Vec<&str> {
        let mut s = Vec::new();
        match &self.options.credentials {
            Credentials::Basic { password, .. } => s.push(password.as_str()),
            Credentials::Bearer { token } => s.push(token.as_str()),
            Credentials::Ssh { password, .. } => s.extend(password.as_deref()),
            Credentials::Anonymous => {}
        }
        if let Some(p) = &self.options.proxy {
            s.extend(p.password.as_deref());
        }
        s
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn options(&self) -> &TransportOptions {
        &self.options
    }
}

impl SshFiles {
    fn new(parsed: &ParsedUrl, options: &TransportOptions) -> Result<SshFiles, GitError> {
        let Credentials::Ssh {
            username,
            identity_pem,
            password,
            known_hosts,
        } = &options.credentials
        else {
            return Err(GitError::InvalidCredentials(
                "an ssh URL needs a Secret with 'identity' and 'known_hosts'".into(),
            ));
        };
        let dir = tempfile::Builder::new().prefix("flux-git-ssh-").tempdir()?;
        let identity = dir.path().join("identity");
        write_private(&identity, identity_pem)?;
        if let Some(pass) = password {
            decrypt_identity(&identity, pass)?;
        }
        let known = dir.path().join("known_hosts");
        write_private(&known, known_hosts.as_bytes())?;
        let log = dir.path().join("ssh.log");
        let timeout = options.timeout.map_or(30, |t| t.as_secs().max(1));
        let mut command = format!(
            "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o IdentityAgent=none \
             -o UserKnownHostsFile={} -o GlobalKnownHostsFile=/dev/null \
             -o StrictHostKeyChecking=yes -o UpdateHostKeys=no -o BatchMode=yes \
             -o PasswordAuthentication=no -o KbdInteractiveAuthentication=no \
             -o ConnectTimeout={timeout} -o ServerAliveInterval=15 -o ServerAliveCountMax=4 \
             -o LogLevel=ERROR -E {}",
            shell_quote(&identity),
            shell_quote(&known),
            shell_quote(&log),
        );
        if parsed.username.is_none() {
            command.push_str(&format!(" -o User={}", shell_quote_str(username)));
        }
        Ok(SshFiles { dir, command })
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("ssh.log"))
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn write_private(path: &PathBuf, contents: &[u8]) -> Result<(), GitError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents)?;
    if !contents.ends_with(b"\n") {
        f.write_all(b"\n")?;
    }
    Ok(())
}

/// ssh cannot be given a passphrase non-interactively: remove it from our private copy.
fn decrypt_identity(path: &PathBuf, passphrase: &str) -> Result<(), GitError> {
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-p", "-P", passphrase, "-N", "", "-f"])
        .arg(path)
        .output()
        .map_err(|e| GitError::InvalidCredentials(format!("cannot run ssh-keygen: {e}")))?;
    if !out.status.success() {
        return Err(GitError::InvalidCredentials(
            "cannot decrypt the ssh identity with the given password".into(),
        ));
    }
    Ok(())
}

fn shell_quote(p: &std::path::Path) -> String {
    shell_quote_str(&p.to_string_lossy())
}

fn shell_quote_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn strip_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    match authority.rfind('@') {
        Some(i) if scheme.starts_with("http") => {
            format!("{scheme}://{}{path}", &authority[i + 1..])
        }
        Some(i) => {
            let user = authority[..i].split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{}{path}", &authority[i + 1..])
        }
        None => url.to_string(),
    }
}

fn remote_refs(map: &gix::remote::fetch::RefMap) -> Vec<RemoteRef> {
    map.remote_refs
        .iter()
        .filter_map(|r| match r {
            Ref::Peeled {
                full_ref_name,
                tag,
                object,
            } => Some(RemoteRef {
                name: full_ref_name.to_string(),
                target: tag.to_string(),
                peeled: Some(object.to_string()),
            }),
            Ref::Direct {
                full_ref_name,
                object,
            } => Some(RemoteRef {
                name: full_ref_name.to_string(),
                target: object.to_string(),
                peeled: None,
            }),
            Ref::Symbolic {
                full_ref_name,
                tag,
                object,
                ..
            } => Some(RemoteRef {
                name: full_ref_name.to_string(),
                target: tag.unwrap_or(*object).to_string(),
                peeled: tag.map(|_| object.to_string()),
            }),
            Ref::Unborn { .. } => None,
        })
        .collect()
}

/// An error and its sources on one line.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    let mut depth = 0;
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
        depth += 1;
        if depth > 16 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        let u = ParsedUrl::parse("ssh://git@example.com:2222/org/repo.git").unwrap();
        assert_eq!(u.host, "example.com");
        assert_eq!(u.port, Some(2222));
        assert_eq!(u.username.as_deref(), Some("git"));
        let u = ParsedUrl::parse("https://a:p%40ss@h/r").unwrap();
        assert_eq!(u.password.as_deref(), Some("p@ss"));
        for bad in [
            "git@github.com:org/repo.git",
            "file:///tmp/x",
            "ftp://h/x",
            "https:///x",
            "http://h:port/x",
            "ssh://-oProxyCommand=x/y",
        ] {
            assert!(ParsedUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_never_reach_gix() {
        assert_eq!(strip_password("https://u:p@h/r"), "https://h/r");
        assert_eq!(strip_password("ssh://git:p@h/r"), "ssh://git@h/r");
        assert_eq!(strip_password("http://h/r"), "http://h/r");
    }
}
