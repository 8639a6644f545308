//! ImageRepository: a container image repository whose tags are scanned periodically.

use crate::meta::{AccessFrom, Condition, LocalObjectReference, Time};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Tags matching these patterns are left out of the scan when `spec.exclusionList` is unset.
pub const DEFAULT_EXCLUSION_LIST: &[&str] = &["^.*\\.sig$"];

/// Ready=False (and Stalled): `spec.image` is not a valid image reference.
pub const IMAGE_URL_INVALID_REASON: &str = "ImageURLInvalid";
/// Ready=False: the registry credentials could not be obtained or were refused.
pub const AUTHENTICATION_FAILED_REASON: &str = "AuthenticationFailed";
/// Ready=False: listing the tags failed.
pub const READ_OPERATION_FAILED_REASON: &str = "ReadOperationFailed";

/// ImageRepositorySpec names the image to scan, how often, and how to authenticate.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[kube(
    group = "image.toolkit.fluxcd.io",
    version = "v1",
    kind = "ImageRepository",
    plural = "imagerepositories",
    namespaced,
    status = "ImageRepositoryStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "imgrepo",
    shortname = "imagerepo",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-images",
    doc = "ImageRepository is the Schema for the imagerepositories API.",
    printcolumn(name = "Image", type_ = "string", json_path = ".spec.image"),
    printcolumn(
        name = "Tags",
        type_ = "string",
        json_path = ".status.lastScanResult.tagCount"
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
    ),
    printcolumn(
        name = "Last scan",
        type_ = "string",
        json_path = ".status.lastScanResult.scanTime",
        priority = 1
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct ImageRepositorySpec {
    /// The image repository, e.g. `ghcr.io/org/app` or `alpine`.
    pub image: String,

    /// How often the tags are scanned.
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: String,

    /// Timeout for one scan; the interval when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m))+$"))]
    pub timeout: Option<String>,

    /// A `kubernetes.io/dockerconfigjson` Secret with registry credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,

    /// Secret with the proxy settings: `address`, and optionally `username` and `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,

    /// ServiceAccount whose image pull secrets (generic provider) or workload identity (cloud
    /// providers) authenticate to the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub service_account_name: Option<String>,

    /// Secret with TLS material: `ca.crt`, and `tls.crt` with `tls.key` for client authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,

    /// Stop scanning while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,

    /// Namespaces whose ImagePolicies may refer to this repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,

    /// Regular expressions; matching tags are not stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 25), extend("default" = ["^.*\\.sig$"]))]
    pub exclusion_list: Option<Vec<String>>,

    /// Cloud provider used to obtain registry credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "generic"))]
    pub provider: Option<RegistryProvider>,

    /// Talk plain HTTP to the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
}

impl ImageRepositorySpec {
    /// The exclusion patterns in force, with Flux's default.
    pub fn exclusion_list(&self) -> Vec<String> {
        match &self.exclusion_list {
            Some(list) if !list.is_empty() => list.clone(),
            _ => DEFAULT_EXCLUSION_LIST
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    /// The registry provider, with Flux's default.
    pub fn provider(&self) -> RegistryProvider {
        self.provider.unwrap_or_default()
    }
}

/// How registry credentials are obtained.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegistryProvider {
    /// From `secretRef` or the ServiceAccount's image pull secrets.
    #[default]
    Generic,
    /// Amazon ECR.
    Aws,
    /// Azure Container Registry.
    Azure,
    /// Google Artifact Registry / GCR.
    Gcp,
}

/// The result of the last tag scan.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanResult {
    /// A stable digest of the scanned tag list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// How many tags the scan found.
    #[schemars(schema_with = "super::untyped_integer")]
    pub tag_count: i64,
    /// When the scan ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_time: Option<Time>,
    /// Up to ten tags, in descending alphabetical order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_tags: Option<Vec<String>>,
}

/// The observed state of an ImageRepository.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("default" = {"observedGeneration": -1}))]
pub struct ImageRepositoryStatus {
    /// Conditions of the ImageRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The fully qualified image name, e.g. `docker.io/library/alpine`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_image_name: Option<String>,
    /// The result of the last scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scan_result: Option<ScanResult>,
    /// The exclusion patterns used by the last scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_exclusion_list: Option<Vec<String>>,
    /// The last `reconcile.fluxcd.io/requestedAt` value acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::impl_has_conditions!(ImageRepositoryStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_when_unset_or_empty() {
        let mut spec = ImageRepositorySpec::default();
        assert_eq!(spec.exclusion_list(), vec!["^.*\\.sig$".to_string()]);
        assert_eq!(spec.provider(), RegistryProvider::Generic);
        spec.exclusion_list = Some(Vec::new());
        assert_eq!(spec.exclusion_list(), vec!["^.*\\.sig$".to_string()]);
        spec.exclusion_list = Some(vec!["^sha-".into()]);
        assert_eq!(spec.exclusion_list(), vec!["^sha-".to_string()]);
    }
}
