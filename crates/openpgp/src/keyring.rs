//! Loading the armored public keys of a verification Secret and working out, once, which of their
//! (sub)keys may sign, which are revoked and when they expire.

use std::time::{Duration, SystemTime};

use pgp::composed::{Deserializable, SignedPublicKey, SignedPublicSubKey};
use pgp::packet::{PublicKey, PublicSubkey, Signature, SignatureType, SubpacketData};
use pgp::types::{KeyDetails, Tag, Timestamp};

use crate::error::{KeyError, short_reason};

const PUBLIC_BEGIN: &str = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
const PUBLIC_END: &str = "-----END PGP PUBLIC KEY BLOCK-----";
const PRIVATE_BEGIN: &str = "-----BEGIN PGP PRIVATE KEY BLOCK-----";

/// A set of trusted OpenPGP public keys (certificates), e.g. every value of the Secret named by a
/// GitRepository's `spec.verify.secretRef`.
#[derive(Debug, Clone)]
pub struct Keyring {
    pub(crate) certs: Vec<Cert>,
}

/// One public key as loaded: identifiers for logs and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Primary key fingerprint, upper-case hex.
    pub fingerprint: String,
    /// Primary key id (the last 8 bytes of a v4 fingerprint), upper-case hex.
    pub key_id: String,
    /// The primary user id, when the key has one.
    pub user_id: Option<String>,
    /// The Secret key name (or `value #<index>`) the key came from.
    pub source: String,
}

/// A certificate: primary key plus the subkeys bound to it by a valid signature.
#[derive(Debug, Clone)]
pub(crate) struct Cert {
    pub(crate) primary: PublicKey,
    pub(crate) primary_state: KeyState,
    pub(crate) subkeys: Vec<(PublicSubkey, KeyState)>,
    pub(crate) user_id: Option<String>,
    pub(crate) source: String,
}

/// What the key's valid self-signatures say about it.
#[derive(Debug, Clone)]
pub(crate) struct KeyState {
    pub(crate) can_sign: bool,
    pub(crate) revoked: bool,
    pub(crate) created: SystemTime,
    pub(crate) expires_at: Option<SystemTime>,
}

impl Keyring {
    /// Loads every value of a verification Secret. Each value is ASCII-armored and may hold
    /// several public keys (one block from `gpg --export --armor a b`, or several blocks one
    /// after the other).
    ///
    /// Fails when a value is not an armored public key block, holds a private key or cannot be
    /// parsed (naming the value by its index, `value #0`, never dumping it), or when no key at
    /// all was given.
    pub fn from_armored(values: &[&[u8]]) -> Result<Keyring, KeyError> {
        let names: Vec<String> = (0..values.len()).map(|i| format!("value #{i}")).collect();
        Self::from_named_armored(names.iter().map(String::as_str).zip(values.iter().copied()))
    }

    /// Like [`Keyring::from_armored`], naming each value (e.g. by its Secret key, `author.asc`)
    /// in errors and in [`crate::Verified::source`]. With a Secret's data:
    /// `Keyring::from_named_armored(data.iter().map(|(k, v)| (k.as_str(), v.as_slice())))`.
    pub fn from_named_armored<'a>(
        values: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<Keyring, KeyError> {
        let mut certs = Vec::new();
        for (name, value) in values {
            for key in parse_value(name, value)? {
                certs.push(Cert::from_signed(key, name)?);
            }
        }
        if certs.is_empty() {
            return Err(KeyError::NoKeys);
        }
        Ok(Keyring { certs })
    }

    /// Like [`Keyring::from_named_armored`], but skips the values that cannot be read, as Flux's
    /// current `VerifyPGPSignature` does (a stray non-key value does not disable verification),
    /// returning them for the caller to report. Fails only when no value holds a usable key:
    /// with the first value's error, or [`KeyError::NoKeys`] when there was none.
    pub fn from_named_armored_lenient<'a>(
        values: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<(Keyring, Vec<KeyError>), KeyError> {
        let mut certs = Vec::new();
        let mut skipped = Vec::new();
        for (name, value) in values {
            let parsed = parse_value(name, value).and_then(|keys| {
                keys.into_iter()
                    .map(|key| Cert::from_signed(key, name))
                    .collect::<Result<Vec<_>, _>>()
            });
            match parsed {
                Ok(more) => certs.extend(more),
                Err(e) => skipped.push(e),
            }
        }
        if certs.is_empty() {
            return Err(skipped.into_iter().next().unwrap_or(KeyError::NoKeys));
        }
        Ok((Keyring { certs }, skipped))
    }

    /// How many public keys (certificates) the keyring holds.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Always false for a keyring built by this crate (empty keyrings are refused).
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// The loaded keys, in the order given.
    pub fn keys(&self) -> impl Iterator<Item = KeyInfo> + '_ {
        self.certs.iter().map(|cert| KeyInfo {
            fingerprint: fingerprint_hex(&cert.primary),
            key_id: key_id_hex(&cert.primary),
            user_id: cert.user_id.clone(),
            source: cert.source.clone(),
        })
    }
}

/// Upper-case hex fingerprint of a key.
pub(crate) fn fingerprint_hex(key: &impl KeyDetails) -> String {
    format!("{:X}", key.fingerprint())
}

/// Upper-case hex key id, as Flux (go-crypto's `KeyIdString`) prints it.
pub(crate) fn key_id_hex(key: &impl KeyDetails) -> String {
    key.legacy_key_id().to_string().to_uppercase()
}

/// Splits a value into its armored public key blocks and parses each.
fn parse_value(name: &str, value: &[u8]) -> Result<Vec<SignedPublicKey>, KeyError> {
    let not_armored = || KeyError::NotArmored {
        value: name.to_string(),
    };
    let text = std::str::from_utf8(value).map_err(|_| not_armored())?;
    if text.contains(PRIVATE_BEGIN) {
        return Err(KeyError::PrivateKey {
            value: name.to_string(),
        });
    }
    let unparseable = |reason: String| KeyError::Unparseable {
        value: name.to_string(),
        reason,
    };

    let mut keys = Vec::new();
    let mut rest = text;
    while let Some(begin) = rest.find(PUBLIC_BEGIN) {
        let block = &rest[begin..];
        let end = block
            .find(PUBLIC_END)
            .ok_or_else(|| unparseable(format!("missing '{PUBLIC_END}' line")))?
            + PUBLIC_END.len();
        let (parsed, _headers) = SignedPublicKey::from_armor_many(&block.as_bytes()[..end])
            .map_err(|e| unparseable(short_reason(&e)))?;
        let before = keys.len();
        for key in parsed {
            keys.push(key.map_err(|e| unparseable(short_reason(&e)))?);
        }
        if keys.len() == before {
            return Err(unparseable("the armored block holds no public key".into()));
        }
        rest = &block[end..];
    }
    if keys.is_empty() {
        return Err(not_armored());
    }
    Ok(keys)
}

impl Cert {
    fn from_signed(key: SignedPublicKey, source: &str) -> Result<Cert, KeyError> {
        let primary = key.primary_key;

        // Self-signatures that verify: third-party certifications and broken signatures are
        // ignored, as go-crypto does when it reads a key ring.
        let mut self_sigs: Vec<(&Signature, Option<&str>)> = key
            .details
            .direct_signatures
            .iter()
            .filter(|sig| sig.verify_key(&primary).is_ok())
            .map(|sig| (sig, None))
            .collect();
        for user in &key.details.users {
            for sig in &user.signatures {
                if sig
                    .verify_certification(&primary, Tag::UserId, &user.id)
                    .is_ok()
                {
                    self_sigs.push((sig, user.id.as_str()));
                }
            }
        }
        let Some(latest) = latest(self_sigs.iter().map(|(sig, _)| *sig)) else {
            return Err(KeyError::Unparseable {
                value: source.to_string(),
                reason: format!(
                    "key {} has no valid self-signature",
                    fingerprint_hex(&primary)
                ),
            });
        };
        let user_id = self_sigs
            .iter()
            .filter(|(sig, id)| id.is_some() && sig.is_primary())
            .chain(self_sigs.iter().filter(|(_, id)| id.is_some()))
            .find_map(|(_, id)| id.map(str::to_string));

        let revoked = key.details.revocation_signatures.iter().any(|sig| {
            sig.typ() == Some(SignatureType::KeyRevocation) && sig.verify_key(&primary).is_ok()
        });
        let created = system_time(primary.created_at());
        let primary_state = KeyState {
            // A primary key without key flags predates them: go-crypto lets it sign.
            can_sign: flags_say_sign(latest).unwrap_or(true),
            revoked,
            created,
            expires_at: expiry(created, latest),
        };

        let subkeys = key
            .public_subkeys
            .iter()
            .filter_map(|sub| subkey_state(&primary, sub).map(|state| (sub.key.clone(), state)))
            .collect();

        Ok(Cert {
            primary,
            primary_state,
            subkeys,
            user_id,
            source: source.to_string(),
        })
    }
}

/// The state of a subkey, or None when no binding signature verifies (the subkey is then not
/// part of the certificate at all).
fn subkey_state(primary: &PublicKey, sub: &SignedPublicSubKey) -> Option<KeyState> {
    let binding = latest(sub.signatures.iter().filter(|sig| {
        sig.typ() == Some(SignatureType::SubkeyBinding)
            && sig.verify_subkey_binding(primary, &sub.key).is_ok()
    }))?;
    // A signing subkey must prove it agrees to be bound (embedded primary key binding
    // signature), otherwise anyone could attach someone else's signing key to their certificate.
    let can_sign = flags_say_sign(binding).unwrap_or(false)
        && binding
            .embedded_signature()
            .is_some_and(|back| back.verify_primary_key_binding(&sub.key, primary).is_ok());
    let revoked = sub.signatures.iter().any(|sig| {
        sig.typ() == Some(SignatureType::SubkeyRevocation)
            && sig.verify_subkey_binding(primary, &sub.key).is_ok()
    });
    let created = system_time(sub.key.created_at());
    Some(KeyState {
        can_sign,
        revoked,
        created,
        expires_at: expiry(created, binding),
    })
}

/// The most recent signature by creation time.
fn latest<'a>(sigs: impl Iterator<Item = &'a Signature>) -> Option<&'a Signature> {
    sigs.max_by_key(|sig| sig.created().map(Timestamp::as_secs).unwrap_or(0))
}

/// Whether the signature's key flags allow signing data; None when it carries no key flags.
fn flags_say_sign(sig: &Signature) -> Option<bool> {
    let config = sig.config()?;
    config.hashed_subpackets().find_map(|p| match &p.data {
        SubpacketData::KeyFlags(flags) => Some(flags.sign()),
        _ => None,
    })
}

/// Absolute expiry from a self-signature's key expiration time (relative to key creation; zero
/// means never).
fn expiry(created: SystemTime, sig: &Signature) -> Option<SystemTime> {
    let secs = sig.key_expiration_time()?.as_secs();
    (secs > 0).then(|| created + Duration::from_secs(u64::from(secs)))
}

pub(crate) fn system_time(ts: Timestamp) -> SystemTime {
    ts.into()
}
