//! Download an artifact from the source controller, verify its digest, and extract it safely.

use super::extract::{ExtractError, ExtractLimits, ExtractStats, extract_tar_gz};
use sha2::Digest as _;
use std::io::{Seek, Write};
use std::path::Path;
use std::time::Duration;

/// How artifacts are fetched.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Retries after a failed download (Flux's `--http-retry`, default 9).
    pub retries: u32,
    /// Timeout of one download attempt.
    pub timeout: Duration,
    /// Delay before the first retry; doubled each time, capped at `max_backoff`.
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Replaces host:port of artifact URLs (`SOURCE_CONTROLLER_LOCALHOST`), for running outside a cluster.
    pub host_override: Option<String>,
    pub limits: ExtractLimits,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            retries: 9,
            timeout: Duration::from_secs(30),
            min_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(30),
            host_override: std::env::var("SOURCE_CONTROLLER_LOCALHOST")
                .ok()
                .filter(|h| !h.is_empty()),
            limits: ExtractLimits::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("failed to download artifact from {url}: file not found")]
    NotFound { url: String },
    #[error("failed to download artifact from {url}, status: {status}")]
    Status {
        url: String,
        status: reqwest::StatusCode,
    },
    #[error("failed to download artifact from {url}: {source}")]
    Http { url: String, source: reqwest::Error },
    #[error("invalid artifact URL '{url}': {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("unsupported digest algorithm '{algorithm}' in '{digest}'")]
    UnsupportedDigest { algorithm: String, digest: String },
    #[error("failed to verify artifact: computed digest doesn't match '{expected}'")]
    DigestMismatch { expected: String, actual: String },
    #[error("failed to extract artifact from {url}: {source}")]
    Extract { url: String, source: ExtractError },
    #[error("failed to store artifact from {url} in a temporary file: {source}")]
    Io { url: String, source: std::io::Error },
}

impl FetchError {
    /// Whether trying again later may succeed (the source may publish a new artifact); a hostile or
    /// corrupt archive, or a bad digest algorithm, fails the same way every time.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            FetchError::NotFound { .. }
                | FetchError::Status { .. }
                | FetchError::Http { .. }
                | FetchError::Io { .. }
                | FetchError::DigestMismatch { .. }
        )
    }
}

impl FetchError {
    /// Whether the download itself should be tried again at once (with backoff), as Flux's
    /// retrying HTTP client does: connection errors, 5xx other than 501, and 429. A missing
    /// artifact is reported at once (the caller requeues); other answers will not change.
    fn is_worth_another_try(&self) -> bool {
        match self {
            FetchError::Http { .. } | FetchError::Io { .. } => true,
            FetchError::Status { status, .. } => {
                (status.is_server_error() && *status != reqwest::StatusCode::NOT_IMPLEMENTED)
                    || *status == reqwest::StatusCode::TOO_MANY_REQUESTS
            }
            _ => false,
        }
    }
}

/// Downloads and unpacks artifacts.
#[derive(Debug, Clone)]
pub struct ArtifactFetcher {
    client: reqwest::Client,
    options: FetchOptions,
}

impl ArtifactFetcher {
    pub fn new(options: FetchOptions) -> Self {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        ArtifactFetcher { client, options }
    }

    /// Fetch `url`, check it against `digest` (`<algorithm>:<hex>`, or bare hex meaning sha256), and
    /// extract it into `dest`, which must exist and should be empty.
    pub async fn fetch(
        &self,
        url: &str,
        digest: &str,
        dest: &Path,
    ) -> Result<ExtractStats, FetchError> {
        let url = self.effective_url(url)?;
        let expected = ExpectedDigest::parse(digest)?;
        let mut attempt = 0;
        let mut file = loop {
            match self.download(&url, &expected).await {
                Ok(file) => break file,
                Err(err) if attempt < self.options.retries && err.is_worth_another_try() => {
                    let backoff = crate::duration::exponential_backoff(
                        self.options.min_backoff,
                        self.options.max_backoff,
                        attempt + 1,
                    );
                    tracing::debug!(url = %url, attempt, error = %err, "artifact download failed, retrying");
                    tokio::time::sleep(backoff).await;
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        };
        let dest = dest.to_path_buf();
        let limits = self.options.limits;
        let url_for_err = url.clone();
        tokio::task::spawn_blocking(move || {
            file.rewind().map_err(|source| FetchError::Io {
                url: url_for_err.clone(),
                source,
            })?;
            extract_tar_gz(std::io::BufReader::new(file), &dest, limits).map_err(|source| {
                FetchError::Extract {
                    url: url_for_err,
                    source,
                }
            })
        })
        .await
        .map_err(|join| FetchError::Io {
            url,
            source: std::io::Error::other(join),
        })?
    }

    /// Stream the body into an anonymous temporary file while hashing it.
    async fn download(
        &self,
        url: &str,
        expected: &ExpectedDigest,
    ) -> Result<std::fs::File, FetchError> {
        let http = |source| FetchError::Http {
            url: url.to_string(),
            source,
        };
        let mut response = self.client.get(url).send().await.map_err(http)?;
        match response.status() {
            s if s.is_success() => {}
            reqwest::StatusCode::NOT_FOUND => return Err(FetchError::NotFound { url: url.into() }),
            status => {
                return Err(FetchError::Status {
                    url: url.into(),
                    status,
                });
            }
        }
        let io = |source| FetchError::Io {
            url: url.to_string(),
            source,
        };
        let mut file = tempfile::tempfile().map_err(io)?;
        let mut hasher = expected.hasher();
        while let Some(chunk) = response.chunk().await.map_err(http)? {
            hasher.update(&chunk);
            file.write_all(&chunk).map_err(io)?;
            if file.stream_position().map_err(io)? > self.options.limits.max_bytes {
                return Err(FetchError::Extract {
                    url: url.into(),
                    source: ExtractError::TooLarge {
                        limit: self.options.limits.max_bytes,
                    },
                });
            }
        }
        let actual = hasher.finish();
        if actual != expected.hex {
            return Err(FetchError::DigestMismatch {
                expected: expected.original.clone(),
                actual: format!("{}:{actual}", expected.algorithm),
            });
        }
        Ok(file)
    }

    fn effective_url(&self, url: &str) -> Result<String, FetchError> {
        let mut parsed = reqwest::Url::parse(url).map_err(|e| FetchError::InvalidUrl {
            url: url.into(),
            reason: e.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl {
                url: url.into(),
                reason: "scheme must be http or https".into(),
            });
        }
        if let Some(host) = &self.options.host_override {
            let (name, port) = match host.rsplit_once(':') {
                Some((name, port)) if port.parse::<u16>().is_ok() => {
                    (name, port.parse::<u16>().ok())
                }
                _ => (host.as_str(), None),
            };
            parsed
                .set_host(Some(name))
                .map_err(|e| FetchError::InvalidUrl {
                    url: url.into(),
                    reason: e.to_string(),
                })?;
            let _ = parsed.set_port(port);
        }
        Ok(parsed.into())
    }
}

struct ExpectedDigest {
    original: String,
    algorithm: String,
    hex: String,
}

impl ExpectedDigest {
    fn parse(digest: &str) -> Result<Self, FetchError> {
        let (algorithm, hex) = digest.split_once(':').unwrap_or(("sha256", digest));
        if !matches!(algorithm, "sha256" | "sha384" | "sha512") {
            return Err(FetchError::UnsupportedDigest {
                algorithm: algorithm.into(),
                digest: digest.into(),
            });
        }
        Ok(ExpectedDigest {
            original: digest.into(),
            algorithm: algorithm.into(),
            hex: hex.to_ascii_lowercase(),
        })
    }

    fn hasher(&self) -> Hasher {
        match self.algorithm.as_str() {
            "sha384" => Hasher::Sha384(sha2::Sha384::new()),
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => Hasher::Sha256(sha2::Sha256::new()),
        }
    }
}

enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha384(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}
