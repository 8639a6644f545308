//! HelmRepository: a Helm chart repository whose index becomes an artifact, or (type `oci`) a
//! registry address that HelmCharts pull from.

use crate::meta::{AccessFrom, Artifact, Condition, LocalObjectReference};
use crate::source::OCIProvider;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Reason of `FetchFailed` when the repository index could not be fetched or parsed.
pub const INDEXATION_FAILED_REASON: &str = "IndexationFailed";
/// Interval used when `spec.interval` is unset.
pub const HELM_REPOSITORY_DEFAULT_INTERVAL: &str = "1m";
/// Timeout used when `spec.timeout` is unset.
pub const HELM_REPOSITORY_DEFAULT_TIMEOUT: &str = "1m";

/// The desired state of a HelmRepository: its address, type and credentials.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "HelmRepository",
    plural = "helmrepositories",
    namespaced,
    status = "HelmRepositoryStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "helmrepo",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-sources",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "HelmRepository is the Schema for the helmrepositories API.",
    printcolumn(name = "URL", type_ = "string", json_path = ".spec.url"),
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
pub struct HelmRepositorySpec {
    /// The repository address: HTTP/S for an index-based repository, `oci://` for a registry.
    #[schemars(regex(pattern = r"^(http|https|oci)://.*$"))]
    pub url: String,

    /// Secret with the credentials: `username` and `password` (HTTP basic auth), or a
    /// kubernetes.io/dockerconfigjson Secret for type `oci`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,

    /// Secret with a client certificate and key (`tls.crt`, `tls.key`) and/or a CA (`ca.crt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,

    /// Send the credentials to every host, not only the repository's (e.g. chart downloads on a CDN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_credentials: Option<bool>,

    /// How often the index is fetched; 1m when unset. Ignored for type `oci`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: Option<String>,

    /// Allow a plain-HTTP registry (type `oci` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,

    /// Timeout for fetching the index; 1m when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m))+$"))]
    pub timeout: Option<String>,

    /// Stop reconciling while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,

    /// Namespaces allowed to use this repository (provisional; not enforced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,

    /// The repository type: an index-based repository (`default`) or an OCI registry (`oci`).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub type_: Option<HelmRepositoryType>,

    /// Provider used for authentication to an OCI registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "generic"))]
    pub provider: Option<OCIProvider>,
}

impl HelmRepositorySpec {
    /// The repository type in effect: `default` when unset.
    pub fn repository_type(&self) -> HelmRepositoryType {
        self.type_.unwrap_or_default()
    }

    /// Whether the repository is an OCI registry, which the source controller does not reconcile.
    pub fn is_oci(&self) -> bool {
        self.repository_type() == HelmRepositoryType::Oci
    }
}

/// The two kinds of Helm repository.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HelmRepositoryType {
    /// An HTTP/S repository serving an `index.yaml`.
    #[default]
    Default,
    /// An OCI registry.
    Oci,
}

/// The observed state of a HelmRepository.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("default" = {"observedGeneration": -1}))]
pub struct HelmRepositoryStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Conditions of the HelmRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Download address of the stored index (the `index.yaml` link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The artifact of the last successful reconciliation: the repository index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// The last `reconcile.fluxcd.io/requestedAt` value acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::impl_has_conditions!(HelmRepositoryStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_defaults_to_index_repository() {
        let mut spec = HelmRepositorySpec::default();
        assert_eq!(spec.repository_type(), HelmRepositoryType::Default);
        assert!(!spec.is_oci());
        spec.type_ = Some(HelmRepositoryType::Oci);
        assert!(spec.is_oci());
    }
}
