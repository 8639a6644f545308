//! Go's fmt renderings that appear verbatim in apiserver messages:
//! `%q` (strconv.Quote), `%v` of numbers and `%#v` of decoded JSON values.

use serde_json::{Number, Value};

/// strconv.Quote. Printability is approximated by "not a control character".
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `%v` of a float64: strconv 'g' with the shortest digits, which uses an
/// exponent when the decimal exponent is < -4 or >= 6 (1e+06, 1.5e-05).
pub(crate) fn float_v(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{f:e}"); // shortest digits, e.g. "1.234567e6"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// `%v` of a JSON number as the apiserver holds it (int64, or float64).
pub(crate) fn number_v(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        // Beyond int64 the apiserver decodes a float64.
        float_v(u as f64)
    } else {
        float_v(n.as_f64().unwrap_or(0.0))
    }
}

/// `%#v` of a decoded JSON value inside an `interface{}`.
pub(crate) fn sharp_v(v: &Value) -> String {
    match v {
        Value::Null => "interface {}(nil)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_v(n),
        Value::String(s) => quote(s),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(sharp_v).collect();
            format!("[]interface {{}}{{{}}}", items.join(", "))
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let items: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", quote(k), sharp_v(&m[k])))
                .collect();
            format!("map[string]interface {{}}{{{}}}", items.join(", "))
        }
    }
}

/// What a field error prints for its bad value (apimachinery 1.33
/// `field.Error.ErrorBody`): numbers and bools with `%v`, strings quoted, nil as
/// "null" (quoted), anything else with `%#v`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BadValue {
    Json(Value),
    Int(i64),
    /// The value is left out ("Too many" without an actual count).
    Omit,
}

impl BadValue {
    pub(crate) fn str(s: &str) -> BadValue {
        BadValue::Json(Value::String(s.to_string()))
    }

    pub(crate) fn render(&self) -> Option<String> {
        match self {
            BadValue::Omit => None,
            BadValue::Int(i) => Some(i.to_string()),
            BadValue::Json(v) => Some(match v {
                Value::Null => quote("null"),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => number_v(n),
                Value::String(s) => quote(s),
                other => sharp_v(other),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_render_like_go_v() {
        assert_eq!(float_v(1.5), "1.5");
        assert_eq!(float_v(100.0), "100");
        assert_eq!(float_v(123456.0), "123456");
        assert_eq!(float_v(1e6), "1e+06");
        assert_eq!(float_v(1234567.0), "1.234567e+06");
        assert_eq!(float_v(0.0001), "0.0001");
        assert_eq!(float_v(0.00001), "1e-05");
        assert_eq!(float_v(-2.25), "-2.25");
    }

    #[test]
    fn quote_escapes_like_strconv() {
        assert_eq!(quote("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\x01""#);
        assert_eq!(quote("héllo"), "\"héllo\"");
    }

    #[test]
    fn sharp_v_renders_go_syntax() {
        assert_eq!(
            sharp_v(&json!({"name": "a", "b": [1, true, null]})),
            r#"map[string]interface {}{"b":[]interface {}{1, true, interface {}(nil)}, "name":"a"}"#
        );
    }
}
