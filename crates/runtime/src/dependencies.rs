//! `spec.dependsOn`: an object waits until the objects it depends on are ready, as Flux's
//! kustomize- and helm-controller check it. Each dependency (namespace defaulting to the
//! dependent's own) must
//! - exist (read live from the API server, not a cache);
//! - have conditions, with `status.observedGeneration == metadata.generation`;
//! - be Ready=True;
//! - for Kustomizations using the same source as the dependent: have applied the source's current
//!   artifact revision (`status.lastAppliedRevision`, legacy revision formats accepted).
//!
//! A dependency not ready yields [`Disposition::Waiting`] (requeue at `--requeue-dependency`) with
//! reason `DependencyNotReady` and Flux's message naming it, e.g.
//! `dependency 'flux-system/infra' is not ready`.
//!
//! `readyExpr` (CEL) is not evaluated: flux-rs has no CEL engine yet, so a dependency carrying one
//! is refused with Stalled / `InvalidCELExpression` and a message saying so, rather than being
//! treated as ready or as not ready.

use crate::reconcile::{Disposition, ReconcileError};
use flux_api::HasConditions;
use flux_api::kustomize::DependencyReference;
use flux_api::meta::reason::{DEPENDENCY_NOT_READY, INVALID_CEL_EXPRESSION};
use kube::api::Api;
use serde::de::DeserializeOwned;
use std::fmt::Debug;

/// The source an object builds from, to compare revisions between dependent and dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceKey {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// A kind with `spec.dependsOn`.
pub trait Dependent:
    kube::Resource<DynamicType = (), Scope = kube::core::NamespaceResourceScope>
    + Clone
    + Debug
    + DeserializeOwned
    + Send
    + Sync
    + 'static
{
    fn depends_on(&self) -> &[DependencyReference];
    fn observed_generation(&self) -> Option<i64>;
    fn conditions(&self) -> Vec<flux_api::Condition>;
    /// The source this object builds from (None for kinds whose dependencies are not compared
    /// by revision, such as HelmRelease).
    fn source(&self) -> Option<SourceKey> {
        None
    }
    /// `status.lastAppliedRevision`, for the revision comparison.
    fn last_applied_revision(&self) -> Option<&str> {
        None
    }
    /// The message for a dependency that cannot be read (kustomize-controller's wording).
    fn unreadable_dependency(id: &str, error: &str) -> String {
        format!("dependency '{id}' not found: {error}")
    }
}

impl Dependent for flux_api::kustomize::Kustomization {
    fn depends_on(&self) -> &[DependencyReference] {
        self.spec.depends_on.as_deref().unwrap_or_default()
    }
    fn observed_generation(&self) -> Option<i64> {
        self.status.as_ref()?.observed_generation
    }
    fn conditions(&self) -> Vec<flux_api::Condition> {
        self.status
            .as_ref()
            .map(|s| s.conditions().to_vec())
            .unwrap_or_default()
    }
    fn source(&self) -> Option<SourceKey> {
        let source = &self.spec.source_ref;
        let kind = serde_json::to_value(source.kind)
            .ok()?
            .as_str()
            .map(str::to_string)?;
        Some(SourceKey {
            kind,
            namespace: source
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .or_else(|| self.metadata.namespace.clone())
                .unwrap_or_default(),
            name: source.name.clone(),
        })
    }
    fn last_applied_revision(&self) -> Option<&str> {
        self.status.as_ref()?.last_applied_revision.as_deref()
    }
}

impl Dependent for flux_api::helm::HelmRelease {
    /// helm-controller's wording.
    fn unreadable_dependency(id: &str, error: &str) -> String {
        format!("unable to get '{id}' dependency: {error}")
    }
    fn depends_on(&self) -> &[DependencyReference] {
        self.spec.depends_on.as_deref().unwrap_or_default()
    }
    fn observed_generation(&self) -> Option<i64> {
        self.status.as_ref()?.observed_generation
    }
    fn conditions(&self) -> Vec<flux_api::Condition> {
        self.status
            .as_ref()
            .map(|s| s.conditions().to_vec())
            .unwrap_or_default()
    }
}

/// Check every dependency of `object`. `source_revision` is the current artifact revision of the
/// object's source (for Kustomizations), used to require that dependencies building from the same
/// source have applied it.
pub async fn check_dependencies<K: Dependent>(
    client: &kube::Client,
    object: &K,
    source_revision: Option<&str>,
) -> Result<(), ReconcileError> {
    let own_namespace = object.meta().namespace.clone().unwrap_or_default();
    for dep_ref in object.depends_on() {
        let namespace = dep_ref
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| own_namespace.clone());
        let id = format!("{namespace}/{}", dep_ref.name);
        let api: Api<K> = Api::namespaced(client.clone(), &namespace);
        let dep = match api.get_opt(&dep_ref.name).await {
            Ok(Some(dep)) => dep,
            Ok(None) => {
                // The API server's NotFound message, as Flux wraps it.
                let missing = format!(
                    "{}.{} \"{}\" not found",
                    K::plural(&()),
                    K::group(&()),
                    dep_ref.name
                );
                return Err(not_ready(K::unreadable_dependency(&id, &missing)));
            }
            Err(err) => {
                return Err(not_ready(K::unreadable_dependency(&id, &err.to_string())));
            }
        };
        if dep_ref.ready_expr.as_deref().is_some_and(|e| !e.is_empty()) {
            return Err(ReconcileError::new(
                Disposition::Stalled,
                INVALID_CEL_EXPRESSION,
                format!(
                    "dependency '{id}': readyExpr is not supported yet (flux-rs has no CEL \
                     evaluator); remove readyExpr to use the built-in readiness check"
                ),
            ));
        }
        check_one(object, &dep, &id, source_revision)?;
    }
    Ok(())
}

/// The built-in readiness check of one fetched dependency.
pub fn check_one<K: Dependent>(
    object: &K,
    dep: &K,
    id: &str,
    source_revision: Option<&str>,
) -> Result<(), ReconcileError> {
    let conditions = dep.conditions();
    if conditions.is_empty() || dep.meta().generation != dep.observed_generation() {
        return Err(not_ready(format!("dependency '{id}' is not ready")));
    }
    if !conditions.is_ready() {
        return Err(not_ready(format!("dependency '{id}' is not ready")));
    }
    if let (Some(ours), Some(theirs), Some(revision)) =
        (object.source(), dep.source(), source_revision)
        && ours == theirs
        && !same_revision(revision, dep.last_applied_revision().unwrap_or(""))
    {
        return Err(not_ready(format!(
            "dependency '{id}' revision is not up to date"
        )));
    }
    Ok(())
}

fn not_ready(message: String) -> ReconcileError {
    ReconcileError::new(Disposition::Waiting, DEPENDENCY_NOT_READY, message)
}

/// Revisions compared as Flux's `Artifact.HasRevision`: legacy forms (`main/<sha>`, bare `<sha>`)
/// are first rewritten to the current ones (`main@sha1:<sha>`, `sha1:<sha>`).
pub fn same_revision(a: &str, b: &str) -> bool {
    transform_legacy_revision(a) == transform_legacy_revision(b)
}

fn sha_algorithm(s: &str) -> Option<&'static str> {
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match s.len() {
        40 => Some("sha1"),
        64 => Some("sha256"),
        _ => None,
    }
}

fn transform_legacy_revision(revision: &str) -> String {
    if revision.is_empty() || revision.contains(':') {
        return revision.to_string();
    }
    if let Some((name, sha)) = revision.rsplit_once('/')
        && let Some(algo) = sha_algorithm(sha)
    {
        return if name == "HEAD" {
            format!("{algo}:{sha}")
        } else {
            format!("{name}@{algo}:{sha}")
        };
    }
    match sha_algorithm(revision) {
        Some(algo) => format!("{algo}:{revision}"),
        None => revision.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helm_release(generation: i64, status: serde_json::Value) -> flux_api::helm::HelmRelease {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": "db", "namespace": "apps", "generation": generation},
            "spec": {"interval": "5m", "chartRef": {"kind": "OCIRepository", "name": "db"}},
            "status": status
        }))
        .unwrap()
    }

    #[test]
    fn helm_release_dependencies_need_current_generation_and_ready() {
        let ready = serde_json::json!({"observedGeneration": 2, "conditions": [{"type": "Ready",
            "status": "True", "reason": "UpgradeSucceeded", "message": "",
            "lastTransitionTime": "2024-01-01T00:00:00Z"}]});
        let dependent = helm_release(1, serde_json::json!({}));
        assert!(check_one(&dependent, &helm_release(2, ready.clone()), "apps/db", None).is_ok());
        let err = check_one(&dependent, &helm_release(3, ready), "apps/db", None).unwrap_err();
        assert_eq!(err.message, "dependency 'apps/db' is not ready");
        assert_eq!(err.disposition, Disposition::Waiting);
        let err = check_one(
            &dependent,
            &helm_release(1, serde_json::json!({})),
            "apps/db",
            None,
        )
        .unwrap_err();
        assert_eq!(err.reason, "DependencyNotReady");
        assert_eq!(
            <flux_api::helm::HelmRelease as Dependent>::unreadable_dependency("apps/db", "boom"),
            "unable to get 'apps/db' dependency: boom"
        );
    }

    #[test]
    fn legacy_revisions_compare_equal_to_current_ones() {
        let sha = "a".repeat(40);
        assert!(same_revision(
            &format!("main@sha1:{sha}"),
            &format!("main/{sha}")
        ));
        assert!(same_revision(&format!("sha1:{sha}"), &sha));
        assert!(same_revision(
            &format!("sha1:{sha}"),
            &format!("HEAD/{sha}")
        ));
        assert!(!same_revision(
            &format!("main@sha1:{sha}"),
            &format!("dev@sha1:{sha}")
        ));
        assert!(same_revision("v1.0.0", "v1.0.0"));
        assert!(!same_revision("v1.0.0", ""));
    }
}
