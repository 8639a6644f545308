//! Credentials and transport options, built from a Secret's data with Flux's key names.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::GitError;

/// How to authenticate to the remote.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    #[default]
    Anonymous,
    /// HTTP basic auth (`username`, `password`).
    Basic { username: String, password: String },
    /// HTTP `Authorization: Bearer <token>` (`bearerToken`).
    Bearer { token: String },
    /// ssh public-key auth: `identity` (private key, PEM or OpenSSH), optional `password`
    /// (the key's passphrase), `known_hosts` (required: unknown hosts are refused) and the
    /// user name (from the URL, `git` by default).
    Ssh {
        username: String,
        identity_pem: Vec<u8>,
        password: Option<String>,
        known_hosts: String,
    },
}

// Never print secrets, even in Debug output.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .finish_non_exhaustive(),
            Credentials::Bearer { .. } => f.write_str("Bearer { .. }"),
            Credentials::Ssh { username, .. } => f
                .debug_struct("Ssh")
                .field("username", username)
                .finish_non_exhaustive(),
        }
    }
}

/// An HTTP(S) proxy (`spec.proxySecretRef`: keys `address`, `username`, `password`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxyOptions {
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for ProxyOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyOptions")
            .field("url", &crate::error::redact_url(&self.url))
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl ProxyOptions {
    /// From a proxy Secret's data (`address` required; `username`/`password` optional).
    pub fn from_secret_data(data: &BTreeMap<String, Vec<u8>>) -> Result<ProxyOptions, GitError> {
        let text = |key: &str| -> Result<Option<String>, GitError> {
            data.get(key)
                .map(|v| {
                    String::from_utf8(v.clone()).map_err(|_| {
                        GitError::InvalidCredentials(format!(
                            "proxy secret key '{key}' is not UTF-8"
                        ))
                    })
                })
                .transpose()
                .map(|v| v.filter(|s| !s.is_empty()))
        };
        let url = text("address")?.ok_or_else(|| {
            GitError::InvalidCredentials("invalid proxy secret: key 'address' is missing".into())
        })?;
        let username = text("username")?;
        let password = text("password")?;
        if username.is_none() != password.is_none() {
            return Err(GitError::InvalidCredentials(
                "invalid proxy secret: 'username' and 'password' must be set together".into(),
            ));
        }
        Ok(ProxyOptions {
            url,
            username,
            password,
        })
    }
}

/// A TLS client certificate for mutual TLS (`tls.crt` + `tls.key`).
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientCertificate { .. }")
    }
}

/// Everything about reaching the remote besides its URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransportOptions {
    pub credentials: Credentials,
    /// Extra trusted CA certificates (PEM, `ca.crt` or the deprecated `caFile`), added to the
    /// system roots.
    pub ca_cert_pem: Option<Vec<u8>>,
    pub client_certificate: Option<ClientCertificate>,
    pub proxy: Option<ProxyOptions>,
    /// Bound on every network operation of one checkout (`spec.timeout`, Flux's default 60 s).
    pub timeout: Option<Duration>,
}

impl TransportOptions {
    /// Options for `url` from a Secret's data, with Flux's rules (fluxcd/pkg/git
    /// `NewAuthOptions`): for ssh URLs `identity`, `known_hosts` (both required) and `password`
    /// with the URL's user or `git`; for http(s) `bearerToken` if present, else
    /// `username`/`password` (falling back to the URL's user-info), plus `ca.crt` (or `caFile`)
    /// and `tls.crt`/`tls.key`. `data` may be `None` when there is no `secretRef`.
    pub fn from_secret_data(
        url: &str,
        data: Option<&BTreeMap<String, Vec<u8>>>,
    ) -> Result<TransportOptions, GitError> {
        let parsed = crate::remote::ParsedUrl::parse(url)?;
        let empty = BTreeMap::new();
        let data = data.unwrap_or(&empty);
        let text = |key: &str| -> Result<String, GitError> {
            match data.get(key) {
                None => Ok(String::new()),
                Some(v) => String::from_utf8(v.clone()).map_err(|_| {
                    GitError::InvalidCredentials(format!("secret key '{key}' is not valid UTF-8"))
                }),
            }
        };
        let non_empty = |v: Option<&Vec<u8>>| v.filter(|b| !b.is_empty()).cloned();
        let ca_cert_pem = non_empty(data.get("ca.crt")).or_else(|| non_empty(data.get("caFile")));
        let client_certificate = match (
            non_empty(data.get("tls.crt")),
            non_empty(data.get("tls.key")),
        ) {
            (Some(cert_pem), Some(key_pem)) => Some(ClientCertificate { cert_pem, key_pem }),
            (None, None) => None,
            _ => {
                return Err(GitError::InvalidCredentials(
                    "'tls.crt' and 'tls.key' must be set together".into(),
                ));
            }
        };
        if parsed.is_ssh() {
            if data.is_empty() {
                return Err(GitError::InvalidCredentials(
                    "invalid 'ssh' auth option: 'identity' is required".into(),
                ));
            }
            let identity = data.get("identity").cloned().unwrap_or_default();
            if identity.is_empty() {
                return Err(GitError::InvalidCredentials(
                    "invalid 'ssh' auth option: 'identity' is required".into(),
                ));
            }
            let known_hosts = text("known_hosts")?;
            if known_hosts.trim().is_empty() {
                return Err(GitError::InvalidCredentials(
                    "invalid 'ssh' auth option: 'known_hosts' is required".into(),
                ));
            }
            let password = text("password")?;
            let username = parsed
                .username
                .clone()
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "git".to_string());
            return Ok(TransportOptions {
                credentials: Credentials::Ssh {
                    username,
                    identity_pem: identity,
                    password: Some(password).filter(|p| !p.is_empty()),
                    known_hosts,
                },
                ..Default::default()
            });
        }
        let credentials = if data.contains_key("bearerToken") {
            Credentials::Bearer {
                token: text("bearerToken")?,
            }
        } else {
            let mut username = text("username")?;
            let mut password = text("password")?;
            if username.is_empty() {
                username = parsed.username.clone().unwrap_or_default();
            }
            if password.is_empty() {
                password = parsed.password.clone().unwrap_or_default();
            }
            if username.is_empty() && !password.is_empty() {
                return Err(GitError::InvalidCredentials(format!(
                    "invalid '{}' auth option: 'password' requires 'username' to be set",
                    parsed.scheme
                )));
            }
            if username.is_empty() {
                Credentials::Anonymous
            } else {
                Credentials::Basic { username, password }
            }
        };
        Ok(TransportOptions {
            credentials,
            ca_cert_pem,
            client_certificate,
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn https_basic_and_ca() {
        let d = data(&[("username", "u"), ("password", "p"), ("ca.crt", "PEM")]);
        let o = TransportOptions::from_secret_data("https://h/r.git", Some(&d)).unwrap();
        assert_eq!(
            o.credentials,
            Credentials::Basic {
                username: "u".into(),
                password: "p".into()
            }
        );
        assert_eq!(o.ca_cert_pem.as_deref(), Some(&b"PEM"[..]));
    }

    #[test]
    fn bearer_wins_over_basic() {
        let d = data(&[("username", "u"), ("password", "p"), ("bearerToken", "t")]);
        let o = TransportOptions::from_secret_data("https://h/r.git", Some(&d)).unwrap();
        assert_eq!(o.credentials, Credentials::Bearer { token: "t".into() });
    }

    #[test]
    fn url_user_info_is_a_fallback() {
        let o = TransportOptions::from_secret_data("https://a:b@h/r.git", None).unwrap();
        assert_eq!(
            o.credentials,
            Credentials::Basic {
                username: "a".into(),
                password: "b".into()
            }
        );
        let o = TransportOptions::from_secret_data("http://h/r.git", None).unwrap();
        assert_eq!(o.credentials, Credentials::Anonymous);
    }

    #[test]
    fn password_needs_username() {
        let d = data(&[("password", "p")]);
        let e = TransportOptions::from_secret_data("https://h/r.git", Some(&d)).unwrap_err();
        assert!(
            e.to_string().contains("'password' requires 'username'"),
            "{e}"
        );
    }

    #[test]
    fn ssh_needs_identity_and_known_hosts() {
        let e = TransportOptions::from_secret_data("ssh://git@h/r.git", None).unwrap_err();
        assert!(e.to_string().contains("'identity' is required"), "{e}");
        let d = data(&[("identity", "KEY")]);
        let e = TransportOptions::from_secret_data("ssh://git@h/r.git", Some(&d)).unwrap_err();
        assert!(e.to_string().contains("'known_hosts' is required"), "{e}");
        let d = data(&[("identity", "KEY"), ("known_hosts", "h ssh-ed25519 AAAA")]);
        let o = TransportOptions::from_secret_data("ssh://h/r.git", Some(&d)).unwrap();
        match o.credentials {
            Credentials::Ssh { username, .. } => assert_eq!(username, "git"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::Basic {
            username: "u".into(),
            password: "s3cret".into(),
        };
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn proxy_secret() {
        let d = data(&[
            ("address", "http://proxy:3128"),
            ("username", "a"),
            ("password", "b"),
        ]);
        let p = ProxyOptions::from_secret_data(&d).unwrap();
        assert_eq!(p.url, "http://proxy:3128");
        assert!(ProxyOptions::from_secret_data(&data(&[("username", "a")])).is_err());
    }
}
