//! sops' JSON store: objects keep order and duplicate keys; integers that fit i64 are ints,
//! every other number is a float. The writer follows Go's `encoding/json` with tab indentation.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::tree::{MapKey, Value};
use crate::{Format, SopsError};

pub(crate) fn load(data: &[u8], format: Format) -> Result<Value, SopsError> {
    let mut deserializer = serde_json::Deserializer::from_slice(data);
    let value = deserializer
        .deserialize_any(TreeVisitor)
        .map_err(|e| SopsError::parse(format, format!("could not unmarshal input data: {e}")))?;
    deserializer
        .end()
        .map_err(|e| SopsError::parse(format, format!("trailing data: {e}")))?;
    match value {
        Value::Map(_) => Ok(value),
        _ => Err(SopsError::parse(
            format,
            "SOPS only supports JSON files with a top-level object",
        )),
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Seed)? {
            items.push(item);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Seed)?;
            entries.push((MapKey::Name(key), value));
        }
        Ok(Value::Map(entries))
    }
}

struct Seed;

impl<'de> de::DeserializeSeed<'de> for Seed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

/// A tree from a `serde_json::Value` (a Kubernetes object), keeping its key order.
pub(crate) fn from_json_value(value: &serde_json::Value, depth: usize) -> Result<Value, SopsError> {
    if depth > crate::tree::MAX_DEPTH {
        return Err(SopsError::parse(Format::Json, "object nested too deeply"));
    }
    Ok(match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(items) => Value::List(
            items
                .iter()
                .map(|v| from_json_value(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| Ok((MapKey::Name(k.clone()), from_json_value(v, depth + 1)?)))
                .collect::<Result<_, SopsError>>()?,
        ),
    })
}

/// A `serde_json::Value` from a decrypted tree: comments dropped, bytes as base64 (as Go's
/// `json.Marshal`), a repeated key keeps its last value.
pub(crate) fn to_json_value(value: &Value) -> Result<serde_json::Value, SopsError> {
    use base64::Engine as _;
    Ok(match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        // Go writes an integral float64 without a fraction ("1"), which reads back as an integer.
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => serde_json::Value::from(*f as i64),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .ok_or_else(|| SopsError::emit(Format::Json, "unsupported float value (NaN or Inf)"))?,
        Value::Str(s) | Value::Time(s) => serde_json::Value::String(s.clone()),
        Value::Bytes(b) => {
            serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        Value::List(items) => {
            serde_json::Value::Array(items.iter().map(to_json_value).collect::<Result<_, _>>()?)
        }
        Value::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (key, value) in entries {
                if let MapKey::Name(name) = key {
                    map.insert(name.clone(), to_json_value(value)?);
                }
            }
            serde_json::Value::Object(map)
        }
    })
}

/// sops' JSON output: Go's `json.Marshal` per value, re-indented with tabs, newline-terminated.
pub(crate) fn emit(branch: &Value) -> Result<Vec<u8>, SopsError> {
    let mut out = String::new();
    write_value(&mut out, branch, 0)?;
    out.push('\n');
    Ok(out.into_bytes())
}

fn indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push('\t');
    }
}

fn write_value(out: &mut String, value: &Value, level: usize) -> Result<(), SopsError> {
    match value {
        Value::Map(entries) => {
            let names: Vec<_> = entries
                .iter()
                .filter_map(|(k, v)| match k {
                    MapKey::Name(n) => Some((n, v)),
                    MapKey::Comment(_) => None,
                })
                .collect();
            if names.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (name, child)) in names.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, level + 1);
                write_go_string(out, name);
                out.push_str(": ");
                write_value(out, child, level + 1)?;
            }
            indent(out, level);
            out.push('}');
        }
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, level + 1);
                write_value(out, item, level + 1)?;
            }
            indent(out, level);
            out.push(']');
        }
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&go_json_float(*f)?),
        Value::Str(s) | Value::Time(s) => write_go_string(out, s),
        Value::Bytes(b) => {
            use base64::Engine as _;
            write_go_string(out, &base64::engine::general_purpose::STANDARD.encode(b));
        }
    }
    Ok(())
}

/// Go's `encoding/json` float formatting: shortest digits, exponent form outside [1e-6, 1e21).
fn go_json_float(f: f64) -> Result<String, SopsError> {
    if !f.is_finite() {
        return Err(SopsError::emit(
            Format::Json,
            "unsupported float value (NaN or Inf)",
        ));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Rust writes 1e21 / 1e-7; Go writes 1e+21 / 1e-07 then trims the zero: 1e-7.
        let s = format!("{f:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let exponent = if let Some(negative) = exponent.strip_prefix('-') {
            format!("-{negative}")
        } else {
            format!("+{exponent}")
        };
        Ok(format!("{mantissa}e{exponent}"))
    } else {
        Ok(format!("{f}"))
    }
}

/// Go's JSON string escaping, HTML-safe as `json.Marshal` is.
fn write_go_string(out: &mut String, s: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_duplicates_and_number_kinds() {
        let tree = load(
            br#"{"b": 1, "a": 1.5, "b": 2, "big": 18446744073709551615, "n": null}"#,
            Format::Json,
        )
        .unwrap();
        let Value::Map(entries) = &tree else { panic!() };
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[0].1, Value::Int(1));
        assert_eq!(entries[1].1, Value::Float(1.5));
        assert!(matches!(entries[3].1, Value::Float(_)));
        assert!(load(b"[1]", Format::Json).is_err());
        assert!(load(b"{", Format::Json).is_err());
    }

    #[test]
    fn json_values_read_back_as_go_writes_them() {
        let tree = load(br#"{"a": 1.0, "b": 1.5, "c": 7}"#, Format::Json).unwrap();
        assert_eq!(
            to_json_value(&tree).unwrap(),
            serde_json::json!({"a": 1, "b": 1.5, "c": 7})
        );
    }

    #[test]
    fn emits_like_go() {
        let tree = load(
            br#"{"a": "<x>", "b": [1, 2.5], "c": {}, "d": []}"#,
            Format::Json,
        )
        .unwrap();
        let out = String::from_utf8(emit(&tree).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\n\t\"a\": \"\\u003cx\\u003e\",\n\t\"b\": [\n\t\t1,\n\t\t2.5\n\t],\n\t\"c\": {},\n\t\"d\": []\n}\n"
        );
        assert_eq!(go_json_float(1e21).unwrap(), "1e+21");
        assert_eq!(go_json_float(1e-7).unwrap(), "1e-7");
        assert_eq!(go_json_float(0.5).unwrap(), "0.5");
    }
}
