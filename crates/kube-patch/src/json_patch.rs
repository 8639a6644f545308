//! RFC 6902 JSON patch with the behaviour (and error wording) of gopkg.in/evanphx/json-patch.v4,
//! which kube-apiserver uses: negative array indices are accepted, `replace` of a missing object key
//! adds it, a path without a leading `/` has its first segment ignored, `copy` is size-limited.

use serde_json::{Map, Value};

use crate::PatchError;

/// kube-apiserver's limit on operations in one JSON patch.
pub const MAX_OPERATIONS: usize = 10_000;
/// kube-apiserver's limit (JSONPatchMaxCopyBytes) on bytes added by `copy` operations.
pub const MAX_COPY_BYTES: usize = 3 * 1024 * 1024;

/// Applies an RFC 6902 JSON patch (`patch` must be an array of operations) to `doc`.
pub fn json_patch(doc: &Value, patch: &Value) -> Result<Value, PatchError> {
    // Cloning and comparing values recurse: refuse nesting no JSON decoder here would produce.
    if crate::depth(doc) > crate::MAX_DEPTH || crate::depth(patch) > crate::MAX_DEPTH + 2 {
        return Err(PatchError::BadRequest("exceeded max depth".to_string()));
    }
    let ops = decode(patch)?;
    if ops.len() > MAX_OPERATIONS {
        return Err(PatchError::TooManyOperations {
            limit: MAX_OPERATIONS,
            got: ops.len(),
        });
    }
    let mut doc = doc.clone();
    let mut copied = 0usize;
    for op in ops {
        apply_op(&mut doc, op, &mut copied).map_err(PatchError::JsonPatchFailed)?;
    }
    Ok(doc)
}

fn decode(patch: &Value) -> Result<Vec<&Map<String, Value>>, PatchError> {
    let Value::Array(items) = patch else {
        return Err(PatchError::BadRequest(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            go_kind(patch)
        )));
    };
    items
        .iter()
        .map(|item| match item {
            Value::Object(m) => Ok(m),
            // Go decodes a null element into a nil map, which then fails as an unknown op.
            other => Err(PatchError::BadRequest(format!(
                "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                go_kind(other)
            ))),
        })
        .collect()
}

/// How encoding/json names a JSON value's kind in "cannot unmarshal X into" errors.
pub(crate) fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn apply_op(doc: &mut Value, op: &Map<String, Value>, copied: &mut usize) -> Result<(), String> {
    let kind = match op.get("op") {
        Some(Value::String(s)) => s.as_str(),
        _ => "unknown",
    };
    match kind {
        "add" => add(doc, op),
        "remove" => remove(doc, op),
        "replace" => replace(doc, op),
        "move" => move_op(doc, op),
        "test" => test(doc, op),
        "copy" => copy(doc, op, copied),
        other => Err(format!("Unexpected kind: {other}")),
    }
}

const MISSING: &str = "missing value";
const INVALID_INDEX: &str = "invalid index referenced";

enum Field {
    Missing,
    NotString(&'static str),
    Str(String),
}

fn field(op: &Map<String, Value>, name: &str) -> Field {
    match op.get(name) {
        None | Some(Value::Null) => Field::Missing,
        Some(Value::String(s)) => Field::Str(s.clone()),
        Some(other) => Field::NotString(go_kind(other)),
    }
}

fn unmarshal_string_error(kind: &str) -> String {
    format!("json: cannot unmarshal {kind} into Go value of type string")
}

/// `path` of an op for add/remove/copy, where any decoding problem reads as a missing value.
fn path_or_missing(op: &Map<String, Value>, verb: &str) -> Result<String, String> {
    match field(op, "path") {
        Field::Str(s) => Ok(s),
        _ => Err(format!("{verb} operation failed to decode path: {MISSING}")),
    }
}

/// `path`/`from` of an op for replace/move/test/copy-from, which report the decoding error itself.
fn field_with_error(op: &Map<String, Value>, name: &str, context: &str) -> Result<String, String> {
    match field(op, name) {
        Field::Str(s) => Ok(s),
        Field::Missing if name == "path" => Err(format!(
            "{context}: operation missing path field: {MISSING}"
        )),
        Field::Missing => Err(format!(
            "{context}: operation, missing from field: {MISSING}"
        )),
        Field::NotString(k) => Err(format!("{context}: {}", unmarshal_string_error(k))),
    }
}

fn value_of(op: &Map<String, Value>) -> Value {
    op.get("value").cloned().unwrap_or(Value::Null)
}

/// RFC 6901 unescaping in one left-to-right pass, as Go's strings.Replacer does it.
fn decode_key(k: &str) -> String {
    if !k.contains('~') {
        return k.to_string();
    }
    let mut out = String::with_capacity(k.len());
    let mut chars = k.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.peek() {
                Some('1') => {
                    chars.next();
                    out.push('/');
                    continue;
                }
                Some('0') => {
                    chars.next();
                    out.push('~');
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// Go's strconv.Atoi, with its error text.
fn go_atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// Go's %q for the ASCII-ish keys found in pointers.
pub(crate) fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Resolves an array index for get/set/remove (`len` elements, negative counts from the end).
fn existing_index(key: &str, len: usize) -> Result<usize, String> {
    let idx = go_atoi(key)?;
    let len_i = len as i64;
    let resolved = if idx < 0 {
        if idx < -len_i {
            return Err(format!(
                "Unable to access invalid index: {idx}: {INVALID_INDEX}"
            ));
        }
        idx + len_i
    } else {
        idx
    };
    if resolved >= len_i {
        return Err(format!(
            "Unable to access invalid index: {idx}: {INVALID_INDEX}"
        ));
    }
    Ok(resolved as usize)
}

/// The container holding the last segment of `path`, and that segment decoded. `None` when the
/// path has no segment or an intermediate segment does not lead to an object or array.
fn find_parent<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let split: Vec<&str> = path.split('/').collect();
    if split.len() < 2 {
        return None;
    }
    let mut cur = doc;
    for part in &split[1..split.len() - 1] {
        let part = decode_key(part);
        cur = match cur {
            Value::Object(m) => m.get_mut(&part)?,
            Value::Array(a) => {
                let i = existing_index(&part, a.len()).ok()?;
                &mut a[i]
            }
            _ => return None,
        };
    }
    match cur {
        Value::Object(_) | Value::Array(_) => Some((cur, decode_key(split[split.len() - 1]))),
        _ => None,
    }
}

/// What `get` finds: objects answer `None` for a missing key (and for a null value), arrays error
/// for a bad index.
fn get(container: &Value, key: &str) -> Result<Option<Value>, String> {
    match container {
        Value::Object(m) => Ok(m.get(key).filter(|v| !v.is_null()).cloned()),
        Value::Array(a) => {
            let i = existing_index(key, a.len())?;
            Ok(Some(a[i].clone()).filter(|v| !v.is_null()))
        }
        _ => Ok(None),
    }
}

fn insert(container: &mut Value, key: &str, val: Value) -> Result<(), String> {
    match container {
        Value::Object(m) => {
            m.insert(key.to_string(), val);
            Ok(())
        }
        Value::Array(a) => {
            if key == "-" {
                a.push(val);
                return Ok(());
            }
            let idx = go_atoi(key)
                .map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
            let new_len = a.len() as i64 + 1;
            if idx >= new_len {
                return Err(format!(
                    "Unable to access invalid index: {idx}: {INVALID_INDEX}"
                ));
            }
            let idx = if idx < 0 {
                if idx < -new_len {
                    return Err(format!(
                        "Unable to access invalid index: {idx}: {INVALID_INDEX}"
                    ));
                }
                idx + new_len
            } else {
                idx
            };
            a.insert(idx as usize, val);
            Ok(())
        }
        _ => Err(MISSING.to_string()),
    }
}

fn delete(container: &mut Value, key: &str) -> Result<(), String> {
    match container {
        Value::Object(m) => match m.shift_remove(key) {
            Some(_) => Ok(()),
            None => Err(format!(
                "Unable to remove nonexistent key: {key}: {MISSING}"
            )),
        },
        Value::Array(a) => {
            let i = existing_index(key, a.len())?;
            a.remove(i);
            Ok(())
        }
        _ => Err(MISSING.to_string()),
    }
}

fn add(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let path = path_or_missing(op, "add")?;
    let Some((parent, key)) = find_parent(doc, &path) else {
        return Err(format!(
            "add operation does not apply: doc is missing path: \"{path}\": {MISSING}"
        ));
    };
    insert(parent, &key, value_of(op)).map_err(|e| format!("error in add for path: '{path}': {e}"))
}

fn remove(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let path = path_or_missing(op, "remove")?;
    let Some((parent, key)) = find_parent(doc, &path) else {
        return Err(format!(
            "remove operation does not apply: doc is missing path: \"{path}\": {MISSING}"
        ));
    };
    delete(parent, &key).map_err(|e| format!("error in remove for path: '{path}': {e}"))
}

fn replace(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let path = field_with_error(op, "path", "replace operation failed to decode path")?;
    if path.is_empty() {
        let val = value_of(op);
        if !(val.is_object() || val.is_array()) {
            return Err("replace operation value must be object or array: %!w(<nil>)".to_string());
        }
        *doc = val;
        return Ok(());
    }
    let Some((parent, key)) = find_parent(doc, &path) else {
        return Err(format!(
            "replace operation does not apply: doc is missing path: {path}: {MISSING}"
        ));
    };
    if get(parent, &key).is_err() {
        return Err(format!(
            "replace operation does not apply: doc is missing key: {path}: {MISSING}"
        ));
    }
    let val = value_of(op);
    match parent {
        Value::Object(m) => {
            m.insert(key, val);
        }
        Value::Array(a) => {
            let i = existing_index(&key, a.len())
                .map_err(|e| format!("error in remove for path: '{path}': {e}"))?;
            a[i] = val;
        }
        _ => {}
    }
    Ok(())
}

fn move_op(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let from = field_with_error(op, "from", "move operation failed to decode from")?;
    let Some((parent, key)) = find_parent(doc, &from) else {
        return Err(format!(
            "move operation does not apply: doc is missing from path: {from}: {MISSING}"
        ));
    };
    let val = get(parent, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    delete(parent, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let path = field_with_error(op, "path", "move operation failed to decode path")?;
    let Some((parent, key)) = find_parent(doc, &path) else {
        return Err(format!(
            "move operation does not apply: doc is missing destination path: {path}: {MISSING}"
        ));
    };
    insert(parent, &key, val.unwrap_or(Value::Null))
        .map_err(|e| format!("error in move for path: '{path}': {e}"))
}

fn test(doc: &mut Value, op: &Map<String, Value>) -> Result<(), String> {
    let path = field_with_error(op, "path", "test operation failed to decode path")?;
    let failed = || format!("testing value {path} failed: test failed");
    let expected = op.get("value");
    if path.is_empty() {
        return match expected {
            Some(v) if v == doc => Ok(()),
            _ => Err(failed()),
        };
    }
    let Some((parent, key)) = find_parent(doc, &path) else {
        return Err(format!(
            "test operation does not apply: is missing path: {path}: {MISSING}"
        ));
    };
    let actual = get(parent, &key).map_err(|e| format!("error in test for path: '{path}': {e}"))?;
    match (actual, expected) {
        (None, None | Some(Value::Null)) => Ok(()),
        (Some(a), Some(e)) if &a == e => Ok(()),
        _ => Err(failed()),
    }
}

fn copy(doc: &mut Value, op: &Map<String, Value>, copied: &mut usize) -> Result<(), String> {
    let from = field_with_error(op, "from", "copy operation failed to decode from")?;
    let Some((parent, key)) = find_parent(doc, &from) else {
        return Err(format!(
            "copy operation does not apply: doc is missing from path: {from}: {MISSING}"
        ));
    };
    let val = get(parent, &key)
        .map_err(|e| format!("error in copy for from: '{from}': {e}"))?
        .unwrap_or(Value::Null);
    let path = path_or_missing(op, "copy")?;
    let Some((parent, key)) = find_parent(doc, &path) else {
        return Err(format!(
            "copy operation does not apply: doc is missing destination path: {path}: {MISSING}"
        ));
    };
    *copied += serde_json::to_vec(&val).map(|b| b.len()).unwrap_or(0);
    if *copied > MAX_COPY_BYTES {
        return Err(format!(
            "Unable to complete the copy, the accumulated size increase of copy is {copied}, exceeding the limit {MAX_COPY_BYTES}"
        ));
    }
    insert(parent, &key, val).map_err(|e| format!("error while adding value during copy: {e}"))
}
