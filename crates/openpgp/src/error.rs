//! Typed errors. Messages name what failed and what to do; they never contain key material or the
//! bytes of a Secret value.

use std::time::SystemTime;

use crate::git_object::{ObjectKind, SignatureFormat};

/// Why the public keys of a verification Secret could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// No value was given, or none held a key: nothing could ever verify.
    #[error(
        "no OpenPGP public key given: the verification Secret must hold at least one armored public key"
    )]
    NoKeys,

    /// A value is not an ASCII-armored OpenPGP public key block.
    #[error(
        "{value}: not an armored OpenPGP public key (expected a '-----BEGIN PGP PUBLIC KEY BLOCK-----' block, e.g. from `gpg --export --armor`)"
    )]
    NotArmored {
        /// The Secret key name, or `value #<index>` when unnamed.
        value: String,
    },

    /// A value holds a private key; only public keys belong in a verification Secret.
    #[error(
        "{value}: holds an OpenPGP private key; put only public keys (`gpg --export --armor`) in the verification Secret"
    )]
    PrivateKey {
        /// The Secret key name, or `value #<index>` when unnamed.
        value: String,
    },

    /// A value looks armored but its content could not be parsed.
    #[error("{value}: unable to read armored key ring: {reason}")]
    Unparseable {
        /// The Secret key name, or `value #<index>` when unnamed.
        value: String,
        /// The parser's explanation (never the value itself).
        reason: String,
    },
}

/// Why a signature did not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// The object carries no signature at all.
    #[error("{kind} is not signed")]
    Unsigned {
        /// Commit or tag.
        kind: ObjectKind,
    },

    /// The raw git object could not be split into payload and signature.
    #[error("malformed {kind} object: {reason}")]
    MalformedObject {
        /// Commit or tag.
        kind: ObjectKind,
        /// What was wrong.
        reason: String,
    },

    /// The signature is not an OpenPGP one (SSH or X.509 signatures are not supported).
    #[error("unable to verify OpenPGP signature, detected signature format: {format}")]
    UnsupportedFormat {
        /// The format detected from the armor header.
        format: SignatureFormat,
    },

    /// Nothing to verify the signature against.
    #[error("unable to verify payload as the provided payload is empty")]
    EmptyPayload,

    /// The signature could not be parsed as an OpenPGP detached signature.
    #[error("malformed OpenPGP signature: {reason}")]
    MalformedSignature {
        /// What was wrong.
        reason: String,
    },

    /// No key of the keyring has the id named by the signature.
    #[error(
        "unable to verify payload with any of the given key rings: no public key for the signature's issuer {issuer}"
    )]
    NoMatchingKey {
        /// The issuer fingerprint or key id the signature names (upper-case hex), or `unknown`.
        issuer: String,
    },

    /// The key was found, but the signature does not match the payload (tampered content or
    /// signature).
    #[error("bad signature from key {key_id}: {reason}")]
    BadSignature {
        /// The signing (sub)key id, upper-case hex.
        key_id: String,
        /// The cryptographic check's explanation.
        reason: String,
    },

    /// The signature uses a hash algorithm no longer accepted for data signatures.
    #[error("signature from key {key_id} uses the insecure hash algorithm {hash}")]
    WeakHash {
        /// The signing (sub)key id.
        key_id: String,
        /// The hash algorithm name.
        hash: String,
    },

    /// The key's flags do not allow signing data.
    #[error("key {key_id} is not allowed to sign data (key flags)")]
    NotSigningKey {
        /// The signing (sub)key id.
        key_id: String,
    },

    /// The signing key, or its primary key, has been revoked.
    #[error("key {key_id} has been revoked")]
    KeyRevoked {
        /// The revoked key's id.
        key_id: String,
    },

    /// The signing key, or its primary key, has expired.
    #[error("key {key_id} has expired")]
    KeyExpired {
        /// The expired key's id.
        key_id: String,
        /// When it expired.
        expired_at: SystemTime,
    },

    /// The signature carries an expiration time that has passed.
    #[error("signature from key {key_id} has expired")]
    SignatureExpired {
        /// The signing (sub)key id.
        key_id: String,
    },
}

/// A parser error as one short line. The parser's own messages can embed the input bytes they
/// stopped at (and a Secret value must never be echoed), so only the leading prose is kept.
pub(crate) fn short_reason(error: &impl std::fmt::Display) -> String {
    const MAX: usize = 160;
    let text = error.to_string();
    let line = text.lines().next().unwrap_or_default();
    let prose = &line[..line.find(['[', '{', '(', '`']).unwrap_or(line.len())];
    let prose = prose
        .trim_end()
        .trim_end_matches("Error")
        .trim_end()
        .trim_end_matches(':')
        .trim_start_matches("IO error: ");
    let mut reason: String = prose.chars().take(MAX).collect();
    if reason.is_empty() {
        reason = "unreadable OpenPGP data".to_string();
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::short_reason;

    #[test]
    fn parser_details_with_input_bytes_are_dropped() {
        assert_eq!(
            short_reason(
                &"IO error: failed reading: armor footer Error(Error { input: [90, 45] })"
            ),
            "failed reading: armor footer"
        );
        assert_eq!(
            short_reason(&"unknown packet header version 1101110"),
            "unknown packet header version 1101110"
        );
        assert_eq!(
            short_reason(&"assertion failed: `(left == right)`\n left: `[1]`"),
            "assertion failed"
        );
        assert_eq!(short_reason(&"[1, 2]"), "unreadable OpenPGP data");
    }
}
