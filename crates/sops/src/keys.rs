//! Decryption keys, imported from a Kubernetes Secret with Flux's naming rules.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Cursor;
use std::str::FromStr;

use pgp::composed::{Deserializable, SignedSecretKey};

use crate::SopsError;

/// Data keys of a Flux decryption Secret (`spec.decryption.secretRef`) with a fixed name.
pub const VAULT_TOKEN_KEY: &str = "sops.vault-token";
pub const AWS_KMS_KEY: &str = "sops.aws-kms";
pub const AZURE_KV_KEY: &str = "sops.azure-kv";
pub const GCP_KMS_KEY: &str = "sops.gcp-kms";
/// Extension of Secret data keys holding age identities.
pub const AGE_EXTENSION: &str = ".agekey";
/// Extension of Secret data keys holding armored OpenPGP private keys.
pub const PGP_EXTENSION: &str = ".asc";

/// Credentials for key services flux-sops cannot reach. Flux imports them from the Secret; here
/// they are remembered only to say, when a document needs that service, that it is unsupported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProviderCredential {
    VaultToken,
    AwsKms,
    AzureKeyVault,
    GcpKms,
}

impl fmt::Display for ProviderCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProviderCredential::VaultToken => VAULT_TOKEN_KEY,
            ProviderCredential::AwsKms => AWS_KMS_KEY,
            ProviderCredential::AzureKeyVault => AZURE_KV_KEY,
            ProviderCredential::GcpKms => GCP_KMS_KEY,
        })
    }
}

/// The private keys available for unwrapping SOPS data keys. `Send + Sync + Clone`, so one import
/// can serve concurrent decryptions.
#[derive(Default, Clone)]
pub struct Keys {
    pub(crate) age: Vec<age::x25519::Identity>,
    /// Secret data keys whose age identities are of a kind age 0.12 cannot use (post-quantum
    /// hybrid, plugins): kept by name to explain a failure, never used.
    pub(crate) unusable_age: Vec<(String, &'static str)>,
    pub(crate) pgp: Vec<SignedSecretKey>,
    pub(crate) providers: BTreeSet<ProviderCredential>,
}

impl fmt::Debug for Keys {
    // Counts only: identities are secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("age_identities", &self.age.len())
            .field("pgp_keys", &self.pgp.len())
            .field("unusable_age", &self.unusable_age)
            .field("providers", &self.providers)
            .finish()
    }
}

impl Keys {
    /// No keys: every decryption fails with [`SopsError::NoDataKey`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Imports the data of a Flux decryption Secret, as kustomize-controller's `ImportKeys`:
    /// keys ending in `.agekey` hold age identities (one per line, `#` comments), keys ending in
    /// `.asc` hold OpenPGP private keys (armored or binary); `sops.vault-token`, `sops.aws-kms`,
    /// `sops.azure-kv` and `sops.gcp-kms` are noted (their services are not supported, which is
    /// reported only when a document needs them); every other key is ignored.
    /// A malformed `.agekey`/`.asc` value fails the import, naming the data key.
    pub fn from_secret_data(data: &BTreeMap<String, Vec<u8>>) -> Result<Keys, SopsError> {
        let mut keys = Keys::new();
        for (name, value) in data {
            match extension(name) {
                Some(PGP_EXTENSION) => keys.import_pgp(name, value)?,
                Some(AGE_EXTENSION) => {
                    let text = std::str::from_utf8(value).map_err(|_| SopsError::InvalidKey {
                        name: name.clone(),
                        reason: "age identities must be UTF-8 text".into(),
                    })?;
                    keys.import_age(name, text)?;
                }
                _ => {
                    let provider = match name.as_str() {
                        VAULT_TOKEN_KEY => Some(ProviderCredential::VaultToken),
                        AWS_KMS_KEY => Some(ProviderCredential::AwsKms),
                        AZURE_KV_KEY => Some(ProviderCredential::AzureKeyVault),
                        GCP_KMS_KEY => Some(ProviderCredential::GcpKms),
                        _ => None,
                    };
                    keys.providers.extend(provider);
                }
            }
        }
        Ok(keys)
    }

    /// Imports only the `*.agekey` values of a Secret, as Flux does for the controller-wide
    /// fallback Secret of `--sops-age-secret` (no OpenPGP keys, no provider credentials there).
    pub fn from_age_secret_data(data: &BTreeMap<String, Vec<u8>>) -> Result<Keys, SopsError> {
        let age_only: BTreeMap<String, Vec<u8>> = data
            .iter()
            .filter(|(name, _)| extension(name) == Some(AGE_EXTENSION))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Keys::from_secret_data(&age_only)
    }

    /// Adds the keys of `other` (e.g. Secret keys plus the `--sops-age-secret` fallback).
    pub fn merge(&mut self, other: Keys) {
        self.age.extend(other.age);
        self.unusable_age.extend(other.unusable_age);
        self.pgp.extend(other.pgp);
        self.providers.extend(other.providers);
    }

    /// Adds age identities from an identity file's text (`name` only labels errors), as sops'
    /// `ParsedIdentities.Import`: blank lines and lines starting with `#` are skipped, every
    /// other line must be one identity.
    pub fn import_age(&mut self, name: &str, text: &str) -> Result<(), SopsError> {
        for line in text.lines() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with("AGE-SECRET-KEY-PQ-1") {
                self.unusable_age.push((
                    name.to_string(),
                    "post-quantum (hybrid ML-KEM) age identity",
                ));
            } else if line.starts_with("AGE-PLUGIN-") {
                self.unusable_age
                    .push((name.to_string(), "age plugin identity"));
            } else if line.starts_with("AGE-SECRET-KEY-1") {
                let identity =
                    age::x25519::Identity::from_str(line).map_err(|_| SopsError::InvalidKey {
                        name: name.to_string(),
                        reason: "malformed age X25519 identity".into(),
                    })?;
                self.age.push(identity);
            } else {
                return Err(SopsError::InvalidKey {
                    name: name.to_string(),
                    reason: "unknown age identity type".into(),
                });
            }
        }
        Ok(())
    }

    /// Adds the OpenPGP secret keys of an `.asc` value (armored or binary; several keys allowed).
    /// A value holding only public keys is accepted and adds nothing, as `gpg --import` does.
    pub fn import_pgp(&mut self, name: &str, value: &[u8]) -> Result<(), SopsError> {
        let invalid = |reason: String| SopsError::InvalidKey {
            name: name.to_string(),
            reason,
        };
        let armored = crate::format::contains(value, b"-----BEGIN PGP");
        if armored && !crate::format::contains(value, b"-----BEGIN PGP PRIVATE KEY BLOCK-----") {
            if crate::format::contains(value, b"-----BEGIN PGP PUBLIC KEY BLOCK-----") {
                return Ok(());
            }
            return Err(invalid("not an OpenPGP key block".into()));
        }
        let parsed: Vec<_> = if armored {
            let (iter, _) = SignedSecretKey::from_armor_many(Cursor::new(value))
                .map_err(|e| invalid(format!("malformed OpenPGP private key: {e}")))?;
            iter.collect()
        } else {
            SignedSecretKey::from_bytes_many(Cursor::new(value))
                .map_err(|e| invalid(format!("malformed OpenPGP private key: {e}")))?
                .collect()
        };
        let mut found = 0;
        for key in parsed {
            let key = key.map_err(|e| invalid(format!("malformed OpenPGP private key: {e}")))?;
            self.pgp.push(key);
            found += 1;
        }
        if found == 0 {
            return Err(invalid("no OpenPGP private key found".into()));
        }
        Ok(())
    }

    /// True when no age identity and no OpenPGP key was imported.
    pub fn is_empty(&self) -> bool {
        self.age.is_empty() && self.pgp.is_empty()
    }

    /// Number of usable age identities.
    pub fn age_identity_count(&self) -> usize {
        self.age.len()
    }

    /// Number of OpenPGP secret keys (primary keys; their subkeys come with them).
    pub fn pgp_key_count(&self) -> usize {
        self.pgp.len()
    }

    /// Provider credentials present in the Secret (noted, not usable).
    pub fn provider_credentials(&self) -> impl Iterator<Item = ProviderCredential> + '_ {
        self.providers.iter().copied()
    }
}

/// Go's `filepath.Ext`: the suffix from the last dot of the last path element.
fn extension(name: &str) -> Option<&str> {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rfind('.').map(|i| &base[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGE_KEY: &str = "# created: 2021-03-31T09:51:59+02:00\n# public key: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29\nAGE-SECRET-KEY-1RH87A5Z54ZGUR9S0AS3R6WHFSEFNPLYMAKF5Z2CEU7R06VRJ0A3Q7242AM\n";

    fn secret(entries: &[(&str, &[u8])]) -> BTreeMap<String, Vec<u8>> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect()
    }

    #[test]
    fn imports_age_by_extension_and_ignores_other_keys() {
        let keys = Keys::from_secret_data(&secret(&[
            ("identity.agekey", AGE_KEY.as_bytes()),
            ("README", b"not a key"),
            ("age.txt", AGE_KEY.as_bytes()),
            ("sops.vault-token", b"s.token"),
        ]))
        .unwrap();
        assert_eq!(keys.age_identity_count(), 1);
        assert_eq!(keys.pgp_key_count(), 0);
        assert_eq!(
            keys.provider_credentials().collect::<Vec<_>>(),
            vec![ProviderCredential::VaultToken]
        );
        // Debug output never shows identities.
        assert!(!format!("{keys:?}").contains("AGE-SECRET-KEY"));
    }

    #[test]
    fn keys_are_shareable() {
        fn shareable<T: Send + Sync + Clone>() {}
        shareable::<Keys>();
    }

    #[test]
    fn fallback_secret_takes_age_keys_only() {
        let data = secret(&[
            ("identity.agekey", AGE_KEY.as_bytes()),
            ("key.asc", b"garbage that would fail as a PGP key"),
            ("sops.aws-kms", b"x"),
        ]);
        let mut keys = Keys::from_age_secret_data(&data).unwrap();
        assert_eq!(keys.age_identity_count(), 1);
        assert_eq!(keys.provider_credentials().count(), 0);
        keys.merge(Keys::from_age_secret_data(&data).unwrap());
        assert_eq!(keys.age_identity_count(), 2);
    }

    #[test]
    fn malformed_age_identity_names_the_key_without_its_value() {
        let err = Keys::from_secret_data(&secret(&[(
            "bad.agekey",
            b"AGE-SECRET-KEY-1NOTVALIDATALLXXXXXXXXXXXXXXXX",
        )]))
        .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("'bad.agekey'"), "{message}");
        assert!(!message.contains("NOTVALID"), "{message}");
        let err = Keys::from_secret_data(&secret(&[("x.agekey", b"hello")])).unwrap_err();
        assert!(err.to_string().contains("unknown age identity type"));
    }

    #[test]
    fn post_quantum_identities_are_noted_not_rejected() {
        let keys = Keys::from_secret_data(&secret(&[(
            "pq.agekey",
            b"AGE-SECRET-KEY-PQ-1Z8QMHKS77CVF95LF38SMLT0MEFR00HVMW58DJGD5USLGCVXTJCSQNRKCNK",
        )]))
        .unwrap();
        assert!(keys.is_empty());
        assert_eq!(keys.unusable_age.len(), 1);
    }

    #[test]
    fn malformed_pgp_key_is_an_error() {
        let err = Keys::from_secret_data(&secret(&[(
            "key.asc",
            b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nnot base64\n-----END PGP PRIVATE KEY BLOCK-----\n",
        )]))
        .unwrap_err();
        assert!(err.to_string().contains("'key.asc'"), "{err}");
    }

    #[test]
    fn go_extension_rules() {
        assert_eq!(extension("a.agekey"), Some(".agekey"));
        assert_eq!(extension("sops.vault-token"), Some(".vault-token"));
        assert_eq!(extension("noext"), None);
        assert_eq!(extension("dir.d/noext"), None);
    }
}
