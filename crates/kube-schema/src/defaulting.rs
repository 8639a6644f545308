//! Structural defaulting (apiextensions-apiserver `defaulting.Default`):
//! a property's default is set when the property is absent, or null while not
//! nullable, and only where its parent object exists; defaults then recurse, so
//! nested defaults inside a defaulted object apply too.

use serde_json::Value;

use crate::schema::{MAX_SCHEMA_DEPTH, Node};

fn is_non_nullable_null(x: &Value, s: &Node) -> bool {
    x.is_null() && !s.nullable
}

pub(crate) fn default(x: &mut Value, s: &Node, depth: usize) {
    if depth > 2 * MAX_SCHEMA_DEPTH {
        return;
    }
    match x {
        Value::Object(map) => {
            for (k, prop) in &s.properties {
                let Some(d) = &prop.default else { continue };
                let missing = match map.get(k) {
                    None => true,
                    Some(v) => is_non_nullable_null(v, prop),
                };
                if missing {
                    map.insert(k.clone(), d.clone());
                }
            }
            for (k, v) in map.iter_mut() {
                if let Some(prop) = s.property(k) {
                    default(v, prop, depth + 1);
                } else if let Some(a) = s.additional_schema() {
                    if is_non_nullable_null(v, a) {
                        // As upstream: a null additional property takes the
                        // additionalProperties default (null when there is none).
                        *v = a.default.clone().unwrap_or(Value::Null);
                    }
                    default(v, a, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            let Some(is) = s.items.as_deref() else { return };
            for v in items.iter_mut() {
                if is_non_nullable_null(v, is) {
                    *v = is.default.clone().unwrap_or(Value::Null);
                }
                default(v, is, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::StructuralSchema;
    use serde_json::json;

    #[test]
    fn defaults_apply_only_where_the_parent_exists() {
        let s = StructuralSchema::new(&json!({"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "timeout": {"type": "string", "default": "5m"},
            "nested": {"type": "object", "properties": {"x": {"type": "integer", "default": 3}}}
        }}}}))
        .unwrap();
        let mut none = json!({"metadata": {"name": "a"}});
        s.default(&mut none);
        assert_eq!(none, json!({"metadata": {"name": "a"}}));

        let mut obj = json!({"spec": {"nested": {}}});
        s.default(&mut obj);
        assert_eq!(obj, json!({"spec": {"timeout": "5m", "nested": {"x": 3}}}));

        let mut set = json!({"spec": {"timeout": "1m"}});
        s.default(&mut set);
        assert_eq!(set, json!({"spec": {"timeout": "1m"}}));
    }

    #[test]
    fn defaulted_object_gets_its_nested_defaults() {
        let s = StructuralSchema::new(&json!({"type": "object", "properties": {
            "spec": {"type": "object", "default": {}, "properties": {
                "a": {"type": "string", "default": "x"}}}}}))
        .unwrap();
        let mut obj = json!({});
        s.default(&mut obj);
        assert_eq!(obj, json!({"spec": {"a": "x"}}));
    }

    #[test]
    fn nullable_null_stays_null_and_non_nullable_null_is_defaulted() {
        let s = StructuralSchema::new(&json!({"type": "object", "properties": {
            "a": {"type": "string", "nullable": true, "default": "x"},
            "b": {"type": "string", "default": "y"},
            "items": {"type": "array", "items": {"type": "string", "default": "z"}}}}))
        .unwrap();
        let mut obj = json!({"a": null, "b": null, "items": [null, "q"]});
        s.default(&mut obj);
        assert_eq!(obj, json!({"a": null, "b": "y", "items": ["z", "q"]}));
    }
}
