//! Go text/template's predefined functions.

use std::cmp::Ordering;

use super::Kind::*;
use super::{FuncResult, Registry, err, gofmt};
use crate::template::Exec;
use crate::value::Value;

pub fn register(r: &mut Registry) {
    // and/or are evaluated lazily by the executor; these entries only declare them.
    r.var("and", &[Any], Any, |_, a| {
        Ok(a.last().cloned().unwrap_or_default())
    });
    r.var("or", &[Any], Any, |_, a| {
        Ok(a.last().cloned().unwrap_or_default())
    });
    r.add("not", &[Any], |_, a| Ok(Value::Bool(!a[0].truthy())));
    r.add("len", &[Any], len);
    r.var("index", &[Any], Any, index);
    r.var("slice", &[Any], Any, slice);
    r.var("print", &[], Any, |_, a| Ok(Value::from(gofmt::sprint(a))));
    r.var("println", &[], Any, |_, a| {
        Ok(Value::from(gofmt::sprintln(a)))
    });
    r.var("printf", &[Str], Any, |_, a| {
        Ok(Value::from(gofmt::sprintf(
            a[0].as_str().unwrap_or(""),
            &a[1..],
        )))
    });
    r.var("eq", &[Any], Any, eq);
    r.add("ne", &[Any, Any], |_, a| {
        Ok(Value::Bool(!equal(&a[0], &a[1])?))
    });
    r.add("lt", &[Any, Any], |_, a| cmp(a, |o| o == Ordering::Less));
    r.add("le", &[Any, Any], |_, a| cmp(a, |o| o != Ordering::Greater));
    r.add("gt", &[Any, Any], |_, a| cmp(a, |o| o == Ordering::Greater));
    r.add("ge", &[Any, Any], |_, a| cmp(a, |o| o != Ordering::Less));
    r.var("html", &[], Any, |_, a| {
        Ok(Value::from(html_escape(&eval_args(a))))
    });
    r.var("js", &[], Any, |_, a| {
        Ok(Value::from(js_escape(&eval_args(a))))
    });
    r.var("urlquery", &[], Any, |_, a| {
        Ok(Value::from(super::encoding::query_escape(&eval_args(a))))
    });
    r.var("call", &[Any], Any, |_, _| {
        Err(err("call of functions held in values is not supported"))
    });
}

fn eval_args(a: &[Value]) -> String {
    if let [Value::Str(s)] = a {
        return s.to_string();
    }
    gofmt::sprint(a)
}

fn len(_: &mut Exec, a: &[Value]) -> FuncResult {
    match &a[0] {
        Value::Str(s) => Ok(Value::Int(s.len() as i64)),
        Value::List(l) => Ok(Value::Int(l.len() as i64)),
        Value::Map(m) => Ok(Value::Int(m.borrow().len() as i64)),
        Value::Nil => Err(err("len of nil pointer")),
        Value::Object(o) => match &**o {
            crate::value::Object::ApiVersions(v) => Ok(Value::Int(v.len() as i64)),
            crate::value::Object::Files(f) => Ok(Value::Int(f.entries().len() as i64)),
            _ => Err(err(format!("len of type {}", a[0].type_name()))),
        },
        other => Err(err(format!("len of type {}", other.type_name()))),
    }
}

fn index_int(v: &Value, what: &str) -> Result<i64, crate::template::TplError> {
    match v {
        Value::Int(i) | Value::Int64(i) => Ok(*i),
        Value::Nil => Err(err(format!("cannot index {what} with nil"))),
        other => Err(err(format!(
            "cannot index {what} with type {}",
            other.type_name()
        ))),
    }
}

fn index(_: &mut Exec, a: &[Value]) -> FuncResult {
    let mut item = a[0].clone();
    if item.is_nil() {
        return Err(err("index of untyped nil"));
    }
    for ix in &a[1..] {
        item = match &item {
            Value::List(l) => {
                let i = index_int(ix, "slice/array")?;
                if i < 0 || i as usize >= l.len() {
                    return Err(err(format!("index out of range: {i}")));
                }
                l[i as usize].clone()
            }
            Value::Str(s) => {
                let i = index_int(ix, "slice/array")?;
                if i < 0 || i as usize >= s.len() {
                    return Err(err(format!("index out of range: {i}")));
                }
                Value::Int(s.as_bytes()[i as usize] as i64)
            }
            Value::Map(m) => match ix {
                Value::Str(k) => m.borrow().get(&**k).cloned().unwrap_or(Value::Nil),
                Value::Nil => Value::Nil,
                other => {
                    return Err(err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    )));
                }
            },
            Value::Nil => return Err(err("index of nil pointer")),
            other => {
                return Err(err(format!(
                    "can't index item of type {}",
                    other.type_name()
                )));
            }
        };
    }
    Ok(item)
}

fn slice(_: &mut Exec, a: &[Value]) -> FuncResult {
    let item = &a[0];
    let idx: Vec<i64> = a[1..]
        .iter()
        .map(|v| index_int(v, "slice/array"))
        .collect::<Result<_, _>>()?;
    if idx.len() > 3 {
        return Err(err(format!("too many slice indexes: {}", idx.len())));
    }
    let len = match item {
        Value::Str(s) => s.len(),
        Value::List(l) => l.len(),
        Value::Nil => return Err(err("slice of untyped nil")),
        other => {
            return Err(err(format!(
                "can't slice item of type {}",
                other.type_name()
            )));
        }
    } as i64;
    let lo = idx.first().copied().unwrap_or(0);
    let hi = idx.get(1).copied().unwrap_or(len);
    if lo < 0 || hi < lo || hi > len {
        return Err(err(format!(
            "index out of range: {}",
            if lo < 0 { lo } else { hi }
        )));
    }
    match item {
        Value::Str(s) => {
            if idx.len() == 3 {
                return Err(err("cannot 3-index slice a string"));
            }
            match s.get(lo as usize..hi as usize) {
                Some(sub) => Ok(Value::str(sub)),
                None => Ok(Value::from(
                    String::from_utf8_lossy(&s.as_bytes()[lo as usize..hi as usize]).to_string(),
                )),
            }
        }
        Value::List(l) => Ok(Value::from(l[lo as usize..hi as usize].to_vec())),
        _ => Err(err("can't slice")),
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Basic {
    Invalid,
    Bool,
    Int,
    Float,
    Str,
    Other,
}

fn basic(v: &Value) -> Basic {
    match v {
        Value::Nil => Basic::Invalid,
        Value::Bool(_) => Basic::Bool,
        Value::Int(_) | Value::Int64(_) => Basic::Int,
        Value::Float(_) => Basic::Float,
        Value::Str(_) => Basic::Str,
        _ => Basic::Other,
    }
}

/// Go's template `eq` for one pair.
pub fn equal(a: &Value, b: &Value) -> Result<bool, crate::template::TplError> {
    let (k1, k2) = (basic(a), basic(b));
    if k1 != k2 {
        if k1 != Basic::Invalid && k2 != Basic::Invalid {
            return Err(err(format!(
                "incompatible types for comparison: {} and {}",
                a.type_name(),
                b.type_name()
            )));
        }
        return Ok(false);
    }
    match k1 {
        Basic::Other => {
            if a.type_name() == b.type_name() {
                return Err(err(format!(
                    "non-comparable type {}: {}",
                    gofmt::sprintf("%s", std::slice::from_ref(b)),
                    b.type_name()
                )));
            }
            return Err(err(format!(
                "non-comparable types {}: {}, {}: {}",
                gofmt::sprintf("%s", std::slice::from_ref(a)),
                a.type_name(),
                b.type_name(),
                gofmt::sprintf("%v", std::slice::from_ref(b))
            )));
        }
        Basic::Invalid => return Ok(true),
        // int kinds compare by value whatever their size
        Basic::Int => return Ok(super::to_i64(a) == super::to_i64(b)),
        _ => {}
    }
    Ok(a == b)
}

fn eq(_: &mut Exec, a: &[Value]) -> FuncResult {
    if a.len() < 2 {
        return Err(err("missing argument for comparison"));
    }
    for b in &a[1..] {
        if equal(&a[0], b)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn cmp(a: &[Value], f: fn(Ordering) -> bool) -> FuncResult {
    let (k1, k2) = (basic(&a[0]), basic(&a[1]));
    if k1 != k2 {
        if matches!(k1, Basic::Invalid | Basic::Other)
            || matches!(k2, Basic::Invalid | Basic::Other)
        {
            return Err(err("invalid type for comparison"));
        }
        return Err(err(format!(
            "incompatible types for comparison: {} and {}",
            a[0].type_name(),
            a[1].type_name()
        )));
    }
    let o = match (&a[0], &a[1]) {
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        _ => return Err(err("invalid type for comparison")),
    };
    Ok(Value::Bool(f(o)))
}

pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => o.push('\u{FFFD}'),
            '"' => o.push_str("&#34;"),
            '\'' => o.push_str("&#39;"),
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            c => o.push(c),
        }
    }
    o
}

fn js_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\'' => o.push_str("\\'"),
            '"' => o.push_str("\\\""),
            '<' => o.push_str("\\u003C"),
            '>' => o.push_str("\\u003E"),
            '&' => o.push_str("\\u0026"),
            '=' => o.push_str("\\u003D"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04X}", c as u32)),
            c => o.push(c),
        }
    }
    o
}
