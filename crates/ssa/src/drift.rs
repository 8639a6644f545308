//! Drift ignore rules (`spec.ignore`, fluxcd/pkg `ssa/jsondiff` and the drift handling of
//! `manager_apply.go`): JSON pointers left out of the comparison, and kept at their live value
//! (or left to the other manager that owns them) when the object is applied.

use std::collections::BTreeMap;

use flux_api::kustomize::{IgnoreRule, Selector};
use regex::Regex;
use serde_json::Value;

use crate::error::SsaError;
use crate::object::{metadata_map, split_api_version};

/// Ignore rules with their selectors compiled.
#[derive(Debug, Default)]
pub(crate) struct CompiledRules {
    rules: Vec<(Option<CompiledSelector>, Vec<String>)>,
}

#[derive(Debug)]
struct CompiledSelector {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

impl CompiledRules {
    pub(crate) fn compile(rules: &[IgnoreRule]) -> Result<Self, SsaError> {
        let mut out = Vec::with_capacity(rules.len());
        for rule in rules {
            let selector = match &rule.target {
                Some(s) => Some(compile_selector(s).map_err(|e| {
                    SsaError::InvalidIgnoreRule(format!(
                        "failed to create ignore rule selector: {e}"
                    ))
                })?),
                None => None,
            };
            out.push((selector, rule.paths.clone()));
        }
        Ok(CompiledRules { rules: out })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The ignored paths of every rule whose selector matches the object.
    pub(crate) fn paths_for(&self, obj: &Value) -> Vec<String> {
        self.rules
            .iter()
            .filter(|(sel, _)| sel.as_ref().is_none_or(|s| s.matches(obj)))
            .flat_map(|(_, paths)| paths.iter().cloned())
            .collect()
    }
}

fn anchored(pattern: &Option<String>, what: &str) -> Result<Option<Regex>, String> {
    match pattern.as_deref() {
        None | Some("") => Ok(None),
        Some(p) => Regex::new(&format!("^(?:{p})$"))
            .map(Some)
            .map_err(|e| format!("invalid {what} regex: {e}")),
    }
}

fn compile_selector(s: &Selector) -> Result<CompiledSelector, String> {
    let parse = |sel: &Option<String>, what: &str| match sel.as_deref() {
        None | Some("") => Ok(None),
        Some(text) => LabelSelector::parse(text)
            .map(Some)
            .map_err(|e| format!("invalid {what} selector: {e}")),
    };
    Ok(CompiledSelector {
        group: anchored(&s.group, "group")?,
        version: anchored(&s.version, "version")?,
        kind: anchored(&s.kind, "kind")?,
        name: anchored(&s.name, "name")?,
        namespace: anchored(&s.namespace, "namespace")?,
        labels: parse(&s.label_selector, "label")?,
        annotations: parse(&s.annotation_selector, "annotation")?,
    })
}

impl CompiledSelector {
    fn matches(&self, obj: &Value) -> bool {
        let s = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("");
        let (group, version) = split_api_version(s("/apiVersion"));
        let hit = |re: &Option<Regex>, v: &str| re.as_ref().is_none_or(|re| re.is_match(v));
        hit(&self.namespace, s("/metadata/namespace"))
            && hit(&self.name, s("/metadata/name"))
            && hit(&self.group, group)
            && hit(&self.version, version)
            && hit(&self.kind, s("/kind"))
            && self
                .labels
                .as_ref()
                .is_none_or(|l| l.matches(&metadata_map(obj, "labels")))
            && self
                .annotations
                .as_ref()
                .is_none_or(|l| l.matches(&metadata_map(obj, "annotations")))
    }
}

/// A Kubernetes label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelSelector(Vec<Requirement>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

impl LabelSelector {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(text)? {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            reqs.push(parse_requirement(part)?);
        }
        Ok(LabelSelector(reqs))
    }

    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::NotExists(k) => !labels.contains_key(k),
        })
    }
}

/// Splits on commas outside parentheses.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unexpected ')' in {text:?}"));
                }
            }
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(format!("unclosed '(' in {text:?}"));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let key_ok = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    let checked = |k: &str| -> Result<String, String> {
        let k = k.trim();
        if key_ok(k) {
            Ok(k.to_string())
        } else {
            Err(format!("invalid key {k:?}"))
        }
    };
    if let Some(k) = part.strip_prefix('!') {
        return Ok(Requirement::NotExists(checked(k)?));
    }
    if let Some((k, v)) = part.split_once("!=") {
        return Ok(Requirement::NotEquals(checked(k)?, v.trim().to_string()));
    }
    if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Requirement::Equals(checked(k)?, v.trim().to_string()));
    }
    let set = |rest: &str| -> Result<Vec<String>, String> {
        let inner = rest
            .trim()
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .ok_or_else(|| format!("expected a (set) in {part:?}"))?;
        Ok(inner
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect())
    };
    let words: Vec<&str> = part.splitn(3, char::is_whitespace).collect();
    match words.as_slice() {
        [k] => Ok(Requirement::Exists(checked(k)?)),
        [k, "in", rest] => Ok(Requirement::In(checked(k)?, set(rest)?)),
        [k, "notin", rest] => Ok(Requirement::NotIn(checked(k)?, set(rest)?)),
        _ => Err(format!("unsupported requirement {part:?}")),
    }
}

/// RFC 6901 tokens of a pointer; None for a pointer not starting with `/` (or the root `""`).
fn tokens(pointer: &str) -> Option<Vec<String>> {
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Removes the value at `pointer`; missing paths are fine. The root pointer `""` empties the
/// whole document (ignoring the entire object).
pub(crate) fn remove_path(doc: &mut Value, pointer: &str) {
    if pointer.is_empty() {
        *doc = Value::Null;
        return;
    }
    let Some(mut toks) = tokens(pointer) else {
        return;
    };
    let Some(last) = toks.pop() else {
        return;
    };
    let Some(parent) = walk_mut(doc, &toks) else {
        return;
    };
    match parent {
        Value::Object(m) => {
            m.remove(&last);
        }
        Value::Array(a) => {
            if let Ok(i) = last.parse::<usize>()
                && i < a.len()
            {
                a.remove(i);
            }
        }
        _ => {}
    }
}

/// Replaces the value at `pointer` when the path exists (a JSON patch `replace`); None removes.
fn replace_path(doc: &mut Value, pointer: &str, value: Option<&Value>) {
    let Some(value) = value else {
        remove_path(doc, pointer);
        return;
    };
    let Some(mut toks) = tokens(pointer) else {
        return;
    };
    let Some(last) = toks.pop() else {
        return;
    };
    match walk_mut(doc, &toks) {
        Some(Value::Object(m)) => {
            if let Some(slot) = m.get_mut(&last) {
                *slot = value.clone();
            }
        }
        Some(Value::Array(a)) => {
            if let Some(slot) = last.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                *slot = value.clone();
            }
        }
        _ => {}
    }
}

fn walk_mut<'a>(mut doc: &'a mut Value, toks: &[String]) -> Option<&'a mut Value> {
    for t in toks {
        doc = match doc {
            Value::Object(m) => m.get_mut(t)?,
            Value::Array(a) => a.get_mut(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(doc)
}

/// What to do with one ignored path when applying.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DriftFix {
    /// Another Apply manager owns the field: leave it out of the applied object.
    Strip(String),
    /// Keep the live value (None: the field is absent live).
    Adopt(String, Option<Value>),
}

/// The ignored paths whose live value differs from the dry-run value, and how to keep them.
pub(crate) fn drifted_paths(
    existing: &Value,
    dry_run: &Value,
    paths: &[String],
    owner_manager: &str,
) -> Vec<DriftFix> {
    let managers = apply_managers(existing);
    paths
        .iter()
        .filter(|p| !p.is_empty())
        .filter(|p| existing.pointer(p) != dry_run.pointer(p))
        .map(|p| {
            let owned_by_other = field_segments(existing, p, &managers).is_some_and(|segs| {
                managers
                    .iter()
                    .filter(|(m, _)| m != owner_manager)
                    .any(|(_, fields)| fields_contain(fields, &segs))
            });
            if owned_by_other {
                DriftFix::Strip(p.clone())
            } else {
                DriftFix::Adopt(p.clone(), existing.pointer(p).cloned())
            }
        })
        .collect()
}

/// Applies the fixes to the object about to be applied.
pub(crate) fn apply_fixes(obj: &mut Value, fixes: &[DriftFix]) {
    for f in fixes {
        if let DriftFix::Strip(p) = f {
            remove_path(obj, p);
        }
    }
    for f in fixes {
        if let DriftFix::Adopt(p, v) = f {
            replace_path(obj, p, v.as_ref());
        }
    }
}

/// The `fieldsV1` of every Apply entry (not of subresources), by manager.
fn apply_managers(obj: &Value) -> Vec<(String, Value)> {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .filter(|e| e.get("operation").and_then(Value::as_str) == Some("Apply"))
                .filter(|e| {
                    e.get("subresource")
                        .and_then(Value::as_str)
                        .is_none_or(str::is_empty)
                })
                .filter_map(|e| {
                    Some((
                        e.get("manager")?.as_str()?.to_string(),
                        e.get("fieldsV1")?.clone(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The managedFields path of a JSON pointer: `f:<field>` per field, and for list items the
/// `k:{...}` key of the item (found among the managers' keys at that list).
fn field_segments(obj: &Value, pointer: &str, managers: &[(String, Value)]) -> Option<Vec<String>> {
    let toks = tokens(pointer)?;
    let mut segments: Vec<String> = Vec::with_capacity(toks.len());
    let mut node = obj;
    for t in toks {
        match node {
            Value::Array(items) => {
                let item = items.get(t.parse::<usize>().ok()?)?;
                let key = item_key(item, &segments, managers)?;
                segments.push(key);
                node = item;
            }
            Value::Object(m) => {
                segments.push(format!("f:{t}"));
                node = m.get(&t)?;
            }
            _ => return None,
        }
    }
    Some(segments)
}

fn item_key(item: &Value, parent: &[String], managers: &[(String, Value)]) -> Option<String> {
    let fields = item.as_object()?;
    for (_, tree) in managers {
        let Some(Value::Object(at)) = walk(tree, parent) else {
            continue;
        };
        for key in at.keys().filter(|k| k.starts_with("k:")) {
            let Ok(Value::Object(kv)) = serde_json::from_str::<Value>(&key[2..]) else {
                continue;
            };
            if kv.iter().all(|(k, v)| fields.get(k) == Some(v)) {
                return Some(key.clone());
            }
        }
    }
    None
}

fn walk<'a>(mut tree: &'a Value, segments: &[String]) -> Option<&'a Value> {
    for s in segments {
        tree = tree.get(s)?;
    }
    Some(tree)
}

fn fields_contain(tree: &Value, segments: &[String]) -> bool {
    !segments.is_empty() && walk(tree, segments).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors() {
        let l = BTreeMap::from([
            ("app".to_string(), "web".to_string()),
            ("tier".to_string(), "front".to_string()),
        ]);
        let m = |s: &str| LabelSelector::parse(s).unwrap().matches(&l);
        assert!(m("app=web"));
        assert!(m("app==web,tier"));
        assert!(m("app in (web, api),!missing"));
        assert!(!m("app notin (web)"));
        assert!(!m("app!=web"));
        assert!(m(""));
        assert!(LabelSelector::parse("app in (web").is_err());
        assert!(LabelSelector::parse("a b c").is_err());
    }

    #[test]
    fn selectors_are_anchored_regexes() {
        let rules = CompiledRules::compile(&[IgnoreRule {
            paths: vec!["/spec/replicas".into()],
            target: Some(Selector {
                kind: Some("Deploy.*".into()),
                name: Some("web".into()),
                ..Default::default()
            }),
        }])
        .unwrap();
        let obj = |name: &str| json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":name}});
        assert_eq!(rules.paths_for(&obj("web")), vec!["/spec/replicas"]);
        assert!(rules.paths_for(&obj("web2")).is_empty());
        let bad = CompiledRules::compile(&[IgnoreRule {
            paths: vec![],
            target: Some(Selector {
                name: Some("(".into()),
                ..Default::default()
            }),
        }]);
        assert!(
            bad.unwrap_err()
                .to_string()
                .starts_with("failed to create ignore rule selector: invalid name regex")
        );
    }

    #[test]
    fn pointers_remove_and_replace() {
        let mut d = json!({"a": {"b/c": [1, 2, 3]}, "x": 1});
        remove_path(&mut d, "/a/b~1c/1");
        assert_eq!(d, json!({"a": {"b/c": [1, 3]}, "x": 1}));
        remove_path(&mut d, "/nope/deeper");
        replace_path(&mut d, "/x", Some(&json!(5)));
        replace_path(&mut d, "/y", Some(&json!(5)));
        assert_eq!(d, json!({"a": {"b/c": [1, 3]}, "x": 5}));
    }

    #[test]
    fn ownership_decides_strip_or_adopt() {
        let existing = json!({
            "metadata": {"managedFields": [
                {"manager": "kustomize-controller", "operation": "Apply",
                 "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}}}}}}}},
                {"manager": "hpa", "operation": "Apply", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
            ]},
            "spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "app", "image": "live"}]}}}
        });
        let dry = json!({"spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "app", "image": "desired"}]}}}});
        let fixes = drifted_paths(
            &existing,
            &dry,
            &[
                "/spec/replicas".into(),
                "/spec/template/spec/containers/0/image".into(),
            ],
            "kustomize-controller",
        );
        assert_eq!(
            fixes,
            vec![
                DriftFix::Strip("/spec/replicas".into()),
                DriftFix::Adopt(
                    "/spec/template/spec/containers/0/image".into(),
                    Some(json!("live"))
                ),
            ]
        );
        let mut applied = dry.clone();
        apply_fixes(&mut applied, &fixes);
        assert_eq!(
            applied,
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "live"}]}}}})
        );
    }
}
