//! Strategic merge patches as kustomize's kyaml merge applies them: the built-in kinds'
//! merge keys and the `$patch` directive. Other `$` directives are not understood by
//! kyaml and are merged as ordinary fields, which this engine reproduces.

use crate::error::Error;
use crate::value::{Map, Value};

const MAX_DEPTH: usize = 200;

/// How a list field merges: by a key field, as a set of primitives, or replaced whole.
#[derive(Clone, Copy, PartialEq)]
enum ListStrategy<'a> {
    Key(&'a str),
    PrimitiveSet,
    Replace,
}

/// The merge keys of the built-in Kubernetes types, looked up by field name and the
/// name of the enclosing field (kustomize reads them from the OpenAPI schema).
fn strategy_for(field: &str, parent: &str, builtin: bool) -> ListStrategy<'static> {
    if !builtin {
        return ListStrategy::Replace;
    }
    match field {
        "containers" | "initContainers" | "ephemeralContainers" => ListStrategy::Key("name"),
        "env" | "volumes" | "imagePullSecrets" | "resourceClaims" | "schedulingGates" => {
            ListStrategy::Key("name")
        }
        "volumeMounts" => ListStrategy::Key("mountPath"),
        "volumeDevices" => ListStrategy::Key("devicePath"),
        "ports"
            if parent == "containers"
                || parent == "initContainers"
                || parent == "ephemeralContainers" =>
        {
            ListStrategy::Key("containerPort")
        }
        "ports" if parent == "spec" => ListStrategy::Key("port"),
        "hostAliases" => ListStrategy::Key("ip"),
        "topologySpreadConstraints" => ListStrategy::Key("topologyKey"),
        "readinessGates" => ListStrategy::Key("conditionType"),
        "conditions" => ListStrategy::Key("type"),
        "ownerReferences" => ListStrategy::Key("uid"),
        "finalizers" => ListStrategy::PrimitiveSet,
        _ => ListStrategy::Replace,
    }
}

/// kustomize's builtin API groups: lists of other kinds (CRDs) are replaced, not merged.
pub fn is_builtin_api_version(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    group.is_empty()
        || !group.contains('.')
        || group.ends_with(".k8s.io")
        || group == "apps"
        || group == "batch"
        || group == "policy"
        || group == "autoscaling"
}

pub fn apply(target: &mut Value, patch: &Value, builtin: bool) -> Result<(), Error> {
    let Value::Map(pm) = patch else {
        return Err(Error::Patch("strategic merge patch must be a map".into()));
    };
    if let Some(Value::Str(d)) = pm.get("$patch") {
        match d.as_str() {
            "delete" => {
                *target = Value::Null;
                return Ok(());
            }
            "replace" => {
                let mut m = pm.clone();
                m.remove("$patch");
                *target = Value::Map(m);
                return Ok(());
            }
            _ => {}
        }
    }
    merge_map(target, pm, "", builtin, 0)
}

fn merge_map(
    target: &mut Value,
    patch: &Map,
    field: &str,
    builtin: bool,
    depth: usize,
) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::Patch("patch nesting too deep".into()));
    }
    if !matches!(target, Value::Map(_)) {
        *target = Value::Map(Map::new());
    }
    let Value::Map(tm) = target else {
        return Ok(());
    };
    if let Some(Value::Str(d)) = patch.get("$patch")
        && d == "replace"
    {
        let mut m = patch.clone();
        m.remove("$patch");
        strip_directives(&mut m);
        *tm = m;
        return Ok(());
    }
    for (k, pv) in patch {
        if k == "$patch" {
            continue;
        }
        if let Some(existing) = tm.get(k)
            && !existing.is_null()
            && !pv.is_null()
            && node_kind(existing) != node_kind(pv)
        {
            return Err(Error::Patch(format!(
                "wrong node kind: expected {} but got {} for field {k:?}",
                node_kind(existing),
                node_kind(pv)
            )));
        }
        match pv {
            Value::Null => {
                tm.remove(k);
            }
            Value::Map(pm) => {
                if let Some(Value::Str(d)) = pm.get("$patch")
                    && d == "delete"
                {
                    tm.remove(k);
                    continue;
                }
                let slot = tm.entry(k.clone()).or_insert(Value::Null);
                merge_map(slot, pm, k, builtin, depth + 1)?;
            }
            Value::Seq(items) => {
                let strategy = strategy_for(k, field, builtin);
                let slot = tm.entry(k.clone()).or_insert(Value::Null);
                merge_list(slot, items, strategy, k, builtin, depth + 1)?;
            }
            scalar => {
                tm.insert(k.clone(), scalar.clone());
            }
        }
    }
    Ok(())
}

fn strip_directives(m: &mut Map) {
    m.remove("$patch");
    for v in m.values_mut() {
        if let Value::Map(mm) = v {
            strip_directives(mm);
        }
    }
}

fn merge_list(
    target: &mut Value,
    patch: &[Value],
    strategy: ListStrategy,
    field: &str,
    builtin: bool,
    depth: usize,
) -> Result<(), Error> {
    // `- $patch: replace` replaces the whole list with the other elements.
    let replace = patch
        .iter()
        .any(|p| p.get("$patch").and_then(Value::as_str) == Some("replace"));
    if replace {
        let items: Vec<Value> = patch
            .iter()
            .filter(|p| p.get("$patch").and_then(Value::as_str) != Some("replace"))
            .cloned()
            .collect();
        *target = Value::Seq(items);
        return Ok(());
    }
    match strategy {
        ListStrategy::Replace => {
            let items: Vec<Value> = patch
                .iter()
                .map(|p| {
                    let mut p = p.clone();
                    if let Value::Map(m) = &mut p {
                        strip_directives(m);
                    }
                    p
                })
                .collect();
            *target = Value::Seq(items);
        }
        ListStrategy::PrimitiveSet => {
            if !matches!(target, Value::Seq(_)) {
                *target = Value::Seq(Vec::new());
            }
            if let Value::Seq(items) = target {
                // Patch values first, then the original ones not in the patch.
                let mut merged: Vec<Value> = patch.to_vec();
                merged.extend(items.drain(..).filter(|i| !patch.contains(i)));
                *items = merged;
            }
        }
        ListStrategy::Key(key) => {
            if !matches!(target, Value::Seq(_)) {
                *target = Value::Seq(Vec::new());
            }
            let Value::Seq(items) = target else {
                return Ok(());
            };
            // Patch elements come first, in patch order (merged with their match),
            // then the untouched elements of the original list.
            let mut rest: Vec<Option<Value>> = items.drain(..).map(Some).collect();
            let mut merged = Vec::new();
            for p in patch {
                let Value::Map(pm) = p else {
                    merged.push(p.clone());
                    continue;
                };
                let pk = pm.get(key);
                let pos = pk.and_then(|pk| {
                    rest.iter()
                        .position(|i| i.as_ref().is_some_and(|i| i.get(key) == Some(pk)))
                });
                let mut base = pos.and_then(|i| rest[i].take()).unwrap_or(Value::Null);
                if pm.get("$patch").and_then(Value::as_str) == Some("delete") {
                    continue;
                }
                merge_map(&mut base, pm, field, builtin, depth + 1)?;
                merged.push(base);
            }
            merged.extend(rest.into_iter().flatten());
            *items = merged;
        }
    }
    Ok(())
}

fn node_kind(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "MappingNode",
        Value::Seq(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}
