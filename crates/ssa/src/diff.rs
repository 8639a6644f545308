//! Diff of manifests against the cluster without writing (fluxcd/pkg `ssa/manager_diff.go`): what
//! `flux diff kustomization` prints and what drift detection reports.

use std::collections::BTreeMap;

use flux_api::kustomize::IgnoreRule;
use serde_json::{Map, Value};

use crate::apply::{has_drifted, remove_invalid_ca_bundle, should_force, skip, to_json};
use crate::changeset::{Action, ChangeSetEntry};
use crate::drift::{CompiledRules, remove_path};
use crate::error::SsaError;
use crate::manager::ResourceManager;
use crate::object::ObjRef;

/// How a diff behaves (Flux's `ssa.DiffOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Objects (desired or existing) with any of these labels/annotations are skipped.
    pub exclusions: BTreeMap<String, String>,
    /// Desired objects with any of these are skipped when they exist.
    pub if_not_present_selector: BTreeMap<String, String>,
    /// An immutable-field error counts as `created` (the object would be recreated).
    pub force: bool,
    /// Per-object force (labels/annotations).
    pub force_selector: BTreeMap<String, String>,
    /// `spec.ignore` rules.
    pub drift_ignore_rules: Vec<IgnoreRule>,
}

impl DiffOptions {
    /// The selectors the kustomize-controller and `flux diff` use for owner group `group`.
    pub fn flux(group: &str) -> Self {
        let sel = |k: &str, v: &str| (format!("{group}/{k}"), v.to_string());
        DiffOptions {
            exclusions: BTreeMap::from([sel("reconcile", "disabled"), sel("ssa", "Ignore")]),
            if_not_present_selector: BTreeMap::from([sel("ssa", "IfNotPresent")]),
            force: false,
            force_selector: BTreeMap::from([sel("force", "enabled")]),
            drift_ignore_rules: Vec::new(),
        }
    }
}

/// The outcome of a diff: the action an apply would take and, for `configured`, the live and
/// the dry-run object (without managedFields and ignored fields; Secret data masked).
#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    /// `created`, `configured`, `unchanged` or `skipped`.
    pub entry: ChangeSetEntry,
    /// The live object, for `configured`.
    pub existing: Option<Value>,
    /// What the object would become, for `configured`.
    pub dry_run: Option<Value>,
}

const MASK: &str = "***";
const MASK_BEFORE: &str = "*** (before)";
const MASK_AFTER: &str = "*** (after)";

impl ResourceManager {
    /// Compares one manifest with the cluster through a dry-run apply; writes nothing.
    pub async fn diff(&self, mut object: Value, opts: &DiffOptions) -> Result<Diff, SsaError> {
        let mut r = ObjRef::from_object(&object)?;
        let rules = CompiledRules::compile(&opts.drift_ignore_rules)?;
        remove_invalid_ca_bundle(&mut object);
        let located = self.locate(&mut r, &mut object).await;
        let done = |action| Diff {
            entry: ChangeSetEntry::from_ref(&r, action),
            existing: None,
            dry_run: None,
        };
        if skip(
            &r,
            &object,
            located.existing(),
            &opts.exclusions,
            &opts.if_not_present_selector,
        )
        .is_some()
        {
            return Ok(done(Action::Skipped));
        }
        let (api, get_result) = located.into_target(r.object.subject())?;
        let existing = get_result.ok().flatten();
        let dry = match self.dry_run(&api, &r.object.name, &object).await {
            Ok(d) => d,
            Err(err) => {
                if should_force(
                    &object,
                    existing.as_ref(),
                    opts.force,
                    &opts.force_selector,
                    &err,
                ) {
                    return Ok(done(Action::Created));
                }
                return Err(SsaError::DryRun {
                    subject: r.object.subject(),
                    source: err,
                });
            }
        };
        let created = dry
            .metadata
            .resource_version
            .as_deref()
            .is_none_or(str::is_empty);
        let Some(existing) = existing.filter(|_| !created) else {
            return Ok(done(Action::Created));
        };
        let mut live = to_json(&existing);
        let mut dry = to_json(&dry);
        let paths = rules.paths_for(&dry);
        for p in paths {
            remove_path(&mut live, &p);
            remove_path(&mut dry, &p);
        }
        if !has_drifted(&live, &dry) {
            return Ok(done(Action::Unchanged));
        }
        for o in [&mut live, &mut dry] {
            if let Some(m) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("managedFields");
            }
        }
        if r.object.group.is_empty() && r.object.kind == "Secret" {
            mask_secret_data(&mut live, &mut dry);
        }
        Ok(Diff {
            entry: ChangeSetEntry::from_ref(&r, Action::Configured),
            existing: Some(live),
            dry_run: Some(dry),
        })
    }
}

/// Replaces Secret values with `***`, marking changed keys `*** (before)`/`*** (after)`, as
/// Flux's `SanitizeUnstructuredData`.
pub fn mask_secret_data(old: &mut Value, new: &mut Value) {
    let take =
        |o: &mut Value| -> Option<Map<String, Value>> { o.get_mut("data")?.as_object().cloned() };
    let (old_data, new_data) = (take(old), take(new));
    let mut masked_old = Map::new();
    let mut masked_new = Map::new();
    if let Some(od) = &old_data {
        for (k, v) in od {
            match new_data.as_ref().and_then(|nd| nd.get(k)) {
                Some(nv) if nv != v => {
                    masked_old.insert(k.clone(), Value::String(MASK_BEFORE.into()));
                    masked_new.insert(k.clone(), Value::String(MASK_AFTER.into()));
                }
                Some(_) => {
                    masked_old.insert(k.clone(), Value::String(MASK.into()));
                    masked_new.insert(k.clone(), Value::String(MASK.into()));
                }
                None => {
                    masked_old.insert(k.clone(), Value::String(MASK.into()));
                }
            }
        }
    }
    if let Some(nd) = &new_data {
        for k in nd.keys() {
            masked_new
                .entry(k.clone())
                .or_insert_with(|| Value::String(MASK.into()));
        }
    }
    if old_data.is_some() {
        old["data"] = Value::Object(masked_old);
    }
    if new_data.is_some() {
        new["data"] = Value::Object(masked_new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_masked() {
        let mut old = json!({"data": {"same": "YQ==", "changed": "Yg==", "gone": "Yw=="}});
        let mut new = json!({"data": {"same": "YQ==", "changed": "ZA==", "added": "ZQ=="}});
        mask_secret_data(&mut old, &mut new);
        assert_eq!(
            old,
            json!({"data": {"same": "***", "changed": "*** (before)", "gone": "***"}})
        );
        assert_eq!(
            new,
            json!({"data": {"same": "***", "changed": "*** (after)", "added": "***"}})
        );
    }
}
