//! References from notification objects (Alert event sources, Receiver resources) to Flux objects.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The Flux kinds an Alert can watch for events and a Receiver can ask to reconcile.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
pub enum FluxKind {
    Bucket,
    GitRepository,
    Kustomization,
    HelmRelease,
    HelmChart,
    HelmRepository,
    ImageRepository,
    ImagePolicy,
    ImageUpdateAutomation,
    #[serde(rename = "OCIRepository")]
    OciRepository,
    ArtifactGenerator,
    ExternalArtifact,
}

impl FluxKind {
    /// Every kind, in the order Flux's CRDs list them.
    pub const ALL: [FluxKind; 12] = [
        FluxKind::Bucket,
        FluxKind::GitRepository,
        FluxKind::Kustomization,
        FluxKind::HelmRelease,
        FluxKind::HelmChart,
        FluxKind::HelmRepository,
        FluxKind::ImageRepository,
        FluxKind::ImagePolicy,
        FluxKind::ImageUpdateAutomation,
        FluxKind::OciRepository,
        FluxKind::ArtifactGenerator,
        FluxKind::ExternalArtifact,
    ];

    /// The kind as it appears in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            FluxKind::Bucket => "Bucket",
            FluxKind::GitRepository => "GitRepository",
            FluxKind::Kustomization => "Kustomization",
            FluxKind::HelmRelease => "HelmRelease",
            FluxKind::HelmChart => "HelmChart",
            FluxKind::HelmRepository => "HelmRepository",
            FluxKind::ImageRepository => "ImageRepository",
            FluxKind::ImagePolicy => "ImagePolicy",
            FluxKind::ImageUpdateAutomation => "ImageUpdateAutomation",
            FluxKind::OciRepository => "OCIRepository",
            FluxKind::ArtifactGenerator => "ArtifactGenerator",
            FluxKind::ExternalArtifact => "ExternalArtifact",
        }
    }

    /// The apiVersion the notification controller assumes when a reference leaves it out.
    pub fn default_api_version(self) -> &'static str {
        match self {
            FluxKind::Bucket
            | FluxKind::GitRepository
            | FluxKind::HelmChart
            | FluxKind::HelmRepository
            | FluxKind::OciRepository
            | FluxKind::ExternalArtifact => "source.toolkit.fluxcd.io/v1",
            FluxKind::Kustomization => "kustomize.toolkit.fluxcd.io/v1",
            FluxKind::HelmRelease => "helm.toolkit.fluxcd.io/v2",
            FluxKind::ImageRepository | FluxKind::ImagePolicy | FluxKind::ImageUpdateAutomation => {
                "image.toolkit.fluxcd.io/v1"
            }
            FluxKind::ArtifactGenerator => "source.extensions.fluxcd.io/v1beta1",
        }
    }
}

impl std::fmt::Display for FluxKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A reference to Flux objects of one kind, by name (or `*`) and optionally by labels, in the
/// referrer's namespace unless `namespace` is set.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrossNamespaceObjectReference {
    /// API version of the referent; a default per kind when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the referent.
    pub kind: FluxKind,
    /// Name of the referent, or `*` for all objects of the kind (filtered by `matchLabels`).
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Namespace of the referent; the referrer's namespace when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub namespace: Option<String>,
    /// Labels the referents must carry; used together with the name `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_match_serde() {
        for kind in FluxKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.as_str())
            );
        }
    }
}
