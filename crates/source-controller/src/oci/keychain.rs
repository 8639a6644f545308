//! Registry credentials from image pull Secrets, as Kubernetes' keyring (and so Flux's
//! `k8schain`) reads them: `.dockerconfigjson` (`{"auths": {...}}`) or the legacy `.dockercfg`
//! (the map itself), each entry with `username`/`password` or `auth` (base64 `user:password`),
//! matched by registry host and, when the key has one, repository path prefix.

use base64::Engine;
use std::collections::BTreeMap;

/// Credentials for one registry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The entries of the pull Secrets, in the order the Secrets were given.
#[derive(Debug, Default, Clone)]
pub struct Keychain {
    entries: Vec<(Pattern, Credentials)>,
}

#[derive(Debug, Clone)]
struct Pattern {
    host: String,
    path: String,
}

/// Why a pull Secret could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error("failed to parse '{key}' of secret '{secret}': {message}")]
    Invalid {
        secret: String,
        key: &'static str,
        message: String,
    },
}

#[derive(serde::Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, Entry>,
}

#[derive(serde::Deserialize, Default)]
struct Entry {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    auth: String,
}

impl Keychain {
    /// Adds the entries of one Secret's data; Secrets without either key add nothing.
    pub fn add_secret(
        &mut self,
        secret: &str,
        data: &BTreeMap<String, Vec<u8>>,
    ) -> Result<(), KeychainError> {
        let invalid = |key: &'static str, message: String| KeychainError::Invalid {
            secret: secret.to_string(),
            key,
            message,
        };
        let entries = if let Some(raw) = data.get(".dockerconfigjson") {
            serde_json::from_slice::<DockerConfig>(raw)
                .map_err(|e| invalid(".dockerconfigjson", e.to_string()))?
                .auths
        } else if let Some(raw) = data.get(".dockercfg") {
            serde_json::from_slice::<BTreeMap<String, Entry>>(raw)
                .map_err(|e| invalid(".dockercfg", e.to_string()))?
        } else {
            return Ok(());
        };
        for (key, entry) in entries {
            let credentials = match (entry.username.is_empty(), entry.auth.is_empty()) {
                (false, _) => Credentials {
                    username: entry.username,
                    password: entry.password,
                },
                (true, false) => {
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(entry.auth.trim())
                        .map_err(|e| {
                            invalid(".dockerconfigjson", format!("auth of '{key}': {e}"))
                        })?;
                    let text = String::from_utf8_lossy(&decoded);
                    let (username, password) = text.split_once(':').ok_or_else(|| {
                        invalid(
                            ".dockerconfigjson",
                            format!("auth of '{key}' is not 'username:password'"),
                        )
                    })?;
                    Credentials {
                        username: username.to_string(),
                        password: password.to_string(),
                    }
                }
                (true, true) => continue,
            };
            self.entries.push((Pattern::parse(&key), credentials));
        }
        Ok(())
    }

    /// The credentials for `repository` on `registry` (`host[:port]`): the entry with the
    /// longest matching path, the first Secret's on a tie.
    pub fn lookup(&self, registry: &str, repository: &str) -> Option<&Credentials> {
        let registry = canonical_host(registry);
        let mut best: Option<(usize, &Credentials)> = None;
        for (pattern, credentials) in &self.entries {
            if pattern.host != registry {
                continue;
            }
            let path = pattern.path.trim_matches('/');
            let matches = path.is_empty()
                || repository == path
                || repository.starts_with(&format!("{path}/"));
            if matches && best.is_none_or(|(len, _)| path.len() > len) {
                best = Some((path.len(), credentials));
            }
        }
        best.map(|(_, c)| c)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Pattern {
    /// `https://host:port/path/` or `host/path`; Docker Hub's `/v1/` and `/v2/` API paths are
    /// not repository prefixes.
    fn parse(key: &str) -> Pattern {
        let rest = key
            .strip_prefix("https://")
            .or_else(|| key.strip_prefix("http://"))
            .unwrap_or(key);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let path = path.trim_end_matches('/');
        let path = match path {
            "v1" | "v2" => "",
            other => other,
        };
        Pattern {
            host: canonical_host(host),
            path: path.to_string(),
        }
    }
}

/// Docker Hub answers under several names.
fn canonical_host(host: &str) -> String {
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "docker.io" | "registry-1.docker.io" | "index.docker.io" => "index.docker.io".into(),
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(json: &str) -> BTreeMap<String, Vec<u8>> {
        BTreeMap::from([(".dockerconfigjson".to_string(), json.as_bytes().to_vec())])
    }

    #[test]
    fn reads_username_password_and_auth_entries() {
        let mut keychain = Keychain::default();
        keychain
            .add_secret(
                "ns/a",
                &secret(
                    r#"{"auths":{"127.0.0.1:5000":{"username":"flux","password":"s3cret"},
                    "https://ghcr.io/v1/":{"auth":"Ym90OnRva2Vu"},
                    "docker.io/org":{"username":"hub","password":"p"}}}"#,
                ),
            )
            .unwrap();
        let c = keychain.lookup("127.0.0.1:5000", "demo/app").unwrap();
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("flux", "s3cret")
        );
        let c = keychain.lookup("ghcr.io", "x/y").unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("bot", "token"));
        assert!(keychain.lookup("index.docker.io", "org/app").is_some());
        assert!(keychain.lookup("index.docker.io", "other/app").is_none());
        assert!(keychain.lookup("127.0.0.1:5001", "demo/app").is_none());
        assert!(!format!("{c:?}").contains("token"));
    }

    #[test]
    fn the_longest_path_wins_and_bad_json_is_an_error() {
        let mut keychain = Keychain::default();
        keychain
            .add_secret(
                "ns/a",
                &secret(
                    r#"{"auths":{"r.io":{"username":"any","password":"1"},"r.io/team/app":{"username":"app","password":"2"}}}"#,
                ),
            )
            .unwrap();
        assert_eq!(keychain.lookup("r.io", "team/app").unwrap().username, "app");
        assert_eq!(
            keychain.lookup("r.io", "team/other").unwrap().username,
            "any"
        );
        let err = keychain.add_secret("ns/b", &secret("{")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("failed to parse '.dockerconfigjson' of secret 'ns/b'")
        );
        let legacy = BTreeMap::from([(
            ".dockercfg".to_string(),
            br#"{"old.io":{"auth":"dTpw"}}"#.to_vec(),
        )]);
        keychain.add_secret("ns/c", &legacy).unwrap();
        assert_eq!(keychain.lookup("old.io", "x").unwrap().password, "p");
    }
}
