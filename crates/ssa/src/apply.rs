//! Staged server-side apply (fluxcd/pkg `ssa/manager_apply.go`): every object is dry-run applied
//! first and compared with the cluster, so only objects that differ are written.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use flux_api::kustomize::IgnoreRule;
use futures::{StreamExt, TryStreamExt, stream};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use crate::changeset::{Action, ChangeSet, ChangeSetEntry};
use crate::discovery::Resolved;
use crate::drift::{CompiledRules, apply_fixes, drifted_paths, remove_path};
use crate::error::{ApiFailure, PartialError, SsaError};
use crate::managed_fields::{CleanupOptions, FieldManager, Operation, cleanup_patch};
use crate::manager::ResourceManager;
use crate::object::{ObjMetadata, ObjRef, any_in_metadata, metadata_map, object_matches};
use crate::wait::WaitOptions;

/// How an apply behaves (Flux's `ssa.ApplyOptions`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Recreate objects whose dry-run fails on an immutable field (`spec.force`).
    pub force: bool,
    /// Objects (desired or existing) with any of these labels/annotations are recreated on
    /// immutable-field errors even without `force`.
    pub force_selector: BTreeMap<String, String>,
    /// Objects (desired or existing) with any of these are skipped.
    pub exclusion_selector: BTreeMap<String, String>,
    /// Desired objects with any of these are applied only when they do not exist yet.
    pub if_not_present_selector: BTreeMap<String, String>,
    /// Poll interval while waiting for CRDs/Namespaces/classes and for recreated objects.
    pub wait_interval: Duration,
    /// Timeout of those waits.
    pub wait_timeout: Duration,
    /// Metadata cleanup of existing objects before apply.
    pub cleanup: CleanupOptions,
    /// `(group, kind)` pairs applied in their own stage, after the class stage and before
    /// everything else (`--custom-apply-stage-kinds`).
    pub custom_stage_kinds: BTreeSet<(String, String)>,
    /// `spec.ignore`: JSON pointers left out of drift detection for the objects each rule's
    /// target selects; when the object is applied for another reason, an ignored field keeps
    /// its live value, or is left out of the apply when another Apply manager owns it.
    pub drift_ignore_rules: Vec<IgnoreRule>,
    /// Rewrite the apiVersion of the existing object's managedFields entries to the manifest's
    /// before the dry-run (the `MigrateAPIVersion` feature gate), so field ownership recorded at
    /// an older version is not lost when a manifest moves to a newer one.
    pub migrate_api_version: bool,
}

impl Default for ApplyOptions {
    /// Flux's `DefaultApplyOptions`: no force, no selectors, wait every 2s up to 60s.
    fn default() -> Self {
        ApplyOptions {
            force: false,
            force_selector: BTreeMap::new(),
            exclusion_selector: BTreeMap::new(),
            if_not_present_selector: BTreeMap::new(),
            wait_interval: Duration::from_secs(2),
            wait_timeout: Duration::from_secs(60),
            cleanup: CleanupOptions::default(),
            custom_stage_kinds: BTreeSet::new(),
            drift_ignore_rules: Vec::new(),
            migrate_api_version: false,
        }
    }
}

impl ApplyOptions {
    /// The options the kustomize-controller applies with, for owner group `group` (e.g.
    /// `kustomize.toolkit.fluxcd.io`) and field manager `field_manager`:
    /// `<group>/reconcile: disabled` and `<group>/ssa: Ignore` skip an object,
    /// `<group>/ssa: IfNotPresent` creates it only when missing, `<group>/force: enabled`
    /// recreates it on immutable-field errors, and existing objects lose the kubectl
    /// last-applied annotation, Flux v1's checksum annotations and gc label, and the field
    /// ownership of `kubectl` (Apply and Update), `before-first-apply` and the controller's own
    /// Update entries, unless annotated `<group>/ssa: Merge`.
    pub fn flux(group: &str, field_manager: &str) -> Self {
        let sel = |k: &str, v: &str| (format!("{group}/{k}"), v.to_string());
        ApplyOptions {
            exclusion_selector: BTreeMap::from([
                sel("reconcile", "disabled"),
                sel("ssa", "Ignore"),
            ]),
            if_not_present_selector: BTreeMap::from([sel("ssa", "IfNotPresent")]),
            force_selector: BTreeMap::from([sel("force", "enabled")]),
            cleanup: CleanupOptions {
                annotations: vec![
                    "kubectl.kubernetes.io/last-applied-configuration".into(),
                    "kustomize.toolkit.fluxcd.io/checksum".into(),
                    "fluxcd.io/sync-checksum".into(),
                ],
                labels: vec!["fluxcd.io/sync-gc-mark".into()],
                field_managers: vec![
                    FieldManager::prefix("kubectl", Operation::Apply),
                    FieldManager::prefix("kubectl", Operation::Update),
                    FieldManager::prefix("before-first-apply", Operation::Update),
                    FieldManager::prefix(field_manager, Operation::Update),
                ],
                exclusions: BTreeMap::from([sel("ssa", "Merge")]),
            },
            ..ApplyOptions::default()
        }
    }
}

/// Parses `--custom-apply-stage-kinds`: comma-separated `group/Kind` or `Kind` (core group).
pub fn parse_group_kinds(s: &str) -> BTreeSet<(String, String)> {
    s.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once('/') {
            Some((g, k)) => (g.to_string(), k.to_string()),
            None => (String::new(), item.to_string()),
        })
        .collect()
}

/// The stage an object is applied in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// CRDs, Namespaces, ClusterRoles; waited for.
    Definitions,
    /// Kinds ending in `Class`; waited for.
    Classes,
    /// `--custom-apply-stage-kinds`.
    Custom,
    /// Everything else.
    Resources,
}

fn stage_of(obj: &Value, r: &ObjRef, custom: &BTreeSet<(String, String)>) -> Stage {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = r.object.kind.to_ascii_lowercase();
    let definition = (kind == "customresourcedefinition"
        && api_version.starts_with("apiextensions.k8s.io/"))
        || (kind == "namespace" && api_version == "v1")
        || (kind == "clusterrole" && api_version.starts_with("rbac.authorization.k8s.io/"));
    if definition {
        Stage::Definitions
    } else if r.object.kind.ends_with("Class") {
        Stage::Classes
    } else if custom.contains(&(r.object.group.clone(), r.object.kind.clone())) {
        Stage::Custom
    } else {
        Stage::Resources
    }
}

/// The `(group, version, kind)` each CRD among `objects` serves.
fn defined_kinds(objects: &[Value]) -> Vec<(String, String, String)> {
    let str_at = |v: &Value, ptr: &str| v.pointer(ptr).and_then(Value::as_str).map(String::from);
    objects
        .iter()
        .filter(|o| o.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition"))
        .filter_map(|crd| {
            let group = str_at(crd, "/spec/group")?;
            let kind = str_at(crd, "/spec/names/kind")?;
            let versions = crd.pointer("/spec/versions")?.as_array()?;
            Some(
                versions
                    .iter()
                    .filter(|v| v.get("served").and_then(Value::as_bool) == Some(true))
                    .filter_map(|v| str_at(v, "/name"))
                    .map(|version| (group.clone(), version, kind.clone()))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect()
}

/// What the dry-run decided for one object.
enum Plan {
    /// Nothing to write.
    Done(ChangeSetEntry),
    /// Write `object` (the entry says created or configured).
    Write(Box<Write>),
}

/// An object to write.
struct Write {
    entry: ChangeSetEntry,
    object: Value,
    api: Api<DynamicObject>,
}

impl ResourceManager {
    /// Applies the objects in Flux's stages: CRDs, Namespaces and ClusterRoles first, then waits
    /// for them to be ready (CRDs Established); then kinds named `*Class`, waited for too; then
    /// the custom stage kinds; then everything else. Unchanged objects are not written. On error
    /// the change set of the completed stages comes with it.
    pub async fn apply_all_staged(
        &self,
        objects: Vec<Value>,
        opts: &ApplyOptions,
    ) -> Result<ChangeSet, PartialError> {
        let mut change_set = ChangeSet::new();
        let fail = |change_set: &ChangeSet, error: SsaError| PartialError {
            change_set: change_set.clone(),
            error,
        };
        let mut stages: BTreeMap<Stage, Vec<Value>> = BTreeMap::new();
        for obj in objects {
            let r = ObjRef::from_object(&obj).map_err(|e| fail(&change_set, e.into()))?;
            stages
                .entry(stage_of(&obj, &r, &opts.custom_stage_kinds))
                .or_default()
                .push(obj);
        }
        for (stage, objects) in stages {
            let defined = if stage == Stage::Definitions {
                defined_kinds(&objects)
            } else {
                Vec::new()
            };
            let cs = self
                .apply_all(objects, opts)
                .await
                .map_err(|e| fail(&change_set, e))?;
            change_set.append(cs.entries.iter().cloned());
            if matches!(stage, Stage::Definitions | Stage::Classes) {
                let wait = WaitOptions {
                    interval: opts.wait_interval,
                    timeout: opts.wait_timeout,
                    ..WaitOptions::default()
                };
                self.wait_for_set(&cs.objects(), &wait)
                    .await
                    .map_err(|e| fail(&change_set, e.into()))?;
            }
            for (group, version, kind) in &defined {
                // A kind still missing is reported by the dry-run of the first object of that
                // kind, which names the object.
                let _ = self
                    .discovery
                    .wait_served(&self.client, group, version, kind, opts.wait_timeout)
                    .await;
            }
        }
        Ok(change_set)
    }

    /// Applies the objects as one stage, in Flux's kind order: dry-runs in parallel, then writes
    /// the objects that differ, one kind rank after the other.
    pub async fn apply_all(
        &self,
        objects: Vec<Value>,
        opts: &ApplyOptions,
    ) -> Result<ChangeSet, SsaError> {
        let mut items = Vec::with_capacity(objects.len());
        for mut obj in objects {
            let r = ObjRef::from_object(&obj)?;
            remove_invalid_ca_bundle(&mut obj);
            items.push((r, obj));
        }
        items.sort_by(|a, b| crate::sort::compare(&a.0.object, &b.0.object));
        let rules = CompiledRules::compile(&opts.drift_ignore_rules)?;

        let plans: Vec<Plan> = stream::iter(items)
            .map(|(r, obj)| self.plan(r, obj, opts, &rules))
            .buffered(self.concurrency)
            .try_collect()
            .await?;

        let mut entries = Vec::with_capacity(plans.len());
        let mut writes: Vec<Vec<(Api<DynamicObject>, Value, String)>> = Vec::new();
        let mut last_rank = None;
        for plan in plans {
            match plan {
                Plan::Done(entry) => entries.push(entry),
                Plan::Write(w) => {
                    let Write { entry, object, api } = *w;
                    let rank = crate::sort::kind_rank(&entry.object.kind);
                    if last_rank != Some(rank) || writes.is_empty() {
                        writes.push(Vec::new());
                        last_rank = Some(rank);
                    }
                    if let Some(group) = writes.last_mut() {
                        group.push((api, object, entry.subject.clone()));
                    }
                    entries.push(entry);
                }
            }
        }
        // Kinds keep Flux's order (a RoleBinding after its Role); objects of one rank go in
        // parallel.
        for group in writes {
            stream::iter(group)
                .map(|(api, object, subject)| self.write(api, object, subject))
                .buffer_unordered(self.concurrency)
                .try_collect::<Vec<()>>()
                .await?;
        }
        Ok(ChangeSet { entries })
    }

    async fn write(
        &self,
        api: Api<DynamicObject>,
        object: Value,
        subject: String,
    ) -> Result<(), SsaError> {
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let params = PatchParams::apply(&self.owner.field_manager).force();
        api.patch(&name, &params, &Patch::Apply(&object))
            .await
            .map_err(|e| SsaError::Apply {
                subject,
                source: ApiFailure::from_kube(&e),
            })?;
        Ok(())
    }

    pub(crate) async fn dry_run(
        &self,
        api: &Api<DynamicObject>,
        name: &str,
        object: &Value,
    ) -> Result<DynamicObject, ApiFailure> {
        let params = PatchParams::apply(&self.owner.field_manager)
            .force()
            .dry_run();
        api.patch(name, &params, &Patch::Apply(object))
            .await
            .map_err(|e| ApiFailure::from_kube(&e))
    }

    /// Dry-runs one object and decides whether it needs writing.
    async fn plan(
        &self,
        mut r: ObjRef,
        mut obj: Value,
        opts: &ApplyOptions,
        rules: &CompiledRules,
    ) -> Result<Plan, SsaError> {
        let located = self.locate(&mut r, &mut obj).await;
        let subject = r.object.subject();
        if let Some(entry) = skip(
            &r,
            &obj,
            located.existing(),
            &opts.exclusion_selector,
            &opts.if_not_present_selector,
        ) {
            return Ok(Plan::Done(entry));
        }
        let (api, get_result) = located.into_target(subject.clone())?;
        let object_exists = !matches!(get_result, Ok(None));
        let mut existing = get_result.ok().flatten();
        let migrated = match &existing {
            Some(ex) if opts.migrate_api_version => self.migrate_api_version(&api, &r, ex).await?,
            _ => false,
        };

        let dry = match self.dry_run(&api, &r.object.name, &obj).await {
            Ok(d) => d,
            Err(err) => {
                if object_exists
                    && should_force(
                        &obj,
                        existing.as_ref(),
                        opts.force,
                        &opts.force_selector,
                        &err,
                    )
                {
                    self.recreate_wait(&api, &r, opts).await?;
                    existing = None;
                    self.dry_run(&api, &r.object.name, &obj)
                        .await
                        .map_err(|source| SsaError::DryRun {
                            subject: subject.clone(),
                            source,
                        })?
                } else {
                    return Err(SsaError::DryRun {
                        subject,
                        source: err,
                    });
                }
            }
        };

        let cleaned = match &existing {
            Some(ex) => self.cleanup(&api, &r, &obj, ex, &opts.cleanup).await?,
            None => false,
        };
        let created = dry
            .metadata
            .resource_version
            .as_deref()
            .is_none_or(str::is_empty);
        let drifted = match &existing {
            Some(ex) if !created => {
                let live = to_json(ex);
                let dry = to_json(&dry);
                let paths = if rules.is_empty() {
                    Vec::new()
                } else {
                    rules.paths_for(&dry)
                };
                let drifted = if paths.is_empty() {
                    has_drifted(&live, &dry)
                } else {
                    let (mut l, mut d) = (live.clone(), dry.clone());
                    for p in &paths {
                        remove_path(&mut l, p);
                        remove_path(&mut d, p);
                    }
                    has_drifted(&l, &d)
                };
                // Computed whether or not the object drifted: a cleanup alone also writes it.
                if !paths.is_empty() {
                    let fixes = drifted_paths(&live, &dry, &paths, &self.owner.field_manager);
                    apply_fixes(&mut obj, &fixes);
                }
                drifted
            }
            _ => true,
        };
        if !cleaned && !migrated && !drifted {
            return Ok(Plan::Done(ChangeSetEntry::from_ref(&r, Action::Unchanged)));
        }
        let action = if created {
            Action::Created
        } else {
            Action::Configured
        };
        Ok(Plan::Write(Box::new(Write {
            entry: ChangeSetEntry::from_ref(&r, action),
            object: obj,
            api,
        })))
    }

    /// Deletes the object (background propagation) and waits until it is gone.
    async fn recreate_wait(
        &self,
        api: &Api<DynamicObject>,
        r: &ObjRef,
        opts: &ApplyOptions,
    ) -> Result<(), SsaError> {
        let subject = r.object.subject();
        tracing::info!(object = %subject, "immutable field changed, recreating");
        match api
            .delete(&r.object.name, &DeleteParams::background())
            .await
        {
            Ok(_) => {}
            Err(e) if ApiFailure::from_kube(&e).is_not_found() => {}
            Err(e) => {
                return Err(SsaError::RecreateDelete {
                    subject,
                    source: ApiFailure::from_kube(&e),
                });
            }
        }
        let deadline = tokio::time::Instant::now() + opts.wait_timeout;
        loop {
            match api.get_opt(&r.object.name).await {
                Ok(None) => return Ok(()),
                Ok(Some(_)) => {}
                Err(e) => {
                    return Err(SsaError::RecreateWait {
                        subject,
                        message: ApiFailure::from_kube(&e).message,
                    });
                }
            }
            if tokio::time::Instant::now() + opts.wait_interval > deadline {
                return Err(SsaError::RecreateWait {
                    subject,
                    message: "context deadline exceeded".into(),
                });
            }
            tokio::time::sleep(opts.wait_interval).await;
        }
    }

    /// Moves every managedFields entry to the manifest's apiVersion; true when it patched.
    async fn migrate_api_version(
        &self,
        api: &Api<DynamicObject>,
        r: &ObjRef,
        existing: &DynamicObject,
    ) -> Result<bool, SsaError> {
        let api_version = r.api_version();
        let Some(entries) = existing.metadata.managed_fields.as_ref() else {
            return Ok(false);
        };
        if entries
            .iter()
            .all(|e| e.api_version.as_deref() == Some(api_version.as_str()))
        {
            return Ok(false);
        }
        let migrated: Vec<_> = entries
            .iter()
            .cloned()
            .map(|mut e| {
                e.api_version = Some(api_version.clone());
                e
            })
            .collect();
        let patch = serde_json::json!({"metadata": {"managedFields": migrated}});
        let params = PatchParams {
            field_manager: Some(self.owner.field_manager.clone()),
            ..PatchParams::default()
        };
        api.patch(&r.object.name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| SsaError::MigrateApiVersion {
                subject: r.object.subject(),
                api_version,
                source: ApiFailure::from_kube(&e),
            })?;
        Ok(true)
    }

    /// Removes other managers' field ownership and stale metadata; true when it patched.
    async fn cleanup(
        &self,
        api: &Api<DynamicObject>,
        r: &ObjRef,
        desired: &Value,
        existing: &DynamicObject,
        opts: &CleanupOptions,
    ) -> Result<bool, SsaError> {
        if object_matches(desired, &opts.exclusions)
            || meta_matches(&existing.metadata, &opts.exclusions)
        {
            return Ok(false);
        }
        let Some(patch) = cleanup_patch(&existing.metadata, opts, &self.owner.field_manager) else {
            return Ok(false);
        };
        let params = PatchParams {
            field_manager: Some(self.owner.field_manager.clone()),
            ..PatchParams::default()
        };
        api.patch(&r.object.name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| SsaError::Cleanup {
                subject: r.object.subject(),
                source: ApiFailure::from_kube(&e),
            })?;
        Ok(true)
    }
}

/// Flux's `shouldSkipApply`: excluded objects (desired or live), and IfNotPresent objects that
/// exist.
pub(crate) fn skip(
    r: &ObjRef,
    desired: &Value,
    existing: Option<&DynamicObject>,
    exclusions: &BTreeMap<String, String>,
    if_not_present: &BTreeMap<String, String>,
) -> Option<ChangeSetEntry> {
    let exists = existing.is_some_and(|e| e.metadata.uid.as_deref().is_some_and(|u| !u.is_empty()));
    let excluded = object_matches(desired, exclusions)
        || existing.is_some_and(|e| meta_matches(&e.metadata, exclusions));
    let if_not_present = exists && object_matches(desired, if_not_present);
    (excluded || if_not_present).then(|| ChangeSetEntry::from_ref(r, Action::Skipped))
}

/// Flux's `shouldForceApply`: an immutable-field error, and force asked for.
pub(crate) fn should_force(
    desired: &Value,
    existing: Option<&DynamicObject>,
    force: bool,
    force_selector: &BTreeMap<String, String>,
    err: &ApiFailure,
) -> bool {
    err.is_immutable()
        && (force
            || object_matches(desired, force_selector)
            || existing.is_some_and(|e| meta_matches(&e.metadata, force_selector)))
}

/// The API of an object, and the result of reading it.
pub(crate) type Target = (
    Api<DynamicObject>,
    Result<Option<DynamicObject>, kube::Error>,
);

/// Where an object lives, and what is there now.
pub(crate) struct Located {
    resolved: Result<Resolved, SsaError>,
    target: Option<Target>,
}

impl Located {
    /// The live object, when it could be read.
    pub(crate) fn existing(&self) -> Option<&DynamicObject> {
        match &self.target {
            Some((_, Ok(Some(o)))) => Some(o),
            _ => None,
        }
    }

    /// The API and the read's result, or the error Flux's dry-run reports for this object.
    pub(crate) fn into_target(self, subject: String) -> Result<Target, SsaError> {
        match (self.resolved, self.target) {
            (Ok(_), Some(target)) => Ok(target),
            (Ok(_), None) => Err(SsaError::NamespaceNotSpecified { subject }),
            (Err(e @ SsaError::NoKindMatch { .. }), _) => Err(SsaError::DryRun {
                subject,
                source: ApiFailure {
                    code: 0,
                    reason: String::new(),
                    message: e.to_string(),
                },
            }),
            (Err(e), _) => Err(e),
        }
    }
}

impl ResourceManager {
    /// Resolves the object's kind and reads the live object. Cluster-scoped objects lose any
    /// namespace the manifest gives them.
    pub(crate) async fn locate(&self, r: &mut ObjRef, obj: &mut Value) -> Located {
        let resolved = self
            .discovery
            .resolve(&self.client, &r.object.group, &r.version, &r.object.kind)
            .await;
        if let Ok(res) = &resolved
            && !res.namespaced
            && !r.object.namespace.is_empty()
        {
            r.object.namespace.clear();
            if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("namespace");
            }
        }
        let target = match &resolved {
            Ok(res) if !(res.namespaced && r.object.namespace.is_empty()) => {
                let api = res.api(&self.client, &r.object.namespace);
                let existing = api.get_opt(&r.object.name).await;
                Some((api, existing))
            }
            _ => None,
        };
        Located { resolved, target }
    }
}

fn meta_matches(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    selector: &BTreeMap<String, String>,
) -> bool {
    let empty = BTreeMap::new();
    !selector.is_empty()
        && any_in_metadata(
            meta.labels.as_ref().unwrap_or(&empty),
            meta.annotations.as_ref().unwrap_or(&empty),
            selector,
        )
}

/// Flux's `hasDrifted`: labels, annotations, and the object without metadata and status.
pub(crate) fn has_drifted(existing: &Value, dry: &Value) -> bool {
    if metadata_map(existing, "labels") != metadata_map(dry, "labels")
        || metadata_map(existing, "annotations") != metadata_map(dry, "annotations")
    {
        return true;
    }
    comparable(existing) != comparable(dry)
}

fn comparable(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
        m.remove("metadata");
    }
    crate::normalize::for_comparison(&mut v);
    v
}

pub(crate) fn to_json(obj: &DynamicObject) -> Value {
    serde_json::to_value(obj).unwrap_or(Value::Null)
}

/// Flux drops a CRD's conversion webhook `caBundle` when it holds no certificate, since the API
/// server (1.31+) rejects such CRDs.
pub(crate) fn remove_invalid_ca_bundle(obj: &mut Value) {
    use base64::Engine;
    let is_crd = obj.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition")
        && obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("apiextensions.k8s.io/"));
    if !is_crd {
        return;
    }
    let Some(client_config) = obj
        .pointer_mut("/spec/conversion/webhook/clientConfig")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let Some(bundle) = client_config.get("caBundle").and_then(Value::as_str) else {
        return;
    };
    if bundle.is_empty() {
        return;
    }
    let valid = base64::engine::general_purpose::STANDARD
        .decode(bundle)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|pem| pem.contains("-----BEGIN CERTIFICATE-----"));
    if !valid {
        client_config.remove("caBundle");
    }
}

/// Labels and annotations of a manifest, for callers deciding on selectors themselves.
pub fn manifest_metadata(obj: &Value) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    (
        metadata_map(obj, "labels"),
        metadata_map(obj, "annotations"),
    )
}

/// The identity of a manifest (re-exported helper for callers building health-check sets).
pub fn manifest_identity(obj: &Value) -> Result<ObjMetadata, SsaError> {
    Ok(ObjMetadata::from_object(obj)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defined_kinds_are_the_served_versions_of_crds() {
        let crd = json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com",
                "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [
                    {"name": "v1beta1", "served": false},
                    {"name": "v1", "served": true},
                    {"name": "v2", "served": true},
                ],
            },
        });
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}});
        let kinds = defined_kinds(&[ns, crd]);
        let owned = |v: &str| {
            (
                "example.com".to_string(),
                v.to_string(),
                "Widget".to_string(),
            )
        };
        assert_eq!(kinds, [owned("v1"), owned("v2")]);
    }

    #[test]
    fn stages_as_flux() {
        let custom = parse_group_kinds("example.com/Widget, Thing");
        let st = |o: Value| {
            let r = ObjRef::from_object(&o).unwrap();
            stage_of(&o, &r, &custom)
        };
        let m = |av: &str, k: &str| json!({"apiVersion": av, "kind": k, "metadata": {"name": "x"}});
        assert_eq!(
            st(m("apiextensions.k8s.io/v1", "CustomResourceDefinition")),
            Stage::Definitions
        );
        assert_eq!(st(m("v1", "Namespace")), Stage::Definitions);
        assert_eq!(
            st(m("rbac.authorization.k8s.io/v1", "ClusterRole")),
            Stage::Definitions
        );
        assert_eq!(
            st(m("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")),
            Stage::Resources
        );
        assert_eq!(
            st(m("networking.k8s.io/v1", "IngressClass")),
            Stage::Classes
        );
        assert_eq!(st(m("example.com/v1", "Widget")), Stage::Custom);
        assert_eq!(st(m("v1", "Thing")), Stage::Custom);
        assert_eq!(st(m("apps/v1", "Deployment")), Stage::Resources);
    }

    #[test]
    fn invalid_ca_bundles_dropped() {
        let mut crd = json!({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
            "spec":{"conversion":{"webhook":{"clientConfig":{"caBundle":"Cg==","url":"https://x"}}}}});
        remove_invalid_ca_bundle(&mut crd);
        assert!(
            crd.pointer("/spec/conversion/webhook/clientConfig/caBundle")
                .is_none()
        );
    }
}
