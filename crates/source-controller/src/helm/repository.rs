//! An HTTP(S) Helm chart repository as Helm's HTTP getter talks to it (Flux's
//! `repository.ChartRepository`): the index is `GET <url>/index.yaml`, basic auth goes only to
//! the repository's own scheme and host unless `passCredentials`, a non-200 answer is an error
//! worded as Helm words it, and a body over the size limit is cut off while it streams.

use crate::reconcile::{names, secret_data};
use flux_api::meta::reason;
use flux_api::source::{HelmRepository, reason as source_reason};
use flux_helm::repo::ChartVersion;
use flux_runtime::duration::parse_duration;
use flux_runtime::errors::error_chain;
use flux_runtime::reconcile::{Context, Disposition};
use flux_runtime::secrets::{self, BasicAuth, SecretError, TlsMaterial};
use futures::StreamExt;
use std::time::Duration;

/// `spec.timeout` of a HelmRepository when unset.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a HelmRepository's getter could not be made: Flux's reason and message, and whether
/// retrying can help (an invalid URL cannot).
#[derive(Debug)]
pub struct ConfigError {
    pub reason: &'static str,
    pub message: String,
    pub stalled: bool,
}

impl ConfigError {
    pub fn disposition(&self) -> Disposition {
        if self.stalled {
            Disposition::Stalled
        } else {
            Disposition::Backoff
        }
    }
}

/// The getter for a HelmRepository of type `default`: URL checks, then credentials and TLS
/// from its Secrets, as Flux's `GetClientOpts`.
pub async fn client_for(
    obj: &HelmRepository,
    ctx: &Context,
) -> Result<ChartRepository, ConfigError> {
    let spec = &obj.spec;
    let invalid_url = |e: String| ConfigError {
        reason: source_reason::URL_INVALID,
        message: format!("invalid Helm repository URL: {e}"),
        stalled: true,
    };
    if spec.url.starts_with("oci://") {
        return Err(invalid_url(
            "'oci' URL scheme cannot be used with 'default' HelmRepository type".into(),
        ));
    }
    let url = normalize_url(&spec.url).map_err(invalid_url)?;
    let namespace = names(obj).namespace;
    let auth_failed = |message: String| ConfigError {
        reason: source_reason::AUTHENTICATION_FAILED,
        message,
        stalled: false,
    };
    let mut options = ClientOptions {
        timeout: Some(
            spec.timeout
                .as_deref()
                .and_then(|t| parse_duration(t).ok())
                .unwrap_or(DEFAULT_TIMEOUT),
        ),
        pass_credentials: spec.pass_credentials.unwrap_or(false),
        ..ClientOptions::default()
    };
    if let Some(r) = &spec.cert_secret_ref {
        let data = secret_data(ctx, &namespace, &r.name).await.map_err(|e| {
            auth_failed(format!(
                "failed to get TLS authentication secret '{namespace}/{}': {}",
                r.name,
                strip_get_prefix(&e)
            ))
        })?;
        let tls =
            secrets::tls_from_secret(&format!("{namespace}/{}", r.name), &data).map_err(|e| {
                auth_failed(format!("failed to construct Helm client's TLS config: {e}"))
            })?;
        options.tls = Some(tls);
    }
    if let Some(r) = &spec.secret_ref {
        let data = secret_data(ctx, &namespace, &r.name).await.map_err(|e| {
            auth_failed(format!(
                "failed to get authentication secret '{namespace}/{}': {}",
                r.name,
                strip_get_prefix(&e)
            ))
        })?;
        options.basic_auth = secrets::basic_auth(&format!("{namespace}/{}", r.name), &data)
            .map_err(|e| auth_failed(format!("failed to detect authentication methods: {e}")))?;
        if options.tls.is_none()
            && let Some(tls) = secrets::tls_if_present(&data)
        {
            tracing::info!(
                namespace = %namespace,
                name = %names(obj).name,
                "warning: specifying TLS authentication data via `.spec.secretRef` is deprecated, please use `.spec.certSecretRef` instead"
            );
            options.tls = Some(tls);
        }
    }
    ChartRepository::new(&url, options).map_err(|e| match e {
        FetchError::InvalidUrl(e) => invalid_url(e),
        FetchError::Tls(e) => {
            auth_failed(format!("failed to construct Helm client's TLS config: {e}"))
        }
        e => ConfigError {
            reason: reason::FAILED,
            message: format!("failed to construct Helm client: {e}"),
            stalled: true,
        },
    })
}

/// The "failed to get secret 'ns/name': " prefix of [`secret_data`]'s message, which Flux's
/// own wording replaces.
fn strip_get_prefix(message: &str) -> &str {
    message.split_once("': ").map_or(message, |(_, rest)| rest)
}

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
    #[error("chart '{0}' has no downloadable URLs")]
    NoUrls(String),
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

    /// The archive of `chart`, from its first URL (relative ones resolved against the
    /// repository URL, keeping the repository URL's query, as Helm), at most `max_size` bytes.
    pub async fn download_chart(
        &self,
        chart: &ChartVersion,
        max_size: u64,
    ) -> Result<Vec<u8>, FetchError> {
        let first = chart
            .urls
            .as_ref()
            .and_then(|u| u.first())
            .ok_or_else(|| FetchError::NoUrls(chart.name.clone()))?;
        let url = resolve_reference_url(&self.url, first)?;
        self.get(url, max_size, "chart").await
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

/// Helm's `ResolveReferenceURL`: an absolute reference as it is, a relative one against the
/// base with a trailing `/`, the base's query kept.
fn resolve_reference_url(base: &reqwest::Url, reference: &str) -> Result<reqwest::Url, FetchError> {
    if let Ok(absolute) = reqwest::Url::parse(reference) {
        return Ok(absolute);
    }
    let mut base = base.clone();
    let path = format!("{}/", base.path().trim_end_matches('/'));
    base.set_path(&path);
    let query = base.query().map(str::to_string);
    let mut resolved = base
        .join(reference)
        .map_err(|e| FetchError::InvalidUrl(format!("failed to parse {reference} as URL: {e}")))?;
    resolved.set_query(query.as_deref());
    Ok(resolved)
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
    fn chart_urls_resolve_as_helm_resolves_them() {
        let base = reqwest::Url::parse("https://charts.example.com/stable?token=t").unwrap();
        let resolve = |r: &str| resolve_reference_url(&base, r).unwrap().to_string();
        assert_eq!(
            resolve("app-1.0.0.tgz"),
            "https://charts.example.com/stable/app-1.0.0.tgz?token=t"
        );
        assert_eq!(
            resolve("/other/app-1.0.0.tgz"),
            "https://charts.example.com/other/app-1.0.0.tgz?token=t"
        );
        assert_eq!(
            resolve("https://cdn.example.com/app-1.0.0.tgz"),
            "https://cdn.example.com/app-1.0.0.tgz"
        );
        assert_eq!(
            strip_get_prefix("failed to get secret 'default/creds': secrets \"creds\" not found"),
            "secrets \"creds\" not found"
        );
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
