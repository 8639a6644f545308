//! Schema helpers for fields whose OpenAPI shape serde's types cannot express on their own.

use schemars::{Schema, SchemaGenerator, json_schema};

/// Any JSON value, kept as is by the API server (`x-kubernetes-preserve-unknown-fields`).
pub fn preserve_unknown_fields(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
}

/// A JSON object whose fields the API server keeps as they are.
pub fn preserve_unknown_object(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
}
