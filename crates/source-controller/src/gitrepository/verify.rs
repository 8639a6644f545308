//! spec.verify: OpenPGP signatures of the checked-out commit and/or its annotated tag, against
//! the public keys of the referenced Secret (every value is a key ring, as in Flux).

use flux_api::source::{GitRepositoryVerification, GitVerificationMode};
use flux_git::Commit;
use flux_openpgp::Keyring;
use flux_runtime::reconcile::Disposition;

/// A failed verification: Flux marks SourceVerified=False with this reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyFailure {
    pub disposition: Disposition,
    pub reason: &'static str,
    pub message: String,
}

/// The mode as Flux records it in `status.sourceVerificationMode` (`head` is read as `HEAD`).
pub fn mode_name(verify: &GitRepositoryVerification) -> &'static str {
    match verify.mode {
        None | Some(GitVerificationMode::Head) | Some(GitVerificationMode::HeadLegacy) => "HEAD",
        Some(GitVerificationMode::Tag) => "Tag",
        Some(GitVerificationMode::TagAndHEAD) => "TagAndHEAD",
    }
}

fn verifies_tag(mode: &str) -> bool {
    mode == "Tag" || mode == "TagAndHEAD"
}

fn verifies_head(mode: &str) -> bool {
    mode == "HEAD" || mode == "TagAndHEAD"
}

/// Whether the artifact must be rebuilt to (re)verify: no verification recorded yet, or the mode
/// now covers an object the recorded one did not.
pub fn requires_verification(
    verify: Option<&GitRepositoryVerification>,
    observed_mode: Option<&str>,
) -> bool {
    let Some(verify) = verify else {
        return false;
    };
    let mode = mode_name(verify);
    match observed_mode {
        None => true,
        Some("Tag") => verifies_head(mode),
        Some("HEAD") => verifies_tag(mode),
        Some(_) => false,
    }
}

/// Verify `commit` per `mode` with the keys in `secret_values`; on success the SourceVerified
/// message Flux writes (`verified signature of\n\t- commit '<hash>' with key '<id>'`).
pub fn verify_commit(
    mode: &str,
    commit: &Commit,
    secret_values: &[&[u8]],
) -> Result<String, VerifyFailure> {
    let mut message = String::new();
    let keyring = Keyring::from_armored(secret_values);
    if verifies_tag(mode) {
        let Some(tag) = &commit.tag else {
            return Err(VerifyFailure {
                disposition: Disposition::Stalled,
                reason: "InvalidVerificationMode",
                message: "cannot verify tag object's signature if a tag reference is not specified"
                    .into(),
            });
        };
        let Some(signature) = &tag.signature else {
            return Err(VerifyFailure {
                disposition: Disposition::Backoff,
                reason: "InvalidGitObject",
                message: format!(
                    "cannot verify signature of tag '{}' since it is not signed",
                    tag.name
                ),
            });
        };
        let fail = |e: &dyn std::fmt::Display| VerifyFailure {
            disposition: Disposition::Backoff,
            reason: "InvalidTagSignature",
            message: format!("signature verification of tag '{}' failed: {e}", tag.name),
        };
        let keyring = keyring.as_ref().map_err(|e| fail(e))?;
        let verified = keyring
            .verify(&signature.payload, &signature.armored_signature)
            .map_err(|e| fail(&e))?;
        message.push_str(&format!(
            "verified signature of\n\t- tag '{}' with key '{}'",
            tag.name, verified.key_id
        ));
    }
    if verifies_head(mode) {
        let fail = |e: &dyn std::fmt::Display| VerifyFailure {
            disposition: Disposition::Backoff,
            reason: "InvalidCommitSignature",
            message: format!(
                "signature verification of commit '{}' failed: {e}",
                commit.hash
            ),
        };
        let keyring = keyring.as_ref().map_err(|e| fail(e))?;
        let Some(signature) = &commit.signature else {
            return Err(fail(
                &"unable to verify payload as the provided signature is empty",
            ));
        };
        let verified = keyring
            .verify(&signature.payload, &signature.armored_signature)
            .map_err(|e| fail(&e))?;
        if message.is_empty() {
            message.push_str("verified signature of");
        }
        message.push_str(&format!(
            "\n\t- commit '{}' with key '{}'",
            commit.hash, verified.key_id
        ));
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flux_api::meta::LocalObjectReference;

    fn verification(mode: Option<GitVerificationMode>) -> GitRepositoryVerification {
        GitRepositoryVerification {
            mode,
            secret_ref: LocalObjectReference {
                name: "keys".into(),
            },
        }
    }

    #[test]
    fn modes_as_flux_records_them() {
        assert_eq!(mode_name(&verification(None)), "HEAD");
        assert_eq!(
            mode_name(&verification(Some(GitVerificationMode::HeadLegacy))),
            "HEAD"
        );
        assert_eq!(
            mode_name(&verification(Some(GitVerificationMode::TagAndHEAD))),
            "TagAndHEAD"
        );
    }

    #[test]
    fn reverification_when_the_mode_widens() {
        let head = verification(Some(GitVerificationMode::Head));
        let tag = verification(Some(GitVerificationMode::Tag));
        let both = verification(Some(GitVerificationMode::TagAndHEAD));
        assert!(!requires_verification(None, None));
        assert!(requires_verification(Some(&head), None));
        assert!(!requires_verification(Some(&head), Some("HEAD")));
        assert!(requires_verification(Some(&tag), Some("HEAD")));
        assert!(requires_verification(Some(&both), Some("Tag")));
        assert!(!requires_verification(Some(&tag), Some("TagAndHEAD")));
    }
}
