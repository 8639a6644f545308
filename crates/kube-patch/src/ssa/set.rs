//! Sets of field paths (structured-merge-diff's fieldpath.Set) and their FieldsV1 encoding.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::path::{Path, Pe, deserialize_pe, serialize_pe};

/// A set of paths as a tree: `members` are paths ending here, `children` continue further.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Set {
    pub members: BTreeSet<Pe>,
    pub children: BTreeMap<Pe, Set>,
}

impl Set {
    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.values().all(Set::is_empty)
    }

    pub fn insert(&mut self, path: &[Pe]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone());
            }
            [first, rest @ ..] => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    #[cfg(test)]
    pub fn has(&self, path: &[Pe]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains(last),
            [first, rest @ ..] => self.children.get(first).is_some_and(|c| c.has(rest)),
        }
    }

    /// Paths below `pe`, without it.
    pub fn with_prefix(&self, pe: &Pe) -> Option<&Set> {
        self.children.get(pe)
    }

    pub fn union(&self, other: &Set) -> Set {
        let mut out = self.clone();
        out.members.extend(other.members.iter().cloned());
        for (pe, child) in &other.children {
            let merged = match out.children.get(pe) {
                Some(mine) => mine.union(child),
                None => child.clone(),
            };
            out.children.insert(pe.clone(), merged);
        }
        out
    }

    pub fn difference(&self, other: &Set) -> Set {
        let mut out = Set {
            members: self.members.difference(&other.members).cloned().collect(),
            children: BTreeMap::new(),
        };
        for (pe, child) in &self.children {
            let diff = match other.children.get(pe) {
                Some(theirs) => child.difference(theirs),
                None => child.clone(),
            };
            if !diff.is_empty() {
                out.children.insert(pe.clone(), diff);
            }
        }
        out
    }

    pub fn intersection(&self, other: &Set) -> Set {
        let mut out = Set {
            members: self.members.intersection(&other.members).cloned().collect(),
            children: BTreeMap::new(),
        };
        for (pe, child) in &self.children {
            if let Some(theirs) = other.children.get(pe) {
                let inter = child.intersection(theirs);
                if !inter.is_empty() {
                    out.children.insert(pe.clone(), inter);
                }
            }
        }
        out
    }

    /// Keeps only paths for which `keep(first element)` holds at the top level.
    pub fn filter_top(&self, keep: impl Fn(&Pe) -> bool) -> Set {
        Set {
            members: self.members.iter().filter(|pe| keep(pe)).cloned().collect(),
            children: self
                .children
                .iter()
                .filter(|(pe, _)| keep(pe))
                .map(|(pe, c)| (pe.clone(), c.clone()))
                .collect(),
        }
    }

    /// Every path, members of a level before its children (structured-merge-diff's order).
    pub fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect(&mut Vec::new(), &mut out);
        out
    }

    fn collect(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        for pe in &self.members {
            let mut p = prefix.clone();
            p.push(pe.clone());
            out.push(p);
        }
        for (pe, child) in &self.children {
            prefix.push(pe.clone());
            child.collect(prefix, out);
            prefix.pop();
        }
    }

    /// The FieldsV1 object: keys in path-element order, `{}` for members, `"."` when a path is
    /// both a member and has children.
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(self.emit(false))
    }

    fn emit(&self, include_self: bool) -> Map<String, Value> {
        let mut out = Map::new();
        let has_content = !self.members.is_empty() || !self.children.is_empty();
        if include_self && has_content {
            out.insert(".".to_string(), Value::Object(Map::new()));
        }
        let mut keys: BTreeSet<&Pe> = self.members.iter().collect();
        keys.extend(self.children.keys());
        for pe in keys {
            let child = self.children.get(pe);
            let member = self.members.contains(pe);
            let v = match child {
                Some(c) => Value::Object(c.emit(member)),
                None => Value::Object(Map::new()),
            };
            out.insert(serialize_pe(pe), v);
        }
        out
    }

    /// Parses a FieldsV1 object. Unknown element kinds are skipped, as the apiserver does.
    pub fn from_fields_v1(v: &Value) -> Result<Set, String> {
        let Value::Object(m) = v else {
            return Err("FieldsV1 must be a JSON object".to_string());
        };
        let (set, _) = read_level(m, 0)?;
        Ok(set.unwrap_or_default())
    }
}

/// Returns the children found at this level and whether the level marks its parent a member.
fn read_level(m: &Map<String, Value>, depth: usize) -> Result<(Option<Set>, bool), String> {
    if depth > crate::MAX_DEPTH {
        return Err("FieldsV1 nested too deeply".to_string());
    }
    let mut children: Option<Set> = None;
    let mut is_member = false;
    for (k, v) in m {
        if k == "." {
            is_member = true;
            continue;
        }
        let Some(pe) = deserialize_pe(k)? else {
            continue;
        };
        let Value::Object(inner) = v else {
            return Err(format!("FieldsV1 value for {k} must be an object"));
        };
        let (grandchildren, child_is_member) = read_level(inner, depth + 1)?;
        if child_is_member {
            children
                .get_or_insert_with(Set::default)
                .members
                .insert(pe.clone());
        }
        if let Some(g) = grandchildren {
            children
                .get_or_insert_with(Set::default)
                .children
                .insert(pe, g);
        }
    }
    if children.is_none() {
        is_member = true;
    }
    Ok((children, is_member))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssa::path::OrdValue;
    use serde_json::json;

    fn f(n: &str) -> Pe {
        Pe::Field(n.to_string())
    }

    #[test]
    fn fields_v1_round_trip_with_dot_for_member_and_children() {
        let key = Pe::Key(vec![("name".to_string(), OrdValue(json!("a")))]);
        let mut s = Set::default();
        s.insert(&[f("spec"), f("replicas")]);
        s.insert(&[f("spec"), f("list"), key.clone()]);
        s.insert(&[f("spec"), f("list"), key.clone(), f("image")]);
        s.insert(&[f("spec"), f("tags"), Pe::Value(OrdValue(json!("x<y")))]);
        s.insert(&[f("spec"), f("raw"), Pe::Index(3)]);
        let v = s.to_fields_v1();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"f:spec":{"f:list":{"k:{\"name\":\"a\"}":{".":{},"f:image":{}}},"f:raw":{"i:3":{}},"f:replicas":{},"f:tags":{"v:\"x\\u003cy\"":{}}}}"#
        );
        let back = Set::from_fields_v1(&v).unwrap();
        assert_eq!(back, s);
        assert!(back.has(&[f("spec"), f("list"), key]));
        assert!(!back.has(&[f("spec")]));
    }

    #[test]
    fn set_operations() {
        let mut a = Set::default();
        a.insert(&[f("a"), f("x")]);
        a.insert(&[f("b")]);
        let mut b = Set::default();
        b.insert(&[f("a"), f("x")]);
        b.insert(&[f("c")]);
        assert_eq!(a.intersection(&b).paths(), vec![vec![f("a"), f("x")]]);
        assert_eq!(a.difference(&b).paths(), vec![vec![f("b")]]);
        assert_eq!(a.union(&b).paths().len(), 3);
        assert!(a.difference(&a).is_empty());
    }

    #[test]
    fn malformed_fields_v1_is_an_error_unknown_prefixes_are_skipped() {
        assert!(Set::from_fields_v1(&json!({"f:a": 1})).is_err());
        assert!(Set::from_fields_v1(&json!({"k:[1]": {}})).is_err());
        let s = Set::from_fields_v1(&json!({"z:unknown": {}, "f:a": {}})).unwrap();
        assert_eq!(s.paths(), vec![vec![f("a")]]);
    }
}
