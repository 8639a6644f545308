//! Splitting raw git objects into the signed payload and the armored signature, the way git does
//! (`git verify-commit` / `git verify-tag`).
//!
//! Input is the object exactly as git stores it, without the `<type> <size>\0` header: what
//! `git cat-file commit HEAD` or `git cat-file tag v1.0.0` prints.
//!
//! - A commit carries its signature in a `gpgsig` header (`gpgsig-sha256` in SHA-256
//!   repositories) whose value spans several lines, each continuation line starting with a space.
//!   The payload is the commit with that header (and its continuation lines) removed.
//! - A tag carries its signature appended after the message. The payload is everything before the
//!   last line that opens a signature block (`-----BEGIN PGP SIGNATURE-----`, or the SSH / X.509
//!   equivalents).

use std::fmt;

use crate::error::VerifyError;

/// The kind of git object a signature belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A commit object.
    Commit,
    /// An annotated tag object.
    Tag,
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::Commit => "commit",
            ObjectKind::Tag => "tag",
        })
    }
}

/// The hash function of the repository the object comes from: it decides which commit header
/// holds the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectFormat {
    /// SHA-1 repositories (git's default): signature in `gpgsig`.
    #[default]
    Sha1,
    /// SHA-256 repositories: signature in `gpgsig-sha256`.
    Sha256,
}

/// The signature scheme, detected from the armor header line like git's `gpg.format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFormat {
    /// `-----BEGIN PGP SIGNATURE-----` (or the legacy `PGP MESSAGE`).
    OpenPgp,
    /// `-----BEGIN SSH SIGNATURE-----`.
    Ssh,
    /// `-----BEGIN SIGNED MESSAGE-----` (gpgsm / X.509).
    X509,
    /// Anything else.
    Unknown,
}

impl SignatureFormat {
    /// Detects the format from the first line of an armored signature.
    pub fn detect(armored_signature: &str) -> SignatureFormat {
        let first = armored_signature.trim_start().lines().next().unwrap_or("");
        format_of_line(first.as_bytes()).unwrap_or(SignatureFormat::Unknown)
    }
}

impl fmt::Display for SignatureFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names as git's gpg.format and Flux's messages use them.
        f.write_str(match self {
            SignatureFormat::OpenPgp => "openpgp",
            SignatureFormat::Ssh => "ssh",
            SignatureFormat::X509 => "x509",
            SignatureFormat::Unknown => "unknown",
        })
    }
}

/// A signed git object, split in two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedObject {
    /// Commit or tag.
    pub kind: ObjectKind,
    /// The bytes the signature was made over: the object without its signature.
    pub payload: Vec<u8>,
    /// The armored signature, with its `-----BEGIN ...-----` and `-----END ...-----` lines.
    pub armored_signature: String,
    /// The signature scheme read from the armor header.
    pub format: SignatureFormat,
}

/// Splits a raw commit from a SHA-1 repository into payload and signature.
///
/// Returns [`VerifyError::Unsigned`] when the commit has no `gpgsig` header and
/// [`VerifyError::MalformedObject`] when the signature is not UTF-8.
pub fn split_commit(raw: &[u8]) -> Result<SignedObject, VerifyError> {
    split_commit_in(raw, ObjectFormat::Sha1)
}

/// Splits a raw commit into payload and signature, taking the signature header of the given
/// repository format and leaving signatures made for the other format out of the payload, as git
/// does.
pub fn split_commit_in(raw: &[u8], format: ObjectFormat) -> Result<SignedObject, VerifyError> {
    let (wanted, other): (&[u8], &[u8]) = match format {
        ObjectFormat::Sha1 => (b"gpgsig", b"gpgsig-sha256"),
        ObjectFormat::Sha256 => (b"gpgsig-sha256", b"gpgsig"),
    };

    let mut payload = Vec::with_capacity(raw.len());
    let mut signature = Vec::new();
    let mut found = false;
    let mut in_wanted = false;
    let mut in_other = false;
    let mut in_headers = true;

    for line in raw.split_inclusive(|b| *b == b'\n') {
        if !in_headers {
            payload.extend_from_slice(line);
            continue;
        }
        if line == b"\n" {
            // The blank line ends the headers; the message follows, signed as is.
            in_headers = false;
            in_wanted = false;
            in_other = false;
            payload.extend_from_slice(line);
            continue;
        }
        if line.first() == Some(&b' ') && (in_wanted || in_other) {
            if in_wanted {
                signature.extend_from_slice(&line[1..]);
            }
            continue;
        }
        in_wanted = false;
        in_other = false;
        if let Some(value) = header_value(line, wanted) {
            if found {
                return Err(VerifyError::MalformedObject {
                    kind: ObjectKind::Commit,
                    reason: format!("more than one {} header", String::from_utf8_lossy(wanted)),
                });
            }
            found = true;
            in_wanted = true;
            signature.extend_from_slice(value);
        } else if header_value(line, other).is_some() {
            in_other = true;
        } else {
            payload.extend_from_slice(line);
        }
    }

    if !found {
        return Err(VerifyError::Unsigned {
            kind: ObjectKind::Commit,
        });
    }
    signed_object(ObjectKind::Commit, payload, signature)
}

/// Splits a raw annotated tag into payload and signature.
///
/// Returns [`VerifyError::Unsigned`] when no signature block follows the message.
pub fn split_tag(raw: &[u8]) -> Result<SignedObject, VerifyError> {
    let mut start = None;
    let mut offset = 0;
    for line in raw.split_inclusive(|b| *b == b'\n') {
        if format_of_line(line).is_some() {
            start = Some(offset);
        }
        offset += line.len();
    }
    let Some(start) = start else {
        return Err(VerifyError::Unsigned {
            kind: ObjectKind::Tag,
        });
    };
    signed_object(
        ObjectKind::Tag,
        raw[..start].to_vec(),
        raw[start..].to_vec(),
    )
}

fn signed_object(
    kind: ObjectKind,
    payload: Vec<u8>,
    signature: Vec<u8>,
) -> Result<SignedObject, VerifyError> {
    let armored_signature =
        String::from_utf8(signature).map_err(|_| VerifyError::MalformedObject {
            kind,
            reason: "the signature is not valid UTF-8 text".to_string(),
        })?;
    let format = SignatureFormat::detect(&armored_signature);
    Ok(SignedObject {
        kind,
        payload,
        armored_signature,
        format,
    })
}

/// The value of header `name` if `line` is that header (`name SP value`).
fn header_value<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(name)?.strip_prefix(b" ")
}

/// The signature format a line opens, if it is an armor header line git recognises.
fn format_of_line(line: &[u8]) -> Option<SignatureFormat> {
    const STARTS: [(&[u8], SignatureFormat); 4] = [
        (b"-----BEGIN PGP SIGNATURE-----", SignatureFormat::OpenPgp),
        (b"-----BEGIN PGP MESSAGE-----", SignatureFormat::OpenPgp),
        (b"-----BEGIN SSH SIGNATURE-----", SignatureFormat::Ssh),
        (b"-----BEGIN SIGNED MESSAGE-----", SignatureFormat::X509),
    ];
    STARTS
        .iter()
        .find(|(start, _)| line.starts_with(start))
        .map(|(_, format)| *format)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "-----BEGIN PGP SIGNATURE-----\n\nabc\n=def\n-----END PGP SIGNATURE-----\n";

    fn commit_with_header(header: &str) -> String {
        let indented = SIG.trim_end().replace('\n', "\n ");
        format!(
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n{header} {indented}\n\nmessage\n\nbody\n"
        )
    }

    #[test]
    fn commit_signature_is_removed_from_the_payload() {
        let raw = commit_with_header("gpgsig");
        let split = split_commit(raw.as_bytes()).unwrap();
        assert_eq!(split.armored_signature, SIG);
        assert_eq!(split.format, SignatureFormat::OpenPgp);
        assert_eq!(
            String::from_utf8(split.payload).unwrap(),
            "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nmessage\n\nbody\n"
        );
    }

    #[test]
    fn sha256_signature_is_ignored_in_a_sha1_repository() {
        let raw = commit_with_header("gpgsig-sha256");
        assert_eq!(
            split_commit(raw.as_bytes()),
            Err(VerifyError::Unsigned {
                kind: ObjectKind::Commit
            })
        );
        let split = split_commit_in(raw.as_bytes(), ObjectFormat::Sha256).unwrap();
        assert_eq!(split.armored_signature, SIG);
    }

    #[test]
    fn signature_text_in_the_message_is_not_a_header() {
        let raw = format!("tree 1\nauthor A <a@x> 1 +0000\n\ngpgsig {SIG}");
        assert!(matches!(
            split_commit(raw.as_bytes()),
            Err(VerifyError::Unsigned { .. })
        ));
    }

    #[test]
    fn two_signature_headers_are_malformed() {
        let raw = "tree 1\ngpgsig a\ngpgsig b\n\nmsg\n";
        assert!(matches!(
            split_commit(raw.as_bytes()),
            Err(VerifyError::MalformedObject { .. })
        ));
    }

    #[test]
    fn tag_signature_is_the_last_block() {
        let raw = format!(
            "object 1\ntype commit\ntag v1\ntagger A <a@x> 1 +0000\n\nquoting\n-----BEGIN PGP SIGNATURE-----\nin message\n{SIG}"
        );
        let split = split_tag(raw.as_bytes()).unwrap();
        assert_eq!(split.armored_signature, SIG);
        assert!(
            String::from_utf8(split.payload)
                .unwrap()
                .ends_with("in message\n")
        );
    }

    #[test]
    fn ssh_and_x509_formats_are_detected() {
        let raw =
            "object 1\n\nmsg\n-----BEGIN SSH SIGNATURE-----\nx\n-----END SSH SIGNATURE-----\n";
        assert_eq!(
            split_tag(raw.as_bytes()).unwrap().format,
            SignatureFormat::Ssh
        );
        assert_eq!(
            SignatureFormat::detect("-----BEGIN SIGNED MESSAGE-----\n"),
            SignatureFormat::X509
        );
        assert_eq!(SignatureFormat::detect(""), SignatureFormat::Unknown);
    }

    #[test]
    fn unsigned_tag_is_reported() {
        assert_eq!(
            split_tag(b"object 1\ntype commit\ntag v1\n\nmsg\n"),
            Err(VerifyError::Unsigned {
                kind: ObjectKind::Tag
            })
        );
    }
}
