//! Strategic merge patch for built-in kinds, following k8s.io/apimachinery/pkg/util/strategicpatch
//! as kube-apiserver runs it (MergeParallelList and IgnoreUnmatchedNulls both on).

use serde_json::{Map, Value};

use crate::PatchError;
use crate::builtin::{self, Smp, Ty};
use crate::gofmt::{go_type, go_v};

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ORDER_PREFIX: &str = "$setElementOrder";
const DELETE_PRIMITIVE_PREFIX: &str = "$deleteFromPrimitiveList";

const ERR_RETAIN_KEYS: &str = "invalid patch format of retainKeys";
const ERR_PRIMITIVE_LIST: &str = "invalid patch format of primitive list";
const ERR_SET_ORDER: &str = "invalid patch format of setElementOrder list";
const ERR_LIST_OF_LISTS: &str = "lists of lists are not supported";
const ERR_BAD_DOC: &str = "invalid JSON document";

/// Strategic merge patch as kube-apiserver applies it to built-in kinds (group "" for core).
/// `Err(PatchError::UnsupportedKind)` for kinds without strategic-merge metadata (custom
/// resources: the server answers 415 for those).
pub fn strategic_merge_patch(
    group: &str,
    _version: &str,
    kind: &str,
    doc: &Value,
    patch: &Value,
) -> Result<Value, PatchError> {
    let Some(ty) = builtin::root(group, kind) else {
        return Err(PatchError::UnsupportedKind {
            group: group.to_string(),
            kind: kind.to_string(),
        });
    };
    let (Value::Object(original), Value::Object(patch)) = (doc, patch) else {
        return Err(PatchError::StrategicBadRequest(ERR_BAD_DOC.to_string()));
    };
    if crate::depth(doc) > crate::MAX_DEPTH || crate::map_depth(patch) > crate::MAX_DEPTH {
        return Err(PatchError::StrategicBadRequest(ERR_BAD_DOC.to_string()));
    }
    let mut merged =
        merge_map(Some(original.clone()), patch.clone(), ty).map_err(SmpError::into_patch_error)?;
    // The apiserver decodes the result into the typed object, which drops directive keys that
    // were carried along (e.g. inside replaced lists).
    strip_directive_keys(&mut merged);
    Ok(Value::Object(merged))
}

enum SmpError {
    BadRequest(&'static str),
    Invalid(&'static str),
    Other(String),
}

impl SmpError {
    fn into_patch_error(self) -> PatchError {
        match self {
            SmpError::BadRequest(m) => PatchError::StrategicBadRequest(m.to_string()),
            SmpError::Invalid(m) => PatchError::StrategicInvalid(m.to_string()),
            SmpError::Other(m) => PatchError::StrategicFailed(m),
        }
    }
}

type Result<T, E = SmpError> = std::result::Result<T, E>;

fn bad_arg_type(expected: &str, actual: &Value) -> SmpError {
    SmpError::Other(format!(
        "expected a {expected}, but received a {}",
        go_type(actual)
    ))
}

fn no_merge_key(m: &Map<String, Value>, key: &str) -> SmpError {
    SmpError::Other(format!(
        "map: {} does not contain declared merge key: {key}",
        go_v(&Value::Object(m.clone()))
    ))
}

fn bad_patch_type(t: &Value, m: &Map<String, Value>) -> SmpError {
    SmpError::Other(format!(
        "unknown patch type: {} in map: {}",
        go_v(t),
        go_v(&Value::Object(m.clone()))
    ))
}

const LIST: &str = "[]interface {}";
const MAP: &str = "map[string]interface {}";

fn merge_map(
    original: Option<Map<String, Value>>,
    mut patch: Map<String, Value>,
    ty: Ty,
) -> Result<Map<String, Value>> {
    if let Some(directive) = patch.get(DIRECTIVE).cloned() {
        return match directive.as_str() {
            Some("replace") => {
                patch.shift_remove(DIRECTIVE);
                Ok(patch)
            }
            Some("delete") => Ok(Map::new()),
            _ => Err(bad_patch_type(&directive, &patch)),
        };
    }
    let mut original = original.unwrap_or_default();
    apply_retain_keys(&mut original, &mut patch)?;
    merge_set_element_order(&mut original, &mut patch, ty)?;

    for (key, patch_v) in patch {
        let (key, is_delete_list) = if key.starts_with(DELETE_PRIMITIVE_PREFIX) {
            (extract_key(&key, DELETE_PRIMITIVE_PREFIX)?, true)
        } else {
            (key, false)
        };
        if patch_v.is_null() {
            original.shift_remove(&key);
            continue;
        }
        let Some(orig_v) = original.get_mut(&key) else {
            if !is_delete_list {
                let mut v = patch_v;
                discard_nulls(&mut v);
                if let Some(v) = remove_directives(v) {
                    original.insert(key, v);
                }
            }
            continue;
        };
        let info = builtin::field(ty, &key);
        match (orig_v, patch_v) {
            (Value::Object(o), Value::Object(p)) => {
                let merged = if info.smp == Smp::ReplaceMap {
                    p
                } else {
                    merge_map(Some(std::mem::take(o)), p, info.ty)?
                };
                original.insert(key, Value::Object(merged));
            }
            (Value::Array(o), Value::Array(p)) => {
                let merged = match info.smp {
                    Smp::MergeList(merge_key) => merge_slice(
                        std::mem::take(o),
                        p,
                        info.ty,
                        merge_key.unwrap_or(""),
                        is_delete_list,
                    )?,
                    _ if is_delete_list => merge_slice(std::mem::take(o), p, info.ty, "", true)?,
                    _ => p,
                };
                original.insert(key, Value::Array(merged));
            }
            (_, mut p) => {
                if is_delete_list {
                    continue;
                }
                discard_nulls(&mut p);
                match remove_directives(p) {
                    Some(v) => {
                        original.insert(key, v);
                    }
                    None => {
                        original.shift_remove(&key);
                    }
                }
            }
        }
    }
    Ok(original)
}

/// `$retainKeys`: keys of `original` not listed are cleared; every patched key must be listed.
fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
) -> Result<()> {
    let Some(retain) = patch.shift_remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let Value::Array(retain) = retain else {
        return Err(SmpError::BadRequest(ERR_RETAIN_KEYS));
    };
    let listed = |k: &str| retain.iter().any(|v| v.as_str() == Some(k));
    for (k, v) in patch.iter() {
        if v.is_null() || k.starts_with(DELETE_PRIMITIVE_PREFIX) || k.starts_with(SET_ORDER_PREFIX)
        {
            continue;
        }
        if !listed(k) {
            return Err(SmpError::BadRequest(ERR_RETAIN_KEYS));
        }
    }
    original.retain(|k, _| listed(k));
    Ok(())
}

fn extract_key(s: &str, prefix: &'static str) -> Result<String> {
    match s.split_once('/') {
        Some((p, rest)) if p == prefix => Ok(rest.to_string()),
        _ if prefix == DELETE_PRIMITIVE_PREFIX => Err(SmpError::BadRequest(ERR_PRIMITIVE_LIST)),
        _ => Err(SmpError::BadRequest(ERR_SET_ORDER)),
    }
}

/// `$setElementOrder/<field>`: merge the list it names, then order the result: the directive's
/// order first, server-only items interleaved where they were in the live list.
fn merge_set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: Ty,
) -> Result<()> {
    let directive_keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ORDER_PREFIX))
        .cloned()
        .collect();
    for key in directive_keys {
        let Some(order) = patch.shift_remove(&key) else {
            continue;
        };
        let Value::Array(order) = order else {
            return Err(bad_arg_type(LIST, &order));
        };
        let field = extract_key(&key, SET_ORDER_PREFIX)?;
        let original_list = match original.get(&field) {
            None => None,
            Some(Value::Array(a)) => Some(a.clone()),
            Some(other) => return Err(bad_arg_type(LIST, other)),
        };
        let patch_list = match patch.get(&field) {
            None => None,
            Some(Value::Array(a)) => Some(a.clone()),
            Some(other) => return Err(bad_arg_type(LIST, other)),
        };
        let info = builtin::field(ty, &field);
        let (merge, merge_key) = match info.smp {
            Smp::MergeList(k) => (true, k.unwrap_or("")),
            _ => (false, ""),
        };
        validate_patch_with_order(patch_list.as_deref().unwrap_or(&[]), &order, merge_key)?;
        let merged = match (&original_list, &patch_list) {
            (Some(o), None) => o.clone(),
            (None, Some(p)) => match remove_directives(Value::Array(p.clone())) {
                Some(Value::Array(a)) => a,
                _ => continue,
            },
            (Some(o), Some(p)) => {
                if merge {
                    merge_slice(o.clone(), p.clone(), info.ty, merge_key, false)?
                } else {
                    p.clone()
                }
            }
            (None, None) => continue,
        };
        let (patch_items, server_only) = partition(&merged, &order, merge_key)?;
        let orig_slice = original_list.clone().unwrap_or_default();
        let elem_kind = slice_element_kind(&[&orig_slice, patch_list.as_deref().unwrap_or(&[])])?;
        let key_for_kind = if elem_kind == ElemKind::Map {
            merge_key
        } else {
            ""
        };
        let both = normalize_element_order(
            patch_items,
            server_only,
            &order,
            &orig_slice,
            key_for_kind,
            elem_kind,
        )?;
        original.insert(field.clone(), Value::Array(both));
        patch.shift_remove(&field);
    }
    Ok(())
}

fn validate_patch_with_order(patch_list: &[Value], order: &[Value], merge_key: &str) -> Result<()> {
    if order.is_empty() || patch_list.is_empty() {
        return Ok(());
    }
    let non_delete: Vec<&Value> = if merge_key.is_empty() {
        patch_list.iter().collect()
    } else {
        let mut keep = Vec::new();
        for v in patch_list {
            let Value::Object(m) = v else {
                return Err(bad_arg_type(MAP, v));
            };
            if m.get(DIRECTIVE).and_then(Value::as_str) != Some("delete") {
                keep.push(v);
            }
        }
        keep
    };
    let (mut pi, mut oi) = (0, 0);
    while pi < non_delete.len() && oi < order.len() {
        if non_delete[pi].get(DIRECTIVE).is_some() {
            pi += 1;
            continue;
        }
        if merge_key_equal(non_delete[pi], &order[oi], merge_key)? {
            pi += 1;
        }
        oi += 1;
    }
    if pi < non_delete.len() && oi >= order.len() {
        return Err(SmpError::Other(format!(
            "The order in patch list:\n{}\n doesn't match {SET_ORDER_PREFIX} list:\n{}\n",
            go_v(&Value::Array(patch_list.to_vec())),
            go_v(&Value::Array(order.to_vec()))
        )));
    }
    Ok(())
}

fn merge_key_equal(left: &Value, right: &Value, merge_key: &str) -> Result<bool> {
    if merge_key.is_empty() {
        return Ok(left == right);
    }
    let Value::Object(l) = left else {
        return Err(bad_arg_type(MAP, left));
    };
    let Value::Object(r) = right else {
        return Err(bad_arg_type(MAP, right));
    };
    let lk = l.get(merge_key).ok_or_else(|| no_merge_key(l, merge_key))?;
    let rk = r.get(merge_key).ok_or_else(|| no_merge_key(r, merge_key))?;
    Ok(lk == rk)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ElemKind {
    Map,
    Scalar,
}

/// All elements must share one Go type (no nested lists); returns whether they are maps.
fn slice_element_kind(slices: &[&[Value]]) -> Result<ElemKind> {
    let mut prev: Option<&'static str> = None;
    for v in slices.iter().flat_map(|s| s.iter()) {
        let t = go_type(v);
        match prev {
            None => {
                if v.is_array() {
                    return Err(SmpError::Invalid(ERR_LIST_OF_LISTS));
                }
                if v.is_null() {
                    // Go dereferences a nil reflect.Type here and the apiserver answers 500.
                    return Err(SmpError::Other(
                        "runtime error: invalid memory address or nil pointer dereference"
                            .to_string(),
                    ));
                }
                prev = Some(t);
            }
            Some(p) if p != t => {
                let rendered: Vec<Value> =
                    slices.iter().map(|s| Value::Array(s.to_vec())).collect();
                return Err(SmpError::Other(format!(
                    "list element types are not identical: {}",
                    go_v(&Value::Array(rendered))
                )));
            }
            Some(_) => {}
        }
    }
    match prev {
        None => Err(SmpError::Other(
            "no elements in any of the given slices".to_string(),
        )),
        Some(MAP) => Ok(ElemKind::Map),
        Some(_) => Ok(ElemKind::Scalar),
    }
}

fn merge_slice(
    original: Vec<Value>,
    patch: Vec<Value>,
    ty: Ty,
    merge_key: &str,
    is_delete_list: bool,
) -> Result<Vec<Value>> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    let kind = slice_element_kind(&[&original, &patch])?;
    let (original, patch, merged) = if kind == ElemKind::Scalar {
        if is_delete_list {
            return Ok(original
                .into_iter()
                .filter(|v| !patch.contains(v))
                .collect());
        }
        let mut both = original.clone();
        both.extend(patch.iter().cloned());
        let merged = deduplicate_scalars(both);
        (original, patch, merged)
    } else {
        if merge_key.is_empty() {
            return Err(SmpError::Other(
                "cannot merge lists without merge key for ".to_string(),
            ));
        }
        let (original, patch) = merge_special_elements(original, patch, merge_key)?;
        let merged = merge_without_special_elements(original.clone(), &patch, merge_key, ty)?;
        (original, patch, merged)
    };
    let key = if kind == ElemKind::Map { merge_key } else { "" };
    let (patch_items, server_only) = partition(&merged, &patch, key)?;
    normalize_element_order(patch_items, server_only, &patch, &original, key, kind)
}

/// Go's in-place deduplication, which moves the last element into each duplicate's place.
fn deduplicate_scalars(mut s: Vec<Value>) -> Vec<Value> {
    if s.is_empty() {
        return s;
    }
    let mut length = s.len() - 1;
    let mut i = 0;
    while i < length {
        let mut j = i + 1;
        while j <= length {
            if s[i] == s[j] {
                s[j] = s[length].clone();
                s.truncate(length);
                length -= 1;
                continue;
            }
            j += 1;
        }
        i += 1;
    }
    s
}

/// Handles `$patch: delete|replace|merge` items of a list of maps; returns the new original and
/// the patch without those items.
fn merge_special_elements(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &str,
) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut plain = Vec::new();
    let mut replace = false;
    for v in patch {
        let Value::Object(m) = &v else {
            return Err(bad_arg_type(MAP, &v));
        };
        let Some(directive) = m.get(DIRECTIVE) else {
            plain.push(v);
            continue;
        };
        match directive.as_str() {
            Some("delete") => {
                let Some(value) = m.get(merge_key) else {
                    return Err(no_merge_key(m, merge_key));
                };
                for (idx, item) in original.iter().enumerate() {
                    if !item.is_object() {
                        return Err(SmpError::Other(format!("value for key {idx} is not a map")));
                    }
                }
                original.retain(|item| item.get(merge_key) != Some(value));
            }
            Some("replace") => replace = true,
            Some("merge") => {
                return Err(SmpError::Other(
                    "merging lists cannot yet be specified in the patch".to_string(),
                ));
            }
            _ => return Err(bad_patch_type(directive, m)),
        }
    }
    if replace {
        return Ok((plain, Vec::new()));
    }
    Ok((original, plain))
}

fn find_by_key(list: &[Value], key: &str, value: &Value) -> Result<Option<usize>> {
    for (idx, item) in list.iter().enumerate() {
        let Value::Object(m) = item else {
            return Err(SmpError::Other(format!("value for key {idx} is not a map")));
        };
        if m.get(key) == Some(value) {
            return Ok(Some(idx));
        }
    }
    Ok(None)
}

fn merge_without_special_elements(
    mut original: Vec<Value>,
    patch: &[Value],
    merge_key: &str,
    ty: Ty,
) -> Result<Vec<Value>> {
    for v in patch {
        let Value::Object(m) = v else {
            return Err(bad_arg_type(MAP, v));
        };
        let Some(value) = m.get(merge_key) else {
            return Err(no_merge_key(m, merge_key));
        };
        match find_by_key(&original, merge_key, value)? {
            Some(idx) => {
                let existing = match std::mem::take(&mut original[idx]) {
                    Value::Object(o) => o,
                    _ => Map::new(),
                };
                original[idx] = Value::Object(merge_map(Some(existing), m.clone(), ty)?);
            }
            None => {
                // The typed decode that follows in the apiserver drops nulls and directive keys of
                // a new item; do it here since results stay untyped.
                let mut item = v.clone();
                discard_nulls(&mut item);
                if let Some(item) = remove_directives(item) {
                    original.push(item);
                }
            }
        }
    }
    Ok(original)
}

/// Splits `list` into items present in `by` (by merge key, or by value for scalars) and the rest.
fn partition(list: &[Value], by: &[Value], merge_key: &str) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut present = Vec::new();
    let mut server_only = Vec::new();
    for v in list {
        let found = if merge_key.is_empty() {
            by.contains(v)
        } else {
            let Value::Object(m) = v else {
                return Err(bad_arg_type(MAP, v));
            };
            let Some(value) = m.get(merge_key) else {
                return Err(no_merge_key(m, merge_key));
            };
            find_by_key(by, merge_key, value)?.is_some()
        };
        if found {
            present.push(v.clone());
        } else {
            server_only.push(v.clone());
        }
    }
    Ok((present, server_only))
}

fn index_of(list: &[Value], v: &Value, merge_key: &str, kind: ElemKind) -> Option<usize> {
    let key_of = |x: &Value| -> Option<Value> {
        match kind {
            ElemKind::Map => x
                .as_object()
                .map(|m| m.get(merge_key).cloned().unwrap_or(Value::Null)),
            ElemKind::Scalar => Some(x.clone()),
        }
    };
    let target = key_of(v);
    list.iter().position(|x| key_of(x) == target)
}

fn normalize_slice_order(
    to_sort: Vec<Value>,
    order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> Result<Vec<Value>> {
    let (mut keep, to_delete) = if kind == ElemKind::Map {
        for v in to_sort.iter().chain(order.iter()) {
            let Value::Object(m) = v else {
                return Err(bad_arg_type(MAP, v));
            };
            if !m.contains_key(merge_key) {
                return Err(no_merge_key(m, merge_key));
            }
        }
        to_sort
            .into_iter()
            .partition(|v| v.get(DIRECTIVE).and_then(Value::as_str) != Some("delete"))
    } else {
        (to_sort, Vec::new())
    };
    keep.sort_by_key(|v| index_of(order, v, merge_key, kind).unwrap_or(usize::MAX));
    keep.extend(to_delete);
    Ok(keep)
}

fn normalize_element_order(
    patch: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> Result<Vec<Value>> {
    let patch = normalize_slice_order(patch, patch_order, merge_key, kind)?;
    let server_only = normalize_slice_order(server_only, server_order, merge_key, kind)?;
    Ok(merge_sorted(
        server_only,
        patch,
        server_order,
        merge_key,
        kind,
    ))
}

/// Interleaves server-only items (`left`) into the patch items (`right`) by their live order.
fn merge_sorted(
    left: Vec<Value>,
    right: Vec<Value>,
    server_order: &[Value],
    merge_key: &str,
    kind: ElemKind,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => out.extend(left.next()),
            (None, Some(_)) => out.extend(right.next()),
            (Some(l), Some(r)) => {
                let li = index_of(server_order, l, merge_key, kind);
                let ri = index_of(server_order, r, merge_key, kind);
                let left_first = matches!((li, ri), (Some(a), Some(b)) if a < b);
                if left_first {
                    out.extend(left.next());
                } else {
                    out.extend(right.next());
                }
            }
        }
    }
    out
}

/// Drops maps carrying `$patch` (and, inside them, nothing else): None when `v` itself is one.
fn remove_directives(v: Value) -> Option<Value> {
    match v {
        Value::Object(m) => {
            if m.contains_key(DIRECTIVE) {
                return None;
            }
            let mut out = Map::new();
            for (k, x) in m {
                if let Some(x) = remove_directives(x) {
                    out.insert(k, x);
                }
            }
            Some(Value::Object(out))
        }
        Value::Array(a) => Some(Value::Array(
            a.into_iter().filter_map(remove_directives).collect(),
        )),
        other => Some(other),
    }
}

fn discard_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(discard_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(discard_nulls),
        _ => {}
    }
}

fn is_directive_key(k: &str) -> bool {
    k == DIRECTIVE
        || k == RETAIN_KEYS
        || k.starts_with(SET_ORDER_PREFIX)
        || k.starts_with(DELETE_PRIMITIVE_PREFIX)
}

fn strip_directive_keys(m: &mut Map<String, Value>) {
    m.retain(|k, _| !is_directive_key(k));
    for v in m.values_mut() {
        strip_value(v);
    }
}

fn strip_value(v: &mut Value) {
    match v {
        Value::Object(m) => strip_directive_keys(m),
        Value::Array(a) => a.iter_mut().for_each(strip_value),
        _ => {}
    }
}
