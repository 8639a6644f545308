//! kubectl's move from client-side to server-side apply, as the apiserver eases it: conflicts on
//! fields that the `kubectl.kubernetes.io/last-applied-configuration` annotation still matches are
//! not conflicts for the manager "kubectl", and that annotation follows what kubectl applies.

use std::collections::BTreeSet;

use serde_json::Value;

use super::TypeInfo;
use super::path::{go_json, path_string};
use super::typed::to_field_set;

pub(crate) const KUBECTL: &str = "kubectl";
const ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn annotation(obj: &Value) -> Option<&str> {
    obj.get("metadata")?
        .get("annotations")?
        .get(ANNOTATION)?
        .as_str()
        .filter(|s| !s.is_empty())
}

/// Paths (as conflict paths print) whose value in the last-applied configuration is still the
/// live value. None when there is no usable annotation.
pub(crate) fn allowed_conflicts(
    live: &Value,
    types: &TypeInfo,
    api_version: &str,
) -> Option<BTreeSet<String>> {
    let last: Value = serde_json::from_str(annotation(live)?).ok()?;
    if last.get("apiVersion").and_then(Value::as_str) != Some(api_version) {
        return None;
    }
    let root = types.root_shape();
    let mut live = live.clone();
    if let Some(Value::Object(meta)) = live.get_mut("metadata") {
        meta.shift_remove("managedFields");
    }
    let cmp = super::compare_filled(&last, &live, types, root);
    let allowed = to_field_set(&last, root)
        .difference(&cmp.modified)
        .difference(&cmp.added)
        .difference(&cmp.removed);
    Some(allowed.paths().iter().map(|p| path_string(p)).collect())
}

/// Rewrites an existing last-applied annotation to the applied configuration (without that
/// annotation), encoded as Go's encoding/json would (sorted keys, trailing newline).
pub(crate) fn refresh(obj: &mut Value, config: &Value) {
    if annotation(obj).is_none() {
        return;
    }
    let mut applied = config.clone();
    if let Some(Value::Object(meta)) = applied.get_mut("metadata") {
        if let Some(Value::Object(ann)) = meta.get_mut("annotations") {
            ann.shift_remove(ANNOTATION);
        }
        if meta
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(|a| a.is_empty())
        {
            meta.shift_remove("annotations");
        }
    }
    let encoded = format!("{}\n", go_json(&applied));
    if let Some(Value::Object(ann)) = obj
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
    {
        ann.insert(ANNOTATION.to_string(), Value::String(encoded));
    }
}
