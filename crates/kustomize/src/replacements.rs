//! `replacements`: copy a field of one resource into fields of others.

use crate::error::Error;
use crate::kustomization::parse_selector;
use crate::loader::Loader;
use crate::resource::Resource;
use crate::select::select;
use crate::value::{Map, Value};
use std::path::Path;

fn rerr(m: impl Into<String>) -> Error {
    Error::Transform(m.into())
}

/// Splits `a.b[name=x].c` into segments, keeping bracketed selectors intact.
fn split_field_path(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in p.chars() {
        match c {
            '[' => {
                depth += 1;
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn lookup<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let Some((seg, rest)) = path.split_first() else {
        return Some(v);
    };
    if let Some(inner) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let items = v.as_seq()?;
        let (k, val) = inner.split_once('=')?;
        let item = items
            .iter()
            .find(|i| i.get(k).and_then(Value::scalar_string).as_deref() == Some(val))?;
        return lookup(item, rest);
    }
    match v {
        Value::Map(m) => lookup(m.get(seg.as_str())?, rest),
        Value::Seq(items) => lookup(items.get(seg.parse::<usize>().ok()?)?, rest),
        _ => None,
    }
}

/// kyaml copies only the text into an existing scalar, keeping its type where it can;
/// a created field is a plain scalar, typed again from its text.
fn assign(slot: &mut Value, new: &Value) {
    let text = match new {
        Value::Seq(_) | Value::Map(_) => {
            *slot = new.clone();
            return;
        }
        other => other.scalar_string().unwrap_or_default(),
    };
    *slot = match slot {
        Value::Str(_) => Value::Str(text),
        Value::Seq(_) | Value::Map(_) => new.clone(),
        _ if text.is_empty() => Value::Str(text),
        _ => crate::yaml::resolve_plain(&text),
    };
}

fn set_at(v: &mut Value, path: &[String], new: &Value, create: bool) -> Result<bool, Error> {
    let Some((seg, rest)) = path.split_first() else {
        assign(v, new);
        return Ok(true);
    };
    if seg == "*" || seg == "[]" {
        let Value::Seq(items) = v else {
            return Ok(false);
        };
        let mut any = false;
        for it in items.iter_mut() {
            any |= set_at(it, rest, new, create)?;
        }
        return Ok(any);
    }
    if let Some(inner) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let Value::Seq(items) = v else {
            return Ok(false);
        };
        let (k, val) = inner
            .split_once('=')
            .ok_or_else(|| rerr(format!("invalid field path segment {seg}")))?;
        let mut any = false;
        for it in items.iter_mut() {
            if it.get(k).and_then(Value::scalar_string).as_deref() == Some(val) {
                any |= set_at(it, rest, new, create)?;
            }
        }
        return Ok(any);
    }
    match v {
        Value::Map(m) => {
            if !m.contains_key(seg.as_str()) {
                if !create {
                    return Ok(false);
                }
                let fresh = if rest.is_empty() {
                    Value::Null
                } else {
                    Value::Map(Map::new())
                };
                m.insert(seg.clone(), fresh);
            }
            match m.get_mut(seg.as_str()) {
                Some(child) => set_at(child, rest, new, create),
                None => Ok(false),
            }
        }
        Value::Seq(items) => match seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            Some(child) => set_at(child, rest, new, create),
            None => Ok(false),
        },
        _ => Ok(false),
    }
}

fn delimited(old: &Value, value: &Value, delim: &str, index: i64) -> Result<Value, Error> {
    let old_s = old
        .as_str()
        .ok_or_else(|| rerr("delimiter option can only be used with scalar nodes"))?;
    let new_s = value.scalar_string().unwrap_or_default();
    let mut parts: Vec<String> = old_s.split(delim).map(str::to_string).collect();
    if index < 0 {
        parts.insert(0, new_s);
    } else if (index as usize) >= parts.len() {
        parts.push(new_s);
    } else {
        parts[index as usize] = new_s;
    }
    Ok(Value::Str(parts.join(delim)))
}

pub fn apply(
    loader: &Loader,
    dir: &Path,
    res: &mut [Resource],
    reps: &[Value],
) -> Result<(), Error> {
    for rep in reps {
        let rep = match rep.get("path").and_then(Value::as_str) {
            Some(p) => crate::yaml::parse_single(&loader.read_string(dir, p)?)?,
            None => rep.clone(),
        };
        let source = rep
            .get("source")
            .ok_or_else(|| rerr("replacement is missing a source"))?;
        let mut sel_map = source.as_map().cloned().unwrap_or_default();
        let field_path = sel_map
            .remove("fieldPath")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "metadata.name".into());
        let opts = sel_map.remove("options");
        let sel = parse_selector(&Value::Map(sel_map))?.unwrap_or_default();
        let found = select(res, &sel)?;
        if found.len() != 1 {
            return Err(rerr(format!(
                "multiple matches for selector {:?}: found {}",
                sel.name,
                found.len()
            )));
        }
        let mut value = lookup(&res[found[0]].obj, &split_field_path(&field_path))
            .cloned()
            .ok_or_else(|| {
                rerr(format!(
                    "fieldPath `{field_path}` is missing for replacement source {}",
                    res[found[0]].cur_id().display()
                ))
            })?;
        if let Some(o) = &opts
            && let Some(d) = o.get("delimiter").and_then(Value::as_str)
        {
            let idx = match o.get("index") {
                Some(Value::Int(i)) => *i,
                _ => 0,
            };
            let s = value.scalar_string().unwrap_or_default();
            let parts: Vec<&str> = s.split(d).collect();
            value = Value::Str(
                parts
                    .get(idx.max(0) as usize)
                    .copied()
                    .unwrap_or("")
                    .to_string(),
            );
        }
        for t in rep
            .get("targets")
            .and_then(Value::as_seq)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let sel = parse_selector(t.get("select").unwrap_or(&Value::Null))?.unwrap_or_default();
            let rejects: Vec<_> = t
                .get("reject")
                .and_then(Value::as_seq)
                .map(|s| {
                    s.iter()
                        .filter_map(|r| parse_selector(r).ok().flatten())
                        .collect()
                })
                .unwrap_or_default();
            let mut idx = select(res, &sel)?;
            for rj in &rejects {
                let out = select(res, rj)?;
                idx.retain(|i| !out.contains(i));
            }
            let topts = t.get("options");
            let create = topts
                .and_then(|o| o.get("create"))
                .and_then(|v| {
                    if let Value::Bool(b) = v {
                        Some(*b)
                    } else {
                        None
                    }
                })
                .unwrap_or(false);
            for i in idx {
                for fp in t
                    .get("fieldPaths")
                    .and_then(Value::as_seq)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    let fp = fp
                        .as_str()
                        .ok_or_else(|| rerr("fieldPaths entries must be strings"))?;
                    let path = split_field_path(fp);
                    let mut newv = value.clone();
                    if let Some(o) = topts
                        && let Some(d) = o.get("delimiter").and_then(Value::as_str)
                    {
                        let index = match o.get("index") {
                            Some(Value::Int(i)) => *i,
                            _ => 0,
                        };
                        let old = lookup(&res[i].obj, &path)
                            .cloned()
                            .unwrap_or(Value::Str(String::new()));
                        newv = delimited(&old, &value, d, index)?;
                    }
                    let ok = set_at(&mut res[i].obj, &path, &newv, create)?;
                    if !ok && !create {
                        return Err(rerr(format!(
                            "unable to find field \"{fp}\" in replacement target {}",
                            res[i].cur_id().display()
                        )));
                    }
                }
            }
        }
    }
    Ok(())
}
