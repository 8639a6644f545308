//! The parsed form of a CRD version's `openAPIV3Schema`.
//!
//! One [`Node`] type serves both roles the apiserver separates: the structural
//! part (type, properties, items, additionalProperties, x-kubernetes-*) drives
//! pruning and defaulting, and the value-validation part (enum, pattern,
//! allOf/oneOf/anyOf/not, ...) drives validation.

use std::collections::HashMap;

use regex::Regex;
use serde_json::Value;

use crate::SchemaError;
use crate::cel::{self, CelProgram};

/// Schemas deeper than this are rejected instead of recursed into.
pub(crate) const MAX_SCHEMA_DEPTH: usize = 128;

/// Formats kube-apiserver keeps; any other format is stripped from the schema
/// before validation (apiextensions-apiserver `supportedVersionedFormats`),
/// compared after removing dashes ("date-time" -> "datetime").
const SUPPORTED_FORMATS: &[&str] = &[
    "bsonobjectid",
    "uri",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "cidr",
    "mac",
    "uuid",
    "uuid3",
    "uuid4",
    "uuid5",
    "isbn",
    "isbn10",
    "isbn13",
    "creditcard",
    "ssn",
    "hexcolor",
    "rgbcolor",
    "byte",
    "password",
    "date",
    "duration",
    "datetime",
];

#[derive(Debug, Clone)]
pub(crate) enum Additional {
    /// `additionalProperties: true|false`.
    Bool(bool),
    Schema(Box<Node>),
}

#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub source: String,
    pub regex: Regex,
}

#[derive(Debug, Clone)]
#[allow(dead_code)] // read by the CEL validator
pub(crate) struct Rule {
    pub rule: String,
    pub message: Option<String>,
    pub reason: Option<String>,
    pub field_path: Option<String>,
    /// A compiled `messageExpression`, used for the failure message.
    pub message_expression: Option<CelProgram>,
    /// `None`: outside the evaluator's subset, skipped at validation time.
    pub program: Option<CelProgram>,
    pub skip_reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    /// The structural `type` ("" when absent, as for int-or-string).
    pub type_name: String,
    /// The types the validator accepts (int-or-string: integer and string).
    pub types: Vec<String>,
    pub nullable: bool,
    /// Format after the apiserver's stripping of unsupported formats.
    pub format: Option<String>,
    pub properties: Vec<(String, Node)>,
    pub property_index: HashMap<String, usize>,
    pub additional: Option<Additional>,
    pub items: Option<Box<Node>>,
    pub required: Vec<String>,
    pub enum_values: Option<Vec<Value>>,
    pub pattern: Option<Pattern>,
    pub max_length: Option<i64>,
    pub min_length: Option<i64>,
    pub max_items: Option<i64>,
    pub min_items: Option<i64>,
    pub max_properties: Option<i64>,
    pub min_properties: Option<i64>,
    pub unique_items: bool,
    pub maximum: Option<f64>,
    pub exclusive_maximum: bool,
    pub minimum: Option<f64>,
    pub exclusive_minimum: bool,
    pub multiple_of: Option<f64>,
    pub all_of: Vec<Node>,
    pub one_of: Vec<Node>,
    pub any_of: Vec<Node>,
    pub not: Option<Box<Node>>,
    pub default: Option<Value>,
    pub preserve_unknown: bool,
    pub embedded_resource: bool,
    pub list_type: Option<String>,
    pub list_map_keys: Vec<String>,
    pub validations: Vec<Rule>,
}

impl Node {
    pub(crate) fn property(&self, name: &str) -> Option<&Node> {
        self.property_index
            .get(name)
            .map(|&i| &self.properties[i].1)
    }

    /// The schema of additional properties, if they are allowed with one.
    pub(crate) fn additional_schema(&self) -> Option<&Node> {
        match &self.additional {
            Some(Additional::Schema(s)) => Some(s),
            _ => None,
        }
    }

    /// Whether the structural schema lets unknown keys through
    /// (`additionalProperties` set in any form).
    pub(crate) fn has_additional(&self) -> bool {
        self.additional.is_some()
    }

    pub(crate) fn parse(v: &Value, path: &str, depth: usize) -> Result<Node, SchemaError> {
        if depth > MAX_SCHEMA_DEPTH {
            return Err(SchemaError::TooDeep {
                path: path.to_string(),
                max: MAX_SCHEMA_DEPTH,
            });
        }
        let obj = v.as_object().ok_or_else(|| SchemaError::Invalid {
            path: path.to_string(),
            message: "must be an object".into(),
        })?;
        if obj.contains_key("$ref") {
            return Err(SchemaError::Unsupported {
                path: path.to_string(),
                message: "$ref is not allowed in CRD schemas".into(),
            });
        }
        let mut n = Node::default();
        if let Some(t) = obj.get("type") {
            let t = t
                .as_str()
                .ok_or_else(|| invalid(path, "type must be a string"))?;
            n.type_name = t.to_string();
            if !t.is_empty() {
                n.types.push(t.to_string());
            }
        }
        if bool_field(obj, "x-kubernetes-int-or-string", path)? {
            n.types = vec!["integer".into(), "string".into()];
        }
        n.nullable = bool_field(obj, "nullable", path)?;
        if let Some(f) = obj.get("format") {
            let f = f
                .as_str()
                .ok_or_else(|| invalid(path, "format must be a string"))?;
            if SUPPORTED_FORMATS.contains(&f.replace('-', "").as_str()) {
                n.format = Some(f.to_string());
            }
        }
        if let Some(props) = obj.get("properties") {
            let props = props
                .as_object()
                .ok_or_else(|| invalid(path, "properties must be an object"))?;
            for (k, pv) in props {
                let child = Node::parse(pv, &format!("{path}.properties[{k}]"), depth + 1)?;
                n.property_index.insert(k.clone(), n.properties.len());
                n.properties.push((k.clone(), child));
            }
        }
        match obj.get("additionalProperties") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => n.additional = Some(Additional::Bool(*b)),
            Some(s) => {
                let child = Node::parse(s, &format!("{path}.additionalProperties"), depth + 1)?;
                n.additional = Some(Additional::Schema(Box::new(child)));
            }
        }
        match obj.get("items") {
            None | Some(Value::Null) => {}
            Some(Value::Array(_)) => {
                return Err(SchemaError::Unsupported {
                    path: format!("{path}.items"),
                    message: "items must be a schema object, not an array, in a structural schema"
                        .into(),
                });
            }
            Some(s) => {
                n.items = Some(Box::new(Node::parse(
                    s,
                    &format!("{path}.items"),
                    depth + 1,
                )?));
            }
        }
        if let Some(r) = obj.get("required") {
            let r = r
                .as_array()
                .ok_or_else(|| invalid(path, "required must be an array"))?;
            for x in r {
                let s = x
                    .as_str()
                    .ok_or_else(|| invalid(path, "required must list strings"))?;
                n.required.push(s.to_string());
            }
        }
        if let Some(e) = obj.get("enum") {
            let e = e
                .as_array()
                .ok_or_else(|| invalid(path, "enum must be an array"))?;
            n.enum_values = Some(e.clone());
        }
        if let Some(p) = obj.get("pattern") {
            let p = p
                .as_str()
                .ok_or_else(|| invalid(path, "pattern must be a string"))?;
            let regex = Regex::new(p).map_err(|e| SchemaError::Invalid {
                path: format!("{path}.pattern"),
                message: format!("invalid regular expression {p:?}: {e}"),
            })?;
            n.pattern = Some(Pattern {
                source: p.to_string(),
                regex,
            });
        }
        n.max_length = int_field(obj, "maxLength", path)?;
        n.min_length = int_field(obj, "minLength", path)?;
        n.max_items = int_field(obj, "maxItems", path)?;
        n.min_items = int_field(obj, "minItems", path)?;
        n.max_properties = int_field(obj, "maxProperties", path)?;
        n.min_properties = int_field(obj, "minProperties", path)?;
        n.unique_items = bool_field(obj, "uniqueItems", path)?;
        n.maximum = num_field(obj, "maximum", path)?;
        n.minimum = num_field(obj, "minimum", path)?;
        n.multiple_of = num_field(obj, "multipleOf", path)?;
        n.exclusive_maximum = bool_field(obj, "exclusiveMaximum", path)?;
        n.exclusive_minimum = bool_field(obj, "exclusiveMinimum", path)?;
        n.all_of = parse_list(obj.get("allOf"), &format!("{path}.allOf"), depth)?;
        n.one_of = parse_list(obj.get("oneOf"), &format!("{path}.oneOf"), depth)?;
        n.any_of = parse_list(obj.get("anyOf"), &format!("{path}.anyOf"), depth)?;
        if let Some(s) = obj.get("not") {
            n.not = Some(Box::new(Node::parse(s, &format!("{path}.not"), depth + 1)?));
        }
        n.default = obj.get("default").cloned();
        n.preserve_unknown = bool_field(obj, "x-kubernetes-preserve-unknown-fields", path)?;
        n.embedded_resource = bool_field(obj, "x-kubernetes-embedded-resource", path)?;
        if let Some(lt) = obj.get("x-kubernetes-list-type") {
            let lt = lt
                .as_str()
                .ok_or_else(|| invalid(path, "x-kubernetes-list-type must be a string"))?;
            n.list_type = Some(lt.to_string());
        }
        if let Some(keys) = obj.get("x-kubernetes-list-map-keys") {
            let keys = keys
                .as_array()
                .ok_or_else(|| invalid(path, "x-kubernetes-list-map-keys must be an array"))?;
            for k in keys {
                let k = k
                    .as_str()
                    .ok_or_else(|| invalid(path, "x-kubernetes-list-map-keys must list strings"))?;
                n.list_map_keys.push(k.to_string());
            }
        }
        if let Some(rules) = obj.get("x-kubernetes-validations") {
            let rules = rules
                .as_array()
                .ok_or_else(|| invalid(path, "x-kubernetes-validations must be an array"))?;
            for r in rules {
                n.validations.push(parse_rule(r, path)?);
            }
        }
        Ok(n)
    }
}

fn parse_rule(r: &Value, path: &str) -> Result<Rule, SchemaError> {
    let text = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
    let rule =
        text("rule").ok_or_else(|| invalid(path, "x-kubernetes-validations[].rule is required"))?;
    let mut message_expression = None;
    let (program, skip_reason) = match cel::compile(&rule) {
        Err(e) => (None, Some(e.to_string())),
        Ok(p) => match text("messageExpression") {
            None => (Some(p), None),
            Some(expr) => match cel::compile(&expr) {
                Ok(m) => {
                    message_expression = Some(m);
                    (Some(p), None)
                }
                Err(e) => (None, Some(format!("messageExpression: {e}"))),
            },
        },
    };
    Ok(Rule {
        message: text("message"),
        reason: text("reason"),
        field_path: text("fieldPath"),
        message_expression,
        rule,
        program,
        skip_reason,
    })
}

fn parse_list(v: Option<&Value>, path: &str, depth: usize) -> Result<Vec<Node>, SchemaError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let list = v
        .as_array()
        .ok_or_else(|| invalid(path, "must be an array of schemas"))?;
    list.iter()
        .enumerate()
        .map(|(i, s)| Node::parse(s, &format!("{path}[{i}]"), depth + 1))
        .collect()
}

fn invalid(path: &str, message: &str) -> SchemaError {
    SchemaError::Invalid {
        path: path.to_string(),
        message: message.to_string(),
    }
}

fn bool_field(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<bool, SchemaError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(path, &format!("{key} must be a boolean"))),
    }
}

fn int_field(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<i64>, SchemaError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| invalid(path, &format!("{key} must be an integer"))),
    }
}

fn num_field(
    obj: &serde_json::Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<f64>, SchemaError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| invalid(path, &format!("{key} must be a number"))),
    }
}
