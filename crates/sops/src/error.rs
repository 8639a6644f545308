//! The crate's one error type. Messages name files, objects, fields and key identities (recipients,
//! fingerprints), never key material, data keys or decrypted values.

use crate::Format;

/// Everything that can go wrong while importing keys or decrypting a SOPS document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SopsError {
    /// A value of the decryption Secret could not be imported (`name` is the Secret's data key).
    #[error("failed to import '{name}' data: {reason}")]
    InvalidKey { name: String, reason: String },

    /// The input is not a well-formed document of the given format.
    #[error("failed to load encrypted {format} data: {reason}")]
    Parse { format: Format, reason: String },

    /// The document has no `sops` metadata (it is not SOPS-encrypted).
    #[error("sops metadata not found")]
    MetadataNotFound,

    /// The `sops` metadata is present but unusable.
    #[error("invalid sops metadata: {0}")]
    InvalidMetadata(String),

    /// None of the available keys could decrypt the data key. The message lists, per master key of
    /// the document, why it could not be used (no matching identity, unsupported provider, ...).
    #[error("cannot get sops data key: {0}")]
    NoDataKey(String),

    /// A value could not be decrypted: wrong data key, or the value or its path was modified.
    #[error("error decrypting sops tree: value at '{path}': {reason}")]
    DecryptValue { path: String, reason: String },

    /// The recomputed MAC differs from the stored one: the document was modified after encryption.
    #[error(
        "failed to verify sops data integrity: MAC mismatch (the document was modified after it was encrypted)"
    )]
    MacMismatch,

    /// A feature of the document (or of the key Secret) that flux-sops does not implement.
    #[error("{0} is not supported by flux-sops")]
    Unsupported(String),

    /// The decrypted tree cannot be written in the requested output format.
    #[error("failed to emit decrypted {format} output: {reason}")]
    Emit { format: Format, reason: String },

    /// A file could not be read, checked or written back.
    #[error("'{path}': {reason}")]
    Io { path: String, reason: String },

    /// Decryption of a file (a kustomization source) failed.
    #[error("failed to decrypt '{path}': {source}")]
    File {
        path: String,
        #[source]
        source: Box<SopsError>,
    },

    /// Decryption of a whole Kubernetes object carrying sops metadata failed.
    #[error("failed to decrypt and format '{namespace}/{name}' {kind} data: {source}")]
    Resource {
        kind: String,
        namespace: String,
        name: String,
        #[source]
        source: Box<SopsError>,
    },

    /// Decryption of one SOPS-encrypted file held in a Secret's `data` field failed.
    #[error("failed to decrypt and format '{namespace}/{name}' Secret field '{key}': {source}")]
    SecretField {
        namespace: String,
        name: String,
        key: String,
        #[source]
        source: Box<SopsError>,
    },
}

impl SopsError {
    /// The innermost error, under the File/Resource/SecretField context wrappers.
    pub fn root(&self) -> &SopsError {
        match self {
            SopsError::File { source, .. }
            | SopsError::Resource { source, .. }
            | SopsError::SecretField { source, .. } => source.root(),
            other => other,
        }
    }

    /// True when the document was changed after encryption (MAC mismatch) or a value failed its
    /// authentication tag, which is what a wrong data key or tampering looks like.
    pub fn is_integrity_failure(&self) -> bool {
        matches!(
            self.root(),
            SopsError::MacMismatch | SopsError::DecryptValue { .. }
        )
    }

    /// True when no available key could unwrap the data key (wrong or missing keys).
    pub fn is_key_failure(&self) -> bool {
        matches!(
            self.root(),
            SopsError::NoDataKey(_) | SopsError::InvalidKey { .. }
        )
    }

    pub(crate) fn parse(format: Format, reason: impl Into<String>) -> Self {
        SopsError::Parse {
            format,
            reason: reason.into(),
        }
    }

    pub(crate) fn emit(format: Format, reason: impl Into<String>) -> Self {
        SopsError::Emit {
            format,
            reason: reason.into(),
        }
    }
}
