//! Steps every source kind shares, worded as Flux's reconcilers word them: the storage step
//! (garbage collection, is the advertised artifact still there and intact), deletion's cleanup,
//! events, Secrets, and running blocking storage work off the async threads.

use crate::storage::Storage;
use flux_api::meta::{Artifact, reason};
use flux_api::source::reason as source_reason;
use flux_runtime::events::{InvolvedObject, Severity};
use flux_runtime::reconcile::{Context, Disposition, ReconcileError};
use k8s_openapi::api::core::v1::Secret;
use kube::{Api, Resource};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Namespace and name of an object.
pub struct Names {
    pub namespace: String,
    pub name: String,
}

pub fn names<K: Resource>(obj: &K) -> Names {
    let meta = obj.meta();
    Names {
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
    }
}

/// Runs storage or Git work on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ReconcileError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ReconcileError::new(
            Disposition::Backoff,
            reason::FAILED,
            format!("internal error: {e}"),
        )
    })
}

/// Records a Kubernetes event (and forwards it to the notification-controller).
pub async fn record<K: Resource<DynamicType = ()>>(
    ctx: &Context,
    obj: &K,
    severity: Severity,
    reason: &str,
    message: &str,
    metadata: &BTreeMap<String, String>,
) {
    ctx.events
        .record(
            &InvolvedObject::of(obj),
            obj.meta().annotations.as_ref(),
            severity,
            reason,
            message,
            metadata,
        )
        .await;
}

/// The message of a Kubernetes API error without the client's wrapping.
pub fn kube_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

/// The data of Secret `namespace/name`, or Flux's "failed to get secret" message.
pub async fn secret_data(
    ctx: &Context,
    namespace: &str,
    name: &str,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), namespace);
    let secret = api.get(name).await.map_err(|e| {
        format!(
            "failed to get secret '{namespace}/{name}': {}",
            kube_message(&e)
        )
    })?;
    Ok(secret
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .collect())
}

/// A failed step: its condition (`status`, True for the negative ones) next to Ready=False.
/// The kind's other negative conditions go, as each Flux step deletes its own once it has
/// succeeded and the failing step is the last one that ran.
pub fn step_failed(
    negative: &[&'static str],
    condition: &'static str,
    status: flux_api::ConditionStatus,
    disposition: Disposition,
    reason: &str,
    message: impl Into<String>,
) -> ReconcileError {
    let resolved: Vec<&str> = negative
        .iter()
        .copied()
        .filter(|c| *c != condition)
        .collect();
    ReconcileError::new(disposition, reason, message)
        .removing(&resolved)
        .with_condition(condition, status)
}

/// True when the object's Ready condition is False (a success after it is a recovery).
pub fn was_failing(conditions: &[flux_api::Condition]) -> bool {
    conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == flux_api::ConditionStatus::False)
}

enum Stored {
    Intact,
    Missing,
    Corrupt(String),
}

/// The storage step: garbage-collect old artifacts, then return the advertised artifact if it
/// is still in storage with its digest, its URL pointed at this server. A corrupt file is
/// removed and reported, so the next steps build it again.
pub async fn stored_artifact<K: Resource<DynamicType = ()>>(
    storage: &Arc<Storage>,
    ctx: &Context,
    obj: &K,
    advertised: Option<&Artifact>,
) -> Option<Artifact> {
    let mut artifact = advertised?.clone();
    collect_garbage(storage, ctx, obj, &artifact).await;
    let checked = artifact.clone();
    let store = storage.clone();
    let state = blocking(move || {
        if !store.artifact_exists(&checked) {
            return Stored::Missing;
        }
        match store.verify_artifact(&checked) {
            Ok(()) => Stored::Intact,
            Err(e) => {
                if let Err(e) = store.remove(&checked) {
                    tracing::warn!(error = %e, "failed to remove artifact after digest mismatch");
                }
                Stored::Corrupt(e.to_string())
            }
        }
    })
    .await
    .ok()?;
    match state {
        Stored::Intact => {
            storage.set_artifact_url(&mut artifact);
            Some(artifact)
        }
        Stored::Missing => None,
        Stored::Corrupt(e) => {
            record(
                ctx,
                obj,
                Severity::Error,
                "ArtifactVerificationFailed",
                &format!("failed to verify integrity of artifact: {e}"),
                &BTreeMap::new(),
            )
            .await;
            None
        }
    }
}

/// Deletes the object's artifacts other than `current` past the retention rules.
pub async fn collect_garbage<K: Resource<DynamicType = ()>>(
    storage: &Arc<Storage>,
    ctx: &Context,
    obj: &K,
    current: &Artifact,
) {
    let store = storage.clone();
    let current = current.clone();
    match blocking(move || store.garbage_collect(&current)).await {
        Ok(Ok(deleted)) if !deleted.is_empty() => {
            record(
                ctx,
                obj,
                Severity::Trace,
                source_reason::GARBAGE_COLLECTION_SUCCEEDED,
                &format!("garbage collected {} artifacts", deleted.len()),
                &BTreeMap::new(),
            )
            .await;
        }
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            record(
                ctx,
                obj,
                Severity::Error,
                source_reason::GARBAGE_COLLECTION_FAILED,
                &format!("garbage collection of artifacts failed: {e}"),
                &BTreeMap::new(),
            )
            .await;
        }
        Err(e) => tracing::warn!(error = %e, "garbage collection did not run"),
    }
}

/// Deletion: every artifact of the object goes.
pub async fn remove_all_artifacts<K: Resource<DynamicType = ()>>(
    storage: &Arc<Storage>,
    ctx: &Context,
    obj: &K,
) -> Result<(), ReconcileError> {
    let n = names(obj);
    let kind = K::kind(&()).into_owned();
    let store = storage.clone();
    let removed = blocking(move || store.remove_all(&kind, &n.namespace, &n.name))
        .await?
        .map_err(|e| {
            ReconcileError::new(
                Disposition::Backoff,
                source_reason::GARBAGE_COLLECTION_FAILED,
                format!("garbage collection for deleted resource failed: {e}"),
            )
        })?;
    if removed {
        record(
            ctx,
            obj,
            Severity::Trace,
            source_reason::GARBAGE_COLLECTION_SUCCEEDED,
            "garbage collected artifacts for deleted resource",
            &BTreeMap::new(),
        )
        .await;
    }
    Ok(())
}

/// `<dir>/<name>` beside the artifact's file (`latest.tar.gz`, `index.yaml`).
pub fn sibling(path: &str, name: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{name}"),
        None => name.to_string(),
    }
}

/// How a kind reports the artifact step's storage failures.
pub struct StorageFailures {
    /// A StorageOperationFailed failure with this reason and message.
    pub storage: fn(&str, String) -> ReconcileError,
    /// The artifact's lock could not be taken.
    pub lock: fn(String) -> ReconcileError,
}

/// The artifact step's storage work, as each Flux reconciler does it: the object's folder, the
/// artifact's lock, then `write` (which sets digest and size), then `link` pointed at the new
/// file on a best-effort basis.
pub fn store_artifact(
    storage: &Storage,
    mut artifact: Artifact,
    link: &str,
    failures: &StorageFailures,
    write: impl FnOnce(&Storage, &mut Artifact) -> Result<(), ReconcileError>,
) -> Result<Artifact, ReconcileError> {
    storage.mkdir_all(&artifact).map_err(|e| {
        (failures.storage)(
            source_reason::DIR_CREATION_FAILED,
            format!("failed to create artifact directory: {e}"),
        )
    })?;
    let _lock = storage
        .lock(&artifact)
        .map_err(|e| (failures.lock)(format!("failed to acquire lock for artifact: {e}")))?;
    write(storage, &mut artifact)?;
    if let Err(e) = storage.symlink(&artifact, link) {
        tracing::info!(error = %e, "failed to update status URL symlink");
    }
    Ok(artifact)
}

/// The lock failure of the kinds that report it without a condition (reason `Failed`).
pub fn lock_failed(message: String) -> ReconcileError {
    ReconcileError::new(Disposition::Backoff, reason::FAILED, message)
}

/// Flux's `notify` after a stored artifact: `new_reason` when the digest changed, `recovered`
/// when the object was failing; nothing otherwise. The revision and digest go along as the
/// event's metadata.
pub async fn notify_artifact<
    K: Resource<DynamicType = ()> + flux_runtime::reconcile::FluxObject,
>(
    ctx: &Context,
    obj: &K,
    previous_digest: Option<&str>,
    artifact: &Artifact,
    reasons: (&str, &str),
    message: &str,
) {
    let (new_reason, recovered) = reasons;
    let reason = if previous_digest != Some(artifact.digest.as_str()) {
        new_reason
    } else if was_failing(&obj.status_conditions()) {
        recovered
    } else {
        return;
    };
    let metadata = BTreeMap::from([
        ("revision".to_string(), artifact.revision.clone()),
        ("digest".to_string(), artifact.digest.clone()),
    ]);
    let n = names(obj);
    tracing::info!(namespace = %n.namespace, name = %n.name, "{message}");
    record(ctx, obj, Severity::Info, reason, message, &metadata).await;
}

/// A checkout or an extracted layer archived as Flux archives sources: the `.sourceignore`
/// files in it and spec.ignore (or, without either, the default patterns), VCS files always
/// left out.
pub fn archive_source(
    storage: &Storage,
    artifact: &mut Artifact,
    dir: &std::path::Path,
    spec_ignore: Option<&str>,
    failures: &StorageFailures,
) -> Result<(), ReconcileError> {
    let mut patterns = crate::ignore::load_ignore_files(dir).map_err(|e| {
        ReconcileError::new(
            Disposition::Backoff,
            "SourceIgnoreError",
            format!("failed to load source ignore patterns from repository: {e}"),
        )
    })?;
    if let Some(text) = spec_ignore {
        patterns.extend(crate::ignore::read_patterns(text, &[]));
    }
    let matcher = crate::ignore::IgnoreMatcher::for_source(patterns);
    storage.archive(artifact, dir, Some(&matcher)).map_err(|e| {
        (failures.storage)(
            source_reason::ARCHIVE_OPERATION_FAILED,
            format!("unable to archive artifact to storage: {e}"),
        )
    })
}

/// Flux's `TempDirForObj`: a scratch folder `<kind>-<namespace>-<name>-*` under `base`,
/// removed when dropped.
pub fn work_dir<K: Resource<DynamicType = ()>>(
    base: &std::path::Path,
    obj: &K,
    failures: &StorageFailures,
) -> Result<tempfile::TempDir, ReconcileError> {
    let n = names(obj);
    let kind = K::kind(&()).to_lowercase();
    tempfile::Builder::new()
        .prefix(&format!("{kind}-{}-{}-", n.namespace, n.name))
        .tempdir_in(base)
        .map_err(|e| {
            (failures.storage)(
                source_reason::DIR_CREATION_FAILED,
                format!("failed to create temporary working directory: {e}"),
            )
        })
}

/// The trace event of a reconcile that found the stored artifact current.
pub async fn record_up_to_date<K: Resource<DynamicType = ()>>(
    ctx: &Context,
    obj: &K,
    revision: &str,
) {
    record(
        ctx,
        obj,
        Severity::Trace,
        source_reason::ARTIFACT_UP_TO_DATE,
        &format!("artifact up-to-date with remote revision: '{revision}'"),
        &BTreeMap::new(),
    )
    .await;
}
