//! The inventory of applied objects (`status.inventory`), as the kustomize-controller's
//! `internal/inventory` keeps it: entries `{id: "<ns>_<name>_<group>_<Kind>", v: "<version>"}`.

use std::collections::HashSet;

use flux_api::kustomize::{NamespacedObjectKindReference, ResourceInventory, ResourceRef};

use crate::changeset::ChangeSet;
use crate::error::ObjectError;
use crate::object::{ObjMetadata, ObjRef, split_api_version};

/// An inventory holding the objects of a change set, in its order (skipped entries included, as
/// Flux keeps them).
pub fn from_change_set(change_set: &ChangeSet) -> ResourceInventory {
    let mut inv = ResourceInventory::default();
    add_change_set(&mut inv, change_set);
    inv
}

/// Appends the objects of a change set.
pub fn add_change_set(inv: &mut ResourceInventory, change_set: &ChangeSet) {
    inv.entries
        .extend(change_set.entries.iter().map(|e| ResourceRef {
            id: e.object.id(),
            v: e.version.clone(),
        }));
}

/// Appends the objects not already present (re-tracking objects whose prune failed, so the next
/// reconcile retries them).
pub fn merge(inv: &mut ResourceInventory, objects: &[ObjRef]) {
    let mut seen: HashSet<String> = inv.entries.iter().map(|e| e.id.clone()).collect();
    for o in objects {
        let id = o.object.id();
        if seen.insert(id.clone()) {
            inv.entries.push(ResourceRef {
                id,
                v: o.version.clone(),
            });
        }
    }
}

/// The entries as references, in Flux's apply order.
pub fn list(inv: &ResourceInventory) -> Result<Vec<ObjRef>, ObjectError> {
    let mut out = inv
        .entries
        .iter()
        .map(|e| {
            Ok(ObjRef {
                object: ObjMetadata::parse_id(&e.id)?,
                version: e.v.clone(),
            })
        })
        .collect::<Result<Vec<_>, ObjectError>>()?;
    out.sort_by(|a, b| crate::sort::compare(&a.object, &b.object));
    Ok(out)
}

/// The entries' identities, in inventory order.
pub fn list_metadata(inv: &ResourceInventory) -> Result<Vec<ObjMetadata>, ObjectError> {
    inv.entries
        .iter()
        .map(|e| ObjMetadata::parse_id(&e.id))
        .collect()
}

/// The stale objects: in `old` but not in `new`, with their version from `old`, in Flux's apply
/// order (the prune reverses it).
pub fn diff(old: &ResourceInventory, new: &ResourceInventory) -> Result<Vec<ObjRef>, ObjectError> {
    let keep: HashSet<ObjMetadata> = list_metadata(new)?.into_iter().collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for e in &old.entries {
        let object = ObjMetadata::parse_id(&e.id)?;
        if keep.contains(&object) || !seen.insert(object.clone()) {
            continue;
        }
        out.push(ObjRef {
            object,
            version: e.v.clone(),
        });
    }
    out.sort_by(|a, b| crate::sort::compare(&a.object, &b.object));
    Ok(out)
}

/// Health-check references (`spec.healthChecks`) as identities; an empty apiVersion means
/// `apps/v1`, as Flux keeps for compatibility with v1beta1. The namespace stays empty when unset.
pub fn references_to_metadata(refs: &[NamespacedObjectKindReference]) -> Vec<ObjMetadata> {
    refs.iter()
        .map(|r| {
            let api_version = r
                .api_version
                .as_deref()
                .filter(|s| !s.is_empty())
                .unwrap_or("apps/v1");
            let (group, _) = split_api_version(api_version);
            ObjMetadata::new(
                group,
                r.kind.clone(),
                r.namespace.clone().unwrap_or_default(),
                r.name.clone(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changeset::{Action, ChangeSetEntry};

    fn cs(objs: &[(&str, &str, &str, &str)]) -> ChangeSet {
        let mut cs = ChangeSet::new();
        for (g, k, ns, n) in objs {
            cs.add(ChangeSetEntry::new(
                ObjMetadata::new(*g, *k, *ns, *n),
                "v1",
                Action::Created,
            ));
        }
        cs
    }

    #[test]
    fn entries_and_stale_objects() {
        let old = from_change_set(&cs(&[
            ("", "Namespace", "", "apps"),
            ("apps", "Deployment", "apps", "web"),
            ("", "ConfigMap", "apps", "old"),
            ("rbac.authorization.k8s.io", "ClusterRole", "", "a:b"),
        ]));
        assert_eq!(old.entries[0].id, "_apps__Namespace");
        assert_eq!(old.entries[1].id, "apps_web_apps_Deployment");
        assert_eq!(old.entries[1].v, "v1");
        assert_eq!(
            old.entries[3].id,
            "_a__b_rbac.authorization.k8s.io_ClusterRole"
        );
        let new = from_change_set(&cs(&[
            ("", "Namespace", "", "apps"),
            ("apps", "Deployment", "apps", "web"),
        ]));
        let stale = diff(&old, &new).unwrap();
        let subjects: Vec<String> = stale.iter().map(|o| o.object.subject()).collect();
        assert_eq!(subjects, ["ClusterRole/a:b", "ConfigMap/apps/old"]);
        assert!(diff(&new, &old).unwrap().is_empty());

        let mut merged = new.clone();
        merge(&mut merged, &stale);
        merge(&mut merged, &stale);
        assert_eq!(merged.entries.len(), 4);
        assert_eq!(list(&merged).unwrap()[0].object.kind, "Namespace");

        let bad = ResourceInventory {
            entries: vec![ResourceRef {
                id: "garbage".into(),
                v: "v1".into(),
            }],
        };
        assert!(diff(&bad, &new).is_err());
    }

    #[test]
    fn health_check_references() {
        let refs = vec![NamespacedObjectKindReference {
            api_version: None,
            kind: "Deployment".into(),
            name: "web".into(),
            namespace: Some("apps".into()),
        }];
        assert_eq!(
            references_to_metadata(&refs),
            vec![ObjMetadata::new("apps", "Deployment", "apps", "web")]
        );
    }
}
