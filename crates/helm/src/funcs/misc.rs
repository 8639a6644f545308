//! Sprig's defaults, reflection and path functions.

use super::Kind::*;
use super::{Registry, is_empty, kind_of};
use crate::value::Value;

pub fn register(r: &mut Registry) {
    r.var("default", &[Any], Any, |_, a| match a.get(1) {
        Some(g) if !is_empty(g) => Ok(g.clone()),
        _ => Ok(a[0].clone()),
    });
    r.add("empty", &[Any], |_, a| Ok(Value::Bool(is_empty(&a[0]))));
    r.var("coalesce", &[], Any, |_, a| {
        Ok(a.iter().find(|v| !is_empty(v)).cloned().unwrap_or_default())
    });
    r.var("all", &[], Any, |_, a| {
        Ok(Value::Bool(a.iter().all(|v| !is_empty(v))))
    });
    r.var("any", &[], Any, |_, a| {
        Ok(Value::Bool(a.iter().any(|v| !is_empty(v))))
    });
    r.add("ternary", &[Any, Any, Bool], |_, a| {
        Ok(if a[2].truthy() {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    r.add("typeOf", &[Any], |_, a| Ok(Value::str(a[0].type_name())));
    r.add("typeIs", &[Str, Any], |_, a| {
        Ok(Value::Bool(a[0].as_str() == Some(a[1].type_name())))
    });
    r.add("typeIsLike", &[Str, Any], |_, a| {
        let t = a[1].type_name();
        let target = a[0].as_str().unwrap_or("");
        Ok(Value::Bool(target == t || target == format!("*{t}")))
    });
    r.add("kindOf", &[Any], |_, a| Ok(Value::str(kind_of(&a[0]))));
    r.add("kindIs", &[Str, Any], |_, a| {
        Ok(Value::Bool(a[0].as_str() == Some(kind_of(&a[1]))))
    });
    r.add("deepEqual", &[Any, Any], |_, a| {
        Ok(Value::Bool(a[0] == a[1]))
    });
    for name in ["base", "osBase"] {
        r.add(name, &[Str], |_, a| {
            Ok(Value::from(base(a[0].as_str().unwrap_or(""))))
        });
    }
    for name in ["dir", "osDir"] {
        r.add(name, &[Str], |_, a| {
            Ok(Value::from(dir(a[0].as_str().unwrap_or(""))))
        });
    }
    for name in ["clean", "osClean"] {
        r.add(name, &[Str], |_, a| {
            Ok(Value::from(clean(a[0].as_str().unwrap_or(""))))
        });
    }
    for name in ["ext", "osExt"] {
        r.add(name, &[Str], |_, a| {
            Ok(Value::from(ext(a[0].as_str().unwrap_or(""))))
        });
    }
    for name in ["isAbs", "osIsAbs"] {
        r.add(name, &[Str], |_, a| {
            Ok(Value::Bool(a[0].as_str().unwrap_or("").starts_with('/')))
        });
    }
}

/// Go's path.Base.
pub fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// Go's path.Ext.
pub fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

/// Go's path.Dir.
pub fn dir(p: &str) -> String {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..i])
}

/// Go's path.Clean.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}
