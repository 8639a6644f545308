//! Alert: which Flux objects' events go to which Provider. A static object: it has no status.

use super::reference::CrossNamespaceObjectReference;
use crate::meta::LocalObjectReference;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// AlertSpec selects events by source, severity and message, and names the Provider to send them to.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "notification.toolkit.fluxcd.io",
    version = "v1beta3",
    kind = "Alert",
    plural = "alerts",
    namespaced,
    derive = "PartialEq",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-notifications",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "Alert is the Schema for the alerts API.",
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct AlertSpec {
    /// The Provider, in the Alert's namespace, that receives the events.
    pub provider_ref: LocalObjectReference,

    /// `info` forwards every event, `error` only error events; `info` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "info"))]
    pub event_severity: Option<EventSeverity>,

    /// The objects whose events this Alert forwards.
    pub event_sources: Vec<CrossNamespaceObjectReference>,

    /// Regular expressions; when set, only events whose message matches one of them are forwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inclusion_list: Option<Vec<String>>,

    /// Extra metadata added to every event this Alert forwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_metadata: Option<BTreeMap<String, String>>,

    /// Regular expressions; events whose message matches one of them are dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion_list: Option<Vec<String>>,

    /// Deprecated: a short summary added to the metadata as `summary`; use `eventMetadata`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub summary: Option<String>,

    /// Drop events for this Alert while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

/// The severity an Alert filters events by.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventSeverity {
    /// Every event.
    #[default]
    Info,
    /// Error events only.
    Error,
}

impl AlertSpec {
    /// The severity filter, with Flux's default.
    pub fn severity(&self) -> EventSeverity {
        self.event_severity.unwrap_or_default()
    }
}
