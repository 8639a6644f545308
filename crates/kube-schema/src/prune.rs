//! Structural pruning (apiextensions-apiserver `pruning.PruneWithOptions`),
//! dropping of non-nullable nulls without default
//! (`PruneNonNullableNullsWithoutDefaults`) and the ObjectMeta coercion of
//! embedded resources (`objectmeta.Coerce`).

use serde_json::{Map, Value};

use crate::schema::{MAX_SCHEMA_DEPTH, Node};

const META_FIELDS: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// Bound on object nesting walked; deeper values are left as they are.
const MAX_VALUE_DEPTH: usize = 2 * MAX_SCHEMA_DEPTH;

struct Walk {
    path: String,
    unknown: Vec<String>,
    embedded_meta: Vec<String>,
}

impl Walk {
    fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

pub(crate) fn prune_resource(obj: &mut Value, root: &Node) -> Vec<String> {
    let mut w = Walk {
        path: String::new(),
        unknown: Vec::new(),
        embedded_meta: Vec::new(),
    };
    // The resource root always keeps its apiVersion, kind and metadata.
    prune(obj, Some(root), true, &mut w, 0);
    drop_nulls(obj, Some(root), 0);
    w.unknown.sort();
    w.embedded_meta.sort();
    w.unknown.extend(w.embedded_meta);
    w.unknown
}

fn prune(x: &mut Value, s: Option<&Node>, embedded: bool, w: &mut Walk, depth: usize) {
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    if let Some(s) = s
        && s.preserve_unknown
    {
        skip_prune(x, s, embedded || s.embedded_resource, w, depth);
        return;
    }
    let embedded = embedded || s.is_some_and(|s| s.embedded_resource);
    match x {
        Value::Object(map) => {
            let Some(s) = s else {
                for k in map.keys() {
                    let p = w.child(k);
                    w.unknown.push(p);
                }
                map.clear();
                return;
            };
            let at_root = w.path.is_empty();
            let mut removed = Vec::new();
            for (k, v) in map.iter_mut() {
                if embedded && META_FIELDS.contains(&k.as_str()) {
                    if k == "metadata" && !at_root {
                        let p = w.child("metadata");
                        w.embedded_meta.extend(coerce_meta(v, &p));
                    }
                    continue;
                }
                if let Some(prop) = s.property(k) {
                    descend(w, k, |w| prune(v, Some(prop), false, w, depth + 1));
                } else if s.has_additional() {
                    let a = s.additional_schema();
                    descend(w, k, |w| prune(v, a, false, w, depth + 1));
                } else {
                    if !META_FIELDS.contains(&k.as_str()) || !at_root {
                        w.unknown.push(w.child(k));
                    }
                    removed.push(k.clone());
                }
            }
            for k in removed {
                map.remove(&k);
            }
        }
        Value::Array(items) => {
            let item_schema = s.and_then(|s| s.items.as_deref());
            for (i, v) in items.iter_mut().enumerate() {
                descend_index(w, i, |w| prune(v, item_schema, false, w, depth + 1));
            }
        }
        _ => {}
    }
}

fn skip_prune(x: &mut Value, s: &Node, embedded: bool, w: &mut Walk, depth: usize) {
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    match x {
        Value::Object(map) => {
            let at_root = w.path.is_empty();
            for (k, v) in map.iter_mut() {
                if embedded && META_FIELDS.contains(&k.as_str()) {
                    if k == "metadata" && !at_root {
                        let p = w.child("metadata");
                        w.embedded_meta.extend(coerce_meta(v, &p));
                    }
                    continue;
                }
                if let Some(prop) = s.property(k) {
                    descend(w, k, |w| prune(v, Some(prop), false, w, depth + 1));
                } else if s.has_additional() {
                    let a = s.additional_schema();
                    descend(w, k, |w| prune(v, a, false, w, depth + 1));
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.items.as_deref() {
                for (i, v) in items.iter_mut().enumerate() {
                    descend_index(w, i, |w| {
                        skip_prune(v, item_schema, item_schema.embedded_resource, w, depth + 1)
                    });
                }
            }
        }
        _ => {}
    }
}

fn descend(w: &mut Walk, key: &str, f: impl FnOnce(&mut Walk)) {
    let saved = std::mem::take(&mut w.path);
    w.path = if saved.is_empty() {
        key.to_string()
    } else {
        format!("{saved}.{key}")
    };
    f(w);
    w.path = saved;
}

fn descend_index(w: &mut Walk, i: usize, f: impl FnOnce(&mut Walk)) {
    let saved = w.path.clone();
    w.path = format!("{saved}[{i}]");
    f(w);
    w.path = saved;
}

fn drop_nulls(x: &mut Value, s: Option<&Node>, depth: usize) {
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    match x {
        Value::Object(map) => {
            map.retain(|k, v| {
                let fs = s.and_then(|s| s.property(k).or(s.additional_schema()));
                !(v.is_null() && fs.is_some_and(|fs| !fs.nullable && fs.default.is_none()))
            });
            for (k, v) in map.iter_mut() {
                let fs = s.and_then(|s| s.property(k).or(s.additional_schema()));
                drop_nulls(v, fs, depth + 1);
            }
        }
        Value::Array(items) => {
            let is = s.and_then(|s| s.items.as_deref());
            for v in items {
                drop_nulls(v, is, depth + 1);
            }
        }
        _ => {}
    }
}

const OBJECT_META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];
const OWNER_REFERENCE_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "name",
    "uid",
    "controller",
    "blockOwnerDeletion",
];
const MANAGED_FIELDS_ENTRY_FIELDS: &[&str] = &[
    "manager",
    "operation",
    "apiVersion",
    "time",
    "fieldsType",
    "fieldsV1",
    "subresource",
];

/// Drop the fields of an ObjectMeta that `metav1.ObjectMeta` does not know
/// (also inside ownerReferences and managedFields entries) and the empty ones
/// its JSON round trip omits, returning the unknown fields' paths under `path`
/// (e.g. `metadata.foo`, `spec.template.metadata.ownerReferences[0].bar`) as
/// the apiserver reports them for fieldValidation=Strict.
pub fn prune_object_meta(metadata: &mut Value, path: &str) -> Vec<String> {
    coerce_meta(metadata, path)
}

fn coerce_meta(meta: &mut Value, path: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let Value::Object(map) = meta else {
        return unknown;
    };
    strip_unknown(map, OBJECT_META_FIELDS, path, &mut unknown);
    for (list, known) in [
        ("ownerReferences", OWNER_REFERENCE_FIELDS),
        ("managedFields", MANAGED_FIELDS_ENTRY_FIELDS),
    ] {
        if let Some(Value::Array(items)) = map.get_mut(list) {
            for (i, item) in items.iter_mut().enumerate() {
                if let Value::Object(m) = item {
                    strip_unknown(m, known, &format!("{path}.{list}[{i}]"), &mut unknown);
                }
            }
        }
    }
    // Omitted on the ObjectMeta round trip (omitempty; a zero creationTimestamp is removed).
    map.retain(|_, v| !is_empty_value(v));
    unknown
}

fn strip_unknown(map: &mut Map<String, Value>, known: &[&str], path: &str, out: &mut Vec<String>) {
    map.retain(|k, _| {
        let keep = known.contains(&k.as_str());
        if !keep {
            out.push(format!("{path}.{k}"));
        }
        keep
    });
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Bool(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StructuralSchema;
    use serde_json::json;

    fn schema(v: Value) -> StructuralSchema {
        StructuralSchema::new(&v).unwrap()
    }

    #[test]
    fn drops_unknown_fields_and_reports_sorted_paths() {
        let s = schema(json!({"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "a": {"type": "string"},
            "list": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}}
        }}}}));
        let mut obj = json!({"apiVersion": "g/v1", "kind": "K", "metadata": {"name": "n", "weird": 1},
            "spec": {"a": "x", "zz": 1, "b": {"c": 1}, "list": [{"x": 1, "y": 2}]}, "top": true});
        let paths = s.prune(&mut obj);
        assert_eq!(paths, vec!["spec.b", "spec.list[0].y", "spec.zz", "top"]);
        assert_eq!(
            obj,
            json!({"apiVersion": "g/v1", "kind": "K", "metadata": {"name": "n", "weird": 1},
            "spec": {"a": "x", "list": [{"x": 1}]}})
        );
    }

    #[test]
    fn preserve_unknown_fields_keeps_unknown_but_prunes_known_children() {
        let s = schema(json!({"type": "object", "properties": {
        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
            "known": {"type": "object", "properties": {"a": {"type": "string"}}}
        }}}}));
        let mut obj = json!({"spec": {"free": {"any": 1}, "known": {"a": "x", "b": 1}}});
        assert_eq!(s.prune(&mut obj), vec!["spec.known.b"]);
        assert_eq!(
            obj,
            json!({"spec": {"free": {"any": 1}, "known": {"a": "x"}}})
        );
    }

    #[test]
    fn additional_properties_schema_keeps_any_key() {
        let s = schema(json!({"type": "object", "properties": {
            "data": {"type": "object", "additionalProperties": {"type": "object", "properties": {"v": {"type": "string"}}}}}}));
        let mut obj = json!({"data": {"k1": {"v": "a", "w": 1}}});
        assert_eq!(s.prune(&mut obj), vec!["data.k1.w"]);
    }

    #[test]
    fn embedded_resource_keeps_type_meta_and_coerces_metadata() {
        let s = schema(json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                    "x-kubernetes-preserve-unknown-fields": true}}}}}));
        let mut obj = json!({"spec": {"template": {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "bogus": 1, "labels": {}}, "spec": {"containers": []}}}});
        assert_eq!(s.prune(&mut obj), vec!["spec.template.metadata.bogus"]);
        assert_eq!(
            obj["spec"]["template"],
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}})
        );
    }

    #[test]
    fn non_nullable_nulls_without_default_are_dropped() {
        let s = schema(
            json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "a": {"type": "string"},
            "b": {"type": "string", "nullable": true},
            "c": {"type": "string", "default": "d"}}}}}),
        );
        let mut obj = json!({"spec": {"a": null, "b": null, "c": null}});
        assert!(s.prune(&mut obj).is_empty());
        assert_eq!(obj, json!({"spec": {"b": null, "c": null}}));
        s.default(&mut obj);
        assert_eq!(obj, json!({"spec": {"b": null, "c": "d"}}));
    }

    #[test]
    fn root_metadata_helper_reports_unknown_fields() {
        let mut meta = json!({"name": "a", "foo": 1, "ownerReferences": [{"name": "o", "x": 2}]});
        assert_eq!(
            prune_object_meta(&mut meta, "metadata"),
            vec!["metadata.foo", "metadata.ownerReferences[0].x"]
        );
        assert_eq!(
            meta,
            json!({"name": "a", "ownerReferences": [{"name": "o"}]})
        );
    }
}
