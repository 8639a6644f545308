//! ArtifactGenerator (source-watcher): composes ExternalArtifacts from the artifacts of other sources.

use crate::meta::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The finalizer source-watcher puts on ArtifactGenerators.
pub const ARTIFACT_GENERATOR_FINALIZER: &str = "source.extensions.fluxcd.io/finalizer";
/// Label on each generated ExternalArtifact naming its ArtifactGenerator.
pub const ARTIFACT_GENERATOR_LABEL: &str = "source.extensions.fluxcd.io/generator";
/// Artifact metadata key set from `originRevision`.
pub const ARTIFACT_ORIGIN_REVISION_ANNOTATION: &str = "org.opencontainers.image.revision";
/// Annotation that disables reconciliation when set to [`RECONCILE_DISABLED_VALUE`].
pub const RECONCILE_ANNOTATION: &str = "source.extensions.fluxcd.io/reconcile";
/// Value of [`RECONCILE_ANNOTATION`] that enables reconciliation.
pub const RECONCILE_ENABLED_VALUE: &str = "enabled";
/// Value of [`RECONCILE_ANNOTATION`] that disables reconciliation.
pub const RECONCILE_DISABLED_VALUE: &str = "disabled";

/// Condition reasons specific to ArtifactGenerator.
pub mod reason {
    pub const RECONCILIATION_DISABLED: &str = "ReconciliationDisabled";
    pub const ACCESS_DENIED: &str = "AccessDenied";
    pub const VALIDATION_FAILED: &str = "ValidationFailed";
    pub const SOURCE_FETCH_FAILED: &str = "SourceFetchFailed";
}

/// The desired state of an ArtifactGenerator: the sources to read and the artifacts to build.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[kube(
    group = "source.extensions.fluxcd.io",
    version = "v1beta1",
    kind = "ArtifactGenerator",
    plural = "artifactgenerators",
    namespaced,
    status = "ArtifactGeneratorStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "ag",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-sources",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "ArtifactGenerator is the Schema for the artifactgenerators API.",
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
    "message": "artifact names must be valid Kubernetes object names when pathPattern is not set",
    "rule": r"has(self.pathPattern) && size(self.pathPattern) > 0 || self.artifacts.all(a, a.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))"
}]))]
pub struct ArtifactGeneratorSpec {
    /// Labels and annotations set on every generated object, overriding existing keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_metadata: Option<CommonMetadata>,

    /// The sources to read, each under an alias.
    #[schemars(length(min = 1, max = 1000))]
    pub sources: Vec<SourceReference>,

    /// A directory pattern `@<alias>/<pattern>`: one set of artifacts per matching directory, with
    /// the pattern's named captures (e.g. `{app}`) usable in the artifact fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        regex(pattern = r"^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)/(.*)$"),
        length(max = 1024)
    )]
    pub path_pattern: Option<String>,

    /// The artifacts to generate.
    #[serde(rename = "artifacts")]
    #[schemars(length(min = 1, max = 1000))]
    pub output_artifacts: Vec<OutputArtifact>,
}

/// Labels and annotations applied to generated objects.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct CommonMetadata {
    /// Annotations to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Labels to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// A source object read by an ArtifactGenerator.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct SourceReference {
    /// Name of the source within the generator, unique per generator; used as `@<alias>`.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$"), length(max = 63))]
    pub alias: String,
    /// Name of the source object.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"), length(max = 253))]
    pub name: String,
    /// Namespace of the source object; the generator's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        regex(pattern = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"),
        length(min = 1, max = 63)
    )]
    pub namespace: Option<String>,
    /// Kind of the source object.
    pub kind: GeneratorSourceKind,
}

/// The kinds an ArtifactGenerator can read.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum GeneratorSourceKind {
    Bucket,
    #[default]
    GitRepository,
    OCIRepository,
    HelmChart,
    ExternalArtifact,
}

/// One ExternalArtifact to generate.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutputArtifact {
    /// Name of the ExternalArtifact; may use capture placeholders such as `{app}` with pathPattern.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// `@<alias>`: take the revision of that source; the content digest when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        regex(pattern = r"^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)$"),
        length(max = 64)
    )]
    pub revision: Option<String>,
    /// `@<alias>`: set the artifact's `org.opencontainers.image.revision` metadata from that
    /// source's origin revision, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        regex(pattern = r"^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)$"),
        length(max = 64)
    )]
    pub origin_revision: Option<String>,
    /// Copy operations, applied in order; later ones overwrite earlier files.
    #[schemars(length(min = 1))]
    pub copy: Vec<CopyOperation>,
}

/// Copies files from a source into the generated artifact.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct CopyOperation {
    /// `@<alias>/<glob>`: the files to copy.
    #[schemars(
        regex(pattern = r"^@([a-z0-9]([a-z0-9_-]*[a-z0-9])?)/(.*)$"),
        length(min = 1, max = 1024)
    )]
    pub from: String,
    /// `@artifact/<path>`: where to copy to, relative to the artifact root.
    #[schemars(regex(pattern = r"^@(artifact)/(.*)$"), length(min = 1, max = 1024))]
    pub to: String,
    /// Glob patterns of files and directories matched by `from` to leave out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 100))]
    pub exclude: Option<Vec<String>>,
    /// How files are written: overwrite (default), merge YAML, or extract tarballs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<CopyStrategy>,
}

/// How a copy operation writes its files.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum CopyStrategy {
    /// Replace existing files.
    #[default]
    Overwrite,
    /// Merge YAML files as Helm merges values.
    Merge,
    /// Extract `.tar.gz`/`.tgz` archives.
    Extract,
}

/// The observed state of an ArtifactGenerator.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactGeneratorStatus {
    /// The last `reconcile.fluxcd.io/requestedAt` value acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// Conditions of the ArtifactGenerator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The ExternalArtifacts generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Vec<ExternalArtifactReference>>,
    /// Digest over the state of all the sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_sources_digest: Option<String>,
}

crate::impl_has_conditions!(ArtifactGeneratorStatus);

/// A generated ExternalArtifact and its digest.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct ExternalArtifactReference {
    /// Name of the ExternalArtifact.
    pub name: String,
    /// Namespace of the ExternalArtifact.
    pub namespace: String,
    /// Digest of its artifact.
    pub digest: String,
    /// File name of its artifact.
    pub filename: String,
}

impl ArtifactGenerator {
    /// Whether reconciliation is disabled by the [`RECONCILE_ANNOTATION`] annotation (any case of
    /// `disabled`).
    pub fn is_disabled(&self) -> bool {
        self.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(RECONCILE_ANNOTATION))
            .is_some_and(|v| v.eq_ignore_ascii_case(RECONCILE_DISABLED_VALUE))
    }

    /// Whether the inventory lists an artifact with this name, namespace and digest.
    pub fn has_artifact_in_inventory(&self, name: &str, namespace: &str, digest: &str) -> bool {
        self.status
            .as_ref()
            .and_then(|s| s.inventory.as_deref())
            .unwrap_or_default()
            .iter()
            .any(|r| r.name == name && r.namespace == namespace && r.digest == digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconcile_annotation_disables_in_any_case() {
        let mut ag = ArtifactGenerator::new("apps", ArtifactGeneratorSpec::default());
        assert!(!ag.is_disabled());
        ag.metadata.annotations = Some(
            [(RECONCILE_ANNOTATION.to_string(), "Disabled".to_string())]
                .into_iter()
                .collect(),
        );
        assert!(ag.is_disabled());
    }

    #[test]
    fn inventory_lookup_matches_name_namespace_and_digest() {
        let mut ag = ArtifactGenerator::new("apps", ArtifactGeneratorSpec::default());
        assert!(!ag.has_artifact_in_inventory("a", "ns", "sha256:1"));
        ag.status = Some(ArtifactGeneratorStatus {
            inventory: Some(vec![ExternalArtifactReference {
                name: "a".into(),
                namespace: "ns".into(),
                digest: "sha256:1".into(),
                filename: "1.tar.gz".into(),
            }]),
            ..Default::default()
        });
        assert!(ag.has_artifact_in_inventory("a", "ns", "sha256:1"));
        assert!(!ag.has_artifact_in_inventory("a", "ns", "sha256:2"));
    }
}
