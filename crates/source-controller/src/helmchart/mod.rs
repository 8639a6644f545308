//! HelmChart: a chart becomes a `.tgz` artifact (Flux's `helmchart_controller.go` and its
//! chart builders).
//!
//! The steps run in Flux's order: storage (as every source); source (the object of
//! `spec.sourceRef` in the HelmChart's namespace); build, by the source's kind: the remote
//! builder for an HTTP(S) HelmRepository (the chart reference checked, the version picked from
//! the stored index as Flux's `GetChartVersion`, the archive downloaded within
//! `--helm-chart-max-size` unless the stored artifact already holds that chart and version and
//! the spec did not change, its metadata validated, values files merged into a repackaged
//! chart), the same over an OCI HelmRepository (`oci.rs`: versions from the registry's tags,
//! `spec.verify` with cosign keys), the local builder for a GitRepository or a Bucket
//! (`local.rs`); artifact (`<chart>-<version>.tgz`, with `latest.tar.gz` linked to it).
//! Keyless and notation verification are Stalled with a message that says so.

use crate::helm::repository::client_for;
use crate::reconcile::{
    StorageFailures, blocking, collect_garbage, kube_message, names, notify_artifact,
    record_up_to_date, remove_all_artifacts, sibling, step_failed, store_artifact, stored_artifact,
};
use crate::storage::Storage;
use flux_api::ConditionStatus;
use flux_api::meta::Artifact;
use flux_api::source::{
    CHART_PACKAGE_SUCCEEDED_REASON, CHART_PULL_SUCCEEDED_REASON, HelmChart, HelmChartSourceKind,
    HelmRepository, NO_SOURCE_ARTIFACT_REASON, SOURCE_UNAVAILABLE_REASON, build_error_reason,
    condition_type as source_condition, reason as source_reason,
};
use flux_helm::repo::{ChartVersion, IndexFile};
use flux_runtime::reconcile::{
    Context, Disposition, FluxObject, Outcome, ReconcileError, Reconciler,
};
use flux_runtime::watches::RelatedWatch;

mod local;
mod oci;
use kube::Api;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Conditions that only exist while a step fails; removed once the reconcile succeeds.
const NEGATIVE_CONDITIONS: [&str; 4] = [
    source_condition::FETCH_FAILED,
    source_condition::BUILD_FAILED,
    source_condition::STORAGE_OPERATION_FAILED,
    source_condition::ARTIFACT_OUTDATED,
];

/// Reconciles HelmChart objects into chart artifacts in `storage`.
pub struct HelmChartReconciler {
    storage: Arc<Storage>,
    /// `--helm-chart-max-size`.
    chart_max_size: u64,
    /// `--helm-index-max-size`, for the repositories of dependencies.
    index_max_size: u64,
}

impl HelmChartReconciler {
    pub fn new(storage: Arc<Storage>, chart_max_size: u64) -> Self {
        HelmChartReconciler {
            storage,
            chart_max_size,
            index_max_size: 50 << 20,
        }
    }

    /// `--helm-index-max-size` for the chart repositories that dependencies come from.
    pub fn with_index_max_size(mut self, max: u64) -> Self {
        self.index_max_size = max;
        self
    }
}

/// A HelmChart is reconciled again when the HelmRepository it pulls from gets a new index.
pub fn watches() -> Vec<RelatedWatch<HelmChart>> {
    fn refers(chart: &HelmChart, kind: HelmChartSourceKind, meta: &kube::api::ObjectMeta) -> bool {
        chart.spec.source_ref.kind == kind
            && Some(&chart.spec.source_ref.name) == meta.name.as_ref()
            && chart.metadata.namespace == meta.namespace
    }
    vec![
        RelatedWatch::<HelmChart>::source_revision::<HelmRepository>(|chart, repo| {
            refers(chart, HelmChartSourceKind::HelmRepository, &repo.metadata)
        }),
        RelatedWatch::<HelmChart>::source_revision::<flux_api::source::GitRepository>(
            |chart, repo| refers(chart, HelmChartSourceKind::GitRepository, &repo.metadata),
        ),
        RelatedWatch::<HelmChart>::source_revision::<flux_api::source::Bucket>(|chart, bucket| {
            refers(chart, HelmChartSourceKind::Bucket, &bucket.metadata)
        }),
    ]
}

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

fn storage_failed(reason: &str, message: String) -> ReconcileError {
    fail(
        source_condition::STORAGE_OPERATION_FAILED,
        Disposition::Backoff,
        reason,
        message,
    )
}

/// The artifact step's failures, as Flux's HelmChart reconciler reports them (the lock too).
const FAILURES: StorageFailures = StorageFailures {
    storage: storage_failed,
    lock: |message| storage_failed(source_reason::ACQUIRE_LOCK_FAILED, message),
};

fn fetch_failed(
    disposition: Disposition,
    reason: &str,
    message: impl Into<String>,
) -> ReconcileError {
    fail(source_condition::FETCH_FAILED, disposition, reason, message)
}

/// A chart build error as Flux's `BuildError` words it: `<summary>: <cause>`.
fn build_failed(reason: &'static str, cause: impl std::fmt::Display) -> ReconcileError {
    let (summary, condition, disposition) = match reason {
        build_error_reason::CHART_REFERENCE => (
            "invalid chart reference",
            source_condition::FETCH_FAILED,
            Disposition::Stalled,
        ),
        build_error_reason::CHART_PULL => (
            "chart pull error",
            source_condition::FETCH_FAILED,
            Disposition::Backoff,
        ),
        build_error_reason::VALUES_FILES_MERGE => (
            "values files merge error",
            source_condition::BUILD_FAILED,
            Disposition::Stalled,
        ),
        build_error_reason::DEPENDENCY_BUILD => (
            "dependency build error",
            source_condition::BUILD_FAILED,
            Disposition::Backoff,
        ),
        build_error_reason::CHART_METADATA_PATCH => (
            "chart metadata patch error",
            source_condition::BUILD_FAILED,
            Disposition::Backoff,
        ),
        _ => (
            "chart package error",
            source_condition::BUILD_FAILED,
            Disposition::Backoff,
        ),
    };
    fail(
        condition,
        disposition,
        reason,
        format!("{summary}: {cause}"),
    )
}

/// What a build made (Flux's `chart.Build`): the chart, its version (with Flux's build
/// metadata when values files are merged), whether it was repackaged, the values files merged.
struct Build {
    name: String,
    version: String,
    packaged: bool,
    values_files: Vec<String>,
}

impl Build {
    /// Flux's `Build.Summary`.
    fn summary(&self) -> String {
        let action = if self.packaged { "packaged" } else { "pulled" };
        let mut s = format!(
            "{action} '{}' chart with version '{}'",
            self.name, self.version
        );
        if !self.values_files.is_empty() {
            s.push_str(&format!(
                " and merged values files [{}]",
                self.values_files.join(" ")
            ));
        }
        s
    }

    fn reason(&self) -> &'static str {
        if self.packaged {
            CHART_PACKAGE_SUCCEEDED_REASON
        } else {
            CHART_PULL_SUCCEEDED_REASON
        }
    }
}

/// Flux's `setBuildMetaData`: the chart version with `+<generation>` as its build metadata.
fn with_build_metadata(version: &str, metadata: &str) -> Result<String, ReconcileError> {
    let mut parsed = flux_helm::funcs::semver::Version::parse(version).ok_or_else(|| {
        build_failed(
            build_error_reason::CHART_METADATA_PATCH,
            format!("failed to parse version from chart metadata as SemVer: Invalid Semantic Version: {version}"),
        )
    })?;
    parsed.meta = metadata.to_string();
    Ok(parsed.to_canonical())
}

impl Reconciler<HelmChart> for HelmChartReconciler {
    async fn reconcile(
        &self,
        obj: Arc<HelmChart>,
        ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let advertised = obj.status.as_ref().and_then(|s| s.artifact.as_ref());
        let current = stored_artifact(&self.storage, &ctx, obj.as_ref(), advertised).await;
        if obj.spec.source_ref.kind != HelmChartSourceKind::HelmRepository {
            return self.reconcile_local(&obj, &ctx, current).await;
        }
        let repo = self.source(&obj, &ctx).await?;
        if repo.spec.is_oci() {
            return self.reconcile_oci(&obj, &ctx, current, &repo).await;
        }
        let repo_artifact = repo.status.as_ref().and_then(|s| s.artifact.clone());
        let source_revision = repo_artifact.as_ref().map(|a| a.revision.clone());
        let chart = self.pick(&obj, repo_artifact).await?;
        let values_files: Vec<String> = obj.spec.values_files.clone().unwrap_or_default();
        let version = if values_files.is_empty() {
            chart.version.clone()
        } else {
            let generation = obj.metadata.generation.unwrap_or(0);
            with_build_metadata(&chart.version, &generation.to_string())?
        };
        let status = obj.status.as_ref();
        if let Some(artifact) = cached_chart(&obj, current.as_ref(), &chart.name, &version) {
            record_up_to_date(&ctx, obj.as_ref(), &artifact.revision).await;
            let build = Build {
                name: chart.name.clone(),
                version,
                packaged: !values_files.is_empty(),
                values_files: status
                    .and_then(|s| s.observed_values_files.clone())
                    .unwrap_or(values_files),
            };
            return Ok(self.success(&obj, &build, artifact.clone(), source_revision));
        }
        let repository = client_for(&repo, &ctx)
            .await
            .map_err(|e| fetch_failed(e.disposition(), e.reason, e.message))?;
        let archive = repository
            .download_chart(&chart, self.chart_max_size)
            .await
            .map_err(|e| {
                pull_failed(format!(
                    "failed to download chart for remote reference: {e}"
                ))
            })?;
        let (archive, build) = remote_build(&obj, archive, chart, version).await?;
        let artifact = self.store(&obj, &build, archive).await?;
        collect_garbage(&self.storage, &ctx, obj.as_ref(), &artifact).await;
        self.notify(&ctx, &obj, &build, &artifact).await;
        Ok(self.success(&obj, &build, artifact, source_revision))
    }

    async fn cleanup(&self, obj: Arc<HelmChart>, ctx: Arc<Context>) -> Result<(), ReconcileError> {
        remove_all_artifacts(&self.storage, &ctx, obj.as_ref()).await
    }
}

/// A download failure; one that looks like authentication is reported as Flux reports it.
fn pull_failed(cause: String) -> ReconcileError {
    let message = format!("chart pull error: {cause}");
    let lower = message.to_lowercase();
    let auth = [
        "401",
        "unauthorized",
        "authentication required",
        "tls",
        "unknown certificate authority",
    ]
    .iter()
    .any(|needle| lower.contains(needle));
    if auth {
        return fetch_failed(
            Disposition::Backoff,
            source_reason::AUTHENTICATION_FAILED,
            format!("failed to authenticate with the Helm repository: {message}"),
        );
    }
    fetch_failed(
        Disposition::Backoff,
        build_error_reason::CHART_PULL,
        message,
    )
}

/// The downloaded archive must be a chart whose metadata Helm accepts, of the version asked.
fn validate_archive(
    archive: &[u8],
    chart: &ChartVersion,
) -> Result<flux_helm::chart::Chart, ReconcileError> {
    let invalid = |e: String| {
        build_failed(
            build_error_reason::CHART_PULL,
            format!("failed to load chart metadata from written chart: {e}"),
        )
    };
    let loaded = flux_helm::chart::load_archive(archive).map_err(|e| invalid(e.to_string()))?;
    let meta = &loaded.metadata;
    let mut as_index_entry = ChartVersion {
        name: meta.name.clone(),
        version: meta.version.clone(),
        api_version: meta.api_version.clone(),
        chart_type: meta.chart_type.clone(),
        ..ChartVersion::default()
    };
    as_index_entry
        .validate()
        .map_err(|e| invalid(e.to_string()))?;
    if meta.name != chart.name || meta.version != chart.version {
        return Err(invalid(format!(
            "the archive holds '{}' version '{}', the index says '{}' version '{}'",
            meta.name, meta.version, chart.name, chart.version
        )));
    }
    Ok(loaded)
}

/// The remote builder's last step, for HTTP and OCI repositories alike: the downloaded archive
/// validated, then stored as it is or, with values files, repackaged.
async fn remote_build(
    obj: &HelmChart,
    archive: Vec<u8>,
    chart: ChartVersion,
    version: String,
) -> Result<(Vec<u8>, Build), ReconcileError> {
    let values_files: Vec<String> = obj.spec.values_files.clone().unwrap_or_default();
    let ignore_missing = obj.spec.ignore_missing_values_files.unwrap_or(false);
    blocking(move || {
        let loaded = validate_archive(&archive, &chart)?;
        if values_files.is_empty() {
            let build = Build {
                name: chart.name,
                version,
                packaged: false,
                values_files: Vec::new(),
            };
            return Ok((archive, build));
        }
        package(&archive, &loaded, version, &values_files, ignore_missing)
    })
    .await?
}

/// Flux reuses the stored chart when nothing forces a build (the generation is observed) and
/// the chart's name and version are those it holds.
fn cached_chart<'a>(
    obj: &HelmChart,
    current: Option<&'a Artifact>,
    name: &str,
    version: &str,
) -> Option<&'a Artifact> {
    let status = obj.status.as_ref();
    let unchanged_spec = obj.metadata.generation.is_some()
        && status.and_then(|s| s.observed_generation) == obj.metadata.generation;
    current.filter(|a| {
        unchanged_spec
            && a.revision == version
            && status.and_then(|s| s.observed_chart_name.as_deref()) == Some(name)
    })
}

/// The remote builder's packaging: the values files merged into the downloaded chart's
/// `values.yaml`, its version set, and the archive written again.
fn package(
    archive: &[u8],
    chart: &flux_helm::chart::Chart,
    version: String,
    values_files: &[String],
    ignore_missing: bool,
) -> Result<(Vec<u8>, Build), ReconcileError> {
    let (merged, used) =
        flux_helm::package::merge_values_files(chart, values_files, ignore_missing).map_err(
            |e| {
                build_failed(
                    build_error_reason::VALUES_FILES_MERGE,
                    format!("failed to merge chart values: {e}"),
                )
            },
        )?;
    // Flux records the values files only when the merged values differ from the chart's own
    // values.yaml, byte for byte as written.
    let merged_yaml = flux_helm::yaml::to_yaml(&merged)
        .map_err(|e| build_failed(build_error_reason::VALUES_FILES_MERGE, e))?;
    let changed =
        flux_helm::package::values_yaml_of(archive).as_deref() != Some(merged_yaml.as_str());
    let packaged = flux_helm::package::repackage(archive, &version, Some(&merged))
        .map_err(|e| build_failed(build_error_reason::CHART_PACKAGE, e))?;
    let build = Build {
        name: chart.metadata.name.clone(),
        version,
        packaged: true,
        values_files: if changed { used } else { Vec::new() },
    };
    Ok((packaged, build))
}

/// Flux's `RemoteReference.Validate`.
fn validate_reference(name: &str) -> Result<(), String> {
    static VALID: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^([-a-z0-9]+/?\.?)+$").unwrap_or_else(|e| unreachable!("{e}"))
    });
    if name.is_empty() {
        return Err("no name set for remote chart reference".into());
    }
    if !VALID.is_match(name) {
        return Err(format!(
            "invalid chart name '{name}': a valid name must be lower case letters and numbers and MAY be separated with dashes (-), slashes (/) or periods (.)"
        ));
    }
    Ok(())
}

impl HelmChartReconciler {
    /// Flux's `buildFromTarballArtifact`: a chart from a GitRepository's or Bucket's artifact.
    async fn reconcile_local(
        &self,
        obj: &HelmChart,
        ctx: &Context,
        current: Option<Artifact>,
    ) -> Result<Outcome, ReconcileError> {
        if obj.spec.verify.is_some() {
            return Err(fail(
                source_condition::BUILD_FAILED,
                Disposition::Stalled,
                build_error_reason::CHART_PACKAGE,
                "chart package error: spec.verify is only for charts from OCI registries",
            ));
        }
        let source = local::source_artifact(self, obj, ctx).await?;
        let metadata = local::version_metadata(obj, &source);
        let unpacked = local::unpack(self, obj, &source, &metadata).await?;
        let status = obj.status.as_ref();
        if let Some(artifact) =
            cached_chart(obj, current.as_ref(), &unpacked.name, &unpacked.version)
        {
            let build = Build {
                name: unpacked.name.clone(),
                version: unpacked.version.clone(),
                packaged: unpacked.chart.is_dir() || !metadata.is_empty(),
                values_files: status
                    .and_then(|s| s.observed_values_files.clone())
                    .unwrap_or_else(|| obj.spec.values_files.clone().unwrap_or_default()),
            };
            return Ok(self.success(obj, &build, artifact.clone(), Some(source.revision)));
        }
        let (archive, build) = local::build(self, obj, ctx, &unpacked, &metadata).await?;
        let artifact = self.store(obj, &build, archive).await?;
        collect_garbage(&self.storage, ctx, obj, &artifact).await;
        self.notify(ctx, obj, &build, &artifact).await;
        Ok(self.success(obj, &build, artifact, Some(source.revision)))
    }

    /// The remote builder over an OCI HelmRepository.
    async fn reconcile_oci(
        &self,
        obj: &HelmChart,
        ctx: &Context,
        current: Option<Artifact>,
        repo: &HelmRepository,
    ) -> Result<Outcome, ReconcileError> {
        validate_reference(&obj.spec.chart)
            .map_err(|e| build_failed(build_error_reason::CHART_REFERENCE, e))?;
        let picked = oci::pick(obj, ctx, repo).await?;
        let values_files: Vec<String> = obj.spec.values_files.clone().unwrap_or_default();
        let version = if values_files.is_empty() {
            picked.chart.version.clone()
        } else {
            let generation = obj.metadata.generation.unwrap_or(0);
            with_build_metadata(&picked.chart.version, &generation.to_string())?
        };
        let status = obj.status.as_ref();
        let verified_before = obj.status_conditions().iter().any(|c| {
            c.type_ == source_condition::SOURCE_VERIFIED
                && c.status == ConditionStatus::True
                && c.observed_generation == obj.metadata.generation
        });
        if let Some(artifact) = cached_chart(obj, current.as_ref(), &picked.chart.name, &version)
            .filter(|_| obj.spec.verify.is_none() || verified_before)
        {
            let build = Build {
                name: picked.chart.name.clone(),
                version,
                packaged: !values_files.is_empty(),
                values_files: status
                    .and_then(|s| s.observed_values_files.clone())
                    .unwrap_or(values_files),
            };
            let mut outcome = self.success(obj, &build, artifact.clone(), None);
            if obj.spec.verify.is_some() {
                outcome
                    .remove_conditions
                    .retain(|c| c != source_condition::SOURCE_VERIFIED);
            }
            return Ok(outcome);
        }
        let (archive, build, verified) = oci::build(self, obj, ctx, picked, version).await?;
        let artifact = self.store(obj, &build, archive).await?;
        collect_garbage(&self.storage, ctx, obj, &artifact).await;
        self.notify(ctx, obj, &build, &artifact).await;
        let mut outcome = self.success(obj, &build, artifact, None);
        if let Some(message) = verified {
            outcome
                .remove_conditions
                .retain(|c| c != source_condition::SOURCE_VERIFIED);
            outcome.conditions.push((
                source_condition::SOURCE_VERIFIED.into(),
                ConditionStatus::True,
                flux_api::meta::reason::SUCCEEDED.into(),
                message,
            ));
        }
        Ok(outcome)
    }

    /// The HelmRepository named by `spec.sourceRef`.
    async fn source(
        &self,
        obj: &HelmChart,
        ctx: &Context,
    ) -> Result<HelmRepository, ReconcileError> {
        let source_ref = &obj.spec.source_ref;
        if source_ref.kind != HelmChartSourceKind::HelmRepository {
            let kind = serde_json::to_value(source_ref.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            return Err(fetch_failed(
                Disposition::Stalled,
                "UnsupportedSourceKind",
                format!(
                    "failed to get source: charts from a {kind} are not built by this source-controller yet"
                ),
            ));
        }
        let api: Api<HelmRepository> = Api::namespaced(ctx.client.clone(), &names(obj).namespace);
        api.get(&source_ref.name).await.map_err(|e| {
            fetch_failed(
                Disposition::Backoff,
                SOURCE_UNAVAILABLE_REASON,
                format!("failed to get source: {}", kube_message(&e)),
            )
        })
    }

    /// The chart version to build: reference checks, then the stored index of the repository.
    async fn pick(
        &self,
        obj: &HelmChart,
        repo_artifact: Option<Artifact>,
    ) -> Result<ChartVersion, ReconcileError> {
        let unsupported = |what: &str| {
            fail(
                source_condition::BUILD_FAILED,
                Disposition::Stalled,
                build_error_reason::CHART_PACKAGE,
                format!("chart package error: {what} not supported by this source-controller yet"),
            )
        };
        let no_artifact = || {
            fail(
                source_condition::FETCH_FAILED,
                Disposition::Waiting,
                NO_SOURCE_ARTIFACT_REASON,
                format!(
                    "no artifact available for HelmRepository source '{}'",
                    obj.spec.source_ref.name
                ),
            )
        };
        let artifact = repo_artifact.ok_or_else(no_artifact)?;
        if !self.storage.artifact_exists(&artifact) {
            return Err(no_artifact());
        }
        if obj.spec.verify.is_some() {
            return Err(unsupported("spec.verify is"));
        }
        validate_reference(&obj.spec.chart)
            .map_err(|e| build_failed(build_error_reason::CHART_REFERENCE, e))?;
        let storage = self.storage.clone();
        let index = blocking(move || {
            let path = storage
                .local_path(&artifact.path)
                .map_err(|e| e.to_string())?;
            let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
            IndexFile::from_bytes(&bytes).map_err(|e| e.to_string())
        })
        .await?
        .map_err(|e| {
            build_failed(
                build_error_reason::CHART_PULL,
                format!(
                    "failed to get chart version for remote reference: failed to load index: {e}"
                ),
            )
        })?;
        index
            .chart_version(&obj.spec.chart, obj.spec.version())
            .map_err(|e| {
                build_failed(
                    build_error_reason::CHART_REFERENCE,
                    format!("failed to get chart version for remote reference: {e}"),
                )
            })
    }

    /// Writes the archive to `<chart>-<version>.tgz` and points `latest.tar.gz` at it.
    async fn store(
        &self,
        obj: &HelmChart,
        build: &Build,
        archive: Vec<u8>,
    ) -> Result<Artifact, ReconcileError> {
        let n = names(obj);
        let artifact = self.storage.artifact_for(
            "HelmChart",
            &n.namespace,
            &n.name,
            &build.version,
            &format!("{}-{}.tgz", build.name, build.version),
        );
        let storage = self.storage.clone();
        blocking(move || {
            store_artifact(
                &storage,
                artifact,
                "latest.tar.gz",
                &FAILURES,
                |storage, artifact| {
                    storage
                        .write_with(artifact, |w| w.write_all(&archive))
                        .map_err(|e| {
                            storage_failed(
                                source_reason::ARCHIVE_OPERATION_FAILED,
                                format!("unable to copy Helm chart to storage: {e}"),
                            )
                        })
                },
            )
        })
        .await?
    }

    fn success(
        &self,
        obj: &HelmChart,
        build: &Build,
        artifact: Artifact,
        source_revision: Option<String>,
    ) -> Outcome {
        let message = build.summary();
        let mut status = Map::new();
        status.insert(
            "url".into(),
            json!(
                self.storage
                    .url_for(&sibling(&artifact.path, "latest.tar.gz"))
            ),
        );
        status.insert("artifact".into(), json!(artifact));
        status.insert("observedChartName".into(), json!(build.name));
        status.insert(
            "observedSourceArtifactRevision".into(),
            source_revision.map_or(Value::Null, Value::String),
        );
        // Flux keeps the merged files only when missing ones may be left out.
        let observed_values_files =
            obj.spec.ignore_missing_values_files.unwrap_or(false) && !build.values_files.is_empty();
        status.insert(
            "observedValuesFiles".into(),
            if observed_values_files {
                json!(build.values_files)
            } else {
                Value::Null
            },
        );
        Outcome {
            reason: build.reason().into(),
            message: message.clone(),
            status,
            conditions: vec![(
                source_condition::ARTIFACT_IN_STORAGE.into(),
                ConditionStatus::True,
                build.reason().into(),
                message,
            )],
            remove_conditions: NEGATIVE_CONDITIONS
                .iter()
                .chain([&source_condition::SOURCE_VERIFIED])
                .map(|c| c.to_string())
                .collect(),
            requeue_after: None,
        }
    }

    /// Flux's `notify`: an event when the digest changed, or on recovery.
    async fn notify(&self, ctx: &Context, obj: &HelmChart, build: &Build, artifact: &Artifact) {
        let previous = obj.status.as_ref().and_then(|s| s.artifact.as_ref());
        notify_artifact(
            ctx,
            obj,
            previous.map(|a| a.digest.as_str()),
            artifact,
            (build.reason(), build.reason()),
            &build.summary(),
        )
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_references_are_checked_as_flux() {
        assert!(validate_reference("podinfo").is_ok());
        assert!(validate_reference("org/podinfo.v2").is_ok());
        assert_eq!(
            validate_reference("").unwrap_err(),
            "no name set for remote chart reference"
        );
        assert!(
            validate_reference("PodInfo")
                .unwrap_err()
                .starts_with("invalid chart name 'PodInfo': a valid name must be lower case")
        );
        assert!(validate_reference("pod info").is_err());
    }

    #[test]
    fn failures_are_worded_as_flux_build_errors() {
        let e = build_failed(build_error_reason::CHART_REFERENCE, "no chart name found");
        assert_eq!(e.message, "invalid chart reference: no chart name found");
        assert_eq!(e.disposition, Disposition::Stalled);
        let e = pull_failed("failed to fetch http://x/c.tgz : 401 Unauthorized".into());
        assert_eq!(e.reason, "AuthenticationFailed");
        assert_eq!(
            e.message,
            "failed to authenticate with the Helm repository: chart pull error: failed to fetch http://x/c.tgz : 401 Unauthorized"
        );
        let e = pull_failed("failed to fetch http://x/c.tgz : 404 Not Found".into());
        assert_eq!(e.reason, "ChartPullError");
        assert_eq!(
            sibling("helmchart/ns/app/app-1.0.0.tgz", "latest.tar.gz"),
            "helmchart/ns/app/latest.tar.gz"
        );
    }
}
