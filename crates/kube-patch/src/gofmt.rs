//! Go's `%v` rendering of decoded JSON values and `reflect` type names, for error texts that
//! kube-apiserver builds with them.

use serde_json::Value;

/// `fmt.Sprintf("%v", v)` for a value decoded into `interface{}` (maps print sorted by key).
pub(crate) fn go_v(v: &Value) -> String {
    let mut out = String::new();
    write_v(v, &mut out, 0);
    out
}

fn write_v(v: &Value, out: &mut String, depth: usize) {
    if depth > 64 {
        out.push_str("...");
        return;
    }
    match v {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(s),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(x, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push_str("map[");
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(&m[k], out, depth + 1);
            }
            out.push(']');
        }
    }
}

/// `reflect.TypeOf(v).String()` for a value decoded by k8s.io/apimachinery/pkg/util/json.
pub(crate) fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "%!s(<nil>)",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}
