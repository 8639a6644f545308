//! Watches of related objects: "re-queue my objects when this other object changes".
//!
//! A [`RelatedWatch`] watches another kind, reduces each of its objects to a fingerprint of what
//! matters (e.g. a source's `status.artifact.revision`, a Secret's data), and when a fingerprint
//! changes (or the object appears or goes) re-queues every object of the controller's kind that
//! refers to it. Give the watches to [`crate::reconcile::run_with_watches`] or
//! [`crate::manager::Manager::add_controller_with_watches`].
//!
//! ```no_run
//! use flux_api::kustomize::Kustomization;
//! use flux_api::source::GitRepository;
//! use flux_runtime::watches::{ConfigKind, ConfigRef, RelatedWatch};
//!
//! // A Kustomization is re-queued when the GitRepository it builds from gets a new artifact.
//! let source = RelatedWatch::<Kustomization>::source_revision::<GitRepository>(|ks, repo| {
//!     let r = &ks.spec.source_ref;
//!     r.name == repo.metadata.name.clone().unwrap_or_default()
//!         && r.namespace.as_deref().or(ks.metadata.namespace.as_deref())
//!             == repo.metadata.namespace.as_deref()
//! });
//! // ...and when a Secret or ConfigMap labelled reconcile.fluxcd.io/watch=Enabled that it uses
//! // in postBuild.substituteFrom changes.
//! let configs = RelatedWatch::<Kustomization>::configs("reconcile.fluxcd.io/watch=Enabled", |ks| {
//!     ks.spec.post_build.iter()
//!         .flat_map(|p| p.substitute_from.iter().flatten())
//!         .map(|s| ConfigRef {
//!             kind: match s.kind {
//!                 flux_api::kustomize::ValuesReferenceKind::Secret => ConfigKind::Secret,
//!                 flux_api::kustomize::ValuesReferenceKind::ConfigMap => ConfigKind::ConfigMap,
//!             },
//!             name: s.name.clone(),
//!         })
//!         .collect()
//! });
//! let mut watches = vec![source];
//! watches.extend(configs);
//! ```

use crate::reconcile::FluxObject;
use futures::StreamExt;
use futures::stream::BoxStream;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Resource;
use kube::api::Api;
use kube::core::NamespaceResourceScope;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

type Starter<K> = Box<
    dyn FnOnce(kube::Client, Store<K>, Option<String>) -> BoxStream<'static, ObjectRef<K>> + Send,
>;

/// A watch of another kind whose changes re-queue the objects of `K` that refer to it.
pub struct RelatedWatch<K: FluxObject> {
    name: String,
    start: Starter<K>,
}

impl<K: FluxObject> Debug for RelatedWatch<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelatedWatch")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    AnyChange,
    ValueChange,
}

/// A Secret or ConfigMap an object refers to (in its own namespace).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConfigRef {
    pub kind: ConfigKind,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigKind {
    Secret,
    ConfigMap,
}

impl<K: FluxObject> RelatedWatch<K> {
    /// Watch every `R` (in all namespaces, or those matching `label_selector` when not empty);
    /// when `fingerprint(r)` changes, or `r` appears or is deleted, re-queue each `K` for which
    /// `refers_to(k, r)`.
    pub fn new<R, F, P>(label_selector: &str, fingerprint: F, refers_to: P) -> Self
    where
        R: Resource<DynamicType = (), Scope = NamespaceResourceScope>
            + Clone
            + Debug
            + DeserializeOwned
            + Send
            + Sync
            + 'static,
        F: Fn(&R) -> Option<String> + Send + Sync + 'static,
        P: Fn(&K, &R) -> bool + Send + Sync + 'static,
    {
        Self::build(label_selector, Trigger::AnyChange, fingerprint, refers_to)
    }

    /// As [`RelatedWatch::new`], but only a change of an already seen object to a new non-empty
    /// fingerprint triggers (not its first sighting, not its deletion, not losing the value), as
    /// Flux's source revision change predicate.
    pub fn on_value_change<R, F, P>(label_selector: &str, fingerprint: F, refers_to: P) -> Self
    where
        R: Resource<DynamicType = (), Scope = NamespaceResourceScope>
            + Clone
            + Debug
            + DeserializeOwned
            + Send
            + Sync
            + 'static,
        F: Fn(&R) -> Option<String> + Send + Sync + 'static,
        P: Fn(&K, &R) -> bool + Send + Sync + 'static,
    {
        Self::build(label_selector, Trigger::ValueChange, fingerprint, refers_to)
    }

    fn build<R, F, P>(label_selector: &str, trigger: Trigger, fingerprint: F, refers_to: P) -> Self
    where
        R: Resource<DynamicType = (), Scope = NamespaceResourceScope>
            + Clone
            + Debug
            + DeserializeOwned
            + Send
            + Sync
            + 'static,
        F: Fn(&R) -> Option<String> + Send + Sync + 'static,
        P: Fn(&K, &R) -> bool + Send + Sync + 'static,
    {
        let selector = label_selector.to_string();
        let name = format!(
            "{}{}",
            R::kind(&()),
            if selector.is_empty() {
                String::new()
            } else {
                format!(" ({selector})")
            }
        );
        let refers_to = Arc::new(refers_to);
        let start: Starter<K> = Box::new(move |client, store, namespace| {
            let api: Api<R> = match namespace {
                Some(namespace) => Api::namespaced(client, &namespace),
                None => Api::all(client),
            };
            let mut config = watcher::Config::default();
            if !selector.is_empty() {
                config = config.labels(&selector);
            }
            let mut seen: HashMap<(String, String), Option<String>> = HashMap::new();
            watcher(api, config)
                .default_backoff()
                .filter_map(move |event| {
                    let changed = match event {
                        Ok(watcher::Event::Apply(obj) | watcher::Event::InitApply(obj)) => {
                            let key = key_of(&obj);
                            let print = fingerprint(&obj);
                            let before = seen.insert(key, print.clone());
                            let fire = match trigger {
                                Trigger::AnyChange => before != Some(print),
                                Trigger::ValueChange => {
                                    matches!(before, Some(b) if print.is_some() && b != print)
                                }
                            };
                            fire.then_some(obj)
                        }
                        Ok(watcher::Event::Delete(obj)) => {
                            seen.remove(&key_of(&obj));
                            (trigger == Trigger::AnyChange).then_some(obj)
                        }
                        Ok(watcher::Event::Init | watcher::Event::InitDone) => None,
                        Err(err) => {
                            tracing::debug!(error = %err, "related watch error");
                            None
                        }
                    };
                    futures::future::ready(changed)
                })
                .flat_map(move |related: R| {
                    let refs: Vec<ObjectRef<K>> = store
                        .state()
                        .iter()
                        .filter(|k| refers_to(k, &related))
                        .map(|k| ObjectRef::from_obj(k.as_ref()))
                        .collect();
                    futures::stream::iter(refs)
                })
                .boxed()
        });
        RelatedWatch { name, start }
    }

    /// Re-queue objects when the `status.artifact.revision` of a source they refer to changes
    /// (Flux's source revision change predicate: a seen source gets an artifact or a new
    /// revision; creation and deletion do not trigger): for the source kinds GitRepository,
    /// OCIRepository, Bucket, HelmChart, ExternalArtifact.
    pub fn source_revision<R>(refers_to: impl Fn(&K, &R) -> bool + Send + Sync + 'static) -> Self
    where
        R: Resource<DynamicType = (), Scope = NamespaceResourceScope>
            + Clone
            + Debug
            + DeserializeOwned
            + Serialize
            + Send
            + Sync
            + 'static,
    {
        Self::on_value_change::<R, _, _>("", artifact_revision::<R>, refers_to)
    }

    /// Re-queue objects when a Secret or ConfigMap they refer to (in their namespace) is created,
    /// changed (any new resourceVersion, as Flux's predicate) or deleted, for Secrets and
    /// ConfigMaps matching `label_selector` (`--watch-configs-label-selector`, Flux's
    /// `reconcile.fluxcd.io/watch=Enabled`).
    pub fn configs(
        label_selector: &str,
        references: impl Fn(&K) -> Vec<ConfigRef> + Send + Sync + 'static,
    ) -> Vec<Self> {
        let references = Arc::new(references);
        let for_secrets = references.clone();
        let secrets = Self::new::<Secret, _, _>(
            label_selector,
            |s: &Secret| s.metadata.resource_version.clone(),
            move |k, s| refers_to_config(for_secrets.as_ref(), k, ConfigKind::Secret, s.meta()),
        );
        let for_maps = references;
        let maps = Self::new::<ConfigMap, _, _>(
            label_selector,
            |c: &ConfigMap| c.metadata.resource_version.clone(),
            move |k, c| refers_to_config(for_maps.as_ref(), k, ConfigKind::ConfigMap, c.meta()),
        );
        vec![secrets, maps]
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Start watching in all namespaces: the stream of objects to re-queue.
    pub fn start(self, client: kube::Client, store: Store<K>) -> BoxStream<'static, ObjectRef<K>> {
        (self.start)(client, store, None)
    }

    /// Start watching in one namespace (None: all), as the harness does under
    /// `--watch-all-namespaces=false`.
    pub fn start_in(
        self,
        client: kube::Client,
        store: Store<K>,
        namespace: Option<String>,
    ) -> BoxStream<'static, ObjectRef<K>> {
        (self.start)(client, store, namespace)
    }
}

/// Flux's watches for Kustomizations: their source (GitRepository, OCIRepository, Bucket,
/// ExternalArtifact) gets a new artifact revision — skipping Kustomizations that are Ready and
/// already attempted that revision, as kustomize-controller does — and, with a non-empty
/// `configs_label_selector`, the labelled ConfigMaps and Secrets of `postBuild.substituteFrom`
/// change.
pub fn kustomization_watches(
    configs_label_selector: &str,
) -> Vec<RelatedWatch<flux_api::kustomize::Kustomization>> {
    use flux_api::kustomize::{Kustomization, SourceKind, ValuesReferenceKind};
    use flux_api::source::{Bucket, ExternalArtifact, GitRepository, OCIRepository};

    fn uses<R: Resource<DynamicType = ()> + Serialize>(
        ks: &Kustomization,
        kind: SourceKind,
        source: &R,
    ) -> bool {
        let r = &ks.spec.source_ref;
        let namespace = r
            .namespace
            .as_deref()
            .filter(|n| !n.is_empty())
            .or(ks.metadata.namespace.as_deref());
        if r.kind != kind
            || Some(r.name.as_str()) != source.meta().name.as_deref()
            || namespace != source.meta().namespace.as_deref()
        {
            return false;
        }
        let Some(revision) = artifact_revision(source) else {
            return false;
        };
        let status = ks.status.as_ref();
        let ready = status.is_some_and(flux_api::HasConditions::is_ready);
        let attempted = status
            .and_then(|s| s.last_attempted_revision.as_deref())
            .unwrap_or("");
        !(ready && crate::dependencies::same_revision(&revision, attempted))
    }

    let mut watches = vec![
        RelatedWatch::source_revision::<GitRepository>(|k, s| {
            uses(k, SourceKind::GitRepository, s)
        }),
        RelatedWatch::source_revision::<OCIRepository>(|k, s| {
            uses(k, SourceKind::OCIRepository, s)
        }),
        RelatedWatch::source_revision::<Bucket>(|k, s| uses(k, SourceKind::Bucket, s)),
        RelatedWatch::source_revision::<ExternalArtifact>(|k, s| {
            uses(k, SourceKind::ExternalArtifact, s)
        }),
    ];
    if !configs_label_selector.is_empty() {
        watches.extend(RelatedWatch::configs(
            configs_label_selector,
            |ks: &Kustomization| {
                ks.spec
                    .post_build
                    .iter()
                    .flat_map(|p| p.substitute_from.iter().flatten())
                    .map(|s| ConfigRef {
                        kind: match s.kind {
                            ValuesReferenceKind::Secret => ConfigKind::Secret,
                            ValuesReferenceKind::ConfigMap => ConfigKind::ConfigMap,
                        },
                        name: s.name.clone(),
                    })
                    .collect()
            },
        ));
    }
    watches
}

fn key_of<R: Resource>(obj: &R) -> (String, String) {
    (
        obj.meta().namespace.clone().unwrap_or_default(),
        obj.meta().name.clone().unwrap_or_default(),
    )
}

fn refers_to_config<K: FluxObject>(
    references: &(dyn Fn(&K) -> Vec<ConfigRef> + Send + Sync),
    object: &K,
    kind: ConfigKind,
    config: &kube::api::ObjectMeta,
) -> bool {
    if object.meta().namespace != config.namespace {
        return false;
    }
    let name = config.name.as_deref().unwrap_or_default();
    references(object)
        .iter()
        .any(|r| r.kind == kind && r.name == name)
}

/// `status.artifact.revision` of any source kind.
pub fn artifact_revision<R: Serialize>(source: &R) -> Option<String> {
    let value = serde_json::to_value(source).ok()?;
    value
        .pointer("/status/artifact/revision")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_artifact_revision_is_read_from_any_source() {
        let repo: flux_api::source::GitRepository = serde_json::from_value(serde_json::json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "r", "namespace": "n"},
            "spec": {"url": "https://x", "interval": "1m"},
            "status": {"artifact": {"path": "p", "url": "u", "revision": "main@sha1:abc",
                                    "digest": "sha256:0", "lastUpdateTime": "2024-01-01T00:00:00Z"}}
        }))
        .unwrap();
        assert_eq!(artifact_revision(&repo).as_deref(), Some("main@sha1:abc"));
        let bare: flux_api::source::GitRepository = serde_json::from_value(serde_json::json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "r", "namespace": "n"},
            "spec": {"url": "https://x", "interval": "1m"}
        }))
        .unwrap();
        assert_eq!(artifact_revision(&bare), None);
    }
}
