//! OCIRepository: an OCI artifact in a container registry whose layer becomes an artifact.

use crate::meta::{Artifact, Condition, LocalObjectReference};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The scheme every OCIRepository URL starts with.
pub const OCI_REPOSITORY_PREFIX: &str = "oci://";
/// Reason of `FetchFailed` when pulling the artifact from the registry failed.
pub const OCI_PULL_FAILED_REASON: &str = "OCIArtifactPullFailed";
/// Reason of `FetchFailed` when extracting or copying the selected layer failed.
pub const OCI_LAYER_OPERATION_FAILED_REASON: &str = "OCIArtifactLayerOperationFailed";

/// The desired state of an OCIRepository: which artifact to pull, how often, and how to authenticate.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "OCIRepository",
    plural = "ocirepositories",
    namespaced,
    status = "OCIRepositoryStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "ocirepo",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-sources",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "OCIRepository is the Schema for the ocirepositories API.",
    printcolumn(name = "URL", type_ = "string", json_path = ".spec.url"),
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
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct OCIRepositorySpec {
    /// The repository address, `oci://<registry>/<repository>`, without tag or digest.
    #[schemars(regex(pattern = r"^oci://.*$"))]
    pub url: String,

    /// The tag, semver range or digest to pull; the `latest` tag when unset.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "ref")]
    pub reference: Option<OCIRepositoryRef>,

    /// Which layer of the artifact to keep, and how; the first layer, extracted, when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_selector: Option<OCILayerSelector>,

    /// Provider used for authentication to the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "generic"))]
    pub provider: Option<OCIProvider>,

    /// Secret of type kubernetes.io/dockerconfigjson with the registry credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,

    /// Signature verification of the artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<OCIRepositoryVerification>,

    /// ServiceAccount whose image pull secrets (generic provider) or workload identity (cloud
    /// providers) authenticate the pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,

    /// Secret with a client certificate and key (`tls.crt`, `tls.key`) and/or a CA (`ca.crt`)
    /// for the registry connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,

    /// Secret with the proxy settings: address, and optionally username and password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,

    /// How often the repository is checked for a new artifact.
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: String,

    /// Timeout for registry operations such as pulling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m))+$"), extend("default" = "60s"))]
    pub timeout: Option<String>,

    /// Exclusion patterns in .sourceignore (gitignore) format; replaces the defaults when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,

    /// Allow a plain-HTTP registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,

    /// Stop reconciling while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

impl OCIRepositorySpec {
    /// The layer operation in effect: `extract` unless the layer selector says otherwise.
    pub fn layer_operation(&self) -> OCILayerOperation {
        self.layer_selector
            .as_ref()
            .and_then(|s| s.operation)
            .unwrap_or_default()
    }

    /// The authentication provider in effect: `generic` when unset.
    pub fn provider(&self) -> OCIProvider {
        self.provider.unwrap_or_default()
    }
}

/// Registry providers with cloud authentication (OCIRepository, and HelmRepository of type oci).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OCIProvider {
    #[default]
    Generic,
    Aws,
    Azure,
    Gcp,
}

/// The OCI reference to pull. Precedence when several are set: digest, semver, tag.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OCIRepositoryRef {
    /// Digest to pull, `sha256:<hex>`; takes precedence over everything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// SemVer range; the highest matching tag is pulled. Takes precedence over tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// Regular expression the tags must match before the semver range is applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver_filter: Option<String>,
    /// Tag to pull; `latest` when nothing else is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// Which layer of an OCI artifact to keep.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OCILayerSelector {
    /// Media type of the layer; the first layer of this type is selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// What to do with the selected layer: extract its content (default) or store it as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<OCILayerOperation>,
}

/// How the selected layer becomes the artifact.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OCILayerOperation {
    /// Extract the compressed layer into the artifact.
    #[default]
    Extract,
    /// Store the compressed layer as it is.
    Copy,
}

/// Signature verification of an OCIRepository's artifact.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OCIRepositoryVerification {
    /// The signing technology.
    #[schemars(extend("default" = "cosign"))]
    pub provider: VerificationProvider,
    /// Secret holding the trusted public keys (cosign) or certificates and trust policy (notation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Identities accepted for keyless (Fulcio-certificate) cosign signatures; any match verifies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "matchOIDCIdentity"
    )]
    pub match_oidc_identity: Option<Vec<OIDCIdentityMatch>>,
    /// Secret with a Sigstore `trusted_root.json`, for self-hosted Sigstore infrastructure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root_secret_ref: Option<LocalObjectReference>,
}

/// Signature verification of a HelmChart pulled from an OCI HelmRepository.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartVerification {
    /// The signing technology.
    #[schemars(extend("default" = "cosign"))]
    pub provider: VerificationProvider,
    /// Secret holding the trusted public keys (cosign) or certificates and trust policy (notation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Identities accepted for keyless (Fulcio-certificate) cosign signatures; any match verifies.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "matchOIDCIdentity"
    )]
    pub match_oidc_identity: Option<Vec<OIDCIdentityMatch>>,
}

/// Signing technologies for OCI artifacts.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerificationProvider {
    #[default]
    Cosign,
    Notation,
}

/// An accepted keyless-signing identity: regular expressions (Go syntax) for the OIDC issuer and
/// the subject of the Fulcio certificate.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct OIDCIdentityMatch {
    /// Regular expression the certificate's OIDC issuer must match.
    pub issuer: String,
    /// Regular expression the certificate's identity subject must match.
    pub subject: String,
}

/// The observed state of an OCIRepository.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("default" = {"observedGeneration": -1}))]
pub struct OCIRepositoryStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Conditions of the OCIRepository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Download address of the last artifact (the `latest` link; deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The artifact of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// The ignore patterns used for the current artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_ignore: Option<String>,
    /// The layer selector used for the current artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_layer_selector: Option<OCILayerSelector>,
    /// The last `reconcile.fluxcd.io/requestedAt` value acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::impl_has_conditions!(OCIRepositoryStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_fields_read_as_flux_defaults() {
        let mut spec = OCIRepositorySpec::default();
        assert_eq!(spec.layer_operation(), OCILayerOperation::Extract);
        assert_eq!(spec.provider(), OCIProvider::Generic);
        spec.layer_selector = Some(OCILayerSelector {
            media_type: None,
            operation: Some(OCILayerOperation::Copy),
        });
        assert_eq!(spec.layer_operation(), OCILayerOperation::Copy);
    }

    #[test]
    fn verification_provider_is_required_and_lowercase() {
        let v: OCIRepositoryVerification =
            serde_json::from_value(serde_json::json!({"provider": "notation"})).unwrap();
        assert_eq!(v.provider, VerificationProvider::Notation);
        assert!(
            serde_json::from_value::<OCIRepositoryVerification>(serde_json::json!({})).is_err()
        );
    }
}
