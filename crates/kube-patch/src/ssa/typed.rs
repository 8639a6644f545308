//! Walks over values guided by their [`Shape`]: the field set of a value, the comparison of two
//! values, merging an applied configuration into a live object, and removing paths. These follow
//! structured-merge-diff's typed package.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::path::{OrdValue, Path, Pe, path_string};
use super::schema::{ListKind, Shape};
use super::set::Set;

/// The path element naming a list item.
pub(crate) fn item_pe(kind: &ListKind, item: &Value) -> Result<Pe, String> {
    match kind {
        ListKind::Map(keys) => {
            let Value::Object(m) = item else {
                return Err(if item.is_null() {
                    "associative list with keys may not have a null element".to_string()
                } else {
                    "associative list with keys may not have non-map elements".to_string()
                });
            };
            let mut fields: Vec<(String, OrdValue)> = Vec::new();
            for (k, default) in keys {
                if let Some(v) = m.get(k) {
                    fields.push((k.clone(), OrdValue(v.clone())));
                } else if let Some(d) = default {
                    fields.push((k.clone(), OrdValue(d.clone())));
                }
            }
            if !keys.is_empty() && fields.is_empty() {
                let names: Vec<String> = keys.iter().map(|(k, _)| format!("{k:?}")).collect();
                return Err(format!(
                    "associative list with keys has an element that omits all key fields [{}] (and doesn't have default values for any key fields)",
                    names.join(" ")
                ));
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(Pe::Key(fields))
        }
        ListKind::Set => match item {
            Value::Object(_) => {
                Err("associative list without keys has an element that's a map type".to_string())
            }
            Value::Array(_) => {
                Err("not supported: associative list with lists as elements".to_string())
            }
            Value::Null => Err(
                "associative list without keys has an element that's an explicit null".to_string(),
            ),
            v => Ok(Pe::Value(OrdValue(v.clone()))),
        },
        ListKind::Atomic => Err("invalid indexing of non-associative list".to_string()),
    }
}

/// Validates an applied configuration as the apiserver's typed conversion does: list items must
/// be identifiable and unique. The error is prefixed with the offending path.
pub(crate) fn validate(v: &Value, shape: Shape, path: &mut Path) -> Result<(), String> {
    match v {
        Value::Object(m) if !shape.atomic() => {
            for (k, x) in m {
                let (child, _) = shape.field(k);
                path.push(Pe::Field(k.clone()));
                validate(x, child, path)?;
                path.pop();
            }
            Ok(())
        }
        Value::Array(a) => {
            let kind = shape.list_kind();
            if kind == ListKind::Atomic || shape.atomic() {
                return Ok(());
            }
            let mut seen = std::collections::BTreeSet::new();
            for (i, item) in a.iter().enumerate() {
                let pe = item_pe(&kind, item)
                    .map_err(|e| format!("{}: element {i}: {e}", display(path)))?;
                if !seen.insert(pe.clone()) {
                    return Err(format!("{}: duplicate entries for key {pe}", display(path)));
                }
                path.push(pe);
                validate(item, shape.elem(), path)?;
                path.pop();
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn display(path: &Path) -> String {
    if path.is_empty() {
        String::new()
    } else {
        path_string(path)
    }
}

/// structured-merge-diff's ToFieldSet: leaves, empty or null values, map items (not struct
/// fields), atomic values and list items are members.
pub(crate) fn to_field_set(v: &Value, shape: Shape) -> Set {
    let mut set = Set::default();
    let mut path = Vec::new();
    field_set_walk(v, shape, &mut path, &mut set);
    set
}

fn field_set_walk(v: &Value, shape: Shape, path: &mut Path, set: &mut Set) {
    match v {
        Value::Object(m) => {
            if shape.atomic() {
                set.insert(path);
                return;
            }
            for (k, x) in m {
                let (child, named) = shape.field(k);
                path.push(Pe::Field(k.clone()));
                field_set_walk(x, child, path, set);
                let empty_map = matches!(x, Value::Object(o) if o.is_empty());
                if x.is_null() || empty_map || !named {
                    set.insert(path);
                }
                path.pop();
            }
        }
        Value::Array(a) => {
            let kind = shape.list_kind();
            if kind == ListKind::Atomic || shape.atomic() {
                set.insert(path);
                return;
            }
            let pes: Vec<Option<Pe>> = a.iter().map(|x| item_pe(&kind, x).ok()).collect();
            let mut count: BTreeMap<&Pe, usize> = BTreeMap::new();
            for pe in pes.iter().flatten() {
                *count.entry(pe).or_default() += 1;
            }
            for (item, pe) in a.iter().zip(pes.iter()) {
                let Some(pe) = pe else { continue };
                path.push(pe.clone());
                if count.get(pe).copied().unwrap_or(0) < 2 {
                    field_set_walk(item, shape.elem(), path, set);
                }
                set.insert(path);
                path.pop();
            }
        }
        _ => set.insert(path),
    }
}

/// Fields added, removed and modified between two versions of an object.
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    pub added: Set,
    pub removed: Set,
    pub modified: Set,
}

impl Comparison {
    pub fn filter(self, keep: &dyn Fn(&Pe) -> bool) -> Comparison {
        Comparison {
            added: self.added.filter_top(keep),
            removed: self.removed.filter_top(keep),
            modified: self.modified.filter_top(keep),
        }
    }
}

pub(crate) fn compare(old: &Value, new: &Value, shape: Shape) -> Comparison {
    let mut cmp = Comparison::default();
    let mut path = Vec::new();
    compare_walk(Some(old), Some(new), shape, &mut path, &mut cmp);
    cmp
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Walk {
    Leaf,
    Map,
    List,
}

/// How two values at the same position are walked: null acts as an empty map or list facing one.
fn walk_kind(l: Option<&Value>, r: Option<&Value>, shape: &Shape) -> Walk {
    let is = |v: Option<&Value>, f: fn(&Value) -> bool| v.is_none_or(|v| v.is_null() || f(v));
    let nonempty_map = |v: Option<&Value>| matches!(v, Some(Value::Object(m)) if !m.is_empty());
    let nonempty_list = |v: Option<&Value>| matches!(v, Some(Value::Array(a)) if !a.is_empty());
    let any_map = matches!(l, Some(Value::Object(_))) || matches!(r, Some(Value::Object(_)));
    let any_list = matches!(l, Some(Value::Array(_))) || matches!(r, Some(Value::Array(_)));
    if any_map && is(l, Value::is_object) && is(r, Value::is_object) {
        if shape.atomic() || !(nonempty_map(l) || nonempty_map(r)) {
            return Walk::Leaf;
        }
        return Walk::Map;
    }
    if any_list && is(l, Value::is_array) && is(r, Value::is_array) {
        if shape.atomic()
            || shape.list_kind() == ListKind::Atomic
            || !(nonempty_list(l) || nonempty_list(r))
        {
            return Walk::Leaf;
        }
        return Walk::List;
    }
    Walk::Leaf
}

fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

fn compare_walk(
    l: Option<&Value>,
    r: Option<&Value>,
    shape: Shape,
    path: &mut Path,
    cmp: &mut Comparison,
) {
    if l.is_none() && r.is_none() {
        return;
    }
    match walk_kind(l, r, &shape) {
        Walk::Leaf => {
            match (l, r) {
                (None, _) => cmp.added.insert(path),
                (_, None) => cmp.removed.insert(path),
                (Some(a), Some(b)) if a != b => cmp.modified.insert(path),
                _ => {}
            }
            return;
        }
        Walk::Map => {
            let lm = l.and_then(Value::as_object).unwrap_or(empty_map());
            let rm = r.and_then(Value::as_object).unwrap_or(empty_map());
            for (k, lv) in lm {
                let (child, _) = shape.field(k);
                path.push(Pe::Field(k.clone()));
                compare_walk(Some(lv), rm.get(k), child, path, cmp);
                path.pop();
            }
            for (k, rv) in rm {
                if lm.contains_key(k) {
                    continue;
                }
                let (child, _) = shape.field(k);
                path.push(Pe::Field(k.clone()));
                compare_walk(None, Some(rv), child, path, cmp);
                path.pop();
            }
        }
        Walk::List => compare_lists(l, r, shape, path, cmp),
    }
    if l.is_none() {
        cmp.added.insert(path);
    } else if r.is_none() {
        cmp.removed.insert(path);
    }
}

fn index_items<'v>(
    list: Option<&'v Value>,
    kind: &ListKind,
    order: &mut Vec<Pe>,
    seen_elsewhere: Option<&BTreeMap<Pe, Vec<&'v Value>>>,
) -> BTreeMap<Pe, Vec<&'v Value>> {
    let mut out: BTreeMap<Pe, Vec<&Value>> = BTreeMap::new();
    for item in list
        .and_then(Value::as_array)
        .map(|a| a.as_slice())
        .unwrap_or(&[])
    {
        let Ok(pe) = item_pe(kind, item) else {
            continue;
        };
        match out.get_mut(&pe) {
            Some(v) => v.push(item),
            None => {
                if seen_elsewhere.is_none_or(|m| !m.contains_key(&pe)) {
                    order.push(pe.clone());
                }
                out.insert(pe, vec![item]);
            }
        }
    }
    out
}

fn compare_lists(
    l: Option<&Value>,
    r: Option<&Value>,
    shape: Shape,
    path: &mut Path,
    cmp: &mut Comparison,
) {
    let kind = shape.list_kind();
    let mut order = Vec::new();
    let lv = index_items(l, &kind, &mut order, None);
    let rv = index_items(r, &kind, &mut order, Some(&lv));
    let elem = shape.elem();
    for pe in order {
        let ll = lv.get(&pe).map(Vec::as_slice).unwrap_or(&[]);
        let rl = rv.get(&pe).map(Vec::as_slice).unwrap_or(&[]);
        path.push(pe);
        match (ll.len(), rl.len()) {
            (a, b) if a <= 1 && b <= 1 => {
                compare_walk(ll.first().copied(), rl.first().copied(), elem, path, cmp)
            }
            (a, b) if a >= 2 && b >= 2 => {
                if ll != rl {
                    cmp.modified.insert(path);
                }
            }
            (a, _) if a >= 2 => {
                if let Some(x) = rl.first() {
                    compare_walk(None, Some(x), elem, path, cmp);
                }
                cmp.removed.insert(path);
            }
            _ => {
                if let Some(x) = ll.first() {
                    compare_walk(Some(x), None, elem, path, cmp);
                }
                cmp.added.insert(path);
            }
        }
        path.pop();
    }
}

/// Merges the applied configuration `r` into the live value `l` (configuration wins on leaves).
pub(crate) fn merge(l: Option<&Value>, r: Option<&Value>, shape: Shape) -> Option<Value> {
    let (l, r) = match (l, r) {
        (None, None) => return None,
        (Some(l), None) => return Some(l.clone()),
        (None, Some(r)) => return Some(r.clone()),
        (Some(l), Some(r)) => (l, r),
    };
    match walk_kind(Some(l), Some(r), &shape) {
        Walk::Leaf => Some(r.clone()),
        Walk::Map => {
            let lm = l.as_object().unwrap_or(empty_map());
            let rm = r.as_object().unwrap_or(empty_map());
            let mut out = Map::new();
            for (k, lv) in lm {
                let (child, _) = shape.field(k);
                if let Some(v) = merge(Some(lv), rm.get(k), child) {
                    out.insert(k.clone(), v);
                }
            }
            for (k, rv) in rm {
                if lm.contains_key(k) {
                    continue;
                }
                let (child, _) = shape.field(k);
                if let Some(v) = merge(None, Some(rv), child) {
                    out.insert(k.clone(), v);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        Walk::List => merge_lists(l, r, shape),
    }
}

/// structured-merge-diff's list merge: items keep the live order, applied items not yet live are
/// placed following the applied order.
fn merge_lists(l: &Value, r: &Value, shape: Shape) -> Option<Value> {
    let kind = shape.list_kind();
    let elem = shape.elem();
    let empty = Vec::new();
    let la = l.as_array().unwrap_or(&empty);
    let ra = r.as_array().unwrap_or(&empty);
    let index = |a: &[Value]| -> (Vec<Pe>, Vec<usize>, BTreeMap<Pe, usize>) {
        let mut pes = Vec::new();
        let mut at = Vec::new();
        let mut first = BTreeMap::new();
        for (i, item) in a.iter().enumerate() {
            if let Ok(pe) = item_pe(&kind, item) {
                first.entry(pe.clone()).or_insert(i);
                pes.push(pe);
                at.push(i);
            }
        }
        (pes, at, first)
    };
    let (lpes, lat, lobs) = index(la);
    let (rpes, _, robs) = index(ra);
    let mut shared: std::collections::VecDeque<&Pe> =
        rpes.iter().filter(|pe| lobs.contains_key(pe)).collect();
    let mut next_shared = shared.pop_front();
    let mut merged_rhs = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    let (mut li, mut ri) = (0usize, 0usize);
    let bound = (lpes.len() + rpes.len()) * 2 + 2;
    let mut steps = 0;
    while (li < lpes.len() || ri < rpes.len()) && steps < bound {
        steps += 1;
        if li < lpes.len() && ri < rpes.len() {
            let pe = &lpes[li];
            if *pe == rpes[ri] {
                merged_rhs.insert(pe.clone());
                let lc = lobs.get(pe).map(|&i| &la[i]);
                let rc = robs.get(pe).map(|&i| &ra[i]);
                out.extend(merge(lc, rc, elem));
                li += 1;
                ri += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if robs.contains_key(pe) && next_shared.is_some_and(|n| n != pe) {
                li += 1;
                continue;
            }
        }
        if li < lpes.len() {
            let pe = &lpes[li];
            if !robs.contains_key(pe) {
                out.extend(merge(Some(&la[lat[li]]), None, elem));
                li += 1;
                continue;
            } else if merged_rhs.contains(pe) {
                li += 1;
            }
        }
        if ri < rpes.len() {
            let pe = &rpes[ri];
            merged_rhs.insert(pe.clone());
            let lc = lobs.get(pe).map(|&i| &la[i]);
            let rc = robs.get(pe).map(|&i| &ra[i]);
            out.extend(merge(lc, rc, elem));
            ri += 1;
            if next_shared.is_some_and(|n| n == pe) {
                next_shared = shared.pop_front();
            }
        }
    }
    (!out.is_empty()).then_some(Value::Array(out))
}

/// Removes the paths of `set` from `v` (a member removes the whole subtree). A map or list left
/// empty becomes null, as in structured-merge-diff (typed built-in objects then drop it).
pub(crate) fn remove_items(v: &Value, set: &Set, shape: Shape) -> Value {
    match v {
        Value::Object(m) => {
            if m.is_empty() || shape.atomic() {
                return v.clone();
            }
            let mut out = Map::new();
            for (k, x) in m {
                let pe = Pe::Field(k.clone());
                if set.members.contains(&pe) {
                    continue;
                }
                let (child, _) = shape.field(k);
                let kept = match set.with_prefix(&pe) {
                    Some(sub) if !sub.is_empty() => remove_items(x, sub, child),
                    _ => x.clone(),
                };
                out.insert(k.clone(), kept);
            }
            if out.is_empty() {
                Value::Null
            } else {
                Value::Object(out)
            }
        }
        Value::Array(a) => {
            let kind = shape.list_kind();
            if a.is_empty() || kind == ListKind::Atomic || shape.atomic() {
                return v.clone();
            }
            let mut out = Vec::new();
            for item in a {
                let Ok(pe) = item_pe(&kind, item) else {
                    out.push(item.clone());
                    continue;
                };
                if set.members.contains(&pe) {
                    continue;
                }
                match set.with_prefix(&pe) {
                    Some(sub) if !sub.is_empty() => out.push(remove_items(item, sub, shape.elem())),
                    _ => out.push(item.clone()),
                }
            }
            if out.is_empty() {
                Value::Null
            } else {
                Value::Array(out)
            }
        }
        other => other.clone(),
    }
}

/// Adds, as members, the named (struct) fields that have children in the set.
pub(crate) fn ensure_named_fields(set: &Set, shape: Shape) -> Set {
    let mut out = Set {
        members: set.members.clone(),
        children: Default::default(),
    };
    for (pe, child) in &set.children {
        let child_shape = match pe {
            Pe::Field(name) => {
                let (s, named) = shape.field(name);
                if named {
                    out.members.insert(pe.clone());
                }
                s
            }
            _ => shape.elem(),
        };
        out.children
            .insert(pe.clone(), ensure_named_fields(child, child_shape));
    }
    out
}
