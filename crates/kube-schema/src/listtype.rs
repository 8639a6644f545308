//! x-kubernetes-list-type set/map uniqueness (apiextensions-apiserver
//! `listtype.ValidateListSetsAndMaps`): the second and later appearance of a
//! value (set) or key (map) is a "Duplicate value" cause.

use serde_json::{Map, Value};

use crate::Cause;
use crate::gofmt::BadValue;
use crate::schema::{MAX_SCHEMA_DEPTH, Node};
use crate::validate::{cause, child};

const MAX_VALUE_DEPTH: usize = 2 * MAX_SCHEMA_DEPTH;

pub(crate) fn validate(root: &Node, obj: &Value) -> Vec<Cause> {
    let mut out = Vec::new();
    if let Value::Object(map) = obj {
        walk_map(root, None, map, 0, &mut out);
    }
    out
}

fn walk_map(
    s: &Node,
    path: Option<&str>,
    map: &Map<String, Value>,
    depth: usize,
    out: &mut Vec<Cause>,
) {
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    if let Some(a) = s.additional_schema() {
        for (k, v) in map {
            walk(
                a,
                &format!("{}[{k}]", path.unwrap_or("")),
                v,
                depth + 1,
                out,
            );
        }
    }
    for (k, v) in map {
        if let Some(p) = s.property(k) {
            walk(p, &child(path, k), v, depth + 1, out);
        }
    }
}

fn walk(s: &Node, path: &str, v: &Value, depth: usize, out: &mut Vec<Cause>) {
    match v {
        Value::Array(items) => walk_array(s, path, items, depth, out),
        Value::Object(map) => walk_map(s, Some(path), map, depth, out),
        _ => {}
    }
}

fn walk_array(s: &Node, path: &str, items: &[Value], depth: usize, out: &mut Vec<Cause>) {
    match s.list_type.as_deref() {
        Some("set") => {
            for i in first_repeats(items) {
                out.push(duplicate(path, i, &items[i]));
            }
        }
        Some("map") => validate_list_map(s, path, items, out),
        _ => {}
    }
    if let Some(is) = &s.items {
        for (i, v) in items.iter().enumerate() {
            walk(is, &format!("{path}[{i}]"), v, depth + 1, out);
        }
    }
}

fn duplicate(path: &str, i: usize, value: &Value) -> Cause {
    cause(
        "FieldValueDuplicate",
        format!("{path}[{i}]"),
        Some(&BadValue::Json(value.clone())),
        "",
    )
}

/// Indices of the second appearance of each repeated value (later repeats of
/// the same value are not reported again, as upstream).
fn first_repeats(items: &[Value]) -> Vec<usize> {
    let mut seen: Vec<(&Value, usize)> = Vec::new();
    let mut out = Vec::new();
    for (i, x) in items.iter().enumerate() {
        match seen.iter_mut().find(|(v, _)| *v == x) {
            Some((_, times)) => {
                *times += 1;
                if *times == 2 {
                    out.push(i);
                }
            }
            None => seen.push((x, 1)),
        }
    }
    out
}

fn validate_list_map(s: &Node, path: &str, items: &[Value], out: &mut Vec<Cause>) {
    for (i, x) in items.iter().enumerate() {
        if !x.is_null() && !x.is_object() {
            out.push(cause(
                "FieldValueInvalid",
                format!("{path}[{i}]"),
                Some(&BadValue::Json(x.clone())),
                "must be an object for an array of list-type map",
            ));
            return;
        }
    }
    if items.len() <= 1 {
        return;
    }
    // A missing key and a null item both count as "unspecified".
    let keys: Vec<Value> = items
        .iter()
        .map(|x| {
            let mut key = Map::new();
            if let Value::Object(m) = x {
                for k in &s.list_map_keys {
                    if let Some(v) = m.get(k) {
                        key.insert(k.clone(), v.clone());
                    }
                }
            }
            Value::Object(key)
        })
        .collect();
    for i in first_repeats(&keys) {
        out.push(duplicate(path, i, &keys[i]));
    }
}

#[cfg(test)]
mod tests {
    use crate::StructuralSchema;
    use serde_json::json;

    #[test]
    fn set_and_map_duplicates() {
        let s = StructuralSchema::new(&json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer"}}}}}}}}))
        .unwrap();
        let causes: Vec<String> = s
            .validate(&json!({"spec": {"tags": ["a", "b", "a", "a"], "ports": [{"name": "x", "port": 1}, {"name": "x", "port": 2}]}}))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            causes,
            vec![
                r#"spec.tags[2]: Duplicate value: "a""#,
                r#"spec.ports[1]: Duplicate value: map[string]interface {}{"name":"x"}"#,
            ]
        );
    }
}
