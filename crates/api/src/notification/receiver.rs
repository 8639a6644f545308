//! Receiver: a webhook endpoint that asks Flux objects to reconcile when an external system
//! (a Git host, a container registry, a CI job) calls it.

use super::reference::CrossNamespaceObjectReference;
use crate::meta::{Condition, LocalObjectReference};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Every webhook path starts with this prefix, followed by a hex sha256 digest.
pub const RECEIVER_WEBHOOK_PATH_PREFIX: &str = "/hook/";
/// The audience a generic-oidc provider expects when `audience` is unset.
pub const DEFAULT_OIDC_AUDIENCE: &str = "notification-controller";
/// How often the Secret is re-read when `spec.interval` is unset.
pub const DEFAULT_RECEIVER_INTERVAL: Duration = Duration::from_secs(600);

/// Ready=True: the webhook path is computed and served.
pub const INITIALIZED_REASON: &str = "Initialized";
/// Stalled: the spec failed validation.
pub const VALIDATION_FAILED_REASON: &str = "ValidationFailed";
/// Ready=False: the Secret or its `token` key is missing.
pub const TOKEN_NOT_FOUND_REASON: &str = "TokenNotFound";

/// ReceiverSpec describes the webhook: how callers are verified and which objects it annotates.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "notification.toolkit.fluxcd.io",
    version = "v1",
    kind = "Receiver",
    plural = "receivers",
    namespaced,
    status = "ReceiverStatus",
    derive = "PartialEq",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-notifications",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "Receiver is the Schema for the receivers API.",
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
#[schemars(extend("x-kubernetes-validations" = [
    {
        "message": "generic-oidc receivers must define at least one oidcProvider",
        "rule": "self.type != 'generic-oidc' || (has(self.oidcProviders) && size(self.oidcProviders) > 0)"
    },
    {
        "message": "oidcProviders can only be set when type is generic-oidc",
        "rule": "self.type == 'generic-oidc' || !has(self.oidcProviders) || size(self.oidcProviders) == 0"
    },
    {
        "message": "secretRef cannot be set when type is generic-oidc",
        "rule": "self.type != 'generic-oidc' || !has(self.secretRef)"
    },
    {
        "message": "secretRef is required when type is not generic-oidc",
        "rule": "self.type == 'generic-oidc' || has(self.secretRef)"
    }
]))]
pub struct ReceiverSpec {
    /// How incoming requests are verified and decoded.
    #[serde(rename = "type")]
    pub type_: ReceiverType,

    /// How often the Secret is re-read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"), extend("default" = "10m"))]
    pub interval: Option<String>,

    /// Event types to act on (github, gitlab, bitbucket, cdevents); all events when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,

    /// The objects to annotate with a reconcile request.
    pub resources: Vec<ReceiverResource>,

    /// CEL expression deciding, per resource, whether to annotate it; variables `res`, `req` and
    /// `claims` (generic-oidc).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_filter: Option<String>,

    /// Secret whose `token` key is hashed into the webhook path and verifies requests; required for
    /// every type except generic-oidc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,

    /// OIDC issuers trusted by a generic-oidc receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend(
        "x-kubernetes-list-type" = "map",
        "x-kubernetes-list-map-keys" = ["issuerURL"]
    ))]
    pub oidc_providers: Option<Vec<OidcProvider>>,

    /// Ignore requests while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

/// How a Receiver verifies and decodes requests.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReceiverType {
    Generic,
    #[serde(rename = "generic-hmac")]
    GenericHmac,
    #[serde(rename = "generic-oidc")]
    GenericOidc,
    GitHub,
    GitLab,
    Bitbucket,
    Harbor,
    DockerHub,
    Quay,
    Gcr,
    Nexus,
    Acr,
    CdEvents,
}

impl ReceiverType {
    /// Every receiver type, in the order Flux's CRD lists them.
    pub const ALL: [ReceiverType; 13] = {
        use ReceiverType::*;
        [
            Generic,
            GenericHmac,
            GenericOidc,
            GitHub,
            GitLab,
            Bitbucket,
            Harbor,
            DockerHub,
            Quay,
            Gcr,
            Nexus,
            Acr,
            CdEvents,
        ]
    };

    /// The type as it appears in manifests.
    pub fn as_str(self) -> &'static str {
        use ReceiverType::*;
        match self {
            Generic => "generic",
            GenericHmac => "generic-hmac",
            GenericOidc => "generic-oidc",
            GitHub => "github",
            GitLab => "gitlab",
            Bitbucket => "bitbucket",
            Harbor => "harbor",
            DockerHub => "dockerhub",
            Quay => "quay",
            Gcr => "gcr",
            Nexus => "nexus",
            Acr => "acr",
            CdEvents => "cdevents",
        }
    }
}

impl std::fmt::Display for ReceiverType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An object (or, with name `*`, the objects matching labels) to annotate with a reconcile request.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceiverResource {
    /// The object(s) to annotate.
    #[serde(flatten)]
    pub reference: CrossNamespaceObjectReference,
    /// CEL expression deciding whether this resource is annotated; variables `res` and `req`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
}

/// An OIDC issuer whose ID tokens a generic-oidc receiver accepts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OidcProvider {
    /// Issuer URL; its discovery document and keys verify the token.
    #[serde(rename = "issuerURL")]
    #[schemars(regex(pattern = r"^https?://"))]
    pub issuer_url: String,
    /// Expected audience; `notification-controller` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Named CEL expressions over the claims, available to later variables and validations as `vars`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Vec<OidcVariable>>,
    /// CEL expressions that must all hold for the token to be accepted.
    #[schemars(length(min = 1))]
    pub validations: Vec<OidcValidation>,
}

impl OidcProvider {
    /// The audience, with Flux's default.
    pub fn audience(&self) -> &str {
        self.audience.as_deref().unwrap_or(DEFAULT_OIDC_AUDIENCE)
    }
}

/// A named CEL expression evaluated over the token's claims.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct OidcVariable {
    /// Name the value is available under, as `vars.<name>`.
    pub name: String,
    /// CEL expression producing the value.
    pub expression: String,
}

/// A CEL condition a token must satisfy.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct OidcValidation {
    /// CEL expression that must evaluate to true.
    pub expression: String,
    /// Message returned when the expression is false.
    pub message: String,
}

/// The observed state of a Receiver.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("default" = {"observedGeneration": -1}))]
pub struct ReceiverStatus {
    /// The last `reconcile.fluxcd.io/requestedAt` value acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// Conditions of the Receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The path the webhook is served at: `/hook/<sha256 of token, name and namespace>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_path: Option<String>,
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

crate::impl_has_conditions!(ReceiverStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_match_serde() {
        for t in ReceiverType::ALL {
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                serde_json::Value::from(t.as_str())
            );
        }
    }

    #[test]
    fn resource_reference_is_inlined() {
        let doc = serde_json::json!({
            "kind": "ImageRepository",
            "name": "*",
            "matchLabels": {"registry": "gar"},
            "filter": "true"
        });
        let r: ReceiverResource = serde_json::from_value(doc.clone()).unwrap();
        assert_eq!(
            r.reference.kind,
            crate::notification::FluxKind::ImageRepository
        );
        assert_eq!(serde_json::to_value(&r).unwrap(), doc);
    }

    #[test]
    fn oidc_audience_default() {
        let p = OidcProvider {
            issuer_url: "https://token.actions.githubusercontent.com".into(),
            audience: None,
            variables: None,
            validations: Vec::new(),
        };
        assert_eq!(p.audience(), DEFAULT_OIDC_AUDIENCE);
    }
}
