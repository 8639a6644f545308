//! Server-side apply: field ownership recorded in `metadata.managedFields` (FieldsV1), following
//! sigs.k8s.io/structured-merge-diff and k8s.io/apimachinery's managedfields as kube-apiserver
//! wires them.

mod last_applied;
mod managed;
mod path;
mod schema;
mod set;
mod typed;
mod zero;

use serde_json::{Map, Value};
use thiserror::Error;

use managed::{Entry, Managers, identity};
use path::{Pe, path_string};
use schema::Shape;
pub use schema::TypeInfo;
use set::Set;
use typed::{Comparison, compare, ensure_named_fields, merge, remove_items, to_field_set};

/// Most Update managers kept before the oldest are folded into "ancient-changes".
const MAX_UPDATE_MANAGERS: usize = 10;

/// Who applies, and how.
#[derive(Debug, Clone)]
pub struct ApplyOptions<'a> {
    pub manager: &'a str,
    pub force: bool,
    /// The group/version of the request (e.g. "apps/v1"), recorded in managedFields.
    pub api_version: &'a str,
    /// RFC 3339 timestamp recorded in managedFields.
    pub now: &'a str,
    pub subresource: Option<&'a str>,
}

/// A field another manager owns with a different value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The other manager's name.
    pub manager: String,
    /// e.g. ".spec.replicas"
    pub path: String,
    /// The Status cause message, e.g. `conflict with "kubectl" using apps/v1`.
    pub message: String,
}

/// Why an apply was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApplyError {
    /// Fields owned by other managers would change (409 Conflict, reason "Conflict", one Status
    /// cause of type "FieldManagerConflict" per conflict).
    #[error("{}", conflict_message(.0))]
    Conflicts(Vec<Conflict>),
    /// The applied configuration is malformed (400 Bad Request).
    #[error("{0}")]
    Invalid(String),
    /// The configuration cannot be typed (duplicate or unkeyed list items, bad managedFields):
    /// the apiserver answers 500 with this text.
    #[error("{0}")]
    Internal(String),
}

impl ApplyError {
    /// HTTP status code the apiserver answers with.
    pub fn code(&self) -> u16 {
        match self {
            ApplyError::Conflicts(_) => 409,
            ApplyError::Invalid(_) => 400,
            ApplyError::Internal(_) => 500,
        }
    }
}

fn conflict_message(conflicts: &[Conflict]) -> String {
    if conflicts.len() == 1 {
        let c = &conflicts[0];
        return format!("Apply failed with 1 conflict: {}: {}", c.message, c.path);
    }
    // Grouped by manager (sorted by identity, which the conflicts already are), paths in order.
    let mut lines: Vec<String> = Vec::new();
    let mut current: Option<&str> = None;
    for c in conflicts {
        if current != Some(c.message.as_str()) {
            let plural = c.message.replacen("conflict with", "conflicts with", 1);
            lines.push(format!("{plural}:"));
            current = Some(c.message.as_str());
        }
        lines.push(format!("- {}", c.path));
    }
    format!(
        "Apply failed with {} conflicts: {}",
        conflicts.len(),
        lines.join("\n")
    )
}

/// The manager as the apiserver prints it in conflicts (printManager).
fn print_manager(e: &Entry) -> String {
    let mut s = path::go_json(&Value::String(e.manager.clone()));
    if !e.subresource.is_empty() {
        s = format!(
            "{s} with subresource {}",
            path::go_json(&Value::String(e.subresource.clone()))
        );
    }
    if !e.applied {
        s = format!("{s} using {}", e.api_version);
    }
    s
}

/// Server-side apply of `config` (the applied configuration) onto `live` (None: create). Returns
/// the new object with metadata.managedFields updated (FieldsV1), fields the manager stopped
/// applying removed when no other manager owns them.
pub fn apply(
    live: Option<&Value>,
    config: &Value,
    types: &TypeInfo,
    opts: &ApplyOptions,
) -> Result<Value, ApplyError> {
    let result = match apply_once(live, config, types, opts) {
        // kubectl moving from client-side to server-side apply: conflicts on fields its
        // last-applied annotation still matches are taken over (the apiserver's lastAppliedManager).
        Err(ApplyError::Conflicts(conflicts)) if opts.manager == last_applied::KUBECTL => {
            match live.and_then(|l| last_applied::allowed_conflicts(l, types, opts.api_version)) {
                None => Err(ApplyError::Conflicts(conflicts)),
                Some(allowed) => {
                    let remaining: Vec<Conflict> = conflicts
                        .iter()
                        .filter(|c| !allowed.contains(&c.path))
                        .cloned()
                        .collect();
                    if remaining.is_empty() {
                        let forced = ApplyOptions {
                            force: true,
                            ..opts.clone()
                        };
                        apply_once(live, config, types, &forced)
                    } else {
                        Err(ApplyError::Conflicts(remaining))
                    }
                }
            }
        }
        other => other,
    };
    let mut out = result?;
    if opts.manager == last_applied::KUBECTL {
        last_applied::refresh(&mut out, config);
    }
    Ok(out)
}

fn apply_once(
    live: Option<&Value>,
    config: &Value,
    types: &TypeInfo,
    opts: &ApplyOptions,
) -> Result<Value, ApplyError> {
    let Value::Object(config_map) = config else {
        return Err(ApplyError::Invalid(
            "the applied configuration must be an object".to_string(),
        ));
    };
    if crate::depth(config) > crate::MAX_DEPTH
        || live.is_some_and(|l| crate::depth(l) > crate::MAX_DEPTH)
    {
        return Err(ApplyError::Invalid("object nested too deeply".to_string()));
    }
    if let Some(v) = config_map.get("apiVersion").and_then(Value::as_str)
        && v != opts.api_version
    {
        return Err(ApplyError::Invalid(format!(
            "Incorrect version specified in apply patch. Specified patch version: {v}, expected: {}",
            opts.api_version
        )));
    }
    if config
        .get("metadata")
        .and_then(|m| m.get("managedFields"))
        .is_some_and(|v| !v.is_null())
    {
        return Err(ApplyError::Invalid(
            "metadata.managedFields must be nil".to_string(),
        ));
    }
    let root = types.root_shape();
    let mut path = Vec::new();
    typed::validate(config, root, &mut path).map_err(|e| {
        ApplyError::Internal(format!(
            "failed to create typed patch object ({}): {e}",
            object_ref(config)
        ))
    })?;

    let mut managers = Managers::decode(live.and_then(managed_fields))
        .map_err(|e| ApplyError::Internal(format!("failed to decode managed fields: {e}")))?;
    let live_obj = live
        .map(without_managed_fields)
        .unwrap_or_else(|| Value::Object(Map::new()));
    // Fields of an object applied to for the first time without managedFields belong to
    // "before-first-apply" (the apiserver's skipNonAppliedManager).
    if managers.entries.is_empty() && live.is_some() {
        let before = ApplyOptions {
            manager: "before-first-apply",
            force: false,
            ..opts.clone()
        };
        let empty = Value::Object(Map::new());
        track_update(&empty, &live_obj, &mut managers, types, &before);
    }

    let merged = merge(Some(&live_obj), Some(config), root).unwrap_or_default();
    let keep = reset_filter(types, opts.subresource);
    let applied_set = to_field_set(config, root).filter_top(&keep);

    let me = Entry {
        manager: manager_name(opts.manager),
        applied: true,
        api_version: opts.api_version.to_string(),
        subresource: opts.subresource.unwrap_or("").to_string(),
        time: None,
        set: applied_set,
    };
    let my_id = me.identity();
    let previous = managers.get(&my_id).cloned();
    let last_set = previous.as_ref().map(|e| e.set.clone());
    managers.upsert(Entry {
        time: previous.and_then(|e| e.time),
        ..me
    });

    let new_obj = prune(&merged, &managers, &my_id, last_set.as_ref(), root);

    let cmp = compare_filled(&live_obj, &new_obj, types, root).filter(&keep);
    let conflicts = resolve_ownership(&mut managers, &my_id, &cmp, opts.force);
    if !conflicts.is_empty() {
        return Err(ApplyError::Conflicts(conflicts));
    }
    strip_meta(&mut managers, &my_id);

    // Built-in objects are typed after apply: a null field is simply absent.
    let mut new_obj = new_obj;
    if types.builtin_kind().is_some() {
        drop_nulls(&mut new_obj);
    }
    let changed = live.is_none() || new_obj != live_obj;
    let mut out = if changed { new_obj } else { live_obj };
    if changed && let Some(e) = managers.get_mut(&my_id) {
        e.time = Some(opts.now.to_string());
    }
    set_managed_fields(&mut out, managers.encode());
    Ok(out)
}

/// Record a non-apply write (create/update/patch, operation "Update") by `manager` in
/// managedFields of `new`.
pub fn record_update(
    old: Option<&Value>,
    mut new: Value,
    types: &TypeInfo,
    opts: &ApplyOptions,
) -> Value {
    if !new.is_object()
        || crate::depth(&new) > crate::MAX_DEPTH
        || old.is_some_and(|o| crate::depth(o) > crate::MAX_DEPTH)
    {
        return new;
    }
    let is_subresource = opts.subresource.is_some();
    let old_managed = old.and_then(managed_fields);
    let mut managers = if is_subresource {
        Managers::decode(old_managed).unwrap_or_default()
    } else {
        match managed_fields(&new) {
            Some(list) if is_reset(list) => Managers::default(),
            list => match Managers::decode(list) {
                Ok(m) if !m.entries.is_empty() => m,
                _ => Managers::decode(old_managed).unwrap_or_default(),
            },
        }
    };
    let new_obj = without_managed_fields(&new);
    let old_obj = match old {
        Some(o) => without_managed_fields(o),
        None => Value::Object(Map::new()),
    };
    // Objects that exist without managedFields (never tracked, or reset with `[]`) stay untracked
    // by updates; creates are always tracked (the apiserver's skipNonAppliedManager).
    let has_uid = old
        .and_then(|o| o.get("metadata"))
        .and_then(|m| m.get("uid"))
        .and_then(Value::as_str)
        .is_some_and(|u| !u.is_empty());
    if managers.entries.is_empty() && has_uid {
        set_managed_fields(&mut new, None);
        return new;
    }
    // The apiserver restores the previous managedFields when the new object cannot be typed.
    if typed::validate(&new_obj, types.root_shape(), &mut Vec::new()).is_ok() {
        track_update(&old_obj, &new_obj, &mut managers, types, opts);
    }
    set_managed_fields(&mut new, managers.encode());
    new
}

/// Gives `opts.manager` (operation Update) what changed from `old` to `new`, taking it from the
/// other managers, who also lose what was removed.
fn track_update(
    old: &Value,
    new: &Value,
    managers: &mut Managers,
    types: &TypeInfo,
    opts: &ApplyOptions,
) {
    let root = types.root_shape();
    let keep = reset_filter(types, opts.subresource);
    let cmp = compare_filled(old, new, types, root).filter(&keep);
    let _ = resolve_ownership(managers, "current-operation", &cmp, true);
    let mut changed = Set::default()
        .union(&cmp.modified)
        .union(&cmp.added)
        .filter_top(&keep);
    changed = changed.difference(&strip_set());
    if !changed.is_empty() {
        let id = identity(
            &manager_name(opts.manager),
            false,
            opts.api_version,
            opts.subresource.unwrap_or(""),
        );
        let previous = managers.get(&id).map(|e| e.set.clone()).unwrap_or_default();
        managers.upsert(Entry {
            manager: manager_name(opts.manager),
            applied: false,
            api_version: opts.api_version.to_string(),
            subresource: opts.subresource.unwrap_or("").to_string(),
            time: Some(opts.now.to_string()),
            set: changed.union(&previous),
        });
    }
    managers.cap_updaters(MAX_UPDATE_MANAGERS);
}

fn manager_name(m: &str) -> String {
    if m.is_empty() {
        "unknown".to_string()
    } else {
        m.to_string()
    }
}

/// `ns/name; group/version, Kind=Kind` as the apiserver names an object in typing errors.
fn object_ref(obj: &Value) -> String {
    let s = |p: &[&str]| {
        let mut v = obj;
        for k in p {
            v = v.get(k).unwrap_or(&Value::Null);
        }
        v.as_str().unwrap_or("").to_string()
    };
    let api_version = s(&["apiVersion"]);
    let gv = if api_version.contains('/') {
        api_version
    } else {
        format!("/{api_version}")
    };
    format!(
        "{}/{}; {gv}, Kind={}",
        s(&["metadata", "namespace"]),
        s(&["metadata", "name"]),
        s(&["kind"])
    )
}

fn managed_fields(obj: &Value) -> Option<&Value> {
    obj.get("metadata").and_then(|m| m.get("managedFields"))
}

/// An explicit empty list (or one empty entry) asks the apiserver to reset managedFields.
fn is_reset(list: &Value) -> bool {
    match list {
        Value::Array(a) => {
            a.is_empty() || (a.len() == 1 && a[0].as_object().is_some_and(Map::is_empty))
        }
        _ => false,
    }
}

fn without_managed_fields(obj: &Value) -> Value {
    let mut out = obj.clone();
    if let Some(Value::Object(meta)) = out.get_mut("metadata") {
        meta.shift_remove("managedFields");
    }
    out
}

fn set_managed_fields(obj: &mut Value, encoded: Option<Value>) {
    let Value::Object(root) = obj else { return };
    match encoded {
        Some(list) => {
            let meta = root
                .entry("metadata")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(meta) = meta {
                meta.insert("managedFields".to_string(), list);
            }
        }
        None => {
            if let Some(Value::Object(meta)) = root.get_mut("metadata") {
                meta.shift_remove("managedFields");
            }
        }
    }
}

/// Fields a write through this endpoint may not own: `status` through the main resource of a
/// kind with a status subresource; everything but `status` through the status subresource.
fn reset_filter(types: &TypeInfo, subresource: Option<&str>) -> impl Fn(&Pe) -> bool + use<> {
    let status = Pe::Field("status".to_string());
    let has_status = types.status_subresource();
    let on_status = subresource == Some("status");
    move |pe: &Pe| {
        if on_status {
            *pe == status
        } else {
            !(has_status && *pe == status)
        }
    }
}

/// Paths no manager ever owns (the apiserver's stripMetaManager).
fn strip_set() -> Set {
    let mut s = Set::default();
    let f = |n: &str| Pe::Field(n.to_string());
    for top in ["apiVersion", "kind", "metadata"] {
        s.insert(&[f(top)]);
    }
    for m in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        s.insert(&[f("metadata"), f(m)]);
    }
    s
}

fn strip_meta(managers: &mut Managers, id: &str) {
    if let Some(e) = managers.get_mut(id) {
        e.set = e.set.difference(&strip_set());
        if e.set.is_empty() {
            managers.remove(id);
        }
    }
}

/// Compares two objects, first giving both the zero-valued structure the apiserver's typed
/// objects always have (so that, e.g., `spec` of a new Deployment does not count as added).
pub(crate) fn compare_filled(
    old: &Value,
    new: &Value,
    types: &TypeInfo,
    root: Shape,
) -> Comparison {
    match types.builtin_kind() {
        Some((group, kind)) => {
            let (mut o, mut n) = (old.clone(), new.clone());
            zero::fill(group, kind, &mut o);
            zero::fill(group, kind, &mut n);
            compare(&o, &n, root)
        }
        None => compare(old, new, root),
    }
}

/// The ownership step of structured-merge-diff's Updater: other managers lose fields that were
/// removed, and fields that changed are conflicts (taken from them when forced). Returns the
/// conflicts when not forced (nothing is changed then).
fn resolve_ownership(
    managers: &mut Managers,
    workflow: &str,
    cmp: &Comparison,
    force: bool,
) -> Vec<Conflict> {
    let changed = cmp.modified.union(&cmp.added);
    let mut conflicts: Vec<(String, Entry, Set)> = Vec::new();
    for e in &managers.entries {
        let id = e.identity();
        if id == workflow {
            continue;
        }
        let c = e.set.intersection(&changed);
        if !c.is_empty() {
            conflicts.push((id, e.clone(), c));
        }
    }
    if !force && !conflicts.is_empty() {
        conflicts.sort_by(|a, b| a.0.cmp(&b.0));
        return conflicts
            .into_iter()
            .flat_map(|(_, e, set)| {
                let message = format!("conflict with {}", print_manager(&e));
                set.paths()
                    .into_iter()
                    .map(move |p| Conflict {
                        manager: e.manager.clone(),
                        path: path_string(&p),
                        message: message.clone(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    for e in managers.entries.iter_mut() {
        if e.identity() == workflow {
            continue;
        }
        e.set = e.set.difference(&changed).difference(&cmp.removed);
    }
    managers.drop_empty();
    Vec::new()
}

/// Removes what the applier applied last time but no longer does, unless someone else owns it
/// (structured-merge-diff's prune, addBackOwnedItems and addBackDanglingItems).
fn prune(
    merged: &Value,
    managers: &Managers,
    my_id: &str,
    last_set: Option<&Set>,
    root: Shape,
) -> Value {
    let Some(last) = last_set.filter(|s| !s.is_empty()) else {
        return merged.clone();
    };
    // Nothing was dropped from the configuration: every path applied last time is still owned
    // (with its ancestors), so the three steps below would remove nothing.
    if managers
        .get(my_id)
        .is_some_and(|me| last.difference(&me.set).is_empty())
    {
        return merged.clone();
    }
    let last = ensure_named_fields(last, root);
    let removed = remove_items(merged, &last, root);
    let owned = managers
        .entries
        .iter()
        .fold(Set::default(), |acc, e| acc.union(&e.set));
    let owned = ensure_named_fields(&owned, root);
    let merged_set = ensure_named_fields(&to_field_set(merged, root), root);
    let removed_set = ensure_named_fields(&to_field_set(&removed, root), root);
    let to_remove = merged_set.difference(&removed_set.union(&owned));
    let pruned = remove_items(merged, &to_remove, root);
    let pruned_set = ensure_named_fields(&to_field_set(&pruned, root), root);
    let dangling = merged_set.difference(&pruned_set).intersection(&last);
    remove_items(merged, &dangling, root)
}

fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}
