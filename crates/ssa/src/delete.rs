//! Deletion of sets of objects (fluxcd/pkg `ssa/manager_delete.go`): only objects carrying the
//! owner labels, never those opted out of pruning.

use std::collections::BTreeMap;

use futures::{StreamExt, stream};
use kube::api::{DeleteParams, PropagationPolicy};

use crate::changeset::{Action, ChangeSet, ChangeSetEntry};
use crate::error::{ApiFailure, PartialError, SsaError};
use crate::manager::ResourceManager;
use crate::object::{ObjRef, any_in_metadata};

/// How dependents of a deleted object are handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Propagation {
    /// Dependents are deleted after the object, in the background (Flux's default).
    #[default]
    Background,
    /// Dependents are deleted before the object.
    Foreground,
    /// Dependents are kept.
    Orphan,
}

/// How a delete behaves (Flux's `ssa.DeleteOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// Propagation policy.
    pub propagation: Propagation,
    /// Only objects having all these labels are deleted (empty: all objects).
    pub inclusions: BTreeMap<String, String>,
    /// Objects with any of these labels or annotations are skipped.
    pub exclusions: BTreeMap<String, String>,
}

impl DeleteOptions {
    /// The kustomize-controller's prune options for the Kustomization `name` in `namespace`:
    /// only objects with its owner labels, skipping `<group>/prune: disabled`,
    /// `<group>/reconcile: disabled` and `<group>/ssa: Ignore`.
    pub fn flux(manager: &ResourceManager, name: &str, namespace: &str) -> Self {
        let group = &manager.owner().group;
        let sel = |k: &str, v: &str| (format!("{group}/{k}"), v.to_string());
        DeleteOptions {
            propagation: Propagation::Background,
            inclusions: manager.owner_labels(name, namespace),
            exclusions: BTreeMap::from([
                sel("prune", "disabled"),
                sel("reconcile", "disabled"),
                sel("ssa", "Ignore"),
            ]),
        }
    }
}

/// One delete's outcome: the entry, and the error message when it failed.
type Outcome = (ChangeSetEntry, Option<String>);

impl ResourceManager {
    /// Deletes the objects in reverse apply order. Objects already gone count as deleted;
    /// objects without the inclusion labels or with an exclusion are skipped. Failed deletes
    /// are entries with action `unknown`, and the error lists them all (the change set comes
    /// with the error, so callers can keep the survivors in their inventory).
    pub async fn delete_all(
        &self,
        mut objects: Vec<ObjRef>,
        opts: &DeleteOptions,
    ) -> Result<ChangeSet, PartialError> {
        objects.sort_by(|a, b| crate::sort::compare(&b.object, &a.object));
        // Kinds keep the reverse order (a Namespace after its contents, a CRD after its
        // objects); objects of one kind rank go in parallel.
        let mut groups: Vec<Vec<ObjRef>> = Vec::new();
        let mut last_rank = None;
        for o in objects {
            let rank = crate::sort::kind_rank(&o.object.kind);
            match groups.last_mut() {
                Some(g) if last_rank == Some(rank) => g.push(o),
                _ => groups.push(vec![o]),
            }
            last_rank = Some(rank);
        }
        let mut outcomes: Vec<Outcome> = Vec::new();
        for group in groups {
            let done: Vec<Outcome> = stream::iter(group)
                .map(|o| self.delete_one(o, opts))
                .buffered(self.concurrency)
                .collect()
                .await;
            outcomes.extend(done);
        }
        let mut change_set = ChangeSet::new();
        let mut errors = Vec::new();
        for (entry, err) in outcomes {
            change_set.add(entry);
            errors.extend(err);
        }
        if errors.is_empty() {
            Ok(change_set)
        } else {
            Err(PartialError {
                change_set,
                error: SsaError::Delete(errors),
            })
        }
    }

    async fn delete_one(&self, o: ObjRef, opts: &DeleteOptions) -> Outcome {
        let subject = o.object.subject();
        let entry = |action| ChangeSetEntry::from_ref(&o, action);
        let resolved = match self
            .discovery
            .resolve(&self.client, &o.object.group, &o.version, &o.object.kind)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                return (
                    entry(Action::Unknown),
                    Some(format!("{subject} query failed: {e}")),
                );
            }
        };
        let api = resolved.api(&self.client, &o.object.namespace);
        let existing = match api.get_opt(&o.object.name).await {
            Ok(Some(x)) => x,
            Ok(None) => return (entry(Action::Deleted), None),
            Err(e) => {
                return (
                    entry(Action::Unknown),
                    Some(format!(
                        "{subject} query failed: {}",
                        ApiFailure::from_kube(&e)
                    )),
                );
            }
        };
        let empty = BTreeMap::new();
        let labels = existing.metadata.labels.as_ref().unwrap_or(&empty);
        let annotations = existing.metadata.annotations.as_ref().unwrap_or(&empty);
        let included = opts
            .inclusions
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v));
        if !included || any_in_metadata(labels, annotations, &opts.exclusions) {
            return (entry(Action::Skipped), None);
        }
        let params = DeleteParams {
            propagation_policy: Some(match opts.propagation {
                Propagation::Background => PropagationPolicy::Background,
                Propagation::Foreground => PropagationPolicy::Foreground,
                Propagation::Orphan => PropagationPolicy::Orphan,
            }),
            ..DeleteParams::default()
        };
        match api.delete(&o.object.name, &params).await {
            Ok(_) => (entry(Action::Deleted), None),
            Err(e) if ApiFailure::from_kube(&e).is_not_found() => (entry(Action::Deleted), None),
            Err(e) => (
                entry(Action::Unknown),
                Some(format!(
                    "{subject} delete failed: {}",
                    ApiFailure::from_kube(&e)
                )),
            ),
        }
    }
}
