//! Cluster access as controller-runtime sets it up: `--kubeconfig`, then `KUBECONFIG`, then the
//! in-cluster service account, then `~/.kube/config`; with client-side throttling from
//! `--kube-api-qps` / `--kube-api-burst`.
//!
//! kube-rs has no rate limiter of its own, so [`from_flags`] adds token buckets in front of the
//! client's HTTP stack ([`Throttle`]): `burst` requests may go at once, then `qps` per second, as
//! client-go's default limiter does. controller-runtime builds one REST client, hence one
//! limiter, per group-version-resource, so the buckets are kept per resource (all discovery
//! requests share one): Events written at a high rate do not hold up status patches. Every
//! request (watches included) takes one token; a non-positive `qps` disables throttling.
//! client-go's newer behaviour of switching the limiter off when the server announces API
//! Priority and Fairness is not reproduced.

use crate::flags::CommonFlags;
use kube::client::ClientBuilder;
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Instant;

mod factory;
pub use factory::{ClientFactory, ClientFactoryError, KubeConfigPolicy, KubeConfigSecretRef};

/// Why no client could be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot load kubeconfig '{path}': {reason}")]
    KubeconfigFile { path: String, reason: String },
    #[error("cannot load the kubeconfig named by KUBECONFIG: {0}")]
    KubeconfigEnv(String),
    #[error(
        "no cluster configuration: --kubeconfig is not set, KUBECONFIG is not set, not running in a \
         cluster ({in_cluster}) and ~/.kube/config cannot be loaded ({home})"
    )]
    NotFound { in_cluster: String, home: String },
    #[error("cannot build a Kubernetes client: {0}")]
    Build(String),
}

/// Where the configuration came from (logged at start-up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    Flag(String),
    Env,
    InCluster,
    HomeKubeconfig,
}

/// The client configuration from the flags, without throttling; see [`from_flags`].
pub async fn config_from_flags(
    flags: &CommonFlags,
) -> Result<(kube::Config, ConfigSource), ClientError> {
    if let Some(path) = flags.kubeconfig.as_deref().filter(|p| !p.is_empty()) {
        let file_err = |reason: String| ClientError::KubeconfigFile {
            path: path.to_string(),
            reason,
        };
        let kubeconfig = Kubeconfig::read_from(path).map_err(|e| file_err(e.to_string()))?;
        let config =
            kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
                .await
                .map_err(|e| file_err(e.to_string()))?;
        return Ok((config, ConfigSource::Flag(path.to_string())));
    }
    if std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty()) {
        let config = kube::Config::from_kubeconfig(&KubeConfigOptions::default())
            .await
            .map_err(|e| ClientError::KubeconfigEnv(e.to_string()))?;
        return Ok((config, ConfigSource::Env));
    }
    let in_cluster = match kube::Config::incluster() {
        Ok(config) => return Ok((config, ConfigSource::InCluster)),
        Err(e) => e.to_string(),
    };
    match kube::Config::from_kubeconfig(&KubeConfigOptions::default()).await {
        Ok(config) => Ok((config, ConfigSource::HomeKubeconfig)),
        Err(e) => Err(ClientError::NotFound {
            in_cluster,
            home: e.to_string(),
        }),
    }
}

/// A client for the cluster the controller runs against, throttled by `--kube-api-qps` and
/// `--kube-api-burst`.
pub async fn from_flags(flags: &CommonFlags) -> Result<kube::Client, ClientError> {
    let (config, source) = config_from_flags(flags).await?;
    tracing::debug!(source = ?source, server = %config.cluster_url, "loaded cluster configuration");
    client_with_throttle(config, flags.kube_api_qps, flags.kube_api_burst)
}

/// Makes ring rustls' process-wide provider. A build can compile in a second provider
/// (sigstore's aws-lc-rs), and rustls then refuses to guess; kube's TLS and reqwest without
/// a provider of their own use this one. Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client from `config` with a token bucket of `qps` requests per second and `burst` capacity.
pub fn client_with_throttle(
    config: kube::Config,
    qps: f32,
    burst: u32,
) -> Result<kube::Client, ClientError> {
    install_crypto_provider();
    let builder = ClientBuilder::try_from(config).map_err(|e| ClientError::Build(e.to_string()))?;
    Ok(builder.with_layer(&ThrottleLayer::new(qps, burst)).build())
}

/// client-go's token bucket: `burst` tokens, refilled at `qps` per second. A request that finds
/// the bucket empty reserves the next token and waits for it.
#[derive(Debug)]
struct TokenBucket {
    qps: f64,
    burst: f64,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// Take one token; returns how long to wait before it is ours.
    fn reserve(&mut self) -> Duration {
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.qps).min(self.burst);
        self.updated = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.qps)
        }
    }
}

/// The tower layer adding [`Throttle`] to a client's stack.
#[derive(Debug, Clone)]
pub struct ThrottleLayer {
    limiter: Option<Arc<Limiter>>,
}

/// One token bucket per API resource, created on first use.
#[derive(Debug)]
struct Limiter {
    qps: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, TokenBucket>>,
}

impl Limiter {
    fn reserve(&self, resource: String) -> Duration {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Duration::ZERO;
        };
        buckets
            .entry(resource)
            .or_insert_with(|| TokenBucket {
                qps: self.qps,
                burst: self.burst,
                tokens: self.burst,
                updated: Instant::now(),
            })
            .reserve()
    }
}

impl ThrottleLayer {
    /// `qps <= 0` disables throttling; a burst of 0 is taken as 1.
    pub fn new(qps: f32, burst: u32) -> Self {
        if qps.is_nan() || qps <= 0.0 {
            return ThrottleLayer { limiter: None };
        }
        ThrottleLayer {
            limiter: Some(Arc::new(Limiter {
                qps: f64::from(qps),
                burst: f64::from(burst.max(1)),
                buckets: Mutex::new(HashMap::new()),
            })),
        }
    }
}

impl<S> tower::Layer<S> for ThrottleLayer {
    type Service = Throttle<S>;
    fn layer(&self, inner: S) -> Throttle<S> {
        Throttle {
            inner,
            limiter: self.limiter.clone(),
        }
    }
}

/// Delays each request until its resource's bucket has a token. The request is built at once
/// and sent when the delay is over (the inner futures do nothing until polled).
pub struct Throttle<S> {
    inner: S,
    limiter: Option<Arc<Limiter>>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> tower::Service<http::Request<B>> for Throttle<S>
where
    S: tower::Service<http::Request<B>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let delay = self
            .limiter
            .as_ref()
            .map(|l| l.reserve(resource_of(request.uri().path())))
            .unwrap_or(Duration::ZERO);
        let response = self.inner.call(request);
        if delay.is_zero() {
            Box::pin(response)
        } else {
            Box::pin(async move {
                tokio::time::sleep(delay).await;
                response.await
            })
        }
    }
}

/// The `group/version/resource` a request path addresses, as client-go's per-resource REST
/// clients divide it; discovery and other paths share one key.
fn resource_of(path: &str) -> String {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segments.as_slice() {
        ["api", version, rest @ ..] => ("", *version, rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return "discovery".to_string(),
    };
    let resource = match rest {
        [] => return "discovery".to_string(),
        ["namespaces", _, resource, ..] => resource,
        [resource, ..] => resource,
    };
    format!("{group}/{version}/{resource}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_bucket_allows_a_burst_then_qps() {
        let mut bucket = TokenBucket {
            qps: 10.0,
            burst: 3.0,
            tokens: 3.0,
            updated: Instant::now(),
        };
        for _ in 0..3 {
            assert_eq!(bucket.reserve(), Duration::ZERO);
        }
        assert_eq!(bucket.reserve(), Duration::from_millis(100));
        assert_eq!(bucket.reserve(), Duration::from_millis(200));
        tokio::time::advance(Duration::from_secs(10)).await;
        // Refilled to the burst, no more.
        for _ in 0..3 {
            assert_eq!(bucket.reserve(), Duration::ZERO);
        }
        assert!(bucket.reserve() > Duration::ZERO);
    }

    fn get(path: &str) -> http::Request<()> {
        http::Request::get(path).body(()).unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn the_throttle_spaces_requests_past_the_burst() {
        use tower::{Service, ServiceExt};
        let layer = ThrottleLayer::new(2.0, 2);
        let mut svc = tower::Layer::layer(
            &layer,
            tower::service_fn(|_: http::Request<()>| async {
                Ok::<_, std::convert::Infallible>(())
            }),
        );
        let path = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/a/kustomizations/x/status";
        let start = Instant::now();
        for _ in 0..4 {
            svc.ready().await.unwrap().call(get(path)).await.unwrap();
        }
        // Two at once, then one every 500ms.
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        let mut open = tower::Layer::layer(
            &ThrottleLayer::new(0.0, 0),
            tower::service_fn(|_: http::Request<()>| async {
                Ok::<_, std::convert::Infallible>(())
            }),
        );
        let start = Instant::now();
        for _ in 0..100 {
            open.ready().await.unwrap().call(get(path)).await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn each_resource_has_its_own_bucket() {
        use tower::{Service, ServiceExt};
        let layer = ThrottleLayer::new(1.0, 1);
        let mut svc = tower::Layer::layer(
            &layer,
            tower::service_fn(|_: http::Request<()>| async {
                Ok::<_, std::convert::Infallible>(())
            }),
        );
        let start = Instant::now();
        for path in [
            "/api/v1/namespaces/a/events",
            "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/a/kustomizations/x",
            "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/b/kustomizations/y/status",
            "/api/v1/namespaces/b/events/e",
        ] {
            svc.ready().await.unwrap().call(get(path)).await.unwrap();
        }
        // The second Kustomization request waits a second for its bucket; by then the Events
        // bucket has refilled. One shared bucket would have taken three seconds.
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[test]
    fn requests_are_keyed_by_group_version_resource() {
        for (path, key) in [
            ("/api/v1/namespaces", "/v1/namespaces"),
            ("/api/v1/namespaces/flux-system", "/v1/namespaces"),
            ("/api/v1/namespaces/flux-system/secrets/s", "/v1/secrets"),
            ("/api/v1/nodes/n1/status", "/v1/nodes"),
            (
                "/apis/apps/v1/namespaces/a/deployments/d/scale",
                "apps/v1/deployments",
            ),
            (
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                "apiextensions.k8s.io/v1/customresourcedefinitions",
            ),
            ("/apis/apps/v1", "discovery"),
            ("/apis", "discovery"),
            ("/version", "discovery"),
        ] {
            assert_eq!(resource_of(path), key, "{path}");
        }
    }
}
