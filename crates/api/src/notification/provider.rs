//! Provider: where and how the notification controller delivers events (chat, webhooks, git
//! commit statuses, event buses). A static object: it has no status.

use crate::meta::LocalObjectReference;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The timeout for one notification when `spec.timeout` is unset.
pub const DEFAULT_PROVIDER_TIMEOUT: Duration = Duration::from_secs(15);

/// ProviderSpec describes a notification target and its credentials.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "notification.toolkit.fluxcd.io",
    version = "v1beta3",
    kind = "Provider",
    plural = "providers",
    namespaced,
    derive = "PartialEq",
    category = "all",
    category = "fluxcd",
    category = "fluxcd-notifications",
    annotation("kustomize.toolkit.fluxcd.io/substitute", "disabled"),
    doc = "Provider is the Schema for the providers API.",
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "message": "spec.commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops' provider types",
    "rule": "self.type == 'github' || self.type == 'gitlab' || self.type == 'gitea' || self.type == 'bitbucketserver' || self.type == 'bitbucket' || self.type == 'azuredevops' || !has(self.commitStatusExpr)"
}]))]
pub struct ProviderSpec {
    /// The kind of notification target.
    #[serde(rename = "type")]
    pub type_: ProviderType,

    /// Deprecated and unused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"))]
    pub interval: Option<String>,

    /// Channel, room, topic, subject or chat id, depending on the provider type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048))]
    pub channel: Option<String>,

    /// Display name or user the notifications are sent as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048))]
    pub username: Option<String>,

    /// Endpoint of the provider; the Secret's `address` key takes precedence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048))]
    pub address: Option<String>,

    /// Timeout for sending one notification; 15s when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ms|s|m))+$"))]
    pub timeout: Option<String>,

    /// Deprecated: HTTP/S proxy address; use `proxySecretRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 2048), regex(pattern = r"^(http|https)://.*$"))]
    pub proxy: Option<String>,

    /// Secret with the proxy settings: `address`, and optionally `username` and `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,

    /// Secret with credentials: `address`, `token`, `username`/`password`, `headers`, GitHub App keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,

    /// ServiceAccount whose workload identity authenticates to the cloud provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,

    /// Secret with TLS material: `ca.crt` for the server CA, `tls.crt` and `tls.key` for mTLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,

    /// Drop events for this provider while true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,

    /// CEL expression computing the commit status key (git commit-status providers only); variables
    /// `event`, `alert` and `provider`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_status_expr: Option<String>,
}

/// The notification targets the controller can deliver to.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProviderType {
    Slack,
    Discord,
    MsTeams,
    Rocket,
    Generic,
    #[serde(rename = "generic-hmac")]
    GenericHmac,
    GitHub,
    GitLab,
    Gitea,
    GiteaPullRequestComment,
    BitbucketServer,
    Bitbucket,
    AzureDevOps,
    GoogleChat,
    GooglePubSub,
    Webex,
    Sentry,
    AzureEventHub,
    Telegram,
    Lark,
    Matrix,
    Opsgenie,
    AlertManager,
    Grafana,
    GitHubDispatch,
    GitHubPullRequestComment,
    GitLabMergeRequestComment,
    PagerDuty,
    DataDog,
    Nats,
    Zulip,
    Otel,
    Zoom,
    #[serde(rename = "incident.io")]
    IncidentIo,
}

impl ProviderType {
    /// Every provider type, in the order Flux's CRD lists them.
    pub const ALL: [ProviderType; 34] = {
        use ProviderType::*;
        [
            Slack,
            Discord,
            MsTeams,
            Rocket,
            Generic,
            GenericHmac,
            GitHub,
            GitLab,
            Gitea,
            GiteaPullRequestComment,
            BitbucketServer,
            Bitbucket,
            AzureDevOps,
            GoogleChat,
            GooglePubSub,
            Webex,
            Sentry,
            AzureEventHub,
            Telegram,
            Lark,
            Matrix,
            Opsgenie,
            AlertManager,
            Grafana,
            GitHubDispatch,
            GitHubPullRequestComment,
            GitLabMergeRequestComment,
            PagerDuty,
            DataDog,
            Nats,
            Zulip,
            Otel,
            Zoom,
            IncidentIo,
        ]
    };

    /// The type as it appears in manifests.
    pub fn as_str(self) -> &'static str {
        use ProviderType::*;
        match self {
            Slack => "slack",
            Discord => "discord",
            MsTeams => "msteams",
            Rocket => "rocket",
            Generic => "generic",
            GenericHmac => "generic-hmac",
            GitHub => "github",
            GitLab => "gitlab",
            Gitea => "gitea",
            GiteaPullRequestComment => "giteapullrequestcomment",
            BitbucketServer => "bitbucketserver",
            Bitbucket => "bitbucket",
            AzureDevOps => "azuredevops",
            GoogleChat => "googlechat",
            GooglePubSub => "googlepubsub",
            Webex => "webex",
            Sentry => "sentry",
            AzureEventHub => "azureeventhub",
            Telegram => "telegram",
            Lark => "lark",
            Matrix => "matrix",
            Opsgenie => "opsgenie",
            AlertManager => "alertmanager",
            Grafana => "grafana",
            GitHubDispatch => "githubdispatch",
            GitHubPullRequestComment => "githubpullrequestcomment",
            GitLabMergeRequestComment => "gitlabmergerequestcomment",
            PagerDuty => "pagerduty",
            DataDog => "datadog",
            Nats => "nats",
            Zulip => "zulip",
            Otel => "otel",
            Zoom => "zoom",
            IncidentIo => "incident.io",
        }
    }

    /// Providers that set commit statuses on the commit named in the event metadata.
    pub fn is_commit_status(self) -> bool {
        use ProviderType::*;
        matches!(
            self,
            GitHub | GitLab | Gitea | BitbucketServer | Bitbucket | AzureDevOps
        )
    }

    /// Providers that comment on the pull/merge request named in the event metadata.
    pub fn is_change_request_comment(self) -> bool {
        use ProviderType::*;
        matches!(
            self,
            GitHubPullRequestComment | GitLabMergeRequestComment | GiteaPullRequestComment
        )
    }

    /// Providers that talk to a Git hosting service (commit statuses or change-request comments).
    pub fn is_git(self) -> bool {
        self.is_commit_status() || self.is_change_request_comment()
    }
}

impl std::fmt::Display for ProviderType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_match_serde() {
        for t in ProviderType::ALL {
            assert_eq!(
                serde_json::to_value(t).unwrap(),
                serde_json::Value::from(t.as_str())
            );
        }
    }
}
