//! Field paths as structured-merge-diff names them: `.spec.replicas`, `[name="x"]`, `[=v]`, and
//! their FieldsV1 encoding (`f:spec`, `k:{"name":"x"}`, `v:"x"`, `i:0`).

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

/// A JSON value with structured-merge-diff's total order (numbers numerically, then strings,
/// booleans, lists, maps, null).
#[derive(Debug, Clone)]
pub(crate) struct OrdValue(pub Value);

impl PartialEq for OrdValue {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for OrdValue {}
impl PartialOrd for OrdValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrdValue {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_values(&self.0, &other.0)
    }
}

fn rank(v: &Value) -> u8 {
    match v {
        Value::Number(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        Value::Array(_) => 3,
        Value::Object(_) => 4,
        Value::Null => 5,
    }
}

pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i.cmp(&j),
            _ => {
                let (f, g) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                f.partial_cmp(&g).unwrap_or(Ordering::Equal)
            }
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let c = compare_values(p, q);
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut xk: Vec<&String> = x.keys().collect();
            let mut yk: Vec<&String> = y.keys().collect();
            xk.sort();
            yk.sort();
            for (p, q) in xk.iter().zip(yk.iter()) {
                let c = p.cmp(q).then_with(|| compare_values(&x[*p], &y[*q]));
                if c != Ordering::Equal {
                    return c;
                }
            }
            xk.len().cmp(&yk.len())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}

/// One step of a field path. The derived order (field < key < value < index) is
/// structured-merge-diff's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Pe {
    Field(String),
    /// Key fields of an associative list item, sorted by name.
    Key(Vec<(String, OrdValue)>),
    Value(OrdValue),
    Index(usize),
}

impl fmt::Display for Pe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pe::Field(n) => write!(f, ".{n}"),
            Pe::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", value_to_string(&v.0)))
                    .collect();
                write!(f, "[{}]", parts.join(","))
            }
            Pe::Value(v) => write!(f, "[={}]", value_to_string(&v.0)),
            Pe::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// structured-merge-diff's value.ToString (strings as Go's %q).
fn value_to_string(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::String(s) => go_quote(s),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(value_to_string).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", value_to_string(v)))
            .collect(),
        other => other.to_string(),
    }
}

/// Go's %q: printable characters kept, others escaped.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) type Path = Vec<Pe>;

pub(crate) fn path_string(p: &[Pe]) -> String {
    p.iter().map(|pe| pe.to_string()).collect()
}

/// JSON as Go's encoding/json writes it: compact, `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub(crate) fn go_json(v: &Value) -> String {
    let mut out = String::new();
    write_go_json(v, &mut out);
    out
}

fn write_go_json(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => write_go_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            // Go marshals maps with sorted keys.
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(k, out);
                out.push(':');
                write_go_json(&m[k], out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The FieldsV1 key of a path element.
pub(crate) fn serialize_pe(pe: &Pe) -> String {
    match pe {
        Pe::Field(n) => format!("f:{n}"),
        Pe::Key(fields) => {
            let mut s = String::from("k:{");
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                write_go_string(k, &mut s);
                s.push(':');
                write_go_json(&v.0, &mut s);
            }
            s.push('}');
            s
        }
        Pe::Value(v) => format!("v:{}", go_json(&v.0)),
        Pe::Index(i) => format!("i:{i}"),
    }
}

/// Parses a FieldsV1 key. `Ok(None)` for an unknown element type (skipped, as the apiserver does).
pub(crate) fn deserialize_pe(s: &str) -> Result<Option<Pe>, String> {
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err("key must be 2 characters long:".to_string());
    }
    if b[1] != b':' {
        return Err(format!("missing colon: {s}"));
    }
    let rest = &s[2..];
    match b[0] {
        b'f' => Ok(Some(Pe::Field(rest.to_string()))),
        b'v' => serde_json::from_str::<Value>(rest)
            .map(|v| Some(Pe::Value(OrdValue(v))))
            .map_err(|e| e.to_string()),
        b'k' => {
            let v: Value = serde_json::from_str(rest).map_err(|e| e.to_string())?;
            let Value::Object(m) = v else {
                return Err(format!("expected an object in key {s}"));
            };
            let mut fields: Vec<(String, OrdValue)> =
                m.into_iter().map(|(k, v)| (k, OrdValue(v))).collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Some(Pe::Key(fields)))
        }
        b'i' => rest
            .parse::<usize>()
            .map(|i| Some(Pe::Index(i)))
            .map_err(|e| e.to_string()),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_print_as_structured_merge_diff_prints_them() {
        let key = Pe::Key(vec![
            ("id".to_string(), OrdValue(json!(2))),
            ("key".to_string(), OrdValue(json!("a"))),
        ]);
        let p = vec![Pe::Field("list".into()), key, Pe::Field("id".into())];
        assert_eq!(path_string(&p), r#".list[id=2,key="a"].id"#);
        assert_eq!(Pe::Value(OrdValue(json!("x"))).to_string(), r#"[="x"]"#);
        assert_eq!(Pe::Index(3).to_string(), "[3]");
    }

    #[test]
    fn element_order_is_field_key_value_index_and_numbers_compare_numerically() {
        let mut v = [
            Pe::Index(0),
            Pe::Value(OrdValue(json!("b"))),
            Pe::Value(OrdValue(json!(10))),
            Pe::Value(OrdValue(json!(9.5))),
            Pe::Key(vec![("name".into(), OrdValue(json!("a")))]),
            Pe::Field("z".into()),
            Pe::Field("a".into()),
        ];
        v.sort();
        let printed: Vec<String> = v.iter().map(serialize_pe).collect();
        assert_eq!(
            printed,
            vec![
                "f:a",
                "f:z",
                r#"k:{"name":"a"}"#,
                "v:9.5",
                "v:10",
                r#"v:"b""#,
                "i:0"
            ]
        );
    }

    #[test]
    fn fields_v1_keys_parse_back() {
        for k in [
            "f:a.b/c",
            r#"k:{"containerPort":80,"protocol":"TCP"}"#,
            r#"v:"x""#,
            "i:2",
        ] {
            let pe = deserialize_pe(k).unwrap().unwrap();
            assert_eq!(serialize_pe(&pe), k);
        }
        assert!(deserialize_pe("x").is_err());
        assert!(deserialize_pe("fa").is_err());
        assert_eq!(deserialize_pe("q:1").unwrap(), None);
    }
}
