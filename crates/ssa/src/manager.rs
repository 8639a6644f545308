//! The resource manager: who applies (field manager and owner label group), with what client,
//! discovery cache and parallelism.

use std::collections::BTreeMap;

use kube::Client;
use serde_json::{Map, Value};

use crate::discovery::DiscoveryCache;

/// Who owns the applied objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    /// The server-side apply field manager, e.g. `kustomize-controller`.
    pub field_manager: String,
    /// The group prefixing the owner labels and the annotations, e.g.
    /// `kustomize.toolkit.fluxcd.io`.
    pub group: String,
}

/// Applies, deletes and health-checks sets of objects, as fluxcd/pkg's `ssa.ResourceManager`.
#[derive(Clone)]
pub struct ResourceManager {
    pub(crate) client: Client,
    pub(crate) owner: Owner,
    pub(crate) discovery: DiscoveryCache,
    pub(crate) concurrency: usize,
}

/// Flux's `--concurrent-ssa` default.
pub const DEFAULT_CONCURRENCY: usize = 4;

impl ResourceManager {
    /// A manager with its own discovery cache and [`DEFAULT_CONCURRENCY`] parallel requests.
    pub fn new(client: Client, owner: Owner) -> Self {
        ResourceManager {
            client,
            owner,
            discovery: DiscoveryCache::new(),
            concurrency: DEFAULT_CONCURRENCY,
        }
    }

    /// How many objects are dry-run, applied or deleted at once (at least 1).
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Shares a discovery cache (e.g. between the managers of several reconciles against the
    /// same cluster).
    pub fn with_discovery(mut self, discovery: DiscoveryCache) -> Self {
        self.discovery = discovery;
        self
    }

    /// The client requests go through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The owner.
    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    /// The discovery cache.
    pub fn discovery(&self) -> &DiscoveryCache {
        &self.discovery
    }

    /// `<group>/name: name` and `<group>/namespace: namespace`: the labels marking objects as
    /// owned (and so prunable) by one Kustomization.
    pub fn owner_labels(&self, name: &str, namespace: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (format!("{}/name", self.owner.group), name.to_string()),
            (
                format!("{}/namespace", self.owner.group),
                namespace.to_string(),
            ),
        ])
    }

    /// Sets the owner labels on every manifest (objects that are not JSON objects are left
    /// alone; apply rejects them).
    pub fn set_owner_labels(&self, objects: &mut [Value], name: &str, namespace: &str) {
        let labels = self.owner_labels(name, namespace);
        set_common_metadata(objects, &labels, &BTreeMap::new());
    }
}

/// Adds labels and annotations to every manifest, replacing existing values of the same keys
/// (`spec.commonMetadata`).
pub fn set_common_metadata(
    objects: &mut [Value],
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
) {
    for obj in objects {
        let Some(o) = obj.as_object_mut() else {
            continue;
        };
        let meta = o
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(meta) = meta.as_object_mut() else {
            continue;
        };
        for (field, values) in [("labels", labels), ("annotations", annotations)] {
            if values.is_empty() {
                continue;
            }
            let m = meta
                .entry(field)
                .or_insert_with(|| Value::Object(Map::new()));
            if !m.is_object() {
                *m = Value::Object(Map::new());
            }
            if let Some(m) = m.as_object_mut() {
                for (k, v) in values {
                    m.insert(k.clone(), Value::String(v.clone()));
                }
            }
        }
    }
}
