//! Checking a detached signature against the keyring, with go-crypto's rules as Flux applies them:
//! the signing key must be allowed to sign, neither it nor its primary key may be revoked or
//! expired now, and the signature itself must not have expired.

use std::time::{Duration, SystemTime};

use pgp::composed::{Deserializable, DetachedSignature};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::SignatureType;
use pgp::types::{KeyDetails, VerifyingKey};

use crate::error::{VerifyError, short_reason};

const MISMATCH: &str = "the signature does not match the signed content";
use crate::git_object::{self, SignatureFormat, SignedObject};
use crate::keyring::{Cert, KeyState, Keyring, fingerprint_hex, key_id_hex, system_time};

/// A signature that verified, and the key that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The primary key id, upper-case hex: the value Flux reports (go-crypto's `KeyIdString`).
    pub key_id: String,
    /// The primary key fingerprint, upper-case hex.
    pub fingerprint: String,
    /// The id of the (sub)key that actually signed.
    pub signing_key_id: String,
    /// The fingerprint of the (sub)key that actually signed.
    pub signing_fingerprint: String,
    /// The primary user id of the key, when it has one.
    pub user_id: Option<String>,
    /// The signature's creation time.
    pub signed_at: Option<SystemTime>,
    /// The Secret key name (or `value #<index>`) the key came from.
    pub source: String,
}

impl Keyring {
    /// Verifies an ASCII-armored detached OpenPGP signature over `payload`, at the current time.
    ///
    /// For git objects, `payload` is the object without its signature: see
    /// [`crate::split_commit`] / [`crate::split_tag`], or use [`Keyring::verify_commit`] /
    /// [`Keyring::verify_tag`] on the raw object.
    pub fn verify(&self, payload: &[u8], armored_signature: &str) -> Result<Verified, VerifyError> {
        self.verify_at(payload, armored_signature, SystemTime::now())
    }

    /// Verifies a raw commit object (`git cat-file commit <rev>`, SHA-1 repository).
    pub fn verify_commit(&self, raw: &[u8]) -> Result<Verified, VerifyError> {
        self.verify_object(&git_object::split_commit(raw)?)
    }

    /// Verifies a raw annotated tag object (`git cat-file tag <name>`).
    pub fn verify_tag(&self, raw: &[u8]) -> Result<Verified, VerifyError> {
        self.verify_object(&git_object::split_tag(raw)?)
    }

    /// Verifies an object split by [`crate::split_commit`] or [`crate::split_tag`].
    pub fn verify_object(&self, object: &SignedObject) -> Result<Verified, VerifyError> {
        self.verify(&object.payload, &object.armored_signature)
    }

    /// [`Keyring::verify`] as of time `now`: revocation, key expiry and signature expiry are
    /// judged at that instant.
    pub fn verify_at(
        &self,
        payload: &[u8],
        armored_signature: &str,
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        match SignatureFormat::detect(armored_signature) {
            SignatureFormat::OpenPgp => {}
            format => return Err(VerifyError::UnsupportedFormat { format }),
        }
        if payload.is_empty() {
            return Err(VerifyError::EmptyPayload);
        }
        let (signature, _headers) =
            DetachedSignature::from_string(armored_signature).map_err(|e| {
                VerifyError::MalformedSignature {
                    reason: short_reason(&e),
                }
            })?;
        let sig = &signature.signature;
        match sig.typ() {
            Some(SignatureType::Binary | SignatureType::Text) => {}
            other => {
                return Err(VerifyError::MalformedSignature {
                    reason: format!("not a signature over data (signature type {other:?})"),
                });
            }
        }

        let fingerprints = sig.issuer_fingerprint();
        let key_ids = sig.issuer_key_id();
        let anonymous = fingerprints.is_empty() && key_ids.is_empty();

        let mut failure = None;
        for cert in &self.certs {
            let candidates =
                std::iter::once((&cert.primary as &dyn Component, &cert.primary_state)).chain(
                    cert.subkeys
                        .iter()
                        .map(|(key, state)| (key as &dyn Component, state)),
                );
            for (key, state) in candidates {
                let named = anonymous
                    || fingerprints.iter().any(|fp| **fp == key.fp())
                    || key_ids.iter().any(|id| **id == key.id());
                if !named {
                    continue;
                }
                let result = key
                    .check(&signature, payload)
                    .map_err(|reason| VerifyError::BadSignature {
                        key_id: key.id_hex(),
                        reason,
                    })
                    .and_then(|()| judge(cert, key, state, &signature, now));
                match result {
                    Ok(verified) => return Ok(verified),
                    // A key that verified but is unusable explains more than a mismatch elsewhere.
                    Err(e) => {
                        if failure.is_none() || !matches!(e, VerifyError::BadSignature { .. }) {
                            failure = Some(e);
                        }
                    }
                }
            }
        }
        Err(failure.unwrap_or_else(|| VerifyError::NoMatchingKey {
            issuer: issuer_name(&signature),
        }))
    }
}

/// Primary keys and subkeys seen alike.
trait Component {
    fn fp(&self) -> pgp::types::Fingerprint;
    fn id(&self) -> pgp::types::KeyId;
    fn id_hex(&self) -> String;
    fn fp_hex(&self) -> String;
    fn check(&self, signature: &DetachedSignature, payload: &[u8]) -> Result<(), String>;
}

impl<K: KeyDetails + VerifyingKey> Component for K {
    fn fp(&self) -> pgp::types::Fingerprint {
        self.fingerprint()
    }
    fn id(&self) -> pgp::types::KeyId {
        self.legacy_key_id()
    }
    fn id_hex(&self) -> String {
        key_id_hex(self)
    }
    fn fp_hex(&self) -> String {
        fingerprint_hex(self)
    }
    fn check(&self, signature: &DetachedSignature, payload: &[u8]) -> Result<(), String> {
        signature.verify(self, payload).map_err(|e| {
            // rpgp reports the common case, a digest mismatch, as a failed assertion.
            let detail = short_reason(&e);
            if detail.starts_with("assertion failed") {
                MISMATCH.to_string()
            } else {
                format!("{MISMATCH}: {detail}")
            }
        })
    }
}

/// The signature is cryptographically good: decide whether the key may be trusted with it now.
fn judge(
    cert: &Cert,
    key: &dyn Component,
    state: &KeyState,
    signature: &DetachedSignature,
    now: SystemTime,
) -> Result<Verified, VerifyError> {
    let sig = &signature.signature;
    let key_id = key.id_hex();
    let primary_id = key_id_hex(&cert.primary);

    if let Some(hash) = sig.hash_alg()
        && matches!(
            hash,
            HashAlgorithm::Md5 | HashAlgorithm::Sha1 | HashAlgorithm::Ripemd160
        )
    {
        return Err(VerifyError::WeakHash {
            key_id,
            hash: hash.to_string(),
        });
    }
    if !state.can_sign {
        return Err(VerifyError::NotSigningKey { key_id });
    }
    for (id, s) in [(&primary_id, &cert.primary_state), (&key_id, state)] {
        if s.revoked {
            return Err(VerifyError::KeyRevoked { key_id: id.clone() });
        }
        if let Some(expired_at) = s.expires_at
            && expired_at <= now
        {
            return Err(VerifyError::KeyExpired {
                key_id: id.clone(),
                expired_at,
            });
        }
    }
    let signed_at = sig.created().map(system_time);
    if let Some(created) = signed_at {
        if created < state.created {
            return Err(VerifyError::BadSignature {
                key_id,
                reason: "the signature is older than the key that made it".to_string(),
            });
        }
        if let Some(validity) = sig.signature_expiration_time()
            && validity.as_secs() > 0
            && created + Duration::from_secs(u64::from(validity.as_secs())) <= now
        {
            return Err(VerifyError::SignatureExpired { key_id });
        }
    }

    Ok(Verified {
        key_id: primary_id,
        fingerprint: fingerprint_hex(&cert.primary),
        signing_key_id: key_id,
        signing_fingerprint: key.fp_hex(),
        user_id: cert.user_id.clone(),
        signed_at,
        source: cert.source.clone(),
    })
}

/// The issuer a signature names, for the no-matching-key message.
fn issuer_name(signature: &DetachedSignature) -> String {
    let sig = &signature.signature;
    if let Some(fp) = sig.issuer_fingerprint().first() {
        return format!("{fp:X}");
    }
    if let Some(id) = sig.issuer_key_id().first() {
        return id.to_string().to_uppercase();
    }
    "unknown".to_string()
}
