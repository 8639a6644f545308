//! The HTTP front: authentication, routing, and the non-resource endpoints.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::Notify;

use crate::auth::{Authenticator, User};
use crate::error::{ApiError, ApiResult};
use crate::kinds::{Registry, ResourceType};
use crate::request::{ApiPath, parse_api_path, parse_query};
use crate::store::Store;
use crate::{discovery, openapi, rbac, verbs};

/// Tunables of a running server.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// How often a watch with allowWatchBookmarks gets a BOOKMARK event.
    pub bookmark_interval: Duration,
    /// How long after a spec change simulated workloads become ready.
    pub workload_delay: Duration,
}

pub struct Server {
    pub store: Store,
    registry: RwLock<Arc<Registry>>,
    pub auth: Authenticator,
    pub tuning: Tuning,
    /// Set once the listener is bound: what /api reports as the server address.
    pub address: RwLock<String>,
    /// Wakes the garbage collector.
    pub gc_kick: Notify,
}

/// What every request carries after authentication.
pub struct Ctx {
    pub user: User,
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
}

impl Ctx {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .get(k)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn header(&self, k: header::HeaderName) -> &str {
        self.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn dry_run(&self) -> bool {
        self.query.get("dryRun").is_some_and(|v| v == "All")
    }

    pub fn wants_table(&self) -> bool {
        let accept = self.header(header::ACCEPT);
        accept
            .split(',')
            .next()
            .is_some_and(|first| first.contains("as=Table"))
    }
}

impl Server {
    pub fn new(store: Store, registry: Registry, auth: Authenticator, tuning: Tuning) -> Self {
        Server {
            store,
            registry: RwLock::new(Arc::new(registry)),
            auth,
            tuning,
            address: RwLock::new(String::new()),
            gc_kick: Notify::new(),
        }
    }

    pub fn registry(&self) -> Arc<Registry> {
        self.registry
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_registry(&self, r: Registry) {
        *self.registry.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(r);
    }

    /// The resource type stored under `key` at its storage version.
    pub fn type_for_key(&self, key: &str) -> Option<Arc<ResourceType>> {
        let reg = self.registry();
        let mut candidates = reg.types.iter().filter(|t| t.storage_key() == key);
        let first = candidates.next()?.clone();
        if first.custom.as_ref().is_none_or(|c| c.storage) {
            return Some(first);
        }
        candidates
            .find(|t| t.custom.as_ref().is_some_and(|c| c.storage))
            .cloned()
            .or(Some(first))
    }
}

pub fn json_response(code: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    (code, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub async fn handle(State(srv): State<Arc<Server>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = match dispatch(srv, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    tracing::debug!(%method, %path, status = resp.status().as_u16(), "request");
    resp
}

const MAX_BODY: usize = 64 * 1024 * 1024;

async fn dispatch(srv: Arc<Server>, req: Request) -> ApiResult<Response> {
    let path = req.uri().path().to_string();
    if matches!(path.as_str(), "/healthz" | "/livez" | "/readyz") {
        return Ok((StatusCode::OK, "ok").into_response());
    }
    let headers = req.headers().clone();
    let authz = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let user = srv
        .auth
        .authenticate(authz)
        .ok_or_else(ApiError::unauthorized)?;
    let user = rbac::impersonate(&srv, user, &headers)?;
    let ctx = Ctx {
        user,
        query: parse_query(req.uri().query()),
        headers,
    };
    let method = req.method().clone();

    match path.trim_end_matches('/') {
        "/version" => return Ok(json_response(StatusCode::OK, &discovery::version())),
        "/api" => {
            let addr = srv
                .address
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            return Ok(json_response(
                StatusCode::OK,
                &discovery::api_versions(&addr),
            ));
        }
        "/apis" => {
            return Ok(json_response(
                StatusCode::OK,
                &discovery::api_group_list(&srv.registry()),
            ));
        }
        _ => {}
    }
    if path.starts_with("/openapi/") {
        return openapi::serve(&srv.registry(), &path, &ctx);
    }
    let Some(api_path) = parse_api_path(&path) else {
        return Err(ApiError::path_not_found());
    };
    let reg = srv.registry();
    match api_path {
        ApiPath::Group(g) => discovery::api_group(&reg, &g)
            .map(|v| json_response(StatusCode::OK, &v))
            .ok_or_else(ApiError::path_not_found),
        ApiPath::GroupVersion { group, version } => {
            discovery::resource_list(&reg, &group, &version)
                .map(|v| json_response(StatusCode::OK, &v))
                .ok_or_else(ApiError::path_not_found)
        }
        ApiPath::Resource(rp) => {
            let Some(rt) = reg.lookup(&rp.group, &rp.version, &rp.plural) else {
                return Err(ApiError::path_not_found());
            };
            // Namespaced path to a cluster-scoped resource, or a named cluster path to a namespaced one.
            if (rp.namespace.is_some() && !rt.namespaced)
                || (rt.namespaced && rp.namespace.is_none() && rp.name.is_some())
            {
                return Err(ApiError::path_not_found());
            }
            if let Some(sub) = &rp.subresource
                && !(sub == "status" && rt.status_subresource)
                && !(sub == "scale" && rt.has_scale())
                && !(sub == "finalize" && rt.kind == "Namespace")
            {
                return Err(ApiError::path_not_found());
            }
            let body = if matches!(
                method,
                Method::POST | Method::PUT | Method::PATCH | Method::DELETE
            ) {
                axum::body::to_bytes(req.into_body(), MAX_BODY)
                    .await
                    .map_err(|e| {
                        ApiError::bad_request(format!("cannot read the request body: {e}"))
                    })?
            } else {
                Bytes::new()
            };
            verbs::serve(srv, ctx, method, rt, rp, body).await
        }
    }
}
