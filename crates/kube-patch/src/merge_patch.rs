//! RFC 7386 JSON merge patch as evanphx/json-patch's MergePatch (used by kube-apiserver) applies it.

use serde_json::{Map, Value};

use crate::PatchError;

/// Applies a JSON merge patch. Both the document and the patch must be JSON objects (the apiserver
/// patches whole objects); a null in the patch deletes the key, objects merge recursively, anything
/// else replaces.
pub fn merge_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    let Value::Object(patch) = patch else {
        return Err(PatchError::MergePatch("Invalid JSON Patch".to_string()));
    };
    let Value::Object(doc) = doc else {
        return Err(PatchError::MergePatch("Invalid JSON Document".to_string()));
    };
    // Recursion below follows the patch's nesting.
    if crate::map_depth(patch) > crate::MAX_DEPTH {
        return Err(PatchError::MergePatch("Invalid JSON Patch".to_string()));
    }
    let mut out = doc.clone();
    merge_objects(&mut out, patch);
    Ok(Value::Object(out))
}

fn merge_objects(doc: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        if v.is_null() {
            doc.shift_remove(k);
            continue;
        }
        match doc.get_mut(k) {
            Some(cur @ Value::Object(_)) => merge_value(cur, v),
            _ => {
                let mut v = v.clone();
                prune_nulls(&mut v);
                doc.insert(k.clone(), v);
            }
        }
    }
}

/// `cur` is an object: merge objects, otherwise the patch value replaces it as is.
fn merge_value(cur: &mut Value, patch: &Value) {
    match (cur.as_object_mut(), patch) {
        (Some(c), Value::Object(p)) => merge_objects(c, p),
        _ => *cur = patch.clone(),
    }
}

/// Nulls inside a newly added value mean nothing to merge against: drop them from objects
/// (array elements stay, as the Go implementation keeps them).
pub(crate) fn prune_nulls(v: &mut Value) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                m.retain(|_, x| !x.is_null());
                stack.extend(m.values_mut());
            }
            Value::Array(a) => stack.extend(a.iter_mut()),
            _ => {}
        }
    }
}
