//! Clients that act for an object, as Flux's impersonator builds them (fluxcd/pkg/runtime/client):
//!
//! - `spec.kubeConfig.secretRef` set: a client for the remote cluster in that Secret (key
//!   `secretRef.key`, else `value`, else `value.yaml`), sanitised as Flux does: only inline
//!   credentials and CA data are used (no file paths, no token files, no auth providers), `exec`
//!   credentials only with `--insecure-kubeconfig-exec`, `insecure-skip-tls-verify` only with
//!   `--insecure-kubeconfig-tls`;
//! - `spec.serviceAccountName` set, else `--default-service-account` set: requests impersonate
//!   `system:serviceaccount:<object namespace>:<name>` (on the remote cluster too);
//! - neither: the controller's own client.
//!
//! Errors name the Secret and key but never include the kubeconfig's content.

use flux_api::meta::KubeConfigReference;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::time::Duration;

/// What a kubeconfig from a Secret may use (`--insecure-kubeconfig-exec`, `--insecure-kubeconfig-tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubeConfigPolicy {
    pub allow_exec: bool,
    pub allow_insecure_tls: bool,
    /// Connect timeout for the remote cluster (Flux's rest timeout defaults to 30s).
    pub timeout: Duration,
}

impl Default for KubeConfigPolicy {
    fn default() -> Self {
        KubeConfigPolicy {
            allow_exec: false,
            allow_insecure_tls: false,
            timeout: Duration::from_secs(30),
        }
    }
}

impl From<&crate::flags::KubeConfigFlags> for KubeConfigPolicy {
    fn from(flags: &crate::flags::KubeConfigFlags) -> Self {
        KubeConfigPolicy {
            allow_exec: flags.insecure_kubeconfig_exec,
            allow_insecure_tls: flags.insecure_kubeconfig_tls,
            ..KubeConfigPolicy::default()
        }
    }
}

/// The Secret holding a remote cluster's kubeconfig, resolved in the object's namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeConfigSecretRef {
    pub namespace: String,
    pub name: String,
    /// The key named in the reference (None: `value`, then `value.yaml`).
    pub key: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientFactoryError {
    #[error("unable to read KubeConfig secret '{secret}' error: {source}")]
    ReadSecret { secret: String, source: kube::Error },
    #[error("KubeConfig secret '{secret}' does not contain a '{key}' key with a kubeconfig")]
    MissingKey { secret: String, key: String },
    #[error("KubeConfig secret '{secret}' key '{key}' does not hold a valid kubeconfig: {reason}")]
    InvalidKubeconfig {
        secret: String,
        key: String,
        reason: String,
    },
    #[error(
        "KubeConfig secret '{secret}' key '{key}' uses exec credentials, which are disabled \
         (enable them with --insecure-kubeconfig-exec)"
    )]
    ExecNotAllowed { secret: String, key: String },
    #[error(
        "spec.kubeConfig.configMapRef (workload identity for remote clusters) is not supported \
         yet; use spec.kubeConfig.secretRef"
    )]
    ConfigMapRefUnsupported,
    #[error(
        "invalid .spec.kubeConfig, neither .spec.kubeConfig.configMapRef nor .spec.kubeConfig.secretRef is set"
    )]
    EmptyKubeConfigRef,
    #[error("the controller's own client configuration is not available for impersonation")]
    NoBaseConfig,
    #[error("cannot build a Kubernetes client: {0}")]
    Build(String),
}

/// Builds the client each object's reconcile should use.
#[derive(Clone)]
pub struct ClientFactory {
    base: kube::Config,
    client: kube::Client,
    default_service_account: String,
    policy: KubeConfigPolicy,
    qps: f32,
    burst: u32,
}

impl std::fmt::Debug for ClientFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientFactory")
            .field("server", &self.base.cluster_url)
            .field("default_service_account", &self.default_service_account)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl ClientFactory {
    /// `base` is the controller's own configuration (see [`super::config_from_flags`]); `client`
    /// reads kubeconfig Secrets. `default_service_account` is `--default-service-account`.
    pub fn new(base: kube::Config, client: kube::Client, default_service_account: &str) -> Self {
        ClientFactory {
            base,
            client,
            default_service_account: default_service_account.to_string(),
            policy: KubeConfigPolicy::default(),
            qps: 0.0,
            burst: 0,
        }
    }

    pub fn with_kubeconfig_policy(mut self, policy: KubeConfigPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Throttle the clients built here as `--kube-api-qps` / `--kube-api-burst` do the main one
    /// (each client has its own bucket).
    pub fn with_throttle(mut self, qps: f32, burst: u32) -> Self {
        self.qps = qps;
        self.burst = burst;
        self
    }

    /// The user requests are made as: `system:serviceaccount:<namespace>:<name>` for
    /// `service_account_name`, else for the default service account; None when both are empty.
    pub fn impersonated_user(
        &self,
        namespace: &str,
        service_account_name: Option<&str>,
    ) -> Option<String> {
        let name = service_account_name
            .filter(|n| !n.is_empty())
            .or(Some(self.default_service_account.as_str()).filter(|n| !n.is_empty()))?;
        Some(format!("system:serviceaccount:{namespace}:{name}"))
    }

    /// Whether the service account the object would act as exists (true when it acts as the
    /// controller), as Flux checks before pruning on deletion: a deleted tenant service account
    /// lets the finalizer go instead of failing forever.
    pub async fn can_impersonate(
        &self,
        namespace: &str,
        service_account_name: Option<&str>,
    ) -> bool {
        let name = service_account_name
            .filter(|n| !n.is_empty())
            .unwrap_or(self.default_service_account.as_str());
        if name.is_empty() {
            return true;
        }
        let accounts: Api<k8s_openapi::api::core::v1::ServiceAccount> =
            Api::namespaced(self.client.clone(), namespace);
        matches!(accounts.get_opt(name).await, Ok(Some(_)))
    }

    /// The client for an object in `namespace` with the given `spec.serviceAccountName` and
    /// `spec.kubeConfig`.
    pub async fn client_for(
        &self,
        namespace: &str,
        service_account_name: Option<&str>,
        kube_config: Option<&KubeConfigReference>,
    ) -> Result<kube::Client, ClientFactoryError> {
        let user = self.impersonated_user(namespace, service_account_name);
        let mut config = match kube_config {
            Some(reference) => match (&reference.secret_ref, &reference.config_map_ref) {
                (Some(secret), _) => {
                    self.remote_config(&KubeConfigSecretRef {
                        namespace: namespace.to_string(),
                        name: secret.name.clone(),
                        key: secret.key.clone().filter(|k| !k.is_empty()),
                    })
                    .await?
                }
                (None, Some(_)) => return Err(ClientFactoryError::ConfigMapRefUnsupported),
                (None, None) => return Err(ClientFactoryError::EmptyKubeConfigRef),
            },
            None if user.is_none() => return Ok(self.client.clone()),
            None => self.base.clone(),
        };
        if let Some(user) = user {
            config.auth_info.impersonate = Some(user);
            config.auth_info.impersonate_groups = None;
        }
        super::client_with_throttle(config, self.qps, self.burst)
            .map_err(|e| ClientFactoryError::Build(e.to_string()))
    }

    /// The sanitised configuration of the remote cluster in a kubeconfig Secret.
    pub async fn remote_config(
        &self,
        reference: &KubeConfigSecretRef,
    ) -> Result<kube::Config, ClientFactoryError> {
        let secret_id = format!("{}/{}", reference.namespace, reference.name);
        let secrets: Api<Secret> = Api::namespaced(self.client.clone(), &reference.namespace);
        let secret = secrets.get(&reference.name).await.map_err(|source| {
            ClientFactoryError::ReadSecret {
                secret: secret_id.clone(),
                source,
            }
        })?;
        let data = secret.data.unwrap_or_default();
        let (key, bytes) = match &reference.key {
            Some(key) => match data.get(key) {
                Some(bytes) => (key.clone(), bytes.0.clone()),
                None => {
                    return Err(ClientFactoryError::MissingKey {
                        secret: secret_id,
                        key: key.clone(),
                    });
                }
            },
            None => match data.get("value").or_else(|| data.get("value.yaml")) {
                Some(bytes) => (
                    if data.contains_key("value") {
                        "value".to_string()
                    } else {
                        "value.yaml".to_string()
                    },
                    bytes.0.clone(),
                ),
                None => {
                    return Err(ClientFactoryError::MissingKey {
                        secret: secret_id,
                        key: "value".into(),
                    });
                }
            },
        };
        kubeconfig_from_bytes(&bytes, &self.policy, &secret_id, &key).await
    }
}

/// Parse and sanitise a kubeconfig; error messages never quote its content.
pub(crate) async fn kubeconfig_from_bytes(
    bytes: &[u8],
    policy: &KubeConfigPolicy,
    secret: &str,
    key: &str,
) -> Result<kube::Config, ClientFactoryError> {
    let invalid = |reason: &str| ClientFactoryError::InvalidKubeconfig {
        secret: secret.to_string(),
        key: key.to_string(),
        reason: reason.to_string(),
    };
    let text = std::str::from_utf8(bytes).map_err(|_| invalid("not UTF-8 text"))?;
    // The parser's messages may quote the input, which holds credentials: report only that it
    // failed.
    let mut kubeconfig =
        Kubeconfig::from_yaml(text).map_err(|_| invalid("not a kubeconfig YAML document"))?;
    for named in &mut kubeconfig.auth_infos {
        let Some(auth) = named.auth_info.as_mut() else {
            continue;
        };
        // Only inline credentials: file paths would read the controller's own files.
        auth.token_file = None;
        auth.client_certificate = None;
        auth.client_key = None;
        auth.auth_provider = None;
        auth.impersonate = None;
        auth.impersonate_groups = None;
        if auth.exec.is_some() && !policy.allow_exec {
            return Err(ClientFactoryError::ExecNotAllowed {
                secret: secret.to_string(),
                key: key.to_string(),
            });
        }
    }
    for named in &mut kubeconfig.clusters {
        let Some(cluster) = named.cluster.as_mut() else {
            continue;
        };
        cluster.certificate_authority = None;
        if !policy.allow_insecure_tls {
            cluster.insecure_skip_tls_verify = None;
        }
    }
    let mut config =
        kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
            .await
            .map_err(|e| match e {
                kube::config::KubeconfigError::Parse(_) => {
                    invalid("not a kubeconfig YAML document")
                }
                other => invalid(&other.to_string()),
            })?;
    config.connect_timeout = Some(policy.timeout);
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET_TOKEN: &str = "s3cr3t-t0ken-value";

    fn kubeconfig(extra_user: &str, extra_cluster: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\n{extra_cluster}contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\nusers:\n- name: u\n  user:\n    token: {SECRET_TOKEN}\n{extra_user}"
        )
    }

    #[tokio::test]
    async fn file_references_are_dropped_and_exec_needs_the_flag() {
        let policy = KubeConfigPolicy::default();
        let text = kubeconfig(
            "    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n",
            "    insecure-skip-tls-verify: true\n",
        );
        let config = kubeconfig_from_bytes(text.as_bytes(), &policy, "ns/s", "value")
            .await
            .unwrap();
        assert!(config.auth_info.token_file.is_none());
        assert!(!config.accept_invalid_certs);
        let relaxed = KubeConfigPolicy {
            allow_insecure_tls: true,
            ..policy
        };
        let config = kubeconfig_from_bytes(text.as_bytes(), &relaxed, "ns/s", "value")
            .await
            .unwrap();
        assert!(config.accept_invalid_certs);

        let exec = kubeconfig(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/steal\n",
            "",
        );
        let err = kubeconfig_from_bytes(exec.as_bytes(), &policy, "ns/s", "value")
            .await
            .unwrap_err();
        assert!(matches!(err, ClientFactoryError::ExecNotAllowed { .. }));
        assert!(err.to_string().contains("--insecure-kubeconfig-exec"));
    }

    #[tokio::test]
    async fn invalid_kubeconfigs_are_reported_without_their_content() {
        let policy = KubeConfigPolicy::default();
        let broken = format!("users: [ {{ token: {SECRET_TOKEN} ");
        let err = kubeconfig_from_bytes(broken.as_bytes(), &policy, "ns/s", "value")
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(!text.contains(SECRET_TOKEN), "{text}");
        assert!(
            text.starts_with(
                "KubeConfig secret 'ns/s' key 'value' does not hold a valid kubeconfig"
            ),
            "{text}"
        );
        let err = kubeconfig_from_bytes(&[0xff, 0xfe], &policy, "ns/s", "value")
            .await
            .unwrap_err();
        assert!(err.to_string().ends_with("not UTF-8 text"));
    }
}
