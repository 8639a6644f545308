//! HelmChart: a chart from a HelmRepository, GitRepository or Bucket, packaged into an artifact.

use crate::meta::{Artifact, Condition};
use crate::source::HelmChartVerification;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Event reason for a chart pulled from a HelmRepository.
pub const CHART_PULL_SUCCEEDED_REASON: &str = "ChartPullSucceeded";
/// Event reason for a chart packaged from a GitRepository or Bucket.
pub const CHART_PACKAGE_SUCCEEDED_REASON: &str = "ChartPackageSucceeded";
/// Reason of `FetchFailed` when the source has no artifact yet.
pub const NO_SOURCE_ARTIFACT_REASON: &str = "NoSourceArtifact";
/// Reason of `FetchFailed` when the source object cannot be read.
pub const SOURCE_UNAVAILABLE_REASON: &str = "SourceUnavailable";

/// Reasons of `FetchFailed`/`BuildFailed` from the chart build (Flux's BuildErrorReason values).
pub mod build_error_reason {
    pub const CHART_REFERENCE: &str = "InvalidChartReference";
    pub const CHART_PULL: &str = "ChartPullError";
    pub const CHART_METADATA_PATCH: &str = "MetadataPatchError";
    pub const VALUES_FILES_MERGE: &str = "ValuesFilesError";
    pub const DEPENDENCY_BUILD: &str = "DependencyBuildError";
    pub const CHART_PACKAGE: &str = "ChartPackageError";
    pub const CHART_VERIFICATION: &str = "ChartVerificationError";
    pub const UNKNOWN: &str = "Unknown";
}

/// The desired state of a HelmChart: the chart, its source and version, and how to build it.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "HelmChart",
    plural = "helmcharts",
    namespaced,
    status = "HelmChartStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "hc",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-sources",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "HelmChart is the Schema for the helmcharts API.",
    printcolumn(name = "Chart", type_ = "string", json_path = ".spec.chart"),
    printcolumn(name = "Version", type_ = "string", json_path = ".spec.version"),
    printcolumn(
        name = "Source Kind",
        type_ = "string",
        json_path = ".spec.sourceRef.kind"
    ),
    printcolumn(
        name = "Source Name",
        type_ = "string",
        json_path = ".spec.sourceRef.name"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Status",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].message"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "message": "spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'",
    "rule": "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'"
}]))]
pub struct HelmChartSpec {
    /// The chart's name in a HelmRepository, or its path in a GitRepository or Bucket artifact.
    pub chart: String,

    /// SemVer constraint for the chart version (HelmRepository only); the latest when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "*"))]
    pub version: Option<String>,

    /// The source of the chart, in the same namespace.
    pub source_ref: LocalHelmChartSourceReference,

    /// How often the source is checked for a new chart.
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: String,

    /// What makes a new artifact: a new chart version, or (Git/Bucket) also a new source revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "ChartVersion"))]
    pub reconcile_strategy: Option<ReconcileStrategy>,

    /// Values files, relative to the chart or source root, merged in order into the chart's
    /// values.yaml (which is not included unless listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_files: Option<Vec<String>>,

    /// Skip values files that do not exist instead of failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_values_files: Option<bool>,

    /// Stop reconciling while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,

    /// Signature verification of a chart pulled from an OCI HelmRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<HelmChartVerification>,
}

impl HelmChartSpec {
    /// The reconcile strategy in effect: `ChartVersion` when unset.
    pub fn reconcile_strategy(&self) -> ReconcileStrategy {
        self.reconcile_strategy.unwrap_or_default()
    }

    /// The version constraint in effect: `*` when unset or empty.
    pub fn version(&self) -> &str {
        match self.version.as_deref() {
            None | Some("") => "*",
            Some(v) => v,
        }
    }
}

/// When a HelmChart produces a new artifact.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum ReconcileStrategy {
    /// Only when the chart version changes.
    #[default]
    ChartVersion,
    /// Also when the source revision changes (GitRepository and Bucket sources).
    Revision,
}

/// The source of a HelmChart, in the HelmChart's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocalHelmChartSourceReference {
    /// API version of the referent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the referent.
    pub kind: HelmChartSourceKind,
    /// Name of the referent.
    pub name: String,
}

/// The kinds a HelmChart can take its chart from.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum HelmChartSourceKind {
    #[default]
    HelmRepository,
    GitRepository,
    Bucket,
}

/// The observed state of a HelmChart.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("default" = {"observedGeneration": -1}))]
pub struct HelmChartStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The revision of the source artifact the current chart was built from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_source_artifact_revision: Option<String>,
    /// The chart name of the current artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_chart_name: Option<String>,
    /// The values files merged into the current artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_values_files: Option<Vec<String>>,
    /// Conditions of the HelmChart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Download address of the packaged chart (the `latest` link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The artifact of the last successful reconciliation: the packaged chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// The last `reconcile.fluxcd.io/requestedAt` value acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::impl_has_conditions!(HelmChartStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_read_as_flux_defaults() {
        let mut spec = HelmChartSpec::default();
        assert_eq!(spec.version(), "*");
        assert_eq!(spec.reconcile_strategy(), ReconcileStrategy::ChartVersion);
        spec.version = Some(String::new());
        assert_eq!(spec.version(), "*");
        spec.version = Some("6.x".into());
        assert_eq!(spec.version(), "6.x");
    }
}
