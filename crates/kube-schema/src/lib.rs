//! CRD structural schemas as kube-apiserver (Kubernetes 1.33) applies them to
//! custom resources: pruning of unknown fields, defaulting, and validation
//! whose causes are worded exactly as the apiserver words them.
//!
//! Typical use by an API server, in the apiserver's order:
//! ```
//! use kube_schema::StructuralSchema;
//! let schema = StructuralSchema::new(&serde_json::json!({
//!     "type": "object",
//!     "properties": {"spec": {"type": "object", "properties": {
//!         "interval": {"type": "string", "pattern": "^[0-9]+s$"},
//!         "suspend": {"type": "boolean", "default": false}}}}
//! })).unwrap();
//! let mut obj = serde_json::json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a"},
//!     "spec": {"interval": "abc", "foo": 1}});
//! assert_eq!(schema.prune(&mut obj), vec![r#"spec.foo"#.to_string()]);
//! schema.default(&mut obj);
//! assert_eq!(obj["spec"]["suspend"], false);
//! let causes = schema.validate(&obj);
//! assert_eq!(causes[0].to_string(),
//!     r#"spec.interval: Invalid value: "abc": spec.interval in body should match '^[0-9]+s$'"#);
//! ```

mod cel;
mod defaulting;
mod formats;
mod gofmt;
mod listtype;
mod prune;
mod schema;
mod validate;

use std::fmt;

use serde_json::Value;

pub use prune::prune_object_meta;

/// One cause of a 422 Invalid answer, as a `metav1.StatusCause`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// The cause type: FieldValueInvalid, FieldValueRequired, FieldValueNotSupported,
    /// FieldValueTooLong, FieldValueTooMany, FieldValueTypeInvalid, FieldValueDuplicate,
    /// FieldValueForbidden.
    pub reason: String,
    /// The cause message as the apiserver puts it in `details.causes[].message`
    /// (the field error's body, without the field), e.g.
    /// `Invalid value: "abc": spec.interval in body should match '^[0-9]+s$'`.
    pub message: String,
    /// The field path, e.g. `spec.interval`. The apiserver writes `<nil>` for
    /// errors it reports without a path (root-level and oneOf/anyOf summaries).
    pub field: String,
}

impl fmt::Display for Cause {
    /// `field: message`, the form joined into the Status message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The `message` of a 422 Invalid Status, as `apierrors.NewInvalid` builds it:
/// `Kustomization.kustomize.toolkit.fluxcd.io "app" is invalid: <causes>`
/// (one cause as is, several in brackets, duplicates dropped).
/// `qualified_kind` is `Kind.group` (just `Kind` for the core group).
pub fn invalid_message(qualified_kind: &str, name: &str, causes: &[Cause]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for c in causes {
        let s = c.to_string();
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    match seen.len() {
        0 => format!("{qualified_kind} {} is invalid", gofmt::quote(name)),
        1 => format!(
            "{qualified_kind} {} is invalid: {}",
            gofmt::quote(name),
            seen[0]
        ),
        _ => format!(
            "{qualified_kind} {} is invalid: [{}]",
            gofmt::quote(name),
            seen.join(", ")
        ),
    }
}

/// Why a schema could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("invalid schema at {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("unsupported schema at {path}: {message}")]
    Unsupported { path: String, message: String },
    #[error("schema at {path} is nested deeper than {max} levels")]
    TooDeep { path: String, max: usize },
}

/// A CRD version's schema, built once and used for every object of that version.
#[derive(Debug, Clone)]
pub struct StructuralSchema {
    root: schema::Node,
}

/// An `x-kubernetes-validations` rule the CEL evaluator does not support; it is
/// skipped (never rejects an object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRule {
    /// Schema location of the rule, e.g. `.properties[spec]`.
    pub path: String,
    pub rule: String,
    pub reason: String,
}

impl StructuralSchema {
    /// Parse a CRD version's `schema.openAPIV3Schema`.
    pub fn new(open_api_v3_schema: &Value) -> Result<Self, SchemaError> {
        let root = schema::Node::parse(open_api_v3_schema, "", 0)?;
        Ok(StructuralSchema { root })
    }

    /// Drop unknown fields (unless `x-kubernetes-preserve-unknown-fields`) and
    /// non-nullable nulls without a default, returning the dropped fields' paths
    /// sorted, as the apiserver reports them for fieldValidation=Strict/Warn
    /// (`unknown field "spec.foo"`). The root's apiVersion, kind and metadata are
    /// left alone (see [`prune_object_meta`] for the root metadata).
    pub fn prune(&self, obj: &mut Value) -> Vec<String> {
        prune::prune_resource(obj, &self.root)
    }

    /// Apply defaults as the apiserver does when decoding a request and when
    /// reading from storage.
    pub fn default(&self, obj: &mut Value) {
        defaulting::default(obj, &self.root, 0);
    }

    /// Validate the whole object as the custom resource strategy does on create
    /// and update (schema, embedded resources, list types, then CEL rules).
    /// Metadata of the root (name format etc.) is the caller's job.
    pub fn validate(&self, obj: &Value) -> Vec<Cause> {
        validate::validate_resource(obj, &self.root, None)
    }

    /// Validate an update as the apiserver does since validation ratcheting
    /// (GA in 1.33): errors in parts equal to their old value (correlated by
    /// object keys and list-type map keys) are not reported, list-type
    /// uniqueness is checked only if the old object obeyed it, and CEL rules
    /// (none of the supported ones use oldSelf) are ratcheted the same way.
    pub fn validate_update(&self, obj: &Value, old: &Value) -> Vec<Cause> {
        validate::validate_resource(obj, &self.root, Some(old))
    }

    /// Validate a write to the status subresource as the apiserver's status
    /// strategy does: only `status` against its schema (fields `status.x`),
    /// then list types and CEL rules over the whole object, ratcheted against `old`.
    pub fn validate_status_update(&self, obj: &Value, old: &Value) -> Vec<Cause> {
        validate::validate_status_update(obj, &self.root, old)
    }

    /// The `x-kubernetes-validations` rules outside the supported CEL subset.
    pub fn skipped_rules(&self) -> Vec<SkippedRule> {
        let mut out = Vec::new();
        collect_skipped(&self.root, "", &mut out);
        out
    }
}

fn collect_skipped(n: &schema::Node, path: &str, out: &mut Vec<SkippedRule>) {
    for r in &n.validations {
        if let Some(reason) = &r.skip_reason {
            out.push(SkippedRule {
                path: if path.is_empty() {
                    ".".into()
                } else {
                    path.to_string()
                },
                rule: r.rule.clone(),
                reason: reason.clone(),
            });
        }
    }
    for (k, p) in &n.properties {
        collect_skipped(p, &format!("{path}.properties[{k}]"), out);
    }
    if let Some(a) = n.additional_schema() {
        collect_skipped(a, &format!("{path}.additionalProperties"), out);
    }
    if let Some(i) = &n.items {
        collect_skipped(i, &format!("{path}.items"), out);
    }
    for (i, s) in n.all_of.iter().enumerate() {
        collect_skipped(s, &format!("{path}.allOf[{i}]"), out);
    }
}
