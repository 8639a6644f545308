//! HelmRelease: installs a Helm chart from a source as a release, and keeps it upgraded, tested,
//! remediated and free of drift.
//!
//! The spec is split by concern: [`chart`] (where the chart comes from), [`actions`] (the Helm
//! install, upgrade, test, rollback and uninstall settings), [`values`] (values references and
//! post-renderers) and [`status`].

pub mod actions;
pub mod chart;
pub mod status;
pub mod values;

pub use actions::*;
pub use chart::*;
pub use status::*;
pub use values::*;

use crate::kustomize::common::{
    CommonMetadata, CustomHealthCheck, DependencyReference, IgnoreRule,
};
use crate::meta::KubeConfigReference;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Condition types of a HelmRelease.
pub mod condition_type {
    pub use crate::meta::condition_type::{READY, RECONCILING, STALLED};
    /// Whether the last install or upgrade succeeded.
    pub const RELEASED: &str = "Released";
    /// Whether the Helm tests of the current release passed.
    pub const TEST_SUCCESS: &str = "TestSuccess";
    /// Whether the last failure was remediated by a rollback or uninstall.
    pub const REMEDIATED: &str = "Remediated";
    /// Whether the cluster state drifted from the release manifest.
    pub const DRIFTED: &str = "Drifted";
}

/// Condition reasons a HelmRelease reports, besides the generic ones in [`crate::meta::reason`].
pub mod reason {
    pub use crate::meta::reason::{
        ACCESS_DENIED, ARTIFACT_FAILED, DEPENDENCY_NOT_READY, HEALTH_CHECK_CANCELED,
        INVALID_CEL_EXPRESSION, PROGRESSING, PROGRESSING_WITH_RETRY, SUSPENDED,
    };
    pub const INSTALL_SUCCEEDED: &str = "InstallSucceeded";
    pub const INSTALL_FAILED: &str = "InstallFailed";
    pub const UPGRADE_SUCCEEDED: &str = "UpgradeSucceeded";
    pub const UPGRADE_FAILED: &str = "UpgradeFailed";
    pub const TEST_SUCCEEDED: &str = "TestSucceeded";
    pub const TEST_FAILED: &str = "TestFailed";
    pub const ROLLBACK_SUCCEEDED: &str = "RollbackSucceeded";
    pub const ROLLBACK_FAILED: &str = "RollbackFailed";
    pub const UNINSTALL_SUCCEEDED: &str = "UninstallSucceeded";
    pub const UNINSTALL_FAILED: &str = "UninstallFailed";
    pub const PENDING_RELEASE: &str = "PendingRelease";
    pub const AWAITING_TESTS: &str = "AwaitingTests";
    pub const DRIFT_DETECTED: &str = "DriftDetected";
    pub const NO_DRIFT_DETECTED: &str = "NoDriftDetected";
    pub const RETRIES_EXCEEDED: &str = "RetriesExceeded";
    pub const MISSING_ROLLBACK_TARGET: &str = "MissingRollbackTarget";
    pub const SOURCE_NOT_READY: &str = "SourceNotReady";
    pub const VALUES_ERROR: &str = "ValuesError";
    pub const STATE_ERROR: &str = "StateError";
    pub const RECONCILE_ERROR: &str = "ReconcileError";
    pub const REST_CLIENT_ERROR: &str = "RESTClientError";
    pub const FACTORY_ERROR: &str = "FactoryError";
    pub const CONFIG_FACTORY_ERR: &str = "ConfigFactoryErr";
    pub const CHART_MUTATE_ERROR: &str = "ChartMutateError";
    pub const RESOURCE_MANAGER_ERROR: &str = "ResourceManagerError";
    pub const INVENTORY_BUILD_FAILED: &str = "InventoryBuildFailed";
    pub const NAMESPACE_CHECK_SKIPPED: &str = "NamespaceCheckSkipped";
}

/// Annotation keys read by the helm-controller.
pub mod annotation {
    /// A value equal to `reconcile.fluxcd.io/requestedAt` forces an install or upgrade.
    pub const FORCE_REQUEST: &str = "reconcile.fluxcd.io/forceAt";
    /// A value equal to `reconcile.fluxcd.io/requestedAt` resets the failure counters.
    pub const RESET_REQUEST: &str = "reconcile.fluxcd.io/resetAt";
    /// `disabled` on a rendered object leaves it out of drift detection.
    pub const DRIFT_DETECTION: &str = "helm.toolkit.fluxcd.io/driftDetection";
}

/// Labels the helm-controller puts on every rendered object.
pub mod label {
    pub const NAME: &str = "helm.toolkit.fluxcd.io/name";
    pub const NAMESPACE: &str = "helm.toolkit.fluxcd.io/namespace";
}

/// HelmReleaseSpec: the chart, the values, and how the Helm release is managed.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[kube(
    group = "helm.toolkit.fluxcd.io",
    version = "v2",
    kind = "HelmRelease",
    plural = "helmreleases",
    namespaced,
    status = "HelmReleaseStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "hr",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-appliers",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "HelmRelease is the Schema for the helmreleases API.",
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
    "message": "either chart or chartRef must be set",
    "rule": "(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))"
}]))]
pub struct HelmReleaseSpec {
    /// Template of the HelmChart the controller creates for this release. Exactly one of `chart`
    /// and `chartRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<HelmChartTemplate>,

    /// An existing chart source: an OCIRepository, a HelmChart or an ExternalArtifact. Exactly one
    /// of `chart` and `chartRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_ref: Option<ChartReference>,

    /// How often the release is reconciled.
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: String,

    /// Kubeconfig of a remote cluster to release to, instead of the controller's own cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-kubernetes-validations" = [
        {
            "message": "exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified",
            "rule": "has(self.configMapRef) || has(self.secretRef)"
        },
        {
            "message": "exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified",
            "rule": "!has(self.configMapRef) || !has(self.secretRef)"
        }
    ]))]
    pub kube_config: Option<KubeConfigReference>,

    /// Stop reconciling while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,

    /// Name of the Helm release; `[<targetNamespace>-]<name>` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 53))]
    pub release_name: Option<String>,

    /// Namespace the release is installed to; the HelmRelease's own when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub target_namespace: Option<String>,

    /// Namespace of the Helm release storage; the HelmRelease's own when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub storage_namespace: Option<String>,

    /// HelmReleases that must be ready before this one is reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<DependencyReference>>,

    /// Timeout of each Kubernetes operation (hooks, waits); 5m when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub timeout: Option<String>,

    /// How many release revisions Helm keeps; 5 when unset, 0 for no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::kustomize::common::plain_integer")]
    pub max_history: Option<i64>,

    /// Service account impersonated for the Helm operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub service_account_name: Option<String>,

    /// Reuse one Kubernetes client for all the operations of a reconciliation; true when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_client: Option<bool>,

    /// Detection and correction of changes made to the release's objects in the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_detection: Option<DriftDetection>,

    /// Helm install settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<Install>,

    /// Helm upgrade settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<Upgrade>,

    /// Helm test settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Test>,

    /// Helm rollback settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Rollback>,

    /// Helm uninstall settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uninstall: Option<Uninstall>,

    /// ConfigMaps and Secrets holding values, merged in order before `values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_from: Option<Vec<ValuesReference>>,

    /// Inline values; they win over `valuesFrom` entries without a `targetPath`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::schema::preserve_unknown_fields")]
    pub values: Option<serde_json::Value>,

    /// Post-renderers applied, in order, to the rendered manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_renderers: Option<Vec<PostRenderer>>,

    /// Whether hooks go through the post-renderers, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_render_strategy: Option<PostRenderStrategy>,

    /// Labels and annotations stamped on every rendered object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_metadata: Option<CommonMetadata>,

    /// How the controller waits for the release's objects to be ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_strategy: Option<WaitStrategy>,

    /// CEL expressions computing the health of custom resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_exprs: Option<Vec<CustomHealthCheck>>,
}

/// Drift detection and correction of a release's objects.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct DriftDetection {
    /// `enabled` detects and corrects drift, `warn` only reports it, `disabled` (the default) does neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<DriftDetectionMode>,
    /// Fields left out of drift detection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Vec<IgnoreRule>>,
}

/// Drift detection modes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DriftDetectionMode {
    /// Detect drift and correct it.
    Enabled,
    /// Detect drift and report it, without correcting it.
    Warn,
    /// No drift detection.
    #[default]
    Disabled,
}

/// How the controller waits for the release's objects.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct WaitStrategy {
    /// `poller` waits with kstatus; `legacy` waits as Helm 3 did.
    pub name: WaitStrategyName,
}

/// Wait strategies.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WaitStrategyName {
    /// kstatus-based waiting.
    #[default]
    Poller,
    /// Helm 3's waiting.
    Legacy,
}

/// Whether Helm hooks go through the post-renderers.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostRenderStrategy {
    /// Hooks are not post-rendered.
    Nohooks,
    /// Hooks and manifests are post-rendered together.
    #[default]
    Combined,
    /// Hooks are post-rendered separately from the manifests.
    Separate,
}
