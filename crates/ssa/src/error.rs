//! Error types. Messages follow Flux's wording, since they end up in conditions and events.

use crate::changeset::ChangeSet;
use crate::wait::WaitError;

/// A manifest that cannot be handled as a Kubernetes object.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ObjectError {
    /// A required field is missing or empty.
    #[error("object has no {0}")]
    MissingField(&'static str),
    /// An inventory id that is not `<namespace>_<name>_<group>_<kind>`.
    #[error("unable to parse stored object metadata: {0}")]
    InvalidId(String),
}

/// Why an API request failed: the API server's status, or a transport problem.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{message}")]
pub struct ApiFailure {
    /// HTTP status code; 0 when the request got no answer.
    pub code: u16,
    /// The status reason (`Invalid`, `Conflict`, `NotFound`, ...); empty when unknown.
    pub reason: String,
    /// The API server's message, or the transport error.
    pub message: String,
}

impl ApiFailure {
    pub(crate) fn from_kube(err: &kube::Error) -> Self {
        match err {
            kube::Error::Api(status) => ApiFailure {
                code: status.code,
                reason: status.reason.clone(),
                message: status.message.clone(),
            },
            other => ApiFailure {
                code: 0,
                reason: String::new(),
                message: other.to_string(),
            },
        }
    }

    /// The object (or the resource) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code == 404
    }

    /// Flux treats every Conflict or Invalid answer, and any message saying a field is immutable,
    /// as an immutable-field error (`ssa/errors.IsImmutableError`).
    pub fn is_immutable(&self) -> bool {
        self.code == 409
            || self.code == 422
            || self.reason == "Conflict"
            || self.reason == "Invalid"
            || self.message.contains("is immutable")
            || self.message.contains("immutable field")
    }
}

/// An error of the apply, delete and wait operations.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum SsaError {
    /// A manifest is not a Kubernetes object.
    #[error("invalid object: {0}")]
    InvalidObject(#[from] ObjectError),
    /// A drift ignore rule does not compile.
    #[error("{0}")]
    InvalidIgnoreRule(String),
    /// Discovery does not know the kind at that version (Go's `NoKindMatchError`).
    #[error("no matches for kind \"{kind}\" in version \"{api_version}\"")]
    NoKindMatch {
        /// The kind looked up.
        kind: String,
        /// The `group/version` looked up.
        api_version: String,
    },
    /// Discovery itself failed.
    #[error("discovery of {api_version} failed: {source}")]
    Discovery {
        /// The `group/version` looked up.
        api_version: String,
        /// The failure.
        source: ApiFailure,
    },
    /// A namespaced object without a namespace.
    #[error("{subject} namespace not specified: the server could not find the requested resource")]
    NamespaceNotSpecified {
        /// `Kind/name`.
        subject: String,
    },
    /// The dry-run apply was refused (worded as Flux's `DryRunErr`).
    #[error("{}", dry_run_message(subject, source))]
    DryRun {
        /// `Kind/namespace/name`.
        subject: String,
        /// The API server's answer.
        source: ApiFailure,
    },
    /// An immutable field changed under force, and deleting the object failed.
    #[error("{subject} immutable field detected, failed to delete object: {source}")]
    RecreateDelete {
        /// `Kind/namespace/name`.
        subject: String,
        /// The API server's answer.
        source: ApiFailure,
    },
    /// An immutable field changed under force, and the object did not go away in time.
    #[error(
        "{subject} immutable field detected, failed to wait for object to be deleted: {message}"
    )]
    RecreateWait {
        /// `Kind/namespace/name`.
        subject: String,
        /// Why waiting ended.
        message: String,
    },
    /// Moving the managedFields entries to the manifest's apiVersion failed.
    #[error(
        "{subject} failed to migrate API version: failed to migrate managed fields API version to {api_version}: {source}"
    )]
    MigrateApiVersion {
        /// `Kind/namespace/name`.
        subject: String,
        /// The manifest's apiVersion.
        api_version: String,
        /// The API server's answer.
        source: ApiFailure,
    },
    /// Removing other managers' fields before the apply failed.
    #[error("{subject} metadata.managedFields cleanup failed: {source}")]
    Cleanup {
        /// `Kind/namespace/name`.
        subject: String,
        /// The API server's answer.
        source: ApiFailure,
    },
    /// The apply itself failed.
    #[error("{subject} apply failed: {source}")]
    Apply {
        /// `Kind/namespace/name`.
        subject: String,
        /// The API server's answer.
        source: ApiFailure,
    },
    /// Waiting for the objects of a stage (CRDs, Namespaces, classes) failed.
    #[error(transparent)]
    Wait(#[from] WaitError),
    /// One or more deletes failed; each message is `<subject> delete failed: <reason>` (or
    /// `query failed`), joined as Flux joins them.
    #[error("delete failed, errors: {}", .0.iter().map(|e| format!("{e};")).collect::<String>())]
    Delete(Vec<String>),
    /// A wait for termination ran out of time.
    #[error("{subject} termination timeout: context deadline exceeded")]
    TerminationTimeout {
        /// `Kind/namespace/name`.
        subject: String,
    },
    /// A request failed while waiting for termination.
    #[error("{subject} termination check failed: {source}")]
    TerminationCheck {
        /// `Kind/namespace/name`.
        subject: String,
        /// The API server's answer.
        source: ApiFailure,
    },
}

fn dry_run_message(subject: &str, source: &ApiFailure) -> String {
    if source.is_not_found() {
        return format!("{subject} not found: {}", source.message);
    }
    if source.reason.is_empty() {
        format!("{subject} dry-run failed: {}", source.message)
    } else {
        format!(
            "{subject} dry-run failed ({}): {}",
            source.reason, source.message
        )
    }
}

/// An apply or delete that stopped part way: the error, and the change set of what had been
/// done before it (Flux returns both, and the controller prints both).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{error}")]
pub struct PartialError {
    /// The entries of the stages (or deletes) completed before the error.
    pub change_set: ChangeSet,
    /// What went wrong.
    pub error: SsaError,
}
