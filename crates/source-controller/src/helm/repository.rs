//! An HTTP(S) Helm chart repository as Helm's HTTP getter talks to it (Flux's
//! `repository.ChartRepository`): the index is `GET <url>/index.yaml`, basic auth goes only to
//! the repository's own scheme and host unless `passCredentials`, a non-200 answer is an error
//! worded as Helm words it, and a body over the size limit is cut off while it streams.

use flux_runtime::errors::error_chain;
use flux_runtime::secrets::{BasicAuth, SecretError, TlsMaterial};
use futures::StreamExt;
use std::time::Duration;

/// What the getter needs, from the HelmRepository and its Secrets.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub timeout: Option<Duration>,
    pub basic_auth: Option<BasicAuth>,
    pub pass_credentials: bool,
    pub tls: Option<TlsMaterial>,
}

/// Why a download failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    InvalidUrl(String),
    #[error("failed to construct Helm client: {0}")]
    Client(String),
    #[error(transparent)]
    Tls(#[from] SecretError),
    #[error("failed to fetch {url} : {status}")]
    Status { url: String, status: String },
    #[error("Get \"{url}\": {message}")]
    Transport { url: String, message: String },
    #[error("{what} exceeds the maximum {what} file size of {limit} bytes")]
    TooLarge { what: &'static str, limit: u64 },
}

/// A chart repository at a normalized URL.
pub struct ChartRepository {
    url: reqwest::Url,
    http: reqwest::Client,
    options: ClientOptions,
}

/// Flux's `NormalizeURL`: an HTTP(S) repository URL ends in exactly one `/`; an `oci://` one in
/// none.
pub fn normalize_url(url: &str) -> Result<String, String> {
    if url.is_empty() {
        return Ok(String::new());
    }
    let mut parsed = reqwest::Url::parse(url).map_err(|e| format!("parse \"{url}\": {e}"))?;
    let trimmed = parsed.path().trim_end_matches('/').to_string();
    if parsed.scheme() == "oci" {
        parsed.set_path(&trimmed);
    } else {
        parsed.set_path(&format!("{trimmed}/"));
    }
    Ok(parsed.to_string())
}

impl ChartRepository {
    /// A client for the repository at `url` (normalized or not).
    pub fn new(url: &str, options: ClientOptions) -> Result<Self, FetchError> {
        let url = reqwest::Url::parse(url)
            .map_err(|e| FetchError::InvalidUrl(format!("parse \"{url}\": {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Client(format!(
                "scheme \"{}\" not supported",
                url.scheme()
            )));
        }
        let mut builder = reqwest::Client::builder().user_agent(concat!(
            "flux-rs-source-controller/",
            env!("CARGO_PKG_VERSION")
        ));
        if let Some(timeout) = options.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(tls) = &options.tls {
            builder = tls.apply(builder)?;
        }
        let http = builder
            .build()
            .map_err(|e| FetchError::Client(error_chain(&e)))?;
        Ok(ChartRepository { url, http, options })
    }

    /// The repository URL.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// `<url>/index.yaml`, at most `max_size` bytes.
    pub async fn download_index(&self, max_size: u64) -> Result<Vec<u8>, FetchError> {
        let mut index_url = self.url.clone();
        let path = format!("{}/index.yaml", self.url.path().trim_end_matches('/'));
        index_url.set_path(&path);
        self.get(index_url, max_size, "index").await
    }

    /// GET `url`; credentials only for the repository's own scheme and host, unless
    /// passCredentials.
    pub async fn get(
        &self,
        url: reqwest::Url,
        max_size: u64,
        what: &'static str,
    ) -> Result<Vec<u8>, FetchError> {
        let mut request = self.http.get(url.clone());
        let same_origin = url.scheme() == self.url.scheme()
            && url.host_str() == self.url.host_str()
            && url.port_or_known_default() == self.url.port_or_known_default();
        if let Some(auth) = &self.options.basic_auth
            && (self.options.pass_credentials || same_origin)
            && !auth.username.is_empty()
            && !auth.password.is_empty()
        {
            request = request.basic_auth(&auth.username, Some(&auth.password));
        }
        let transport = |e: reqwest::Error| FetchError::Transport {
            url: url.to_string(),
            message: error_chain(&e),
        };
        let response = request.send().await.map_err(transport)?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: status_line(response.status()),
            });
        }
        let too_large = FetchError::TooLarge {
            what,
            limit: max_size,
        };
        if response.content_length().is_some_and(|n| n > max_size) {
            return Err(too_large);
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(transport)?;
            if (body.len() + chunk.len()) as u64 > max_size {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// Go's `resp.Status`: `404 Not Found`.
fn status_line(status: reqwest::StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalized_as_flux() {
        assert_eq!(
            normalize_url("https://charts.example.com").unwrap(),
            "https://charts.example.com/"
        );
        assert_eq!(
            normalize_url("https://charts.example.com/stable///").unwrap(),
            "https://charts.example.com/stable/"
        );
        assert_eq!(
            normalize_url("oci://ghcr.io/org/charts/").unwrap(),
            "oci://ghcr.io/org/charts"
        );
        assert_eq!(normalize_url("").unwrap(), "");
        assert!(normalize_url("::").is_err());
    }

    #[test]
    fn status_lines_as_go() {
        assert_eq!(
            status_line(reqwest::StatusCode::UNAUTHORIZED),
            "401 Unauthorized"
        );
        assert_eq!(status_line(reqwest::StatusCode::NOT_FOUND), "404 Not Found");
    }
}
