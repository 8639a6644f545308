//! HelmRepository: a Helm chart repository's index becomes an artifact (Flux's
//! `helmrepository_controller.go`).
//!
//! The steps run in Flux's order: storage (garbage collection, is the advertised artifact still
//! there and intact), source (URL checks, credentials and TLS from the Secrets, download of
//! `index.yaml` within `--helm-index-max-size`; an index whose digest equals the stored
//! revision stops here; otherwise it must parse as Helm parses it), artifact (the index stored
//! as Go's indented JSON, `index.yaml` linked to it). The revision is the digest of the index as
//! downloaded; the artifact's digest is that of the stored JSON. A HelmRepository of type `oci`
//! holds data for HelmCharts only: it is not reconciled, and what an earlier type left (the
//! artifacts, the finalizer, the status) is removed, as Flux's `migrationToStatic` does.

use crate::helm::repository::{ChartRepository, client_for};
use crate::reconcile::{
    StorageFailures, blocking, collect_garbage, lock_failed, names, notify_artifact,
    record_up_to_date, remove_all_artifacts, sibling, step_failed, store_artifact, stored_artifact,
};
use crate::storage::Storage;
use flux_api::ConditionStatus;
use flux_api::meta::{Artifact, reason};
use flux_api::source::{
    HelmRepository, INDEXATION_FAILED_REASON, condition_type as source_condition,
    reason as source_reason,
};
use flux_helm::repo::IndexFile;
use flux_runtime::reconcile::{Context, Disposition, Outcome, ReconcileError, Reconciler};
use serde_json::{Map, json};
use std::sync::Arc;

/// Conditions that only exist while a step fails; removed once the reconcile succeeds.
const NEGATIVE_CONDITIONS: [&str; 3] = [
    source_condition::FETCH_FAILED,
    source_condition::STORAGE_OPERATION_FAILED,
    source_condition::ARTIFACT_OUTDATED,
];

/// Reconciles HelmRepository objects into index artifacts in `storage`.
pub struct HelmRepositoryReconciler {
    storage: Arc<Storage>,
    /// `--helm-index-max-size`.
    index_max_size: u64,
}

impl HelmRepositoryReconciler {
    pub fn new(storage: Arc<Storage>, index_max_size: u64) -> Self {
        HelmRepositoryReconciler {
            storage,
            index_max_size,
        }
    }
}

/// A failure of a step: the negative condition it marks, next to Ready=False.
fn fail(
    condition: &'static str,
    disposition: Disposition,
    reason: &str,
    message: impl Into<String>,
) -> ReconcileError {
    step_failed(
        &NEGATIVE_CONDITIONS,
        condition,
        ConditionStatus::True,
        disposition,
        reason,
        message,
    )
}

/// The artifact step's failures, as Flux's HelmRepository reconciler reports them.
const FAILURES: StorageFailures = StorageFailures {
    storage: |reason, message| storage_failed(reason, message),
    lock: lock_failed,
};

fn fetch_failed(
    disposition: Disposition,
    reason: &str,
    message: impl Into<String>,
) -> ReconcileError {
    fail(source_condition::FETCH_FAILED, disposition, reason, message)
}

fn storage_failed(reason: &str, message: impl Into<String>) -> ReconcileError {
    fail(
        source_condition::STORAGE_OPERATION_FAILED,
        Disposition::Backoff,
        reason,
        message,
    )
}

/// What the source step fetched.
struct Fetched {
    /// The index as downloaded.
    bytes: Vec<u8>,
    /// Its digest: the artifact revision.
    revision: String,
}

impl Reconciler<HelmRepository> for HelmRepositoryReconciler {
    async fn reconcile(
        &self,
        obj: Arc<HelmRepository>,
        ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let advertised = obj.status.as_ref().and_then(|s| s.artifact.as_ref());
        let current = stored_artifact(&self.storage, &ctx, obj.as_ref(), advertised).await;
        let repository = client_for(&obj, &ctx)
            .await
            .map_err(|e| fetch_failed(e.disposition(), e.reason, e.message))?;
        let fetched = self.fetch(&repository).await?;
        if let Some(artifact) = current
            .as_ref()
            .filter(|a| a.revision == fetched.revision || same_digest(&a.revision, &fetched.bytes))
        {
            record_up_to_date(&ctx, obj.as_ref(), &artifact.revision).await;
            return Ok(self.success(artifact.clone()));
        }
        let Fetched { bytes, revision } = fetched;
        let index = IndexFile::from_bytes(&bytes).map_err(|e| {
            fetch_failed(
                Disposition::Backoff,
                INDEXATION_FAILED_REASON,
                format!(
                    "failed to load Helm repository from index YAML: failed to load index: {e}"
                ),
            )
        })?;
        // The parsed index is compact; the download need not stay beside it.
        drop(bytes);
        let artifact = self.store(&obj, &revision, index).await?;
        collect_garbage(&self.storage, &ctx, obj.as_ref(), &artifact).await;
        self.notify(&ctx, &obj, &artifact).await;
        Ok(self.success(artifact))
    }

    async fn cleanup(
        &self,
        obj: Arc<HelmRepository>,
        ctx: Arc<Context>,
    ) -> Result<(), ReconcileError> {
        remove_all_artifacts(&self.storage, &ctx, obj.as_ref()).await
    }
}

/// True when `revision` is the digest of `bytes` in the revision's own algorithm (the artifact
/// was stored with another `--artifact-digest-algo`).
fn same_digest(revision: &str, bytes: &[u8]) -> bool {
    revision
        .split_once(':')
        .and_then(|(algo, _)| crate::storage::DigestAlgorithm::parse(algo).ok())
        .is_some_and(|algo| algo.digest(bytes) == revision)
}

impl HelmRepositoryReconciler {
    /// Downloads the index and computes its revision.
    async fn fetch(&self, repository: &ChartRepository) -> Result<Fetched, ReconcileError> {
        let bytes = repository
            .download_index(self.index_max_size)
            .await
            .map_err(|e| {
                fetch_failed(
                    Disposition::Backoff,
                    reason::FAILED,
                    format!(
                        "failed to fetch Helm repository index: failed to cache index to temporary file: {e}"
                    ),
                )
            })?;
        let revision = self.storage.algorithm.digest(&bytes);
        Ok(Fetched { bytes, revision })
    }

    /// Writes the index as JSON to `index-<hex>.yaml` and points `index.yaml` at it.
    async fn store(
        &self,
        obj: &HelmRepository,
        revision: &str,
        index: IndexFile,
    ) -> Result<Artifact, ReconcileError> {
        let n = names(obj);
        let hex = revision.split_once(':').map_or(revision, |(_, h)| h);
        let artifact = self.storage.artifact_for(
            "HelmRepository",
            &n.namespace,
            &n.name,
            revision,
            &format!("index-{hex}.yaml"),
        );
        let storage = self.storage.clone();
        blocking(move || {
            store_artifact(
                &storage,
                artifact,
                "index.yaml",
                &FAILURES,
                |storage, artifact| {
                    storage
                        .write_with(artifact, |w| index.write_json(w))
                        .map_err(|e| {
                            storage_failed(
                                source_reason::ARCHIVE_OPERATION_FAILED,
                                format!("unable to save artifact to storage: {e}"),
                            )
                        })
                },
            )
        })
        .await?
    }

    fn success(&self, artifact: Artifact) -> Outcome {
        let message = format!("stored artifact: revision '{}'", artifact.revision);
        let mut status = Map::new();
        status.insert(
            "url".into(),
            json!(self.storage.url_for(&sibling(&artifact.path, "index.yaml"))),
        );
        status.insert("artifact".into(), json!(artifact));
        Outcome {
            reason: reason::SUCCEEDED.into(),
            message: message.clone(),
            status,
            conditions: vec![(
                source_condition::ARTIFACT_IN_STORAGE.into(),
                ConditionStatus::True,
                reason::SUCCEEDED.into(),
                message,
            )],
            remove_conditions: NEGATIVE_CONDITIONS.iter().map(|c| c.to_string()).collect(),
            requeue_after: None,
        }
    }

    /// Flux's `notify`: NewArtifact when the digest changed, Succeeded on recovery.
    async fn notify(&self, ctx: &Context, obj: &HelmRepository, artifact: &Artifact) {
        let size = artifact.size.map_or("unknown size".to_string(), |s| {
            format!("size {}", human_size(s as f64))
        });
        let message = format!("stored fetched index of {size} from '{}'", obj.spec.url);
        let previous = obj.status.as_ref().and_then(|s| s.artifact.as_ref());
        notify_artifact(
            ctx,
            obj,
            previous.map(|a| a.digest.as_str()),
            artifact,
            (source_reason::NEW_ARTIFACT, reason::SUCCEEDED),
            &message,
        )
        .await;
    }
}

/// docker/go-units `HumanSize`: four significant digits, decimal units.
pub fn human_size(size: f64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = size;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    format!("{}{}", go_g4(size), UNITS[unit])
}

/// Go's `%.4g` for 0 <= v < 1000: four significant digits, trailing zeros dropped.
fn go_g4(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits_before = (v.abs().log10().floor() as i32 + 1).max(1);
    let decimals = (4 - digits_before).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_go_units() {
        assert_eq!(human_size(0.0), "0B");
        assert_eq!(human_size(512.0), "512B");
        assert_eq!(human_size(1000.0), "1kB");
        assert_eq!(human_size(1234.0), "1.234kB");
        assert_eq!(human_size(15_360.0), "15.36kB");
        assert_eq!(human_size(1_500_000.0), "1.5MB");
        assert_eq!(human_size(52_428_800.0), "52.43MB");
    }

    #[test]
    fn links_and_prefixes() {
        assert_eq!(
            sibling("helmrepository/default/podinfo/index-ab.yaml", "index.yaml"),
            "helmrepository/default/podinfo/index.yaml"
        );
    }
}
