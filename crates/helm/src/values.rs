//! Values: Helm's coalescing of chart defaults, subchart scopes, globals and user values
//! (pkg/chart/common/util/coalesce.go), and dependency processing (conditions, tags, aliases,
//! import-values).

use std::cell::RefCell;
use std::rc::Rc;

use crate::chart::Chart;
use crate::error::Error;
use crate::funcs::collections::deep_copy;
use crate::value::{Map, Value};

type M = Rc<RefCell<Map>>;

fn new_map() -> M {
    Rc::new(RefCell::new(Map::new()))
}

fn map_of(v: &Value) -> Option<M> {
    match v {
        Value::Map(m) => Some(m.clone()),
        _ => None,
    }
}

fn copy_map(v: &Value) -> M {
    match deep_copy(v, 0) {
        Ok(Value::Map(m)) => m,
        _ => new_map(),
    }
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// CoalesceValues (merge = false) or MergeValues (merge = true) of `vals` onto a chart's defaults.
pub fn coalesce_values(chart: &Chart, vals: &Value, merge: bool) -> Result<Value, Error> {
    let dest = copy_map(vals);
    coalesce(chart, &dest, "", merge)?;
    Ok(Value::Map(dest))
}

fn coalesce(ch: &Chart, dest: &M, prefix: &str, merge: bool) -> Result<(), Error> {
    coalesce_chart_values(ch, dest, prefix, merge);
    coalesce_deps(ch, dest, prefix, merge)
}

fn coalesce_deps(ch: &Chart, dest: &M, prefix: &str, merge: bool) -> Result<(), Error> {
    for sub in &ch.dependencies {
        let existing = dest.borrow().get(sub.name()).cloned();
        let dv = match existing {
            None => {
                let m = new_map();
                dest.borrow_mut()
                    .insert(sub.name().to_string(), Value::Map(m.clone()));
                m
            }
            Some(Value::Map(m)) => m,
            Some(other) => {
                // Go formats the value with %t
                let shown = match &other {
                    Value::Bool(b) => b.to_string(),
                    o => format!("%!t({}={})", o.type_name(), o.to_go_string()),
                };
                return Err(Error::Values(format!(
                    "type mismatch on {}: {shown}",
                    sub.name()
                )));
            }
        };
        let sub_prefix = concat_prefix(prefix, ch.name());
        coalesce_globals(&dv, dest);
        coalesce(sub, &dv, &sub_prefix, merge)?;
    }
    Ok(())
}

fn coalesce_globals(dest: &M, src: &M) {
    let dg = match dest.borrow().get("global") {
        None => new_map(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => return,
    };
    let sg = match src.borrow().get("global") {
        None => new_map(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => return,
    };
    let entries: Vec<(String, Value)> = sg
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in entries {
        if let Value::Map(vm) = &val {
            let vv: M = Rc::new(RefCell::new(vm.borrow().clone()));
            let destv = dg.borrow().get(&key).cloned();
            match destv {
                None => {
                    dg.borrow_mut().insert(key, Value::Map(vv));
                }
                Some(Value::Map(dm)) => {
                    coalesce_tables(&vv, &dm, true);
                    dg.borrow_mut().insert(key, Value::Map(vv));
                }
                Some(_) => {}
            }
        } else if matches!(dg.borrow().get(&key), Some(Value::Map(_))) {
            // a table in the destination is kept
        } else {
            dg.borrow_mut().insert(key, val);
        }
    }
    dest.borrow_mut().insert("global".into(), Value::Map(dg));
}

fn clean_nils(m: &M, depth: usize) {
    if depth > 400 {
        return;
    }
    let subs: Vec<M> = {
        let mut b = m.borrow_mut();
        b.retain(|_, v| !v.is_nil());
        b.values().filter_map(map_of).collect()
    };
    for s in subs {
        clean_nils(&s, depth + 1);
    }
}

fn coalesce_chart_values(ch: &Chart, v: &M, _prefix: &str, merge: bool) {
    let vc = copy_map(&ch.values);
    let entries: Vec<(String, Value)> = vc
        .borrow()
        .iter()
        .map(|(k, x)| (k.clone(), x.clone()))
        .collect();
    for (key, val) in entries {
        let existing = v.borrow().get(&key).cloned();
        match existing {
            Some(Value::Nil) if !merge => {
                v.borrow_mut().remove(&key);
            }
            Some(Value::Map(dest)) => {
                if let Value::Map(src) = &val {
                    let merge = merge || ch.dependencies.iter().any(|d| d.name() == key);
                    if !merge {
                        clean_nils(src, 0);
                    }
                    coalesce_tables(&dest, src, merge);
                }
            }
            Some(_) => {}
            None => {
                if !merge {
                    if val.is_nil() {
                        continue;
                    }
                    if let Value::Map(sub) = &val {
                        clean_nils(sub, 0);
                    }
                }
                v.borrow_mut().insert(key, val);
            }
        }
    }
}

/// coalesceTablesFullKey: merges src into dst, dst being authoritative.
pub fn coalesce_tables(dst: &M, src: &M, merge: bool) {
    coalesce_tables_depth(dst, src, merge, 0)
}

fn coalesce_tables_depth(dst: &M, src: &M, merge: bool, depth: usize) {
    if depth > 400 || Rc::ptr_eq(dst, src) {
        return;
    }
    let src_non_nil: Vec<String> = src
        .borrow()
        .iter()
        .filter(|(_, v)| !v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    let dst_nils: Vec<String> = dst
        .borrow()
        .iter()
        .filter(|(_, v)| v.is_nil())
        .map(|(k, _)| k.clone())
        .collect();
    for k in dst_nils {
        src.borrow_mut().insert(k, Value::Nil);
    }
    let entries: Vec<(String, Value)> = src
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, val) in entries {
        let dv = dst.borrow().get(&key).cloned();
        match dv {
            Some(Value::Nil) if !merge && src_non_nil.contains(&key) => {
                dst.borrow_mut().remove(&key);
            }
            None => {
                dst.borrow_mut().insert(key, val);
            }
            Some(d) => {
                if let (Value::Map(sm), Value::Map(dm)) = (&val, &d) {
                    coalesce_tables_depth(dm, sm, merge, depth + 1);
                }
            }
        }
    }
}

/// Looks up a dotted path ("a.b.c") in a values map.
pub fn path_value(vals: &Value, path: &str) -> Option<Value> {
    let mut cur = vals.clone();
    for part in path.split('.') {
        let next = match &cur {
            Value::Map(m) => m.borrow().get(part).cloned(),
            _ => None,
        };
        cur = next?;
    }
    Some(cur)
}

/// ProcessDependenciesWithMerge: enables/disables subcharts from conditions and tags, applies
/// aliases, then imports values from children into parents.
pub fn process_dependencies(chart: &mut Chart, vals: &Value) -> Result<(), Error> {
    process_enabled(chart, vals, "", 0)?;
    process_imports(chart, 0)
}

fn process_enabled(c: &mut Chart, v: &Value, path: &str, depth: usize) -> Result<(), Error> {
    if depth > 20 {
        return Err(Error::Values("dependencies nested too deeply".into()));
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let mut chart_deps: Vec<Chart> = Vec::new();
    'outer: for ex in &existing {
        for req in &c.metadata.dependencies {
            if ex.name() == req.name && compatible(&req.version, &ex.metadata.version) {
                continue 'outer;
            }
        }
        chart_deps.push(ex.clone());
    }
    for req in c.metadata.dependencies.iter_mut() {
        if let Some(found) = existing
            .iter()
            .find(|ch| ch.name() == req.name && compatible(&req.version, &ch.metadata.version))
        {
            let mut dep = found.clone();
            if !req.alias.is_empty() {
                dep.metadata.name = req.alias.clone();
            }
            chart_deps.push(dep);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for d in c.metadata.dependencies.iter_mut() {
        d.enabled = true;
    }
    let cvals = coalesce_values(c, v, false)?;
    // tags
    let tags = path_value(&cvals, "tags");
    for req in c.metadata.dependencies.iter_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for t in &req.tags {
            if let Some(Value::Bool(b)) = tags.as_ref().and_then(|tv| path_value(tv, t)) {
                if b {
                    has_true = true;
                } else {
                    has_false = true;
                }
            }
        }
        // a false tag disables unless another of the chart's tags is true
        if !has_true && has_false {
            req.enabled = false;
        }
    }
    // conditions
    for req in c.metadata.dependencies.iter_mut() {
        for cond in req.condition.split(',') {
            let cond = cond.trim();
            if cond.is_empty() {
                continue;
            }
            if let Some(Value::Bool(b)) = path_value(&cvals, &format!("{path}{cond}")) {
                req.enabled = b;
                break;
            }
        }
    }
    let disabled: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|d| !d.enabled)
        .map(|d| d.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !disabled.contains(&d.metadata.name));
    c.metadata
        .dependencies
        .retain(|d| !disabled.contains(&d.name));
    for t in c.dependencies.iter_mut() {
        let sub = format!("{path}{}.", t.metadata.name);
        process_enabled(t, &cvals, &sub, depth + 1)?;
    }
    Ok(())
}

/// Helm's IsCompatibleRange: an empty or unparsable range accepts nothing unless versions match.
fn compatible(range: &str, version: &str) -> bool {
    let Some(v) = crate::funcs::semver::Version::parse(version) else {
        return false;
    };
    crate::funcs::semver::satisfies(range, &v).unwrap_or(false)
}

fn path_to_map(path: &str, data: M) -> M {
    if path == "." {
        return data;
    }
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let mut cur = data;
    for p in parts.iter().rev() {
        let m = new_map();
        m.borrow_mut().insert(p.to_string(), Value::Map(cur));
        cur = m;
    }
    cur
}

fn process_imports(c: &mut Chart, depth: usize) -> Result<(), Error> {
    if depth > 20 {
        return Err(Error::Values("dependencies nested too deeply".into()));
    }
    for d in c.dependencies.iter_mut() {
        process_imports(d, depth + 1)?;
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = coalesce_values(c, &Value::empty_map(), true)?;
    let b = new_map();
    for r in c.metadata.dependencies.iter_mut() {
        let mut out: Vec<Value> = Vec::new();
        for riv in &r.import_values {
            let (child, parent) = match riv {
                Value::Map(m) => {
                    let m = m.borrow();
                    let get = |k: &str| {
                        m.get(k)
                            .map(|v| v.to_go_string())
                            .unwrap_or_else(|| "<nil>".into())
                    };
                    (get("child"), get("parent"))
                }
                Value::Str(s) => (format!("exports.{s}"), ".".to_string()),
                _ => continue,
            };
            let mut om = Map::new();
            om.insert("child".into(), Value::from(child.clone()));
            om.insert("parent".into(), Value::from(parent.clone()));
            out.push(Value::from(om));
            let Some(Value::Map(vv)) = path_value(&cvals, &format!("{}.{child}", r.name)) else {
                continue;
            };
            let vv = copy_map(&Value::Map(vv));
            let src = path_to_map(&parent, vv);
            coalesce_tables(&b, &src, true);
        }
        r.import_values = out;
    }
    let Value::Map(cv) = deep_copy(&cvals, 0).unwrap_or_else(|_| Value::empty_map()) else {
        return Ok(());
    };
    coalesce_tables(&cv, &b, true);
    c.values = Value::Map(cv);
    Ok(())
}
