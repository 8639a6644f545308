//! Types shared by every Flux kind (fluxcd/pkg/apis/meta) and kstatus condition helpers.

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The finalizer every Flux controller puts on the objects it reconciles.
pub const FINALIZER: &str = "finalizers.fluxcd.io";
/// Annotation asking for an immediate reconcile when its value differs from
/// `status.lastHandledReconcileAt`.
pub const RECONCILE_REQUEST_ANNOTATION: &str = "reconcile.fluxcd.io/requestedAt";

/// Condition types shared by Flux kinds.
pub mod condition_type {
    pub const READY: &str = "Ready";
    pub const RECONCILING: &str = "Reconciling";
    pub const STALLED: &str = "Stalled";
    pub const HEALTHY: &str = "Healthy";
}

/// Condition reasons shared by Flux kinds.
pub mod reason {
    pub const SUCCEEDED: &str = "Succeeded";
    pub const FAILED: &str = "Failed";
    pub const PROGRESSING: &str = "Progressing";
    pub const PROGRESSING_WITH_RETRY: &str = "ProgressingWithRetry";
    pub const SUSPENDED: &str = "Suspended";
    pub const DEPENDENCY_NOT_READY: &str = "DependencyNotReady";
    pub const INVALID_PATH: &str = "InvalidPath";
    pub const INVALID_URL: &str = "InvalidURL";
    pub const INSECURE_CONNECTIONS_DISALLOWED: &str = "InsecureConnectionsDisallowed";
    pub const UNSUPPORTED_CONNECTION_TYPE: &str = "UnsupportedConnectionType";
    pub const ARTIFACT_FAILED: &str = "ArtifactFailed";
    pub const BUILD_FAILED: &str = "BuildFailed";
    pub const PRUNE_FAILED: &str = "PruneFailed";
    pub const HEALTH_CHECK_FAILED: &str = "HealthCheckFailed";
    pub const HEALTH_CHECK_CANCELED: &str = "HealthCheckCanceled";
    pub const RECONCILIATION_SUCCEEDED: &str = "ReconciliationSucceeded";
    pub const RECONCILIATION_FAILED: &str = "ReconciliationFailed";
    pub const INVALID_CEL_EXPRESSION: &str = "InvalidCELExpression";
    pub const FEATURE_GATE_DISABLED: &str = "FeatureGateDisabled";
    pub const ACCESS_DENIED: &str = "AccessDenied";
}

/// The status of a condition, as metav1.ConditionStatus spells it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum ConditionStatus {
    True,
    False,
    Unknown,
}

/// One aspect of an object's current state (metav1.Condition).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Type of condition in CamelCase or in foo.example.com/CamelCase.
    #[schemars(length(max = 316))]
    #[schemars(regex(
        pattern = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
    ))]
    #[serde(rename = "type")]
    pub type_: String,
    /// Status of the condition: True, False or Unknown.
    pub status: ConditionStatus,
    /// The .metadata.generation the condition was set for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub observed_generation: Option<i64>,
    /// When the condition last moved from one status to another.
    pub last_transition_time: Time,
    /// A programmatic identifier for the reason of the last transition, in CamelCase.
    #[schemars(length(min = 1, max = 1024))]
    #[schemars(regex(pattern = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"))]
    pub reason: String,
    /// A human-readable message about the transition.
    #[schemars(length(max = 32768))]
    pub message: String,
}

/// An RFC 3339 timestamp with second precision, as metav1.Time serialises.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time(pub DateTime<Utc>);

impl Time {
    pub fn now() -> Self {
        // metav1.Time drops sub-second precision on the wire; keep the same precision in memory so
        // that a round trip compares equal.
        Time(DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap_or_default())
    }
}

impl std::fmt::Display for Time {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

impl JsonSchema for Time {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Time".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
    fn inline_schema() -> bool {
        true
    }
}

/// A reference to an object in the same namespace.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct LocalObjectReference {
    /// Name of the referent.
    pub name: String,
}

/// A reference to an object, in the same namespace unless `namespace` is set.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct NamespacedObjectReference {
    /// Name of the referent.
    pub name: String,
    /// Namespace of the referent, when not the same as the referrer's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A reference to one key of a Secret in the same namespace.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
pub struct SecretKeyReference {
    /// Name of the Secret.
    pub name: String,
    /// Key in the Secret, when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// A Secret holding a kubeconfig for a remote cluster.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct KubeConfigReference {
    /// Secret holding the kubeconfig under the key `value` or `value.yaml`, or `secretRef.key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretKeyReference>,
    /// Provider for cloud-provider authentication to the remote cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_ref: Option<LocalObjectReference>,
}

/// The output of a source reconciliation: a tarball served by the source controller.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Path of the artifact relative to the storage root.
    pub path: String,
    /// URL the artifact can be downloaded from.
    pub url: String,
    /// Human-readable identifier of the source revision, e.g. `main@sha1:<hash>`.
    pub revision: String,
    /// Digest of the artifact file, `<algorithm>:<checksum>`.
    #[schemars(regex(pattern = r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$"))]
    pub digest: String,
    /// When the artifact was last updated.
    pub last_update_time: Time,
    /// Size of the artifact file in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// Metadata of the source, e.g. OCI annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// Kinds whose status carries kstatus conditions.
pub trait HasConditions {
    fn conditions(&self) -> &[Condition];
    fn conditions_mut(&mut self) -> &mut Vec<Condition>;

    fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions().iter().find(|c| c.type_ == type_)
    }

    /// True when the Ready condition is True.
    fn is_ready(&self) -> bool {
        self.condition(condition_type::READY)
            .is_some_and(|c| c.status == ConditionStatus::True)
    }

    /// Set a condition, keeping lastTransitionTime when the status does not change (kstatus).
    fn set_condition(
        &mut self,
        type_: &str,
        status: ConditionStatus,
        reason: &str,
        message: &str,
        observed_generation: Option<i64>,
    ) {
        let conditions = self.conditions_mut();
        if let Some(existing) = conditions.iter_mut().find(|c| c.type_ == type_) {
            if existing.status != status {
                existing.last_transition_time = Time::now();
            }
            existing.status = status;
            existing.reason = reason.to_string();
            existing.message = message.to_string();
            existing.observed_generation = observed_generation;
        } else {
            conditions.push(Condition {
                type_: type_.to_string(),
                status,
                observed_generation,
                last_transition_time: Time::now(),
                reason: reason.to_string(),
                message: message.to_string(),
            });
        }
    }

    /// Remove a condition; negative-polarity conditions (Reconciling, Stalled) are absent when False.
    fn remove_condition(&mut self, type_: &str) {
        self.conditions_mut().retain(|c| c.type_ != type_);
    }
}

/// A bare condition list, as a status writer holds it.
impl HasConditions for Vec<Condition> {
    fn conditions(&self) -> &[Condition] {
        self
    }
    fn conditions_mut(&mut self) -> &mut Vec<Condition> {
        self
    }
}

/// Implements [`HasConditions`] for a status struct with a `conditions: Option<Vec<Condition>>` field.
#[macro_export]
macro_rules! impl_has_conditions {
    ($status:ty) => {
        impl $crate::meta::HasConditions for $status {
            fn conditions(&self) -> &[$crate::meta::Condition] {
                self.conditions.as_deref().unwrap_or_default()
            }
            fn conditions_mut(&mut self) -> &mut Vec<$crate::meta::Condition> {
                self.conditions.get_or_insert_with(Vec::new)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Status {
        conditions: Option<Vec<Condition>>,
    }
    impl_has_conditions!(Status);

    #[test]
    fn last_transition_time_changes_only_with_status() {
        let mut s = Status::default();
        s.set_condition("Ready", ConditionStatus::False, "Failed", "boom", Some(1));
        let first = s.condition("Ready").unwrap().last_transition_time.clone();
        // Pretend the condition was set long ago, so a new timestamp would differ.
        let old = Time(DateTime::from_timestamp(1_000, 0).unwrap());
        s.conditions_mut()[0].last_transition_time = old.clone();
        s.set_condition(
            "Ready",
            ConditionStatus::False,
            "Failed",
            "boom again",
            Some(2),
        );
        assert_eq!(s.condition("Ready").unwrap().last_transition_time, old);
        assert_eq!(s.condition("Ready").unwrap().message, "boom again");
        s.set_condition("Ready", ConditionStatus::True, "Succeeded", "ok", Some(2));
        assert!(s.condition("Ready").unwrap().last_transition_time >= first);
        assert_ne!(s.condition("Ready").unwrap().last_transition_time, old);
        assert!(s.is_ready());
        s.remove_condition("Ready");
        assert!(!s.is_ready());
    }

    #[test]
    fn time_serialises_as_rfc3339_seconds() {
        let t = Time(DateTime::from_timestamp(1_700_000_000, 0).unwrap());
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2023-11-14T22:13:20Z\""
        );
    }
}

/// Which namespaces may refer to an object from another namespace (fluxcd/pkg/apis/acl).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessFrom {
    /// Namespace selectors; a namespace matching any of them is granted access.
    pub namespace_selectors: Vec<NamespaceSelector>,
}

/// Selects namespaces by their labels.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceSelector {
    /// Labels a namespace must carry, all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
}
