//! Cleanup of an object's metadata before apply (fluxcd/pkg `ssa/patch.go`): other managers'
//! field ownership is handed to the applier, so fields they set and the applier does not are
//! removed by the next apply (this is how `kubectl edit` and `kubectl apply` drift is undone).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry, ObjectMeta};
use serde_json::{Map, Value, json};

/// The managedFields operation a [`FieldManager`] matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Server-side apply.
    Apply,
    /// Create, update or patch.
    Update,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// A field manager whose entries are taken over by the applier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldManager {
    /// The manager name, or its prefix unless `exact_match`.
    pub name: String,
    /// Match the whole name instead of a prefix.
    pub exact_match: bool,
    /// The operation of the entries to match.
    pub operation: Operation,
}

impl FieldManager {
    /// A manager matched by name prefix.
    pub fn prefix(name: impl Into<String>, operation: Operation) -> Self {
        FieldManager {
            name: name.into(),
            exact_match: false,
            operation,
        }
    }

    /// Both operations of a manager, as the controller adds each `--override-manager`.
    pub fn both_operations(name: &str) -> [FieldManager; 2] {
        [
            FieldManager::prefix(name, Operation::Apply),
            FieldManager::prefix(name, Operation::Update),
        ]
    }

    fn matches(&self, entry: &ManagedFieldsEntry) -> bool {
        if entry.operation.as_deref() != Some(self.operation.as_str())
            || entry.subresource.as_deref().is_some_and(|s| !s.is_empty())
        {
            return false;
        }
        let manager = entry.manager.as_deref().unwrap_or("");
        if self.exact_match {
            manager == self.name
        } else {
            manager.starts_with(&self.name)
        }
    }
}

/// What to remove from existing objects before applying.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CleanupOptions {
    /// Annotation keys to remove.
    pub annotations: Vec<String>,
    /// Label keys to remove.
    pub labels: Vec<String>,
    /// Managers whose field ownership moves to the applier.
    pub field_managers: Vec<FieldManager>,
    /// Objects (desired or existing) matching any `key: value` here are not cleaned up
    /// (`kustomize.toolkit.fluxcd.io/ssa: Merge`).
    pub exclusions: BTreeMap<String, String>,
}

/// The merge patch cleaning up `meta`, or None when there is nothing to clean.
pub(crate) fn cleanup_patch(
    meta: &ObjectMeta,
    opts: &CleanupOptions,
    owner_manager: &str,
) -> Option<Value> {
    let mut md = Map::new();
    let remove = |present: Option<&BTreeMap<String, String>>, keys: &[String]| {
        let present = present?;
        let m: Map<String, Value> = keys
            .iter()
            .filter(|k| present.contains_key(*k))
            .map(|k| (k.clone(), Value::Null))
            .collect();
        (!m.is_empty()).then_some(Value::Object(m))
    };
    if let Some(a) = remove(meta.annotations.as_ref(), &opts.annotations) {
        md.insert("annotations".into(), a);
    }
    if let Some(l) = remove(meta.labels.as_ref(), &opts.labels) {
        md.insert("labels".into(), l);
    }
    if !opts.field_managers.is_empty()
        && let Some(entries) = meta.managed_fields.as_ref()
        && let Some(replaced) = replace_managers(entries, &opts.field_managers, owner_manager)
    {
        md.insert(
            "managedFields".into(),
            serde_json::to_value(replaced).unwrap_or(Value::Array(Vec::new())),
        );
    }
    (!md.is_empty()).then(|| json!({ "metadata": md }))
}

/// The entries with every matching manager's fields merged into the owner's Apply entry, or
/// None when no entry matches.
fn replace_managers(
    entries: &[ManagedFieldsEntry],
    managers: &[FieldManager],
    owner: &str,
) -> Option<Vec<ManagedFieldsEntry>> {
    let is_owner_apply = |e: &ManagedFieldsEntry| {
        e.manager.as_deref() == Some(owner) && e.operation.as_deref() == Some("Apply")
    };
    let owner_index = entries.iter().rposition(is_owner_apply);
    let mut owner_entry: Option<ManagedFieldsEntry> = owner_index.map(|i| entries[i].clone());
    let mut kept = Vec::with_capacity(entries.len());
    let mut edited = false;
    for (i, entry) in entries.iter().enumerate() {
        if Some(i) == owner_index {
            continue;
        }
        if !managers.iter().any(|m| m.matches(entry)) {
            kept.push(entry.clone());
            continue;
        }
        edited = true;
        match owner_entry.as_mut() {
            None => {
                let mut taken = entry.clone();
                taken.manager = Some(owner.to_string());
                taken.operation = Some("Apply".to_string());
                owner_entry = Some(taken);
            }
            Some(own) => {
                own.fields_v1 = union_fields(own.fields_v1.take(), entry.fields_v1.clone());
            }
        }
    }
    if !edited {
        return None;
    }
    kept.extend(owner_entry);
    Some(kept)
}

fn union_fields(a: Option<FieldsV1>, b: Option<FieldsV1>) -> Option<FieldsV1> {
    match (a, b) {
        (None, b) => b,
        (a, None) => a,
        (Some(FieldsV1(mut a)), Some(FieldsV1(b))) => {
            union_into(&mut a, b, 0);
            Some(FieldsV1(a))
        }
    }
}

/// Field sets are trees of objects; their union is a deep merge. The depth bound guards
/// against hostile input.
fn union_into(a: &mut Value, b: Value, depth: usize) {
    const MAX_DEPTH: usize = 256;
    match (a, b) {
        (Value::Object(a), Value::Object(b)) if depth < MAX_DEPTH => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => union_into(existing, v, depth + 1),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(manager: &str, op: &str, fields: Value) -> ManagedFieldsEntry {
        ManagedFieldsEntry {
            api_version: Some("v1".into()),
            fields_type: Some("FieldsV1".into()),
            fields_v1: Some(FieldsV1(fields)),
            manager: Some(manager.into()),
            operation: Some(op.into()),
            subresource: None,
            time: None,
        }
    }

    #[test]
    fn other_managers_merge_into_the_owner() {
        let entries = vec![
            entry("kubectl-edit", "Update", json!({"f:data":{"f:b":{}}})),
            entry(
                "kustomize-controller",
                "Apply",
                json!({"f:data":{"f:a":{}}}),
            ),
            entry("kube-controller-manager", "Update", json!({"f:status":{}})),
            entry(
                "kubectl-client-side-apply",
                "Update",
                json!({"f:data":{"f:c":{}}}),
            ),
        ];
        let managers = vec![FieldManager::prefix("kubectl", Operation::Update)];
        let out = replace_managers(&entries, &managers, "kustomize-controller").unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].manager.as_deref(), Some("kube-controller-manager"));
        assert_eq!(out[1].manager.as_deref(), Some("kustomize-controller"));
        assert_eq!(
            out[1].fields_v1.as_ref().unwrap().0,
            json!({"f:data":{"f:a":{},"f:b":{},"f:c":{}}})
        );
        assert!(replace_managers(&out, &managers, "kustomize-controller").is_none());
    }

    #[test]
    fn first_match_becomes_the_owner_apply_entry() {
        let entries = vec![entry("kubectl", "Apply", json!({"f:data":{}}))];
        let managers = vec![FieldManager::prefix("kubectl", Operation::Apply)];
        let out = replace_managers(&entries, &managers, "kustomize-controller").unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].manager.as_deref(), Some("kustomize-controller"));
        assert_eq!(out[0].operation.as_deref(), Some("Apply"));
    }

    #[test]
    fn patch_removes_annotations_and_labels() {
        let meta = ObjectMeta {
            annotations: Some(BTreeMap::from([(
                "kubectl.kubernetes.io/last-applied-configuration".to_string(),
                "{}".to_string(),
            )])),
            labels: Some(BTreeMap::from([("keep".to_string(), "1".to_string())])),
            ..Default::default()
        };
        let opts = CleanupOptions {
            annotations: vec!["kubectl.kubernetes.io/last-applied-configuration".into()],
            labels: vec!["fluxcd.io/sync-gc-mark".into()],
            ..Default::default()
        };
        assert_eq!(
            cleanup_patch(&meta, &opts, "m").unwrap(),
            json!({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":null}}})
        );
        assert!(cleanup_patch(&ObjectMeta::default(), &opts, "m").is_none());
    }
}
