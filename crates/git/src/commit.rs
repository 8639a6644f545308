//! The checked-out commit, its annotated tag, and their signed payloads.

/// A name, an e-mail and a time (seconds since the epoch, UTC offset in seconds).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub seconds: i64,
    pub offset_seconds: i32,
}

/// What an OpenPGP (or ssh) signature covers and the signature itself, for verification by
/// flux-openpgp: `payload` is the raw object without its signature (the `gpgsig` header of a
/// commit, or the trailing signature block of a tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPayload {
    pub payload: Vec<u8>,
    pub armored_signature: String,
}

impl SignedPayload {
    /// `-----BEGIN PGP SIGNATURE-----` (as opposed to an ssh or x509 signature).
    pub fn is_openpgp(&self) -> bool {
        self.armored_signature
            .trim_start()
            .starts_with("-----BEGIN PGP SIGNATURE-----")
    }
}

/// An annotated tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Short name, e.g. `v1.2.3`.
    pub name: String,
    /// The tag object's hash.
    pub hash: String,
    pub tagger: Option<Person>,
    pub message: String,
    pub signature: Option<SignedPayload>,
}

/// The commit a checkout produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Full hex SHA-1.
    pub hash: String,
    /// The full reference it was reached through (`refs/heads/main`, `refs/tags/v1`,
    /// `refs/pull/1/head`), if any.
    pub reference: Option<String>,
    pub author: Person,
    pub committer: Person,
    pub message: String,
    /// The commit's `gpgsig` signature and the commit object without it.
    pub signature: Option<SignedPayload>,
    /// The annotated tag when the reference is a tag (None for lightweight tags).
    pub tag: Option<Tag>,
    pub(crate) revision: String,
}

impl Commit {
    /// Flux's revision: `main@sha1:<h>`, `v1.2.3@sha1:<h>`, `refs/pull/1/head@sha1:<h>` (for
    /// spec.ref.name) or `sha1:<h>`.
    pub fn revision(&self) -> &str {
        &self.revision
    }

    /// First line of the message.
    pub fn short_message(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

/// Split a raw commit object into (object without the gpgsig header, armored signature).
/// The payload is what git signs: the header and its continuation lines removed.
pub(crate) fn split_commit_signature(raw: &[u8]) -> Option<SignedPayload> {
    // Headers end at the blank line; keep the newline of the last header inside.
    let header_end = find(raw, b"\n\n").map_or(raw.len(), |i| i + 1);
    let mut payload = Vec::with_capacity(raw.len());
    let mut signature = String::new();
    let mut in_sig = false;
    let mut found = false;
    let mut pos = 0;
    while pos < header_end {
        let line_end = raw[pos..header_end]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| pos + i + 1)
            .unwrap_or(header_end);
        let line = &raw[pos..line_end];
        if in_sig && line.starts_with(b" ") {
            signature.push_str(&String::from_utf8_lossy(&line[1..]));
        } else if !found && (line.starts_with(b"gpgsig ") || line.starts_with(b"gpgsig-sha256 ")) {
            in_sig = true;
            found = true;
            let start = line.iter().position(|&b| b == b' ').map_or(0, |i| i + 1);
            signature.push_str(&String::from_utf8_lossy(&line[start..]));
        } else {
            in_sig = false;
            payload.extend_from_slice(line);
        }
        pos = line_end;
    }
    payload.extend_from_slice(&raw[header_end..]);
    if !found {
        return None;
    }
    if !signature.ends_with('\n') {
        signature.push('\n');
    }
    Some(SignedPayload {
        payload,
        armored_signature: signature,
    })
}

/// Split a raw tag object into (object up to the signature, signature block).
pub(crate) fn split_tag_signature(raw: &[u8]) -> Option<SignedPayload> {
    const MARKERS: [&[u8]; 3] = [
        b"-----BEGIN PGP SIGNATURE-----",
        b"-----BEGIN SSH SIGNATURE-----",
        b"-----BEGIN SIGNED MESSAGE-----",
    ];
    let body_start = find(raw, b"\n\n").map(|i| i + 2)?;
    let start = MARKERS
        .iter()
        .filter_map(|m| {
            // The signature starts a line of the message.
            let mut at = body_start;
            let mut last = None;
            while let Some(i) = find(&raw[at..], m) {
                let abs = at + i;
                if abs == body_start || raw[abs - 1] == b'\n' {
                    last = Some(abs);
                }
                at = abs + 1;
            }
            last
        })
        .min()?;
    Some(SignedPayload {
        payload: raw[..start].to_vec(),
        armored_signature: String::from_utf8_lossy(&raw[start..]).into_owned(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_signature_is_cut_out() {
        let raw = b"tree abc\nparent def\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\
gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n\nmsg\n";
        let s = split_commit_signature(raw).unwrap();
        assert_eq!(
            s.payload,
            b"tree abc\nparent def\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nmsg\n"
        );
        assert_eq!(
            s.armored_signature,
            "-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n"
        );
        assert!(s.is_openpgp());
        assert!(split_commit_signature(b"tree a\n\nmsg\n").is_none());
    }

    #[test]
    fn tag_signature_is_cut_out() {
        let raw = b"object abc\ntype commit\ntag v1\ntagger A <a@x> 1 +0000\n\nrelease\n\
-----BEGIN PGP SIGNATURE-----\n\niQ==\n-----END PGP SIGNATURE-----\n";
        let s = split_tag_signature(raw).unwrap();
        assert_eq!(
            s.payload,
            b"object abc\ntype commit\ntag v1\ntagger A <a@x> 1 +0000\n\nrelease\n"
        );
        assert!(
            s.armored_signature
                .starts_with("-----BEGIN PGP SIGNATURE-----")
        );
        assert!(split_tag_signature(b"object a\n\nplain\n").is_none());
    }
}
