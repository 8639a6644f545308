//! ImageUpdateAutomation: writes the latest images chosen by ImagePolicies into a Git repository
//! (setter markers in YAML), commits and pushes.

use super::imagepolicy::ImageRef;
use crate::meta::{Condition, LocalObjectReference, Time};
use crate::source::GitRepositoryRef;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The commit message when `git.commit.messageTemplate` is unset.
pub const DEFAULT_COMMIT_MESSAGE: &str = "Update from image update automation";

/// Stalled: `update.strategy` is not supported.
pub const INVALID_UPDATE_STRATEGY_REASON: &str = "InvalidUpdateStrategy";
/// Stalled: the source reference or the Git settings are invalid.
pub const INVALID_SOURCE_CONFIGURATION_REASON: &str = "InvalidSourceConfiguration";
/// Ready=False: the Git source could not be prepared (credentials, clone settings).
pub const SOURCE_MANAGER_FAILED_REASON: &str = "SourceManagerFailed";
/// Ready=False: a clone, commit or push failed.
pub const GIT_OPERATION_FAILED_REASON: &str = "GitOperationFailed";
/// Ready=False: applying the policies to the files failed.
pub const UPDATE_FAILED_REASON: &str = "UpdateFailed";
/// Stalled: `policySelector` is not a valid label selector.
pub const INVALID_POLICY_SELECTOR_REASON: &str = "InvalidPolicySelector";
/// Stalled: the message template uses the removed `.Updated` field.
pub const REMOVED_TEMPLATE_FIELD_REASON: &str = "RemovedTemplateField";

/// ImageUpdateAutomationSpec names the Git repository, how to commit and push, and what to update.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[kube(
    group = "image.toolkit.fluxcd.io",
    version = "v1",
    kind = "ImageUpdateAutomation",
    plural = "imageupdateautomations",
    namespaced,
    status = "ImageUpdateAutomationStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "iua",
    shortname = "imgupd",
    shortname = "imgauto",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-images",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "ImageUpdateAutomation is the Schema for the imageupdateautomations API.",
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
        name = "Last run",
        type_ = "string",
        json_path = ".status.lastAutomationRunTime",
        priority = 1
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpdateAutomationSpec {
    /// The GitRepository supplying the URL and credentials.
    pub source_ref: CrossNamespaceSourceReference,

    /// How to check out, commit and push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<GitSpec>,

    /// How often the automation runs.
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: String,

    /// Which ImagePolicies of the namespace are applied; all of them when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "label_selector_schema")]
    pub policy_selector: Option<LabelSelector>,

    /// How and where the files are updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = {"strategy": "Setters"}))]
    pub update: Option<UpdateStrategy>,

    /// Stop running while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

/// A reference to the GitRepository to update.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrossNamespaceSourceReference {
    /// API version of the referent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the referent; only GitRepository.
    #[schemars(schema_with = "source_kind_schema")]
    pub kind: SourceKind,
    /// Name of the referent.
    pub name: String,
    /// Namespace of the referent; the automation's namespace when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The kinds an ImageUpdateAutomation can push to.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum SourceKind {
    #[default]
    GitRepository,
}

fn source_kind_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "string",
        "enum": ["GitRepository"],
        "default": "GitRepository"
    })
}

/// metav1.LabelSelector as controller-gen renders it (atomic map and lists).
fn label_selector_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "matchExpressions": {
                "type": "array",
                "description": "Label selector requirements, ANDed.",
                "items": {
                    "type": "object",
                    "properties": {
                        "key": { "type": "string", "description": "The label key." },
                        "operator": {
                            "type": "string",
                            "description": "In, NotIn, Exists or DoesNotExist."
                        },
                        "values": {
                            "type": "array",
                            "description": "Values for In and NotIn; empty for Exists and DoesNotExist.",
                            "items": { "type": "string" },
                            "x-kubernetes-list-type": "atomic"
                        }
                    },
                    "required": ["key", "operator"]
                },
                "x-kubernetes-list-type": "atomic"
            },
            "matchLabels": {
                "type": "object",
                "description": "Labels that must all match.",
                "additionalProperties": { "type": "string" }
            }
        },
        "x-kubernetes-map-type": "atomic"
    })
}

/// Git settings: what to check out, how to commit, where to push.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct GitSpec {
    /// What to check out; the GitRepository's reference when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout: Option<GitCheckoutSpec>,
    /// How to write the commit.
    pub commit: CommitSpec,
    /// Where to push; the checked-out branch when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<PushSpec>,
}

impl GitSpec {
    /// True when a push refspec is configured.
    pub fn has_refspec(&self) -> bool {
        self.push
            .as_ref()
            .and_then(|p| p.refspec.as_deref())
            .is_some_and(|r| !r.is_empty())
    }
}

/// The Git reference to check out.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct GitCheckoutSpec {
    /// Branch, tag, semver range, reference name or commit, as in a GitRepository.
    #[serde(rename = "ref")]
    pub reference: GitRepositoryRef,
}

/// The commit the automation writes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommitSpec {
    /// The commit author.
    pub author: CommitUser,
    /// Key to sign the commit with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<SigningKey>,
    /// Go template for the commit message; data `.AutomationObject`, `.Changed` and `.Values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template: Option<String>,
    /// Values available to the template as `.Values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_template_values: Option<BTreeMap<String, String>>,
}

/// A commit author.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct CommitUser {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// E-mail address.
    pub email: String,
}

/// The key commits are signed with.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SigningKey {
    /// Secret with `git.asc` (and optionally `passphrase`) for gpg, or `identity` (and optionally
    /// `password`) for ssh.
    pub secret_ref: LocalObjectReference,
    /// Key type; gpg when unset.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub type_: Option<SigningKeyType>,
}

/// Kinds of commit signing keys.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SigningKeyType {
    /// OpenPGP key, ASCII-armoured.
    #[default]
    Gpg,
    /// SSH private key.
    Ssh,
}

/// Where the commit is pushed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct PushSpec {
    /// Branch to push to, created from the checked-out branch when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// A refspec pushed in addition (e.g. `refs/heads/x:refs/for/main` for Gerrit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refspec: Option<String>,
    /// Git push options, e.g. `merge_request.create`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<BTreeMap<String, String>>,
}

/// How the files are updated.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct UpdateStrategy {
    /// The update strategy; Setters when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "Setters"))]
    pub strategy: Option<UpdateStrategyName>,
    /// Directory the setters are applied in, relative to the repository root; the root when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Update strategies.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum UpdateStrategyName {
    /// Replace values marked with `# {"$imagepolicy": "<namespace>:<name>[:field]"}` comments.
    #[default]
    Setters,
}

/// The observed state of an ImageUpdateAutomation.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("default" = {"observedGeneration": -1}))]
pub struct ImageUpdateAutomationStatus {
    /// When the automation last ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_automation_run_time: Option<Time>,
    /// SHA1 of the last commit pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_push_commit: Option<String>,
    /// When the last commit was pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_push_time: Option<Time>,
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Conditions of the ImageUpdateAutomation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The images applied by the last run, by ImagePolicy name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_policies: Option<BTreeMap<String, ImageRef>>,
    /// The source revision the last run started from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_source_revision: Option<String>,
    /// The last `reconcile.fluxcd.io/requestedAt` value acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::impl_has_conditions!(ImageUpdateAutomationStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refspec_only_counts_when_non_empty() {
        let mut git = GitSpec::default();
        assert!(!git.has_refspec());
        git.push = Some(PushSpec {
            refspec: Some(String::new()),
            ..PushSpec::default()
        });
        assert!(!git.has_refspec());
        git.push = Some(PushSpec {
            refspec: Some("refs/heads/a:refs/for/main".into()),
            ..PushSpec::default()
        });
        assert!(git.has_refspec());
    }

    #[test]
    fn source_kind_defaults_in_the_schema_only() {
        // The API server fills `kind`; a manifest without it does not deserialise, as in Go.
        let missing = serde_json::json!({"name": "podinfo"});
        assert!(serde_json::from_value::<CrossNamespaceSourceReference>(missing).is_err());
        let full = serde_json::json!({"kind": "GitRepository", "name": "podinfo"});
        let r: CrossNamespaceSourceReference = serde_json::from_value(full).unwrap();
        assert_eq!(r.kind, SourceKind::GitRepository);
    }
}
