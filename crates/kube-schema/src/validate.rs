//! Validation as the custom resource strategy runs it: the kube-openapi schema
//! validator (its error texts and its mapping to field errors by
//! apiextensions' `kubeOpenAPIResultToFieldErrors`), embedded resource checks,
//! x-kubernetes-list-type uniqueness, then x-kubernetes-validations rules.

use serde_json::Value;

use crate::Cause;
use crate::cel;
use crate::formats;
use crate::gofmt::{BadValue, float_v, quote};
use crate::listtype;
use crate::schema::{Additional, MAX_SCHEMA_DEPTH, Node};

const MAX_VALUE_DEPTH: usize = 2 * MAX_SCHEMA_DEPTH;
const IN: &str = "body";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    InvalidType,
    Required,
    TooLong,
    TooShort,
    Pattern,
    Enum,
    MultipleOf,
    Max,
    Min,
    Unique,
    MaxItems,
    MinItems,
    TooFewProperties,
    TooManyProperties,
    Unallowed,
}

/// A kube-openapi error: either an `errors.Validation` (with a code and the
/// failing path) or a plain composite message (oneOf/anyOf/allOf/not).
#[derive(Debug, Clone)]
enum OpenApiError {
    Validation {
        code: Code,
        name: String,
        value: Option<BadValue>,
        valid: Option<i64>,
        values: Vec<Value>,
        message: String,
    },
    Plain(String),
}

impl OpenApiError {
    fn message(&self) -> &str {
        match self {
            OpenApiError::Validation { message, .. } | OpenApiError::Plain(message) => message,
        }
    }
}

#[derive(Debug, Default)]
struct Res {
    errors: Vec<OpenApiError>,
    match_count: u64,
}

impl Res {
    fn add(&mut self, e: OpenApiError) {
        // Result.AddErrors drops errors whose text was already reported.
        if !self.errors.iter().any(|x| x.message() == e.message()) {
            self.errors.push(e);
        }
    }
    fn merge(&mut self, other: Res) {
        for e in other.errors {
            self.add(e);
        }
        self.match_count += other.match_count;
    }
    fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
    fn err(e: OpenApiError) -> Res {
        Res {
            errors: vec![e],
            match_count: 0,
        }
    }
}

fn verr(code: Code, name: &str, value: Option<BadValue>, message: String) -> OpenApiError {
    OpenApiError::Validation {
        code,
        name: name.to_string(),
        value,
        valid: None,
        values: Vec::new(),
        message,
    }
}

/// "%s in %s ..." / "%s ..." as kube-openapi words its messages.
fn located(name: &str, rest: &str) -> String {
    format!("{name} in {IN} {rest}")
}

fn json_type(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::Bool(_) => ("boolean", ""),
        Value::String(_) => ("string", ""),
        Value::Number(n) if n.is_i64() => ("integer", "int64"),
        Value::Number(n) if n.is_u64() => ("number", "float64"),
        Value::Number(_) => ("number", "float64"),
        Value::Array(_) => ("array", ""),
        Value::Object(_) => ("object", ""),
        Value::Null => ("null", ""),
    }
}

fn is_integral(v: &Value) -> bool {
    v.as_f64()
        .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
}

fn invalid_type(name: &str, type_name: &str, value: &str) -> OpenApiError {
    // `value` is a string in every use, so the "with data" wording applies.
    verr(
        Code::InvalidType,
        name,
        Some(BadValue::str(value)),
        format!(
            "{}: {}",
            located(name, &format!("must be of type {type_name}")),
            quote(value)
        ),
    )
}

fn type_validator(n: &Node, path: &str, data: &Value) -> Res {
    let mut res = Res {
        match_count: 1,
        ..Res::default()
    };
    let types = &n.types;
    let has = |t: &str| types.iter().any(|x| x == t);
    if data.is_null() {
        if !types.is_empty() && !has("null") && !n.nullable {
            return Res::err(invalid_type(path, &types.join(","), "null"));
        }
        return res;
    }
    let (sch_type, fmt) = json_type(data);
    let format = n.format.as_deref().unwrap_or("");
    let is_float_int = sch_type == "number" && is_integral(data) && has("integer");
    let is_int_float = sch_type == "integer" && has("number");
    let string_or_slice = data.is_string() || data.is_array();
    let type_or_format_fits = has(sch_type) || fmt == format || is_float_int || is_int_float;
    if !(string_or_slice || format.is_empty() || type_or_format_fits) {
        return Res::err(invalid_type(path, format, fmt));
    }
    if !(has("number") || has("integer") || format.is_empty()) && string_or_slice {
        return res;
    }
    if !(has(sch_type) || is_float_int || is_int_float) {
        return Res::err(invalid_type(path, &types.join(","), sch_type));
    }
    res.match_count = 1;
    res
}

fn enum_validator(n: &Node, path: &str, data: &Value) -> Res {
    let Some(values) = &n.enum_values else {
        return Res::default();
    };
    if !values.is_empty() && values.iter().any(|e| enum_equal(data, e)) {
        return Res::default();
    }
    if values.is_empty() {
        return Res::default();
    }
    let listed: Vec<String> = values.iter().map(go_v).collect();
    Res::err(OpenApiError::Validation {
        code: Code::Enum,
        name: path.to_string(),
        value: Some(BadValue::Json(data.clone())),
        valid: None,
        values: values.clone(),
        message: located(path, &format!("should be one of [{}]", listed.join(" "))),
    })
}

/// `%v` of an enum value (only used in the raw kube-openapi text).
fn go_v(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => crate::gofmt::number_v(n),
        other => other.to_string(),
    }
}

fn enum_equal(data: &Value, e: &Value) -> bool {
    match (data, e) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => data == e,
    }
}

fn string_validator(n: &Node, path: &str, s: &str) -> Res {
    if let Some(max) = n.max_length
        && (s.chars().count() as i64) > max
    {
        return Res::err(OpenApiError::Validation {
            code: Code::TooLong,
            name: path.to_string(),
            value: Some(BadValue::str(s)),
            valid: Some(max),
            values: Vec::new(),
            message: located(path, &format!("should be at most {max} chars long")),
        });
    }
    if let Some(min) = n.min_length
        && (s.chars().count() as i64) < min
    {
        return Res::err(verr(
            Code::TooShort,
            path,
            Some(BadValue::str(s)),
            located(path, &format!("should be at least {min} chars long")),
        ));
    }
    if let Some(p) = &n.pattern
        && !p.regex.is_match(s)
    {
        return Res::err(verr(
            Code::Pattern,
            path,
            Some(BadValue::str(s)),
            located(path, &format!("should match '{}'", p.source)),
        ));
    }
    Res::default()
}

fn format_validator(n: &Node, path: &str, s: &str) -> Res {
    let Some(format) = &n.format else {
        return Res::default();
    };
    if formats::check(format, s) {
        return Res::default();
    }
    Res::err(invalid_type(path, format, s))
}

fn number_validator(n: &Node, path: &str, data: &Value) -> Res {
    let mut res = Res::default();
    let as_int = data.as_i64();
    let as_float = data.as_f64().unwrap_or(0.0);
    let bad = Some(BadValue::Json(data.clone()));
    if let Some(m) = n.multiple_of {
        let failed = match as_int {
            Some(i) if m.fract() == 0.0 && m >= 1.0 => i % (m as i64) != 0,
            _ => m != 0.0 && (as_float / m).fract() != 0.0,
        };
        if failed {
            let factor = if as_int.is_some() && m.fract() == 0.0 && m >= 1.0 {
                (m as i64).to_string()
            } else {
                float_v(m)
            };
            res.add(verr(
                Code::MultipleOf,
                path,
                bad.clone(),
                located(path, &format!("should be a multiple of {factor}")),
            ));
        }
    }
    if let Some(min) = n.minimum {
        let (failed, shown) = match as_int {
            Some(i) => {
                let m = min as i64;
                (
                    (!n.exclusive_minimum && i < m) || (n.exclusive_minimum && i <= m),
                    m.to_string(),
                )
            }
            None => (
                (!n.exclusive_minimum && as_float < min)
                    || (n.exclusive_minimum && as_float <= min),
                float_v(min),
            ),
        };
        if failed {
            let op = if n.exclusive_minimum {
                "greater than"
            } else {
                "greater than or equal to"
            };
            res.add(verr(
                Code::Min,
                path,
                bad.clone(),
                located(path, &format!("should be {op} {shown}")),
            ));
        }
    }
    if let Some(max) = n.maximum {
        let (failed, shown) = match as_int {
            Some(i) => {
                let m = max as i64;
                (
                    (!n.exclusive_maximum && i > m) || (n.exclusive_maximum && i >= m),
                    m.to_string(),
                )
            }
            None => (
                (!n.exclusive_maximum && as_float > max)
                    || (n.exclusive_maximum && as_float >= max),
                float_v(max),
            ),
        };
        if failed {
            let op = if n.exclusive_maximum {
                "less than"
            } else {
                "less than or equal to"
            };
            res.add(verr(
                Code::Max,
                path,
                bad,
                located(path, &format!("should be {op} {shown}")),
            ));
        }
    }
    res.match_count += 1;
    res
}

fn slice_validator(
    n: &Node,
    path: &str,
    items: &[Value],
    old: Option<&Value>,
    depth: usize,
) -> Res {
    let mut res = Res::default();
    if let Some(is) = &n.items {
        for (i, v) in items.iter().enumerate() {
            let old_item = correlate_item(n, v, old);
            res.merge(validate_node(
                is,
                &format!("{path}[{i}]"),
                v,
                old_item,
                depth + 1,
            ));
        }
    }
    let size = items.len() as i64;
    if let Some(min) = n.min_items
        && size < min
    {
        res.add(verr(
            Code::MinItems,
            path,
            Some(BadValue::Int(size)),
            located(path, &format!("should have at least {min} items")),
        ));
    }
    if let Some(max) = n.max_items
        && size > max
    {
        res.add(OpenApiError::Validation {
            code: Code::MaxItems,
            name: path.to_string(),
            value: Some(BadValue::Int(size)),
            valid: Some(max),
            values: Vec::new(),
            message: located(path, &format!("should have at most {max} items")),
        });
    }
    if n.unique_items {
        let dup = items
            .iter()
            .enumerate()
            .any(|(i, a)| items[..i].iter().any(|b| a == b));
        if dup {
            res.add(verr(
                Code::Unique,
                path,
                None,
                located(path, "shouldn't contain duplicates"),
            ));
        }
    }
    res.match_count += 1;
    res
}

fn object_validator(
    n: &Node,
    path: &str,
    map: &serde_json::Map<String, Value>,
    old: Option<&Value>,
    depth: usize,
) -> Res {
    let old_field = |k: &str| {
        // The root's kind and apiVersion are never ratcheted.
        if path.is_empty() && (k == "kind" || k == "apiVersion") {
            return None;
        }
        old.and_then(|o| o.get(k))
    };
    let mut res = Res::default();
    let num = map.len() as i64;
    if let Some(min) = n.min_properties
        && num < min
    {
        res.add(verr(
            Code::TooFewProperties,
            path,
            Some(BadValue::Int(num)),
            located(path, &format!("should have at least {min} properties")),
        ));
    }
    if let Some(max) = n.max_properties
        && num > max
    {
        res.add(OpenApiError::Validation {
            code: Code::TooManyProperties,
            name: path.to_string(),
            value: Some(BadValue::Int(num)),
            valid: Some(max),
            values: Vec::new(),
            message: located(path, &format!("should have at most {max} properties")),
        });
    }
    match &n.additional {
        Some(Additional::Bool(false)) => {
            for k in map.keys() {
                if n.property(k).is_none() {
                    res.add(verr(
                        Code::Unallowed,
                        path,
                        Some(BadValue::str(k)),
                        format!("{path}.{k} in {IN} is a forbidden property"),
                    ));
                }
            }
        }
        Some(Additional::Schema(a)) => {
            for (k, v) in map {
                if n.property(k).is_none() {
                    res.merge(validate_node(
                        a,
                        &format!("{path}.{k}"),
                        v,
                        old_field(k),
                        depth + 1,
                    ));
                }
            }
        }
        _ => {}
    }
    for (name, prop) in &n.properties {
        if let Some(v) = map.get(name) {
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            res.merge(validate_node(prop, &child, v, old_field(name), depth + 1));
        }
    }
    for k in &n.required {
        if !map.contains_key(k) {
            let name = format!("{path}.{k}");
            let message = located(&name, "is required");
            res.add(verr(Code::Required, &name, None, message));
        }
    }
    res
}

fn schema_props_validator(
    n: &Node,
    path: &str,
    data: &Value,
    old: Option<&Value>,
    depth: usize,
) -> Res {
    let mut main = Res::default();
    if !n.any_of.is_empty() {
        let mut best: Option<Res> = None;
        let mut succeeded = false;
        for s in &n.any_of {
            let r = validate_node(s, path, data, old, depth + 1);
            if r.is_valid() {
                succeeded = true;
                best = Some(r);
                break;
            }
            if best.as_ref().is_none_or(|b| r.match_count > b.match_count) {
                best = Some(r);
            }
        }
        if !succeeded {
            main.add(OpenApiError::Plain(format!(
                "{} must validate at least one schema (anyOf)",
                quote(path)
            )));
        }
        if let Some(b) = best {
            main.merge(b);
        }
    }
    if !n.one_of.is_empty() {
        let mut best: Option<Res> = None;
        let mut first_success: Option<Res> = None;
        let mut validated = 0;
        for s in &n.one_of {
            let r = validate_node(s, path, data, old, depth + 1);
            if r.is_valid() {
                validated += 1;
                best = None;
                if first_success.is_none() {
                    first_success = Some(r);
                }
                continue;
            }
            if validated == 0 && best.as_ref().is_none_or(|b| r.match_count > b.match_count) {
                best = Some(r);
            }
        }
        if validated != 1 {
            let extra = if validated == 0 {
                "Found none valid".to_string()
            } else {
                format!("Found {validated} valid alternatives")
            };
            main.add(OpenApiError::Plain(format!(
                "{} must validate one and only one schema (oneOf). {extra}",
                quote(path)
            )));
            if let Some(b) = best {
                main.merge(b);
            }
        } else if let Some(s) = first_success {
            main.merge(s);
        }
    }
    if !n.all_of.is_empty() {
        let mut validated = 0;
        for s in &n.all_of {
            let r = validate_node(s, path, data, old, depth + 1);
            if r.is_valid() {
                validated += 1;
            }
            main.merge(r);
        }
        if validated != n.all_of.len() {
            let extra = if validated == 0 {
                ". None validated"
            } else {
                ""
            };
            main.add(OpenApiError::Plain(format!(
                "{} must validate all the schemas (allOf){extra}",
                quote(path)
            )));
        }
    }
    if let Some(not) = &n.not
        && validate_node(not, path, data, old, depth + 1).is_valid()
    {
        main.add(OpenApiError::Plain(format!(
            "{} must not validate the schema (not)",
            quote(path)
        )));
    }
    main.match_count += 1;
    main
}

/// Validate `data` against `n`. `old` is the correlated old value on update
/// (CRDValidationRatcheting, GA in 1.33): when the node equals its old value,
/// its errors are dropped (the apiserver turns them into warnings).
fn validate_node(n: &Node, path: &str, data: &Value, old: Option<&Value>, depth: usize) -> Res {
    let mut res = validate_node_inner(n, path, data, old, depth);
    if !res.is_valid() && old == Some(data) {
        res.errors.clear();
    }
    res
}

/// The old item a new list item correlates with: only list-type map items,
/// by their key fields.
pub(crate) fn correlate_item<'o>(
    n: &Node,
    item: &Value,
    old: Option<&'o Value>,
) -> Option<&'o Value> {
    if n.list_type.as_deref() != Some("map") {
        return None;
    }
    let old_items = old?.as_array()?;
    let item = item.as_object()?;
    old_items.iter().find(|o| {
        o.as_object()
            .is_some_and(|o| n.list_map_keys.iter().all(|k| o.get(k) == item.get(k)))
    })
}

fn validate_node_inner(
    n: &Node,
    path: &str,
    data: &Value,
    old: Option<&Value>,
    depth: usize,
) -> Res {
    let mut res = Res::default();
    if depth > MAX_VALUE_DEPTH {
        return res;
    }
    let type_applies = !n.types.is_empty() || n.format.is_some();
    if data.is_null() {
        if type_applies {
            res.merge(type_validator(n, path, data));
        }
        res.merge(null_enum(n, path));
        return res;
    }
    let run = |res: &mut Res, r: Res| {
        res.merge(r);
        res.match_count += 1;
    };
    if type_applies {
        run(&mut res, type_validator(n, path, data));
    }
    run(&mut res, schema_props_validator(n, path, data, old, depth));
    if let Value::String(s) = data {
        run(&mut res, string_validator(n, path, s));
        if n.format.is_some() {
            run(&mut res, format_validator(n, path, s));
        }
    }
    if data.is_number() {
        run(&mut res, number_validator(n, path, data));
    }
    if let Value::Array(items) = data {
        run(&mut res, slice_validator(n, path, items, old, depth));
    }
    run(&mut res, enum_validator(n, path, data));
    if let Value::Object(map) = data {
        run(&mut res, object_validator(n, path, map, old, depth));
    }
    res.match_count += 1;
    res
}

/// A null never equals an enum member (Go's reflect comparison fails first).
fn null_enum(n: &Node, path: &str) -> Res {
    match &n.enum_values {
        Some(values) if !values.is_empty() => enum_validator(n, path, &Value::Null),
        _ => Res::default(),
    }
}

/// A `field.Path` in its string form; `None` is the nil path ("<nil>").
pub(crate) fn field_string(p: Option<&str>) -> String {
    p.map_or_else(|| "<nil>".to_string(), str::to_string)
}

pub(crate) fn child(p: Option<&str>, name: &str) -> String {
    match p {
        None | Some("") => name.to_string(),
        Some(p) => format!("{p}.{name}"),
    }
}

pub(crate) fn cause(reason: &str, field: String, value: Option<&BadValue>, detail: &str) -> Cause {
    let type_str = match reason {
        "FieldValueRequired" => "Required value",
        "FieldValueForbidden" => "Forbidden",
        "FieldValueTooLong" => "Too long",
        "FieldValueTooMany" => "Too many",
        "FieldValueNotSupported" => "Unsupported value",
        "FieldValueDuplicate" => "Duplicate value",
        "FieldValueNotFound" => "Not found",
        "InternalError" => "Internal error",
        _ => "Invalid value",
    };
    let mut message = match reason {
        "FieldValueRequired" | "FieldValueForbidden" | "FieldValueTooLong" | "InternalError" => {
            type_str.to_string()
        }
        _ => match value.and_then(BadValue::render) {
            Some(v) => format!("{type_str}: {v}"),
            None => type_str.to_string(),
        },
    };
    if !detail.is_empty() {
        message.push_str(": ");
        message.push_str(detail);
    }
    Cause {
        reason: reason.to_string(),
        message,
        field,
    }
}

/// apiextensions' `kubeOpenAPIResultToFieldErrors` with a nil parent path.
/// `prefix` is the validator's parent path (None at the resource root, `status`
/// for status updates).
fn to_causes(errors: Vec<OpenApiError>, prefix: Option<&str>) -> Vec<Cause> {
    let mut out = Vec::new();
    for e in errors {
        match e {
            OpenApiError::Plain(msg) => {
                out.push(cause(
                    "FieldValueInvalid",
                    field_string(prefix),
                    Some(&BadValue::str("")),
                    &msg,
                ));
            }
            OpenApiError::Validation {
                code,
                name,
                value,
                valid,
                values,
                message,
            } => {
                let field = if name.is_empty() || name == "." {
                    field_string(prefix)
                } else {
                    child(prefix, name.strip_prefix('.').unwrap_or(&name))
                };
                let value_or_empty = value.clone().unwrap_or_else(|| BadValue::str(""));
                let c = match code {
                    Code::Required => cause("FieldValueRequired", field, None, ""),
                    Code::Enum => {
                        let supported: Vec<String> = values
                            .iter()
                            .map(|v| match v {
                                Value::String(s) => quote(s),
                                other => quote(&other.to_string()),
                            })
                            .collect();
                        let detail = if supported.is_empty() {
                            String::new()
                        } else {
                            format!("supported values: {}", supported.join(", "))
                        };
                        let v = value.unwrap_or(BadValue::Json(Value::Null));
                        cause("FieldValueNotSupported", field, Some(&v), &detail)
                    }
                    Code::TooLong => {
                        let max = valid.unwrap_or(-1);
                        let detail = if max >= 0 {
                            format!("may not be more than {max} bytes")
                        } else {
                            "value is too long".to_string()
                        };
                        cause("FieldValueTooLong", field, None, &detail)
                    }
                    Code::MaxItems | Code::TooManyProperties => {
                        let actual = match value {
                            Some(BadValue::Int(i)) => BadValue::Int(i),
                            _ => BadValue::Omit,
                        };
                        let max = valid.unwrap_or(-1);
                        let detail = if max >= 0 {
                            format!("must have at most {max} items")
                        } else {
                            "has too many items".to_string()
                        };
                        cause("FieldValueTooMany", field, Some(&actual), &detail)
                    }
                    Code::InvalidType => cause(
                        "FieldValueTypeInvalid",
                        field,
                        Some(&value_or_empty),
                        &message,
                    ),
                    _ => cause("FieldValueInvalid", field, Some(&value_or_empty), &message),
                };
                out.push(c);
            }
        }
    }
    out
}

/// Embedded resources must carry apiVersion and kind (`objectmeta.Validate`).
fn validate_embedded(
    n: &Node,
    path: Option<&str>,
    data: &Value,
    is_root: bool,
    depth: usize,
    out: &mut Vec<Cause>,
) {
    if depth > MAX_VALUE_DEPTH {
        return;
    }
    match data {
        Value::Object(map) => {
            if n.embedded_resource && !is_root {
                for key in ["apiVersion", "kind"] {
                    match map.get(key) {
                        None => out.push(cause(
                            "FieldValueRequired",
                            child(path, key),
                            None,
                            "must not be empty",
                        )),
                        Some(Value::String(s)) if s.is_empty() => out.push(cause(
                            "FieldValueInvalid",
                            child(path, key),
                            Some(&BadValue::str("")),
                            "must not be empty",
                        )),
                        Some(Value::String(_)) => {}
                        Some(other) => out.push(cause(
                            "FieldValueInvalid",
                            child(path, key),
                            Some(&BadValue::Json(other.clone())),
                            "must be a string",
                        )),
                    }
                }
            }
            for (k, v) in map {
                if let Some(p) = n.property(k) {
                    let cp = child(path, k);
                    validate_embedded(p, Some(&cp), v, false, depth + 1, out);
                } else if let Some(a) = n.additional_schema() {
                    let cp = format!("{}[{k}]", path.unwrap_or(""));
                    validate_embedded(a, Some(&cp), v, false, depth + 1, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = &n.items {
                for (i, v) in items.iter().enumerate() {
                    let cp = format!("{}[{i}]", path.unwrap_or(""));
                    validate_embedded(is, Some(&cp), v, false, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

const BLOCKING: [&str; 5] = [
    "FieldValueNotSupported",
    "FieldValueRequired",
    "FieldValueTooLong",
    "FieldValueTooMany",
    "FieldValueTypeInvalid",
];

pub(crate) fn validate_resource(obj: &Value, root: &Node, old: Option<&Value>) -> Vec<Cause> {
    let res = validate_node(root, "", obj, old, 0);
    let mut causes = to_causes(res.errors, None);
    validate_embedded(root, None, obj, true, 0, &mut causes);
    // On update, list uniqueness is only enforced when the old object obeyed it.
    if old.is_none_or(|o| listtype::validate(root, o).is_empty()) {
        causes.extend(listtype::validate(root, obj));
    }
    finish_with_rules(root, obj, old, causes)
}

/// The status subresource's update validation: only `status` against its
/// schema (no embedded-resource checks), then list types and CEL rules over
/// the whole object, all ratcheted against `old`.
pub(crate) fn validate_status_update(obj: &Value, root: &Node, old: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    if let (Some(status), Some(schema)) = (obj.get("status"), root.property("status")) {
        let res = validate_node(schema, "", status, old.get("status"), 0);
        causes = to_causes(res.errors, Some("status"));
    }
    let new_list = listtype::validate(root, obj);
    if !new_list.is_empty() && listtype::validate(root, old).is_empty() {
        causes.extend(new_list);
    }
    finish_with_rules(root, obj, Some(old), causes)
}

fn finish_with_rules(
    root: &Node,
    obj: &Value,
    old: Option<&Value>,
    mut causes: Vec<Cause>,
) -> Vec<Cause> {
    // Without rules the apiserver has no CEL validator and says nothing more.
    if !cel::has_rules(root) {
        return causes;
    }
    if causes.iter().any(|c| BLOCKING.contains(&c.reason.as_str())) {
        causes.push(cause(
            "FieldValueInvalid",
            field_string(None),
            Some(&BadValue::Json(Value::Null)),
            "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        ));
    } else {
        causes.extend(cel::validate_rules(root, obj, old));
    }
    causes
}

#[cfg(test)]
mod tests {
    use crate::StructuralSchema;
    use serde_json::{Value, json};

    fn check(schema: Value, obj: Value) -> Vec<String> {
        StructuralSchema::new(&schema)
            .unwrap()
            .validate(&obj)
            .iter()
            .map(|c| format!("{} [{}]", c, c.reason))
            .collect()
    }

    fn spec(props: Value) -> Value {
        json!({"type": "object", "properties": {"spec": {"type": "object", "properties": props}}})
    }

    #[test]
    fn pattern_mismatch_is_invalid_value() {
        let errs = check(
            spec(
                json!({"interval": {"type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"}}),
            ),
            json!({"spec": {"interval": "abc"}}),
        );
        assert_eq!(
            errs,
            vec![
                r#"spec.interval: Invalid value: "abc": spec.interval in body should match '^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$' [FieldValueInvalid]"#
            ]
        );
    }

    #[test]
    fn required_fields_at_every_level() {
        let schema = json!({"type": "object", "required": ["spec"], "properties": {"spec": {
            "type": "object", "required": ["url", "ref"], "properties": {
                "url": {"type": "string"},
                "ref": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}}});
        assert_eq!(
            check(schema.clone(), json!({})),
            vec!["spec: Required value [FieldValueRequired]"]
        );
        assert_eq!(
            check(schema, json!({"spec": {"ref": {}}})),
            vec![
                "spec.ref.name: Required value [FieldValueRequired]",
                "spec.url: Required value [FieldValueRequired]",
            ]
        );
    }

    #[test]
    fn enum_type_length_and_bounds() {
        let schema = spec(json!({
            "provider": {"type": "string", "enum": ["generic", "aws"]},
            "name": {"type": "string", "maxLength": 5, "minLength": 2},
            "count": {"type": "integer", "minimum": 1, "maximum": 10},
            "ratio": {"type": "number", "maximum": 1.5, "exclusiveMaximum": true},
            "flag": {"type": "boolean"}}));
        assert_eq!(
            check(
                schema.clone(),
                json!({"spec": {"provider": "x", "name": "toolong", "count": 11, "ratio": 1.5, "flag": "yes"}})
            ),
            vec![
                r#"spec.provider: Unsupported value: "x": supported values: "generic", "aws" [FieldValueNotSupported]"#,
                "spec.name: Too long: may not be more than 5 bytes [FieldValueTooLong]",
                "spec.count: Invalid value: 11: spec.count in body should be less than or equal to 10 [FieldValueInvalid]",
                "spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5 [FieldValueInvalid]",
                r#"spec.flag: Invalid value: "string": spec.flag in body must be of type boolean: "string" [FieldValueTypeInvalid]"#,
            ]
        );
        assert_eq!(
            check(schema.clone(), json!({"spec": {"name": "a", "count": 0}})),
            vec![
                r#"spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long [FieldValueInvalid]"#,
                "spec.count: Invalid value: 0: spec.count in body should be greater than or equal to 1 [FieldValueInvalid]",
            ]
        );
        assert_eq!(
            check(schema, json!({"spec": {"count": "3"}})),
            vec![
                r#"spec.count: Invalid value: "string": spec.count in body must be of type integer: "string" [FieldValueTypeInvalid]"#
            ]
        );
    }

    #[test]
    fn integral_float_is_an_integer_and_fraction_is_not() {
        let schema = spec(json!({"n": {"type": "integer"}}));
        assert!(check(schema.clone(), json!({"spec": {"n": 2.0}})).is_empty());
        assert_eq!(
            check(schema, json!({"spec": {"n": 2.5}})),
            vec![
                r#"spec.n: Invalid value: "number": spec.n in body must be of type integer: "number" [FieldValueTypeInvalid]"#
            ]
        );
    }

    #[test]
    fn formats_are_type_errors() {
        let schema = spec(json!({"at": {"type": "string", "format": "date-time"},
            "n": {"type": "integer", "format": "int32"}}));
        assert_eq!(
            check(
                schema.clone(),
                json!({"spec": {"at": "yesterday", "n": 9999999999i64}})
            ),
            vec![
                r#"spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday" [FieldValueTypeInvalid]"#
            ]
        );
        assert!(check(schema, json!({"spec": {"at": "2024-05-01T10:00:00Z"}})).is_empty());
    }

    #[test]
    fn items_and_properties_counts() {
        let schema = spec(json!({
            "list": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": {"type": "string"}},
            "labels": {"type": "object", "maxProperties": 1, "minProperties": 1, "additionalProperties": {"type": "string"}}}));
        assert_eq!(
            check(
                schema.clone(),
                json!({"spec": {"list": ["a", "a", "b"], "labels": {"a": "1", "b": 2}}})
            ),
            vec![
                "spec.list: Too many: 3: must have at most 2 items [FieldValueTooMany]",
                r#"spec.list: Invalid value: "": spec.list in body shouldn't contain duplicates [FieldValueInvalid]"#,
                "spec.labels: Too many: 2: must have at most 1 items [FieldValueTooMany]",
                r#"spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type string: "integer" [FieldValueTypeInvalid]"#,
            ]
        );
        assert_eq!(
            check(schema, json!({"spec": {"list": [], "labels": {}}})),
            vec![
                "spec.list: Invalid value: 0: spec.list in body should have at least 1 items [FieldValueInvalid]",
                "spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties [FieldValueInvalid]",
            ]
        );
    }

    #[test]
    fn one_of_any_of_not_use_nil_field() {
        let schema = spec(json!({"v": {"type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
            "oneOf": [{"required": ["a"]}, {"required": ["b"]}]}}));
        assert_eq!(
            check(schema.clone(), json!({"spec": {"v": {"a": "1", "b": "2"}}})),
            vec![
                r#"<nil>: Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found 2 valid alternatives [FieldValueInvalid]"#
            ]
        );
        assert_eq!(
            check(schema, json!({"spec": {"v": {}}})),
            vec![
                r#"<nil>: Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found none valid [FieldValueInvalid]"#,
                "spec.v.a: Required value [FieldValueRequired]",
            ]
        );
        let any = spec(
            json!({"v": {"type": "object", "properties": {"a": {"type": "string"}},
            "anyOf": [{"required": ["a"]}], "not": {"required": ["z"]}}}),
        );
        assert_eq!(
            check(any.clone(), json!({"spec": {"v": {"z": 1}}})),
            vec![
                r#"<nil>: Invalid value: "": "spec.v" must validate at least one schema (anyOf) [FieldValueInvalid]"#,
                "spec.v.a: Required value [FieldValueRequired]",
                r#"<nil>: Invalid value: "": "spec.v" must not validate the schema (not) [FieldValueInvalid]"#,
            ]
        );
        assert!(check(any, json!({"spec": {"v": {"a": "x"}}})).is_empty());
    }

    #[test]
    fn nullable_and_int_or_string() {
        let schema = spec(json!({
            "n": {"type": "string", "nullable": true},
            "ios": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "items": {"type": "array", "items": {"type": "string"}}}));
        assert!(check(schema.clone(), json!({"spec": {"n": null, "ios": 3}})).is_empty());
        assert!(check(schema.clone(), json!({"spec": {"ios": "50%"}})).is_empty());
        assert_eq!(
            check(schema, json!({"spec": {"ios": true, "items": [null]}})),
            vec![
                r#"spec.ios: Invalid value: "boolean": spec.ios in body must be of type integer,string: "boolean" [FieldValueTypeInvalid]"#,
                r#"<nil>: Invalid value: "": "spec.ios" must validate at least one schema (anyOf) [FieldValueInvalid]"#,
                // The best failing alternative's errors follow, as kube-openapi merges them.
                r#"spec.ios: Invalid value: "boolean": spec.ios in body must be of type integer: "boolean" [FieldValueTypeInvalid]"#,
                r#"spec.items[0]: Invalid value: "null": spec.items[0] in body must be of type string: "null" [FieldValueTypeInvalid]"#,
            ]
        );
    }

    #[test]
    fn update_ratchets_unchanged_invalid_fields() {
        let schema = StructuralSchema::new(&spec(json!({
            "interval": {"type": "string", "pattern": "^[0-9]+m$"},
            "name": {"type": "string", "maxLength": 3},
            "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "port": {"type": "integer", "maximum": 10}}}},
            "atomic": {"type": "array", "items": {"type": "integer", "maximum": 10}}})))
        .unwrap();
        let old = json!({"spec": {"interval": "bad", "name": "long", "ports": [{"name": "a", "port": 99}], "atomic": [99]}});
        // Nothing changed: nothing reported.
        assert!(schema.validate_update(&old, &old).is_empty());
        // The unchanged invalid fields are ratcheted; changed ones are checked.
        let new = json!({"spec": {"interval": "bad", "name": "longer", "ports": [{"name": "b", "port": 1}, {"name": "a", "port": 99}], "atomic": [99, 1]}});
        let got: Vec<String> = schema
            .validate_update(&new, &old)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            vec![
                "spec.name: Too long: may not be more than 3 bytes",
                "spec.atomic[0]: Invalid value: 99: spec.atomic[0] in body should be less than or equal to 10",
            ]
        );
    }

    #[test]
    fn status_update_checks_status_only() {
        let schema = StructuralSchema::new(&json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {"n": {"type": "integer", "maximum": 1}}},
            "status": {"type": "object", "required": ["phase"], "properties": {
                "phase": {"type": "string", "enum": ["Ready", "Failed"]},
                "v": {"type": "object", "properties": {"a": {"type": "string"}}, "anyOf": [{"required": ["a"]}]}}}}}))
        .unwrap();
        let old = json!({"spec": {"n": 5}, "status": {"phase": "Ready"}});
        let new = json!({"spec": {"n": 7}, "status": {"phase": "Gone", "v": {}}});
        let got: Vec<String> = schema
            .validate_status_update(&new, &old)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            got,
            vec![
                r#"status.phase: Unsupported value: "Gone": supported values: "Ready", "Failed""#,
                r#"status: Invalid value: "": "v" must validate at least one schema (anyOf)"#,
                "status.v.a: Required value",
            ]
        );
        let got: Vec<String> = schema
            .validate_status_update(&json!({"spec": {}, "status": {}}), &old)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(got, vec!["status.phase: Required value"]);
    }

    #[test]
    fn invalid_message_joins_causes() {
        let schema = StructuralSchema::new(&spec(
            json!({"a": {"type": "string"}, "b": {"type": "string"}}),
        ))
        .unwrap();
        let causes = schema.validate(&json!({"spec": {"a": 1, "b": 2}}));
        assert_eq!(
            crate::invalid_message("Bucket.source.toolkit.fluxcd.io", "b1", &causes[..2]),
            r#"Bucket.source.toolkit.fluxcd.io "b1" is invalid: [spec.a: Invalid value: "integer": spec.a in body must be of type string: "integer", spec.b: Invalid value: "integer": spec.b in body must be of type string: "integer"]"#
        );
    }
}
