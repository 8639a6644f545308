//! Server-side apply: field ownership recorded in `metadata.managedFields` (FieldsV1).

use serde_json::Value;
use thiserror::Error;

/// Structure of list and map fields, from an OpenAPI v3 schema (x-kubernetes-list-type /
/// -list-map-keys / -map-type) or from the built-in kinds' known structure.
#[derive(Debug, Clone, Default)]
pub struct TypeInfo {}

impl TypeInfo {
    /// From a CRD version's openAPIV3Schema.
    pub fn from_openapi_v3(_schema: &Value) -> TypeInfo {
        TypeInfo {}
    }

    /// The known structure of a built-in kind; lists not described are atomic.
    pub fn builtin(_group: &str, _version: &str, _kind: &str) -> TypeInfo {
        TypeInfo {}
    }
}

/// Who applies, and how.
#[derive(Debug, Clone)]
pub struct ApplyOptions<'a> {
    pub manager: &'a str,
    pub force: bool,
    pub api_version: &'a str,
    /// RFC 3339 timestamp recorded in managedFields.
    pub now: &'a str,
    pub subresource: Option<&'a str>,
}

/// A field another manager owns with a different value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub manager: String,
    /// e.g. ".spec.replicas"
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApplyError {
    #[error("Apply failed with {} conflict(s)", .0.len())]
    Conflicts(Vec<Conflict>),
    #[error("{0}")]
    Invalid(String),
    /// Not supported yet by this crate.
    #[error("server-side apply is not supported yet: {0}")]
    Unsupported(String),
}

/// Server-side apply of `config` onto `live` (None: create).
pub fn apply(
    _live: Option<&Value>,
    _config: &Value,
    _types: &TypeInfo,
    _opts: &ApplyOptions,
) -> Result<Value, ApplyError> {
    Err(ApplyError::Unsupported("apply".to_string()))
}

/// Record a non-apply write (operation "Update") by `opts.manager` in managedFields of `new`.
pub fn record_update(
    _old: Option<&Value>,
    new: Value,
    _types: &TypeInfo,
    _opts: &ApplyOptions,
) -> Value {
    new
}
