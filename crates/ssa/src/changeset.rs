//! Change sets: what an apply or delete did to each object, printed as Flux's events print it.

use std::collections::BTreeMap;
use std::fmt;

use crate::object::{ObjMetadata, ObjRef};

/// What happened to one object (Flux's `ssa.Action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// The object did not exist and was created.
    Created,
    /// The object existed and differed; it was patched.
    Configured,
    /// The object matched; nothing was written.
    Unchanged,
    /// The object was deleted (or was already gone).
    Deleted,
    /// The object was left alone (excluded by an annotation or label).
    Skipped,
    /// The outcome is unknown (the request failed).
    Unknown,
}

impl Action {
    /// The word Flux prints: `created`, `configured`, `unchanged`, `deleted`, `skipped`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Deleted => "deleted",
            Action::Skipped => "skipped",
            Action::Unknown => "unknown",
        }
    }

    /// True for actions that changed the cluster (the kustomize-controller's `HasChanged`: all
    /// but `skipped` and `unchanged`).
    pub fn has_changed(self) -> bool {
        !matches!(self, Action::Skipped | Action::Unchanged)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object of a change set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeSetEntry {
    /// Group, kind, namespace and name.
    pub object: ObjMetadata,
    /// The version alone (`v1`), as Flux's `GroupVersion` field (despite its name) holds.
    pub version: String,
    /// `Kind/namespace/name`.
    pub subject: String,
    /// What happened.
    pub action: Action,
}

impl ChangeSetEntry {
    /// An entry for `object` at `version`.
    pub fn new(object: ObjMetadata, version: impl Into<String>, action: Action) -> Self {
        ChangeSetEntry {
            subject: object.subject(),
            object,
            version: version.into(),
            action,
        }
    }

    /// An entry for a versioned reference.
    pub fn from_ref(r: &ObjRef, action: Action) -> Self {
        ChangeSetEntry::new(r.object.clone(), r.version.clone(), action)
    }

    /// The object with its version.
    pub fn obj_ref(&self) -> ObjRef {
        ObjRef {
            object: self.object.clone(),
            version: self.version.clone(),
        }
    }
}

impl fmt::Display for ChangeSetEntry {
    /// `Deployment/default/podinfo configured`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.subject, self.action)
    }
}

/// The entries of an apply or delete, in the order the objects were handled.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ChangeSet {
    /// One entry per object.
    pub entries: Vec<ChangeSetEntry>,
}

impl ChangeSet {
    /// An empty change set.
    pub fn new() -> Self {
        ChangeSet::default()
    }

    /// Adds one entry.
    pub fn add(&mut self, entry: ChangeSetEntry) {
        self.entries.push(entry);
    }

    /// Adds entries.
    pub fn append(&mut self, entries: impl IntoIterator<Item = ChangeSetEntry>) {
        self.entries.extend(entries);
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Subjects grouped by action (the controller's `--group-change-log` output).
    pub fn to_grouped_map(&self) -> BTreeMap<Action, Vec<String>> {
        let mut out: BTreeMap<Action, Vec<String>> = BTreeMap::new();
        for e in &self.entries {
            out.entry(e.action).or_default().push(e.subject.clone());
        }
        out
    }

    /// Action by subject (the controller's default apply log).
    pub fn to_map(&self) -> BTreeMap<String, Action> {
        self.entries
            .iter()
            .map(|e| (e.subject.clone(), e.action))
            .collect()
    }

    /// The objects, in order.
    pub fn objects(&self) -> Vec<ObjMetadata> {
        self.entries.iter().map(|e| e.object.clone()).collect()
    }

    /// The objects whose action is not `skipped` (what `wait: true` health-checks).
    pub fn objects_without_skipped(&self) -> Vec<ObjMetadata> {
        self.entries
            .iter()
            .filter(|e| e.action != Action::Skipped)
            .map(|e| e.object.clone())
            .collect()
    }

    /// One line per entry whose action changed the cluster, `Kind/ns/name created`, joined with
    /// newlines: the message of the kustomize-controller's apply event (empty when nothing
    /// changed, in which case Flux sends no event).
    pub fn changes_message(&self) -> String {
        self.entries
            .iter()
            .filter(|e| e.action.has_changed())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Display for ChangeSet {
    /// Every entry on its own line (Flux's `ChangeSet.String`, used for prune events).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, ns: &str, name: &str, action: Action) -> ChangeSetEntry {
        ChangeSetEntry::new(ObjMetadata::new("", kind, ns, name), "v1", action)
    }

    #[test]
    fn prints_as_flux_events() {
        let mut cs = ChangeSet::new();
        cs.add(entry("Namespace", "", "apps", Action::Created));
        cs.add(entry("ConfigMap", "apps", "a", Action::Unchanged));
        cs.add(entry("Service", "apps", "b", Action::Configured));
        cs.add(entry("Secret", "apps", "c", Action::Skipped));
        assert_eq!(
            cs.to_string(),
            "Namespace/apps created\nConfigMap/apps/a unchanged\nService/apps/b configured\nSecret/apps/c skipped"
        );
        assert_eq!(
            cs.changes_message(),
            "Namespace/apps created\nService/apps/b configured"
        );
        assert_eq!(
            cs.to_grouped_map()[&Action::Created],
            vec!["Namespace/apps"]
        );
        assert_eq!(cs.to_map()["Secret/apps/c"], Action::Skipped);
        assert_eq!(cs.objects_without_skipped().len(), 3);
        assert_eq!(ChangeSet::new().to_string(), "");
    }
}
