//! SOPS decryption (age, OpenPGP) for the kustomize controller, without the `sops` binary.
//!
//! Reads documents written by the real sops (YAML, JSON, dotenv, binary), unwraps the data key
//! with age X25519 identities or OpenPGP private keys, decrypts every `ENC[AES256_GCM,...]` value
//! with its tree path as additional data, honours the encryption rules of the metadata
//! (`encrypted_regex`, `unencrypted_suffix`, ...), and verifies the MAC.
//!
//! Entry points:
//! - [`Keys::from_secret_data`]: keys from a Flux decryption Secret (`*.agekey`, `*.asc`).
//! - [`decrypt`] / [`decrypt_with`]: one document, like `sops -d`.
//! - [`decrypt_resource`]: one object of a kustomize build output, as Flux's `DecryptResource`.
//! - [`decrypt_sources`]: secretGenerator inputs and patches on disk, as Flux's `DecryptSources`.
//!
//! Errors are [`SopsError`]; no message contains key material or decrypted values.

mod cipher;
mod datakey;
mod decrypt;
mod error;
mod format;
mod keys;
mod metadata;
mod resource;
mod shamir;
mod sources;
mod stores;
mod tree;

pub use decrypt::{DecryptOptions, decrypt, decrypt_with};
pub use error::SopsError;
pub use format::{Format, is_encrypted};
pub use keys::{
    AGE_EXTENSION, AWS_KMS_KEY, AZURE_KV_KEY, GCP_KMS_KEY, Keys, PGP_EXTENSION, ProviderCredential,
    VAULT_TOKEN_KEY,
};
pub use resource::{
    DECRYPT_ANNOTATION, decrypt_resource, is_decryption_disabled, is_encrypted_resource,
    is_encrypted_secret,
};
pub use sources::{MAX_FILE_SIZE, decrypt_sources};
