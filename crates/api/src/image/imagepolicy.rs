//! ImagePolicy: picks the latest image of an ImageRepository's tags by semver, alphabetical or
//! numerical order.

use crate::meta::{Condition, NamespacedObjectReference};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The digest refresh period with `digestReflectionPolicy: Always` when `spec.interval` is unset.
pub const DEFAULT_DIGEST_REFLECTION_INTERVAL: Duration = Duration::from_secs(600);

/// Stalled: `digestReflectionPolicy: Always` without an interval.
pub const INTERVAL_NOT_CONFIGURED_REASON: &str = "IntervalNotConfigured";
/// Stalled: the policy (range, pattern, extract) is invalid.
pub const INVALID_POLICY_REASON: &str = "InvalidPolicy";

/// ImagePolicySpec names the ImageRepository and the rule picking its latest tag.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[kube(
    group = "image.toolkit.fluxcd.io",
    version = "v1",
    kind = "ImagePolicy",
    plural = "imagepolicies",
    namespaced,
    status = "ImagePolicyStatus",
    derive = "PartialEq",
    derive = "Default",
    shortname = "imgpol",
    shortname = "imagepol",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-images",
    doc = "ImagePolicy is the Schema for the imagepolicies API.",
    printcolumn(name = "Image", type_ = "string", json_path = ".status.latestRef.name"),
    printcolumn(name = "Tag", type_ = "string", json_path = ".status.latestRef.tag"),
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
#[schemars(extend("x-kubernetes-validations" = [
    {
        "message": "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'",
        "rule": "!has(self.interval) || (has(self.digestReflectionPolicy) && self.digestReflectionPolicy == 'Always')"
    },
    {
        "message": "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
        "rule": "has(self.interval) || !has(self.digestReflectionPolicy) || self.digestReflectionPolicy != 'Always'"
    }
]))]
pub struct ImagePolicySpec {
    /// The ImageRepository whose tags are considered; another namespace needs its `accessFrom`.
    pub image_repository_ref: NamespacedObjectReference,

    /// The rule picking the latest tag.
    pub policy: ImagePolicyChoice,

    /// Which tags are considered, and which part of them is compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_tags: Option<TagFilter>,

    /// Whether and when the latest tag's digest is looked up; `Never` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "Never"))]
    pub digest_reflection_policy: Option<ReflectionPolicy>,

    /// How often the digest is refreshed; only with `digestReflectionPolicy: Always`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: Option<String>,

    /// Stop reconciling while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

impl ImagePolicySpec {
    /// The digest reflection policy, with Flux's default.
    pub fn digest_reflection_policy(&self) -> ReflectionPolicy {
        self.digest_reflection_policy.unwrap_or_default()
    }
}

/// When the digest of the latest image is looked up.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
pub enum ReflectionPolicy {
    /// On every interval, so a re-pushed tag is noticed.
    Always,
    /// Once per tag.
    IfNotPresent,
    /// Never; `latestRef.digest` stays empty.
    #[default]
    Never,
}

/// The rule picking the latest tag; exactly one of the fields is expected.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct ImagePolicyChoice {
    /// The highest tag within a semver range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<SemVerPolicy>,
    /// The last tag in alphabetical order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alphabetical: Option<AlphabeticalPolicy>,
    /// The last tag in numerical order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerical: Option<NumericalPolicy>,
}

/// Picks the highest tag satisfying a semver range; tags that are not semver are ignored.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct SemVerPolicy {
    /// A semver constraint, e.g. `>=1.0.0 <2.0.0` or `1.0.x`.
    pub range: String,
}

/// Picks the last tag after sorting alphabetically.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct AlphabeticalPolicy {
    /// `asc` picks the last in ascending order (Z), `desc` the first (A).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "asc"))]
    pub order: Option<SortOrder>,
}

/// Picks the last tag after sorting numerically.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct NumericalPolicy {
    /// `asc` picks the highest number, `desc` the lowest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "asc"))]
    pub order: Option<SortOrder>,
}

/// Sort order of an alphabetical or numerical policy.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// Restricts the tags considered and, optionally, the part of them compared.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct TagFilter {
    /// A regular expression tags must match; may have named groups for `extract`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// A template such as `$ts` naming the capture group compared instead of the whole tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extract: Option<String>,
}

/// An image reference: name, tag and optionally digest.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct ImageRef {
    /// The image name, as the ImageRepository's `spec.image` spells it.
    pub name: String,
    /// The tag.
    pub tag: String,
    /// The digest of the tag's manifest, when reflected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl std::fmt::Display for ImageRef {
    /// `<name>:<tag>`, or `<name>:<tag>@<digest>` with a digest.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.name, self.tag)?;
        match self.digest.as_deref() {
            Some(digest) if !digest.is_empty() => write!(f, "@{digest}"),
            _ => Ok(()),
        }
    }
}

/// The observed state of an ImagePolicy.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("default" = {"observedGeneration": -1}))]
pub struct ImagePolicyStatus {
    /// The latest image the policy picked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_ref: Option<ImageRef>,
    /// The image picked before the latest one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_previous_ref: Option<ImageRef>,
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Conditions of the ImagePolicy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The last `reconcile.fluxcd.io/requestedAt` value acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::impl_has_conditions!(ImagePolicyStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_ref_display() {
        let mut r = ImageRef {
            name: "ghcr.io/stefanprodan/podinfo".into(),
            tag: "6.5.0".into(),
            digest: None,
        };
        assert_eq!(r.to_string(), "ghcr.io/stefanprodan/podinfo:6.5.0");
        r.digest = Some("sha256:abc".into());
        assert_eq!(
            r.to_string(),
            "ghcr.io/stefanprodan/podinfo:6.5.0@sha256:abc"
        );
    }
}
