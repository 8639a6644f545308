//! Sprig's list and dict functions, with Go's shared-map semantics for set/unset/merge.

use super::Kind::*;
use super::{FuncResult, Registry, err, is_empty, kind_of, to_i64, to_string};
use crate::template::{Exec, TplError};
use crate::value::{Map, Value};

/// Deepest nesting deepCopy and merge follow (maps may contain themselves).
const MAX_DEPTH: usize = 500;

fn list_arg(v: &Value, what: &str) -> Result<Vec<Value>, TplError> {
    match v {
        Value::List(l) => Ok(l.to_vec()),
        Value::Nil => Err(err(format!("Cannot {what} on type <nil>"))),
        other => Err(err(format!("Cannot {what} on type {}", kind_of(other)))),
    }
}

fn list(v: Vec<Value>) -> FuncResult {
    Ok(Value::from(v))
}

pub fn register(r: &mut Registry) {
    r.var("list", &[], Any, |_, a| list(a.to_vec()));
    r.var("tuple", &[], Any, |_, a| list(a.to_vec()));
    for name in ["append", "push", "mustAppend", "mustPush"] {
        r.add(name, &[Any, Any], |_, a| {
            let mut l = list_arg(&a[0], "push")?;
            l.push(a[1].clone());
            list(l)
        });
    }
    for name in ["prepend", "mustPrepend"] {
        r.add(name, &[Any, Any], |_, a| {
            let mut l = list_arg(&a[0], "prepend")?;
            l.insert(0, a[1].clone());
            list(l)
        });
    }
    for name in ["first", "mustFirst"] {
        r.add(name, &[Any], |_, a| {
            Ok(list_arg(&a[0], "find first")?
                .first()
                .cloned()
                .unwrap_or_default())
        });
    }
    for name in ["last", "mustLast"] {
        r.add(name, &[Any], |_, a| {
            Ok(list_arg(&a[0], "find last")?
                .last()
                .cloned()
                .unwrap_or_default())
        });
    }
    for name in ["rest", "mustRest"] {
        r.add(name, &[Any], |_, a| {
            let l = list_arg(&a[0], "find rest")?;
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            list(l[1..].to_vec())
        });
    }
    for name in ["initial", "mustInitial"] {
        r.add(name, &[Any], |_, a| {
            let l = list_arg(&a[0], "find initial")?;
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            list(l[..l.len() - 1].to_vec())
        });
    }
    for name in ["reverse", "mustReverse"] {
        r.add(name, &[Any], |_, a| {
            let mut l = list_arg(&a[0], "find reverse")?;
            l.reverse();
            list(l)
        });
    }
    for name in ["uniq", "mustUniq"] {
        r.add(name, &[Any], |_, a| {
            let l = list_arg(&a[0], "find uniq")?;
            let mut out: Vec<Value> = Vec::new();
            for e in l {
                if !out.contains(&e) {
                    out.push(e);
                }
            }
            list(out)
        });
    }
    for name in ["compact", "mustCompact"] {
        r.add(name, &[Any], |_, a| {
            let l = list_arg(&a[0], "compact")?;
            list(l.into_iter().filter(|e| !is_empty(e)).collect())
        });
    }
    for name in ["without", "mustWithout"] {
        r.var(name, &[Any], Any, |_, a| {
            let l = list_arg(&a[0], "find without")?;
            list(l.into_iter().filter(|e| !a[1..].contains(e)).collect())
        });
    }
    for name in ["has", "mustHas"] {
        r.add(name, &[Any, Any], |_, a| match &a[1] {
            Value::Nil => Ok(Value::Bool(false)),
            Value::List(l) => Ok(Value::Bool(l.contains(&a[0]))),
            other => Err(err(format!("Cannot find has on type {}", kind_of(other)))),
        });
    }
    for name in ["slice", "mustSlice"] {
        r.var(name, &[Any], Any, |_, a| {
            let l = list_arg(&a[0], "slice")?;
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            let start = a.get(1).map(to_i64).unwrap_or(0);
            let end = a.get(2).map(to_i64).unwrap_or(l.len() as i64);
            if start < 0 || end < start || end as usize > l.len() {
                return Err(err("reflect.Value.Slice: slice index out of bounds"));
            }
            list(l[start as usize..end as usize].to_vec())
        });
    }
    r.var("concat", &[], Any, |_, a| {
        let mut out = Vec::new();
        for l in a {
            match l {
                Value::List(v) => out.extend(v.iter().cloned()),
                other => {
                    return Err(err(format!(
                        "Cannot concat type {} as list",
                        kind_of(other)
                    )));
                }
            }
        }
        list(out)
    });
    for name in ["chunk", "mustChunk"] {
        r.add(name, &[Int, Any], |_, a| {
            let size = to_i64(&a[0]);
            let l = list_arg(&a[1], "chunk")?;
            if size <= 0 {
                return Err(err("runtime error: makeslice: len out of range"));
            }
            list(
                l.chunks(size as usize)
                    .map(|c| Value::from(c.to_vec()))
                    .collect(),
            )
        });
    }
    r.add("until", &[Int], |_, a| {
        until_step(0, to_i64(&a[0]), if to_i64(&a[0]) < 0 { -1 } else { 1 })
    });
    r.add("untilStep", &[Int, Int, Int], |_, a| {
        until_step(to_i64(&a[0]), to_i64(&a[1]), to_i64(&a[2]))
    });
    r.var("seq", &[], Int, seq);

    // dicts
    r.var("dict", &[], Any, |_, a| {
        let mut m = Map::new();
        let mut i = 0;
        while i < a.len() {
            let k = to_string(&a[i]);
            let v = a.get(i + 1).cloned().unwrap_or_else(|| Value::str(""));
            m.insert(k, v);
            i += 2;
        }
        Ok(Value::from(m))
    });
    r.add("get", &[Map, Str], |_, a| {
        Ok(map_of(&a[0])
            .and_then(|m| m.get(a[1].as_str().unwrap_or("")).cloned())
            .unwrap_or_else(|| Value::str("")))
    });
    r.add("set", &[Map, Str, Any], |_, a| {
        if let Value::Map(m) = &a[0] {
            m.borrow_mut()
                .insert(a[1].as_str().unwrap_or("").to_string(), a[2].clone());
            return Ok(a[0].clone());
        }
        Err(err("assignment to entry in nil map"))
    });
    r.add("unset", &[Map, Str], |_, a| {
        if let Value::Map(m) = &a[0] {
            m.borrow_mut().remove(a[1].as_str().unwrap_or(""));
        }
        Ok(a[0].clone())
    });
    r.add("hasKey", &[Map, Str], |_, a| {
        Ok(Value::Bool(map_of(&a[0]).is_some_and(|m| {
            m.contains_key(a[1].as_str().unwrap_or(""))
        })))
    });
    r.var("pluck", &[Str], Map, |_, a| {
        let key = a[0].as_str().unwrap_or("");
        Ok(Value::from(
            a[1..]
                .iter()
                .filter_map(|d| map_of(d).and_then(|m| m.get(key).cloned()))
                .collect::<Vec<_>>(),
        ))
    });
    r.var("keys", &[], Map, |_, a| {
        let mut out = Vec::new();
        for d in a {
            if let Some(m) = map_of(d) {
                out.extend(m.keys().map(|k| Value::str(k.as_str())));
            }
        }
        list(out)
    });
    r.add("values", &[Map], |_, a| {
        list(
            map_of(&a[0])
                .map(|m| m.values().cloned().collect())
                .unwrap_or_default(),
        )
    });
    r.var("pick", &[Map], Str, |_, a| {
        let mut out = Map::new();
        if let Some(m) = map_of(&a[0]) {
            for k in &a[1..] {
                let k = k.as_str().unwrap_or("");
                if let Some(v) = m.get(k) {
                    out.insert(k.to_string(), v.clone());
                }
            }
        }
        Ok(Value::from(out))
    });
    r.var("omit", &[Map], Str, |_, a| {
        let mut out = Map::new();
        if let Some(m) = map_of(&a[0]) {
            for (k, v) in m.iter() {
                if !a[1..].iter().any(|o| o.as_str() == Some(k)) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(Value::from(out))
    });
    for name in ["merge", "mustMerge"] {
        r.var(name, &[Map], Map, |_, a| merge_all(a, false));
    }
    for name in ["mergeOverwrite", "mustMergeOverwrite"] {
        r.var(name, &[Map], Map, |_, a| merge_all(a, true));
    }
    for name in ["deepCopy", "mustDeepCopy"] {
        r.add(name, &[Any], |_, a| deep_copy(&a[0], 0));
    }
    r.var("dig", &[Any], Any, dig);
}

fn map_of(v: &Value) -> Option<std::cell::Ref<'_, Map>> {
    v.as_map()
}

fn until_step(start: i64, stop: i64, step: i64) -> FuncResult {
    let mut v = Vec::new();
    if step == 0 {
        return list(v);
    }
    let count = if step > 0 {
        if stop <= start {
            0
        } else {
            (stop - start + step - 1) / step
        }
    } else if stop >= start {
        0
    } else {
        (start - stop - step - 1) / (-step)
    };
    if count > 10_000_000 {
        return Err(err("untilStep: too many elements"));
    }
    let mut i = start;
    for _ in 0..count {
        v.push(Value::Int(i));
        i += step;
    }
    list(v)
}

fn seq(_: &mut Exec, a: &[Value]) -> FuncResult {
    let p: Vec<i64> = a.iter().map(to_i64).collect();
    let (start, end, step) = match p.len() {
        0 => return Ok(Value::str("")),
        1 => (1, p[0], if p[0] < 1 { -1 } else { 1 }),
        2 => (p[0], p[1], if p[1] < p[0] { -1 } else { 1 }),
        3 => (p[0], p[2], p[1]),
        _ => return Ok(Value::str("")),
    };
    if step == 0 || (step > 0 && end < start) || (step < 0 && end > start) {
        return Ok(Value::str(""));
    }
    if ((end - start) / step).abs() > 10_000_000 {
        return Err(err("seq: too many elements"));
    }
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i <= end) || (step < 0 && i >= end) {
        out.push(i.to_string());
        i += step;
    }
    Ok(Value::from(out.join(" ")))
}

fn merge_all(a: &[Value], overwrite: bool) -> FuncResult {
    let Value::Map(dst) = &a[0] else {
        return Ok(a[0].clone());
    };
    for src in &a[1..] {
        if let Value::Map(s) = src {
            if std::rc::Rc::ptr_eq(dst, s) {
                continue;
            }
            let snapshot: Map = s.borrow().clone();
            merge_into(dst, &snapshot, overwrite, 0)?;
        }
    }
    Ok(a[0].clone())
}

/// mergo.Merge / mergo.Merge(WithOverride) on map[string]interface{}, as Sprig vendors it:
/// maps merge recursively; without override a value is taken only where the destination lacks
/// the key or holds an empty value, and nil sources are skipped; with override every source value
/// wins, empty ones and nil included.
pub fn merge_into(
    dst: &std::rc::Rc<std::cell::RefCell<Map>>,
    src: &Map,
    overwrite: bool,
    depth: usize,
) -> Result<(), TplError> {
    if depth > MAX_DEPTH {
        return Err(err("merge: maps nested too deeply"));
    }
    for (k, sv) in src {
        let dv = dst.borrow().get(k).cloned();
        if sv.is_nil() {
            if overwrite {
                dst.borrow_mut().insert(k.clone(), Value::Nil);
            }
            continue;
        }
        if let (Some(Value::Map(dm)), Value::Map(sm)) = (&dv, sv) {
            if std::rc::Rc::ptr_eq(dm, sm) {
                continue;
            }
            let was_empty = dm.borrow().is_empty();
            let snapshot = sm.borrow().clone();
            merge_into(dm, &snapshot, overwrite, depth + 1)?;
            if was_empty {
                dst.borrow_mut().insert(k.clone(), sv.clone());
            }
            continue;
        }
        let take = overwrite || dv.as_ref().is_none_or(is_empty);
        if take {
            dst.borrow_mut().insert(k.clone(), sv.clone());
        }
    }
    Ok(())
}

pub fn deep_copy(v: &Value, depth: usize) -> FuncResult {
    if depth > MAX_DEPTH {
        return Err(err("deepCopy: values nested too deeply"));
    }
    Ok(match v {
        Value::Map(m) => {
            let mut out = Map::new();
            for (k, e) in m.borrow().iter() {
                out.insert(k.clone(), deep_copy(e, depth + 1)?);
            }
            Value::from(out)
        }
        Value::List(l) => Value::from(
            l.iter()
                .map(|e| deep_copy(e, depth + 1))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        other => other.clone(),
    })
}

fn dig(_: &mut Exec, a: &[Value]) -> FuncResult {
    if a.len() < 3 {
        return Err(err("dig needs at least three arguments"));
    }
    let dict = &a[a.len() - 1];
    let default = &a[a.len() - 2];
    let keys = &a[..a.len() - 2];
    let mut cur = dict.clone();
    for (i, k) in keys.iter().enumerate() {
        let key = to_string(k);
        let next = match &cur {
            Value::Map(m) => m.borrow().get(&key).cloned(),
            _ => None,
        };
        match next {
            Some(v) => {
                if i + 1 < keys.len() && !matches!(v, Value::Map(_)) {
                    return Err(err(format!(
                        "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                        v.type_name()
                    )));
                }
                cur = v;
            }
            None => return Ok(default.clone()),
        }
    }
    Ok(cur)
}
