//! OpenPGP signature verification for Git commits and tags, as a GitRepository's `spec.verify`
//! needs it (Flux does this with go-git's `Commit.Verify` / `Tag.Verify`).
//!
//! ```no_run
//! # fn demo(secret_values: &[&[u8]], raw_commit: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! use flux_openpgp::Keyring;
//! // Every value of the Secret named by spec.verify.secretRef is an armored key ring.
//! let keyring = Keyring::from_armored(secret_values)?;
//! // The commit exactly as `git cat-file commit HEAD` prints it.
//! let verified = keyring.verify_commit(raw_commit)?;
//! println!("signed by key {}", verified.key_id);
//! # Ok(()) }
//! ```
//!
//! Built on `pgp` (rpgp), pure Rust. Verification only: no signing, no web of trust (every key
//! in the keyring is trusted, as in Flux).

mod error;
mod git_object;
mod keyring;
mod verify;

pub use error::{KeyError, VerifyError};
pub use git_object::{
    ObjectFormat, ObjectKind, SignatureFormat, SignedObject, split_commit, split_commit_in,
    split_tag,
};
pub use keyring::{KeyInfo, Keyring};
pub use verify::Verified;
