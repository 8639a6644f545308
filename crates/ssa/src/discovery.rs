//! Mapping of group/version/kind to API resources, cached per group-version: one discovery
//! request per group-version a run touches, repeated only when a kind is missing (a CRD applied
//! in an earlier stage adds kinds).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::core::GroupVersion;
use kube::discovery::{self, ApiResource, Scope};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::{ApiFailure, SsaError};
use crate::object::join_api_version;

/// A resolved kind: how to address it.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The resource (plural, group, version, kind).
    pub resource: ApiResource,
    /// True for namespaced kinds.
    pub namespaced: bool,
}

impl Resolved {
    /// The dynamic API for an object of this kind in `namespace` (ignored when cluster-scoped).
    pub fn api(&self, client: &Client, namespace: &str) -> Api<DynamicObject> {
        if self.namespaced {
            Api::namespaced_with(client.clone(), namespace, &self.resource)
        } else {
            Api::all_with(client.clone(), &self.resource)
        }
    }
}

type KindMap = HashMap<String, Resolved>;

/// A discovery cache that can be shared by several resource managers (it is cheap to clone).
#[derive(Clone, Default)]
pub struct DiscoveryCache {
    by_group_version: Arc<Mutex<HashMap<String, Arc<KindMap>>>>,
    preferred_version: Arc<Mutex<HashMap<String, String>>>,
}

impl DiscoveryCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The resource for `kind` in `group/version`.
    pub async fn resolve(
        &self,
        client: &Client,
        group: &str,
        version: &str,
        kind: &str,
    ) -> Result<Resolved, SsaError> {
        let gv = join_api_version(group, version);
        // The lock is held across the fetch so concurrent lookups of one group-version make
        // one request.
        let mut cache = self.by_group_version.lock().await;
        if let Some(found) = cache.get(&gv).and_then(|m| m.get(kind)) {
            return Ok(found.clone());
        }
        let kinds = fetch_group_version(client, group, version).await?;
        let found = kinds.get(kind).cloned();
        cache.insert(gv.clone(), kinds);
        found.ok_or_else(|| SsaError::NoKindMatch {
            kind: kind.to_string(),
            api_version: gv,
        })
    }

    /// Polls discovery until it serves `kind` at `group/version` or `timeout` passes, and
    /// returns the last lookup's result. kube-apiserver marks a CRD Established before its
    /// discovery lists the new kinds (separate controllers update the two), so a custom resource
    /// applied right after its definition can otherwise miss its kind.
    pub async fn wait_served(
        &self,
        client: &Client,
        group: &str,
        version: &str,
        kind: &str,
        timeout: Duration,
    ) -> Result<Resolved, SsaError> {
        const POLL: Duration = Duration::from_millis(200);
        let deadline = Instant::now() + timeout;
        loop {
            match self.resolve(client, group, version, kind).await {
                Err(SsaError::NoKindMatch { .. }) if Instant::now() + POLL < deadline => {
                    tokio::time::sleep(POLL).await;
                }
                result => return result,
            }
        }
    }

    /// The resource for `kind` in `group` at the group's preferred version (what a health check
    /// needs: the inventory of a change set keeps no version for health checks).
    pub async fn resolve_group_kind(
        &self,
        client: &Client,
        group: &str,
        kind: &str,
    ) -> Result<Resolved, SsaError> {
        let version = self.preferred_version(client, group).await?;
        self.resolve(client, group, &version, kind).await
    }

    async fn preferred_version(&self, client: &Client, group: &str) -> Result<String, SsaError> {
        if group.is_empty() {
            return Ok("v1".to_string());
        }
        let mut cache = self.preferred_version.lock().await;
        if let Some(v) = cache.get(group) {
            return Ok(v.clone());
        }
        let api_group = discovery::group(client, group)
            .await
            .map_err(|e| discovery_error(group, &e))?;
        let version = api_group.preferred_version_or_latest().to_string();
        cache.insert(group.to_string(), version.clone());
        Ok(version)
    }
}

fn discovery_error(api_version: &str, e: &kube::Error) -> SsaError {
    SsaError::Discovery {
        api_version: api_version.to_string(),
        source: ApiFailure::from_kube(e),
    }
}

/// The kinds served at `group/version`; empty when the group-version is not served.
async fn fetch_group_version(
    client: &Client,
    group: &str,
    version: &str,
) -> Result<Arc<KindMap>, SsaError> {
    let gv = GroupVersion::gv(group, version);
    let api_group = match discovery::pinned_group(client, &gv).await {
        Ok(g) => g,
        Err(e) if ApiFailure::from_kube(&e).is_not_found() => return Ok(Arc::default()),
        Err(e) => return Err(discovery_error(&join_api_version(group, version), &e)),
    };
    let kinds = api_group
        .versioned_resources(version)
        .into_iter()
        // Subresources (`deployments/scale`) share the kind of their parent.
        .filter(|(ar, _)| !ar.plural.contains('/'))
        .map(|(ar, caps)| {
            (
                ar.kind.clone(),
                Resolved {
                    namespaced: caps.scope == Scope::Namespaced,
                    resource: ar,
                },
            )
        })
        .collect();
    Ok(Arc::new(kinds))
}
