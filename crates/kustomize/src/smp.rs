//! Strategic merge patches as kustomize's kyaml merge applies them: the built-in kinds'
//! merge keys and the `$patch` directive. Other `$` directives are not understood by
//! kyaml and are merged as ordinary fields, which this engine reproduces.

use crate::error::Error;
use crate::value::{Map, Value};

const MAX_DEPTH: usize = 200;

/// How a list field merges: by a key field, as a set of primitives, or replaced whole.
#[derive(Clone, Copy, PartialEq)]
pub enum ListStrategy<'a> {
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

pub fn apply(target: &mut Value, patch: &Value, sc: Schema) -> Result<(), Error> {
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
    merge_map(target, pm, "", sc, 0)
}

fn merge_map(
    target: &mut Value,
    patch: &Map,
    field: &str,
    sc: Schema,
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
                merge_map(slot, pm, k, sc.field(k), depth + 1)?;
            }
            Value::Seq(items) => {
                let strategy = sc.list_strategy(k, field);
                let slot = tm.entry(k.clone()).or_insert(Value::Null);
                merge_list(slot, items, strategy, k, sc.field(k).items(), depth + 1)?;
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
    sc: Schema,
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
                merge_map(&mut base, pm, field, sc, depth + 1)?;
                merged.push(base);
            }
            merged.extend(rest.into_iter().flatten());
            *items = merged;
        }
    }
    Ok(())
}

/// Where list merge strategies come from: kustomize's built-in Kubernetes schema (with
/// `false` for kinds it does not know), or a custom OpenAPI document from `openapi: path:`,
/// which replaces the built-in one entirely.
#[derive(Clone, Copy)]
pub enum Schema<'a> {
    Builtin(bool),
    Custom {
        defs: &'a Map,
        node: Option<&'a Value>,
    },
}

impl<'a> Schema<'a> {
    /// The custom schema for a resource, found by `x-kubernetes-group-version-kind`.
    pub fn custom(doc: &'a Value, group: &str, version: &str, kind: &str) -> Schema<'a> {
        static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        let defs = doc
            .get("definitions")
            .and_then(Value::as_map)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new));
        let node = defs.values().find(|d| {
            d.get("x-kubernetes-group-version-kind")
                .and_then(Value::as_seq)
                .is_some_and(|gvks| {
                    gvks.iter().any(|g| {
                        g.get("group").and_then(Value::as_str).unwrap_or("") == group
                            && g.get("version").and_then(Value::as_str).unwrap_or("") == version
                            && g.get("kind").and_then(Value::as_str).unwrap_or("") == kind
                    })
                })
        });
        Schema::Custom { defs, node }
    }

    fn resolve(defs: &'a Map, mut node: Option<&'a Value>) -> Option<&'a Value> {
        // Bounded: a chain of $refs longer than the definitions list is a cycle.
        for _ in 0..=defs.len() {
            let r = node?.get("$ref").and_then(Value::as_str);
            match r {
                Some(r) => node = defs.get(r.trim_start_matches("#/definitions/")),
                None => return node,
            }
        }
        None
    }

    fn field(self, name: &str) -> Schema<'a> {
        match self {
            Schema::Builtin(b) => Schema::Builtin(b),
            Schema::Custom { defs, node } => Schema::Custom {
                defs,
                node: Self::resolve(defs, node)
                    .and_then(|n| n.get("properties"))
                    .and_then(|p| p.get(name)),
            },
        }
    }

    fn items(self) -> Schema<'a> {
        match self {
            Schema::Builtin(b) => Schema::Builtin(b),
            Schema::Custom { defs, node } => Schema::Custom {
                defs,
                node: Self::resolve(defs, node).and_then(|n| n.get("items")),
            },
        }
    }

    fn list_strategy(self, field: &str, parent: &str) -> ListStrategy<'a> {
        match self {
            Schema::Builtin(b) => strategy_for(field, parent, b),
            Schema::Custom { defs, node } => {
                let Some(n) = Self::resolve(defs, node)
                    .and_then(|n| n.get("properties"))
                    .and_then(|p| p.get(field))
                else {
                    return ListStrategy::Replace;
                };
                let n = Self::resolve(defs, Some(n)).unwrap_or(n);
                let merge = n
                    .get("x-kubernetes-patch-strategy")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.split(',').any(|p| p.trim() == "merge"));
                match (
                    merge,
                    n.get("x-kubernetes-patch-merge-key")
                        .and_then(Value::as_str),
                ) {
                    (true, Some(k)) => ListStrategy::Key(k),
                    (true, None) => ListStrategy::PrimitiveSet,
                    _ => ListStrategy::Replace,
                }
            }
        }
    }
}

fn node_kind(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "MappingNode",
        Value::Seq(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}
