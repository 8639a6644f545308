//! `toToml`: BurntSushi/toml's encoder layout (values before tables, two-space table indents).

use std::fmt::Write as _;

use crate::value::{Map, Value, fixed_from_digits, shortest_digits};

const MAX_NEST: usize = 100;

pub fn to_toml(v: &Value) -> Result<String, String> {
    let Value::Map(m) = v else {
        return Err("toml: top-level values must be Go maps or structs".into());
    };
    let mut out = String::new();
    let map = m.borrow().clone();
    write_table(&mut out, &map, &[], 0)?;
    Ok(out)
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::List(l) if !l.is_empty() && l.iter().all(is_table))
}

fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    {
        k.to_string()
    } else {
        quote_str(k)
    }
}

fn quote_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '\u{8}' => o.push_str("\\b"),
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\u{c}' => o.push_str("\\f"),
            '\r' => o.push_str("\\r"),
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(o, "\\u{:04X}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn path_str(path: &[String]) -> String {
    path.iter()
        .map(|k| quote_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

fn scalar(v: &Value, depth: usize) -> Result<String, String> {
    if depth > MAX_NEST {
        return Err("toml: nested too deeply".into());
    }
    Ok(match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Float(f) => {
            if f.is_nan() {
                "nan".into()
            } else if f.is_infinite() {
                if *f > 0.0 {
                    "inf".into()
                } else {
                    "-inf".into()
                }
            } else {
                let (neg, d, e) = shortest_digits(*f);
                let s = if *f == 0.0 {
                    "0".to_string()
                } else {
                    fixed_from_digits(neg, &d, e, None)
                };
                if s.contains('.') { s } else { format!("{s}.0") }
            }
        }
        Value::Str(s) => quote_str(s),
        Value::List(l) if l.iter().any(Value::is_nil) => {
            return Err("toml: cannot encode array with nil element".into());
        }
        Value::List(l) => {
            let parts: Vec<String> = l
                .iter()
                .map(|e| scalar(e, depth + 1))
                .collect::<Result<_, _>>()?;
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m
                .borrow()
                .iter()
                .map(|(k, e)| Ok(format!("{} = {}", quote_key(k), scalar(e, depth + 1)?)))
                .collect::<Result<_, String>>()?;
            format!("{{{}}}", parts.join(", "))
        }
        other => quote_str(&crate::funcs::to_string(other)),
    })
}

fn write_table(out: &mut String, m: &Map, path: &[String], depth: usize) -> Result<(), String> {
    if depth > MAX_NEST {
        return Err("toml: nested too deeply".into());
    }
    let indent = "  ".repeat(path.len().saturating_sub(0));
    for (k, v) in m {
        if v.is_nil() || is_table(v) || is_table_array(v) {
            continue;
        }
        let _ = writeln!(out, "{}{} = {}", indent, quote_key(k), scalar(v, 0)?);
    }
    for (k, v) in m {
        let mut p = path.to_vec();
        p.push(k.clone());
        let head_indent = "  ".repeat(p.len() - 1);
        match v {
            Value::Map(sub) => {
                if p.len() == 1 && !out.is_empty() {
                    out.push('\n');
                }
                let _ = writeln!(out, "{}[{}]", head_indent, path_str(&p));
                let sub = sub.borrow().clone();
                write_table(out, &sub, &p, depth + 1)?;
            }
            Value::List(l) if is_table_array(v) => {
                for e in l.iter() {
                    if p.len() == 1 && !out.is_empty() {
                        out.push('\n');
                    }
                    let _ = writeln!(out, "{}[[{}]]", head_indent, path_str(&p));
                    if let Value::Map(sub) = e {
                        let sub = sub.borrow().clone();
                        write_table(out, &sub, &p, depth + 1)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}
