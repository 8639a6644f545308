//! Errors. Messages never contain credentials: URLs are shown without their user-info.

/// Why a checkout failed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The URL cannot be parsed or uses a scheme other than http, https or ssh.
    #[error("invalid URL '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    /// `spec.ref` is not usable (bad commit hash, bad semver range, bad ref name).
    #[error("invalid reference: {0}")]
    InvalidReference(String),
    /// The Secret's data is incomplete or malformed (e.g. ssh without `identity`/`known_hosts`).
    #[error("invalid credentials: {0}")]
    InvalidCredentials(String),
    /// The server refused the credentials (HTTP 401/403, ssh publickey denied).
    #[error("authentication to '{url}' failed: {message}")]
    Auth { url: String, message: String },
    /// The ssh host key is unknown or does not match `known_hosts`.
    #[error("ssh host key verification failed for '{url}': {message}")]
    HostKey { url: String, message: String },
    /// The repository does not exist.
    #[error("repository '{url}' not found: {message}")]
    RepositoryNotFound { url: String, message: String },
    /// The reference (branch, tag, name, commit or semver match) does not exist on the remote.
    #[error("{0}")]
    ReferenceNotFound(String),
    /// Network or protocol failure talking to the remote.
    #[error("unable to fetch '{url}': {message}")]
    Transport { url: String, message: String },
    /// The operation took longer than `TransportOptions::timeout`.
    #[error("operation on '{url}' timed out after {seconds} s")]
    Timeout { url: String, seconds: u64 },
    /// Writing the work tree failed.
    #[error("checkout failed: {0}")]
    Checkout(String),
    /// Reading or writing the local cache failed.
    #[error("cache: {0}")]
    Cache(String),
    /// A submodule could not be fetched or checked out.
    #[error("submodule '{path}': {message}")]
    Submodule { path: String, message: String },
    /// A feature this client does not support.
    #[error("unsupported: {0}")]
    Unsupported(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

impl GitError {
    /// Credentials were refused or the ssh host is not trusted: the user must fix the Secret.
    pub fn is_auth(&self) -> bool {
        matches!(self, GitError::Auth { .. } | GitError::HostKey { .. })
    }

    /// The repository or the requested reference does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            GitError::RepositoryNotFound { .. } | GitError::ReferenceNotFound(_)
        )
    }

    /// The request itself is wrong (URL, ref, Secret): retrying without a spec change cannot help.
    pub fn is_invalid_spec(&self) -> bool {
        matches!(
            self,
            GitError::InvalidUrl { .. }
                | GitError::InvalidReference(_)
                | GitError::InvalidCredentials(_)
                | GitError::Unsupported(_)
        )
    }
}

/// A URL with any user-info removed, for messages and logs.
pub(crate) fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let authority = match authority.rfind('@') {
        // Keep an ssh user name (not a secret), drop anything with a password.
        Some(i)
            if scheme.is_some_and(|s| s.starts_with("http")) || authority[..i].contains(':') =>
        {
            &authority[i + 1..]
        }
        _ => authority,
    };
    match scheme {
        Some(s) => format!("{s}://{authority}{path}"),
        None => format!("{authority}{path}"),
    }
}

/// Remove every occurrence of the secrets from a message coming from a library.
pub(crate) fn scrub(message: &str, secrets: &[&str]) -> String {
    let mut out = message.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(s, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(
            redact_url("https://flux:s3cret@example.com/a.git"),
            "https://example.com/a.git"
        );
        assert_eq!(
            redact_url("https://token@example.com/a.git"),
            "https://example.com/a.git"
        );
        assert_eq!(
            redact_url("ssh://git@example.com:22/a.git"),
            "ssh://git@example.com:22/a.git"
        );
        assert_eq!(
            redact_url("ssh://git:pw@example.com/a.git"),
            "ssh://example.com/a.git"
        );
        assert_eq!(redact_url("http://h/x"), "http://h/x");
    }

    #[test]
    fn secrets_are_scrubbed() {
        assert_eq!(
            scrub("bad pw s3cret here", &["s3cret", ""]),
            "bad pw *** here"
        );
    }
}
