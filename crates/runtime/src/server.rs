//! The metrics (`--metrics-addr`, /metrics) and health probe (`--health-addr`, /healthz, /readyz)
//! servers every controller runs.

use crate::metrics::Metrics;
use axum::{Router, http::header, response::IntoResponse, routing::get};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("invalid listen address '{addr}': {reason}")]
    InvalidAddress { addr: String, reason: String },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// Parse a Go-style listen address: `:8080` means every interface.
pub fn parse_listen_addr(addr: &str) -> Result<SocketAddr, ServerError> {
    let full = if addr.starts_with(':') {
        format!("0.0.0.0{addr}")
    } else {
        addr.to_string()
    };
    full.parse()
        .map_err(|e: std::net::AddrParseError| ServerError::InvalidAddress {
            addr: addr.into(),
            reason: e.to_string(),
        })
}

/// Readiness as the probes report it; a controller marks itself ready once its caches are synced.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    pub fn set_ready(&self, ready: bool) {
        self.0.store(ready, Ordering::SeqCst);
    }
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Bind the metrics server; returns the bound address (useful with port 0) and the serving task.
pub async fn serve_metrics(
    addr: &str,
    metrics: Metrics,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), ServerError> {
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    metrics.encode(),
                )
                    .into_response()
            }
        }),
    );
    serve(addr, app).await
}

/// Bind the health probe server.
pub async fn serve_health(
    addr: &str,
    readiness: Readiness,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), ServerError> {
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/readyz",
            get(move || {
                let readiness = readiness.clone();
                async move {
                    if readiness.is_ready() {
                        (axum::http::StatusCode::OK, "ok")
                    } else {
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "not ready")
                    }
                }
            }),
        );
    serve(addr, app).await
}

async fn serve(
    addr: &str,
    app: Router,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), ServerError> {
    let socket = parse_listen_addr(addr)?;
    let listener = tokio::net::TcpListener::bind(socket)
        .await
        .map_err(|source| ServerError::Listen {
            addr: socket,
            source,
        })?;
    let bound = listener
        .local_addr()
        .map_err(|source| ServerError::Listen {
            addr: socket,
            source,
        })?;
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(error = %err, "server stopped");
        }
    });
    Ok((bound, task))
}
