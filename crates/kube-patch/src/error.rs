use thiserror::Error;

/// Why a patch could not be applied. Each variant's `Display` is the text kube-apiserver produces
/// for the same failure; [`PatchError::status`] gives the HTTP code, reason and Status message the
/// server answers with (which is not always the same text).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PatchError {
    /// The patch document itself is malformed (not a list of operations, missing `op`, ...).
    #[error("{0}")]
    BadRequest(String),
    /// A JSON patch operation failed against the document (evanphx/json-patch v4 wording).
    #[error("{0}")]
    JsonPatchFailed(String),
    /// More operations than kube-apiserver accepts in one JSON patch.
    #[error("The allowed maximum operations in a JSON patch is {limit}, got {got}")]
    TooManyOperations { limit: usize, got: usize },
    /// The merge patch or the document is not a JSON object.
    #[error("{0}")]
    MergePatch(String),
    /// Strategic merge patch requested for a kind without strategic-merge metadata (custom resources).
    #[error(
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )]
    UnsupportedKind { group: String, kind: String },
    /// A strategic merge patch the server rejects with 400 Bad Request (malformed directives).
    #[error("{0}")]
    StrategicBadRequest(String),
    /// A strategic merge patch the server rejects with 422 (lists of lists, retainKeys mismatch).
    #[error("{0}")]
    StrategicInvalid(String),
    /// Any other strategic merge patch failure (the server answers 500 with this text).
    #[error("{0}")]
    StrategicFailed(String),
}

/// What kube-apiserver puts in the metav1.Status for a [`PatchError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusInfo {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
}

impl PatchError {
    /// HTTP status code, Status reason and Status message kube-apiserver answers with.
    pub fn status(&self) -> StatusInfo {
        let (code, reason, message) = match self {
            PatchError::BadRequest(m) | PatchError::StrategicBadRequest(m) => {
                (400, "BadRequest", m.clone())
            }
            // The apiserver wraps JSON patch and SMP 422 failures with NewGenericServerResponse,
            // which drops the underlying text and keeps only this generic sentence.
            PatchError::JsonPatchFailed(_) | PatchError::StrategicInvalid(_) => (
                422,
                "Invalid",
                "the server rejected our request due to an error in our request".to_string(),
            ),
            PatchError::TooManyOperations { .. } => {
                (413, "RequestEntityTooLarge", self.to_string())
            }
            PatchError::UnsupportedKind { .. } => (415, "UnsupportedMediaType", self.to_string()),
            PatchError::MergePatch(m) | PatchError::StrategicFailed(m) => (
                500,
                "InternalError",
                format!("Internal error occurred: {m}"),
            ),
        };
        StatusInfo {
            code,
            reason,
            message,
        }
    }
}
