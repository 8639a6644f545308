//! The Kustomization reconciler. A reconcile runs Flux's steps in order:
//! preflight checks, `source` (resolve the source and its artifact), `dependencies`, then for the
//! artifact's revision: fetch, client (impersonation / remote cluster), decryption keys, build,
//! apply, prune, health; then the status fields and events. Deletion runs `finalize`
//! (`spec.deletionPolicy`).

use crate::build::{self, BuildSettings};
use crate::decrypt;
use crate::source::{self, Source, SourcePolicy};
use crate::status::{self, StatusFields};
use flux_api::kustomize::{DeletionPolicy, Kustomization, reason};
use flux_api::meta::condition_type;
use flux_api::{ConditionStatus, HasConditions};
use flux_runtime::artifact::ArtifactFetcher;
use flux_runtime::client::ClientFactory;
use flux_runtime::duration::{format_duration, parse_duration};
use flux_runtime::events::{InvolvedObject, Severity};
use flux_runtime::reconcile::{Context, Disposition, Outcome, ReconcileError, Reconciler};
use flux_ssa::{
    ApplyOptions, ChangeSet, DeleteOptions, DiscoveryCache, FieldManager, ObjMetadata, ObjRef,
    Operation, Owner, ResourceManager, WaitOptions, inventory,
};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The API group, prefix of the owner labels and annotations.
pub const GROUP: &str = "kustomize.toolkit.fluxcd.io";
/// Prefix of terminal configuration errors, as Flux words them.
pub const TERMINAL_ERROR_MESSAGE: &str =
    "Reconciliation failed terminally due to configuration error";

/// Controller-wide settings from the flags and feature gates.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The field manager and event source: `kustomize-controller`.
    pub controller_name: String,
    pub build: BuildSettings,
    pub source_policy: SourcePolicy,
    /// `--concurrent-ssa`.
    pub concurrent_ssa: usize,
    /// `--override-manager`: field managers whose fields are taken over.
    pub override_managers: Vec<String>,
    /// `--custom-apply-stage-kinds`.
    pub custom_stage_kinds: BTreeSet<(String, String)>,
    /// `!DisableFailFastBehavior`: stop health checks as soon as an object failed.
    pub fail_fast: bool,
    /// The ObjectLevelWorkloadIdentity feature gate.
    pub object_level_workload_identity: bool,
    /// `--sops-age-secret` in `RUNTIME_NAMESPACE`: (namespace, name).
    pub sops_age_secret: Option<(String, String)>,
    /// Poll interval of health checks (Flux: 5s).
    pub health_check_interval: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            controller_name: "kustomize-controller".into(),
            build: BuildSettings {
                no_remote_bases: false,
                strict_substitutions: true,
            },
            source_policy: SourcePolicy {
                requeue_dependency: Duration::from_secs(30),
                ..SourcePolicy::default()
            },
            concurrent_ssa: 4,
            override_managers: Vec::new(),
            custom_stage_kinds: BTreeSet::new(),
            fail_fast: true,
            object_level_workload_identity: false,
            sops_age_secret: None,
            health_check_interval: Duration::from_secs(5),
        }
    }
}

/// Reconciles Kustomizations.
pub struct KustomizationReconciler {
    settings: Settings,
    fetcher: ArtifactFetcher,
    clients: ClientFactory,
    /// Shared by the reconciles against the controller's own cluster.
    discovery: DiscoveryCache,
}

impl KustomizationReconciler {
    pub fn new(settings: Settings, fetcher: ArtifactFetcher, clients: ClientFactory) -> Self {
        KustomizationReconciler {
            settings,
            fetcher,
            clients,
            discovery: DiscoveryCache::new(),
        }
    }
}

/// `spec.timeout`, else `interval - 30s`, never below 30s.
pub fn timeout_of(ks: &Kustomization) -> Duration {
    let floor = Duration::from_secs(30);
    let interval = parse_duration(&ks.spec.interval).unwrap_or(floor);
    let timeout = match ks.spec.timeout.as_deref().map(parse_duration) {
        Some(Ok(t)) => t,
        _ => interval.saturating_sub(floor),
    };
    timeout.max(floor)
}

fn retry(reason: &str, message: impl Into<String>) -> ReconcileError {
    ReconcileError::new(Disposition::Retry, reason, message)
}

fn stalled(reason: &str, message: impl Into<String>) -> ReconcileError {
    ReconcileError::new(Disposition::Stalled, reason, message)
}

/// One event, with the revisions in its metadata.
async fn event(
    ctx: &Context,
    ks: &Kustomization,
    severity: Severity,
    reason: &str,
    message: &str,
    (revision, origin_revision): (&str, &str),
    extra: &[(&str, &str)],
) {
    let mut metadata = BTreeMap::new();
    if !revision.is_empty() {
        metadata.insert("revision".to_string(), revision.to_string());
    }
    if !origin_revision.is_empty() {
        metadata.insert("originRevision".to_string(), origin_revision.to_string());
    }
    for (k, v) in extra {
        metadata.insert(k.to_string(), v.to_string());
    }
    ctx.events
        .record(
            &InvolvedObject::of(ks),
            ks.metadata.annotations.as_ref(),
            severity,
            reason,
            message,
            &metadata,
        )
        .await;
}

/// What a successful apply-prune-health run produced.
struct Applied {
    healthy: Option<String>,
}

impl Reconciler<Kustomization> for KustomizationReconciler {
    async fn reconcile(
        &self,
        ks: Arc<Kustomization>,
        ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let started = Instant::now();
        let mut fields = StatusFields::default();
        match self.run(&ks, &ctx, &mut fields, started).await {
            Ok(mut outcome) => {
                outcome.status.extend(fields.to_map());
                Ok(outcome)
            }
            Err(err) => {
                if let Err(e) = status::patch_fields(&ctx.client, &ks, &fields).await {
                    tracing::warn!(error = %e, "unable to record the status of a failed reconcile");
                }
                Err(err)
            }
        }
    }

    async fn cleanup(
        &self,
        ks: Arc<Kustomization>,
        ctx: Arc<Context>,
    ) -> Result<(), ReconcileError> {
        self.finalize(&ks, &ctx).await
    }
}

impl KustomizationReconciler {
    async fn run(
        &self,
        ks: &Kustomization,
        ctx: &Context,
        fields: &mut StatusFields,
        started: Instant,
    ) -> Result<Outcome, ReconcileError> {
        self.preflight(ks)?;
        let source = source::resolve(&ctx.client, ks, &self.settings.source_policy).await?;
        if ks.spec.depends_on.as_ref().is_some_and(|d| !d.is_empty()) {
            flux_runtime::dependencies::check_dependencies(
                &ctx.client,
                ks,
                Some(source.revision()),
            )
            .await?;
        }
        let applied = self
            .reconcile_revision(ks, ctx, &source, fields, started)
            .await?;

        let revision = source.revision().to_string();
        let origin = source.origin_revision();
        let interval = parse_duration(&ks.spec.interval).unwrap_or(Duration::from_secs(600));
        event(
            ctx,
            ks,
            Severity::Info,
            reason::RECONCILIATION_SUCCEEDED,
            &format!(
                "Reconciliation finished in {}, next run in {}",
                format_duration(started.elapsed()),
                format_duration(interval)
            ),
            (&revision, &origin),
            &[("commit_status", "update")],
        )
        .await;
        let mut outcome = Outcome {
            reason: reason::RECONCILIATION_SUCCEEDED.into(),
            message: format!("Applied revision: {revision}"),
            ..Outcome::default()
        };
        if let Some(message) = applied.healthy {
            outcome.conditions.push((
                condition_type::HEALTHY.into(),
                ConditionStatus::True,
                reason::SUCCEEDED.into(),
                message,
            ));
        } else {
            // No health checks asked for (any more): no Healthy condition, as Flux.
            outcome
                .remove_conditions
                .push(condition_type::HEALTHY.into());
        }
        Ok(outcome)
    }

    /// Spec checks that fail terminally before anything is fetched.
    fn preflight(&self, ks: &Kustomization) -> Result<(), ReconcileError> {
        if ks
            .spec
            .health_check_exprs
            .as_ref()
            .is_some_and(|e| !e.is_empty())
        {
            return Err(stalled(
                reason::INVALID_CEL_EXPRESSION,
                format!(
                    "{TERMINAL_ERROR_MESSAGE}: spec.healthCheckExprs is not supported yet \
                     (flux-rs has no CEL evaluator); use spec.healthChecks or spec.wait"
                ),
            ));
        }
        if let Some(sa) = ks
            .spec
            .decryption
            .as_ref()
            .and_then(|d| d.service_account_name.as_deref())
            .filter(|s| !s.is_empty())
        {
            if !self.settings.object_level_workload_identity {
                return Err(stalled(
                    reason::FEATURE_GATE_DISABLED,
                    "to use spec.decryption.serviceAccountName for decryption authentication \
                     please enable the ObjectLevelWorkloadIdentity feature gate in the controller",
                ));
            }
            return Err(stalled(
                reason::BUILD_FAILED,
                format!(
                    "spec.decryption.serviceAccountName '{sa}': KMS workload identity is not \
                     supported by flux-rs; use age or OpenPGP keys in spec.decryption.secretRef"
                ),
            ));
        }
        Ok(())
    }

    async fn reconcile_revision(
        &self,
        ks: &Kustomization,
        ctx: &Context,
        source: &Source,
        fields: &mut StatusFields,
        started: Instant,
    ) -> Result<Applied, ReconcileError> {
        let namespace = ks.metadata.namespace.clone().unwrap_or_default();
        let name = ks.metadata.name.clone().unwrap_or_default();
        let revision = source.revision().to_string();
        let origin = source.origin_revision();

        let tmp = tempfile::Builder::new()
            .prefix("kustomization-")
            .tempdir()
            .map_err(|e| {
                retry(
                    reason::DIRECTORY_CREATION_FAILED,
                    format!("tmp dir error: {e}"),
                )
            })?;
        let root = tmp.path().to_path_buf();
        let dir = source::fetch(
            &self.fetcher,
            source,
            &root,
            ks.spec.path.as_deref(),
            self.settings.source_policy.requeue_dependency,
        )
        .await?;
        fields.last_attempted_revision = Some(revision.clone());

        let client = self
            .clients
            .client_for(
                &namespace,
                ks.spec.service_account_name.as_deref(),
                ks.spec.kube_config.as_ref(),
            )
            .await
            .map_err(|e| retry(reason::RECONCILIATION_FAILED, e.to_string()))?;

        let keys = match &ks.spec.decryption {
            Some(_) => Some(Arc::new(
                decrypt::load_keys(&ctx.client, ks, self.settings.sops_age_secret.as_ref()).await?,
            )),
            None => None,
        };
        let built = build::build(&ctx.client, ks, root, dir, self.settings.build, keys).await?;
        let mut history_meta = BTreeMap::from([("revision".to_string(), revision.clone())]);
        if !origin.is_empty() {
            history_meta.insert("originRevision".into(), origin.clone());
        }
        let record = |fields: &mut StatusFields, status: &str| {
            fields.record_history(
                ks,
                &built.digest,
                started.elapsed(),
                status,
                history_meta.clone(),
            );
        };

        let manager = self.resource_manager(client, ks.spec.kube_config.is_some());
        let mut objects = built.objects.clone();
        manager.set_owner_labels(&mut objects, &name, &namespace);

        let (drifted, change_set) = match self
            .apply(ctx, &manager, ks, &revision, &origin, objects)
            .await
        {
            Ok(applied) => applied,
            Err(err) => {
                record(fields, reason::RECONCILIATION_FAILED);
                return Err(err);
            }
        };

        let old_inventory = ks
            .status
            .as_ref()
            .and_then(|s| s.inventory.clone())
            .unwrap_or_default();
        let mut new_inventory = inventory::from_change_set(&change_set);
        let stale = match inventory::diff(&old_inventory, &new_inventory) {
            Ok(stale) => stale,
            Err(e) => {
                fields.inventory = Some(new_inventory);
                record(fields, reason::RECONCILIATION_FAILED);
                return Err(retry(reason::RECONCILIATION_FAILED, e.to_string()));
            }
        };
        if let Err((err, survivors)) = self
            .prune(ctx, &manager, ks, &revision, &origin, stale)
            .await
        {
            inventory::merge(&mut new_inventory, &survivors);
            fields.inventory = Some(new_inventory);
            record(fields, reason::PRUNE_FAILED);
            return Err(retry(reason::PRUNE_FAILED, err));
        }
        fields.inventory = Some(new_inventory);

        let last_applied = ks
            .status
            .as_ref()
            .and_then(|s| s.last_applied_revision.clone())
            .unwrap_or_default();
        let is_new_revision = !flux_runtime::dependencies::same_revision(&revision, &last_applied);
        let healthy = match self
            .check_health(
                ctx,
                &manager,
                ks,
                &revision,
                &origin,
                is_new_revision && drifted,
                &change_set,
                &built.objects,
            )
            .await
        {
            Ok(healthy) => healthy,
            Err(err) => {
                record(fields, reason::HEALTH_CHECK_FAILED);
                return Err(err);
            }
        };

        fields.last_applied_revision = Some(revision.clone());
        fields.last_applied_origin_revision = Some(origin);
        record(fields, reason::RECONCILIATION_SUCCEEDED);
        Ok(Applied { healthy })
    }

    fn resource_manager(&self, client: kube::Client, remote: bool) -> ResourceManager {
        let manager = ResourceManager::new(
            client,
            Owner {
                field_manager: self.settings.controller_name.clone(),
                group: GROUP.into(),
            },
        )
        .with_concurrency(self.settings.concurrent_ssa);
        if remote {
            manager
        } else {
            manager.with_discovery(self.discovery.clone())
        }
    }

    fn apply_options(&self, ks: &Kustomization) -> ApplyOptions {
        let mut opts = ApplyOptions::flux(GROUP, &self.settings.controller_name);
        opts.force = ks.spec.force.unwrap_or(false);
        opts.custom_stage_kinds = self.settings.custom_stage_kinds.clone();
        opts.drift_ignore_rules = ks.spec.ignore.clone().unwrap_or_default();
        for manager in &self.settings.override_managers {
            opts.cleanup
                .field_managers
                .push(FieldManager::prefix(manager, Operation::Apply));
            opts.cleanup
                .field_managers
                .push(FieldManager::prefix(manager, Operation::Update));
        }
        opts
    }

    /// Server-side apply in stages; returns whether anything changed, and the change set.
    async fn apply(
        &self,
        ctx: &Context,
        manager: &ResourceManager,
        ks: &Kustomization,
        revision: &str,
        origin: &str,
        mut objects: Vec<Json>,
    ) -> Result<(bool, ChangeSet), ReconcileError> {
        flux_ssa::normalize::normalize_objects(&mut objects);
        if let Some(common) = &ks.spec.common_metadata {
            flux_ssa::set_common_metadata(
                &mut objects,
                &common.labels.clone().unwrap_or_default(),
                &common.annotations.clone().unwrap_or_default(),
            );
        }
        for object in &objects {
            if flux_sops::is_encrypted_secret(object) && !flux_sops::is_decryption_disabled(object)
            {
                return Err(retry(
                    reason::RECONCILIATION_FAILED,
                    format!(
                        "{} is SOPS encrypted, configuring decryption is required for this secret \
                         to be reconciled",
                        fmt_object(object)
                    ),
                ));
            }
        }
        if objects.is_empty() {
            return Ok((false, ChangeSet::new()));
        }
        let opts = self.apply_options(ks);
        let applier = manager.clone();
        let result =
            off_thread(move || async move { applier.apply_all_staged(objects, &opts).await })
                .await
                .ok_or_else(|| retry(reason::RECONCILIATION_FAILED, "apply task failed"))?;
        let (change_set, error) = match result {
            Ok(cs) => (cs, None),
            Err(partial) => (partial.change_set, Some(partial.error)),
        };
        let changes = change_set.changes_message();
        if let Some(err) = error {
            let log = if changes.is_empty() {
                String::new()
            } else {
                format!("{changes}\n")
            };
            return Err(retry(
                reason::RECONCILIATION_FAILED,
                format!("{err}\n{log}"),
            ));
        }
        tracing::info!(output = ?change_set.to_map(), revision, "server-side apply completed");
        if !changes.is_empty() {
            event(
                ctx,
                ks,
                Severity::Info,
                reason::PROGRESSING,
                &changes,
                (revision, origin),
                &[],
            )
            .await;
        }
        Ok((!changes.is_empty(), change_set))
    }

    /// Garbage-collect stale objects; on failure, the error and the objects to keep tracking.
    async fn prune(
        &self,
        ctx: &Context,
        manager: &ResourceManager,
        ks: &Kustomization,
        revision: &str,
        origin: &str,
        stale: Vec<ObjRef>,
    ) -> Result<(), (String, Vec<ObjRef>)> {
        if !ks.spec.prune || stale.is_empty() {
            return Ok(());
        }
        let name = ks.metadata.name.clone().unwrap_or_default();
        let namespace = ks.metadata.namespace.clone().unwrap_or_default();
        let opts = DeleteOptions::flux(manager, &name, &namespace);
        match manager.delete_all(stale.clone(), &opts).await {
            Ok(change_set) => {
                if !change_set.is_empty() {
                    let message = change_set.to_string();
                    tracing::info!("garbage collection completed: {message}");
                    event(
                        ctx,
                        ks,
                        Severity::Info,
                        reason::PROGRESSING,
                        &message,
                        (revision, origin),
                        &[],
                    )
                    .await;
                }
                Ok(())
            }
            Err(partial) => {
                let settled: BTreeSet<ObjMetadata> = partial
                    .change_set
                    .entries
                    .iter()
                    .filter(|e| {
                        matches!(
                            e.action,
                            flux_ssa::Action::Deleted | flux_ssa::Action::Skipped
                        )
                    })
                    .map(|e| e.object.clone())
                    .collect();
                let survivors = stale
                    .into_iter()
                    .filter(|o| !settled.contains(&o.object))
                    .collect();
                Err((partial.error.to_string(), survivors))
            }
        }
    }

    /// `spec.wait` (everything applied) or `spec.healthChecks`, polled with kstatus until
    /// `timeout`; the Healthy message when checks ran.
    #[allow(clippy::too_many_arguments)]
    async fn check_health(
        &self,
        ctx: &Context,
        manager: &ResourceManager,
        ks: &Kustomization,
        revision: &str,
        origin: &str,
        new_revision_drifted: bool,
        change_set: &ChangeSet,
        objects: &[Json],
    ) -> Result<Option<String>, ReconcileError> {
        let wait = ks.spec.wait.unwrap_or(false);
        let checks = ks.spec.health_checks.clone().unwrap_or_default();
        if checks.is_empty() && !wait {
            return Ok(None);
        }
        let set = if wait {
            change_set.objects_without_skipped()
        } else {
            inventory::references_to_metadata(&checks)
        };
        let name = ks.metadata.name.clone().unwrap_or_default();
        let namespace = ks.metadata.namespace.clone().unwrap_or_default();
        // Never wait on ourselves.
        let set: Vec<ObjMetadata> = set
            .into_iter()
            .filter(|o| !(o.kind == "Kustomization" && o.name == name && o.namespace == namespace))
            .collect();
        if set.is_empty() {
            return Ok(None);
        }
        let was_healthy = ks
            .status
            .as_ref()
            .and_then(|s| s.condition(condition_type::HEALTHY))
            .is_some_and(|c| c.status == ConditionStatus::True);
        let opts = WaitOptions {
            interval: self.settings.health_check_interval,
            timeout: timeout_of(ks),
            fail_fast: self.settings.fail_fast,
            jobs_with_ttl: jobs_with_ttl(objects),
        };
        let started = Instant::now();
        if let Err(err) = wait_for_set(manager.clone(), set, opts).await {
            return Err(retry(
                reason::HEALTH_CHECK_FAILED,
                format!(
                    "health check failed after {}: {err}",
                    format_duration(started.elapsed())
                ),
            )
            .with_condition(condition_type::HEALTHY, ConditionStatus::False));
        }
        let message = format!(
            "Health check passed in {}",
            format_duration(started.elapsed())
        );
        if !was_healthy || new_revision_drifted {
            event(
                ctx,
                ks,
                Severity::Info,
                reason::PROGRESSING,
                &message,
                (revision, origin),
                &[],
            )
            .await;
        }
        Ok(Some(message))
    }

    /// Delete the inventory on deletion, per `spec.deletionPolicy`.
    async fn finalize(&self, ks: &Kustomization, ctx: &Context) -> Result<(), ReconcileError> {
        if !should_delete(ks) {
            return Ok(());
        }
        // Flux's events carry the current Ready reason.
        let ready_reason = ks
            .status
            .as_ref()
            .and_then(|s| s.condition(condition_type::READY))
            .map(|c| c.reason.clone())
            .unwrap_or_else(|| reason::PROGRESSING.to_string());
        let ready_reason = ready_reason.as_str();
        let status = ks.status.clone().unwrap_or_default();
        let revision = status.last_applied_revision.clone().unwrap_or_default();
        let origin = status
            .last_applied_origin_revision
            .clone()
            .unwrap_or_default();
        let objects = status
            .inventory
            .as_ref()
            .map(inventory::list)
            .transpose()
            .map_err(|e| retry(reason::PRUNE_FAILED, e.to_string()))?
            .unwrap_or_default();
        let namespace = ks.metadata.namespace.clone().unwrap_or_default();
        let name = ks.metadata.name.clone().unwrap_or_default();
        let service_account = ks.spec.service_account_name.as_deref();
        if !self
            .clients
            .can_impersonate(&namespace, service_account)
            .await
        {
            let list = objects
                .iter()
                .map(|o| o.object.subject())
                .collect::<Vec<_>>()
                .join("\n");
            tracing::error!("skipping pruning, failed to find account to impersonate");
            event(
                ctx,
                ks,
                Severity::Error,
                ready_reason,
                &format!("unable to prune objects: \n{list}"),
                (&revision, &origin),
                &[],
            )
            .await;
            return Ok(());
        }
        let client = self
            .clients
            .client_for(&namespace, service_account, ks.spec.kube_config.as_ref())
            .await
            .map_err(|e| retry(reason::PRUNE_FAILED, e.to_string()))?;
        let manager = self.resource_manager(client, ks.spec.kube_config.is_some());
        let opts = DeleteOptions::flux(&manager, &name, &namespace);
        let change_set = match manager.delete_all(objects, &opts).await {
            Ok(cs) => cs,
            Err(err) => {
                event(
                    ctx,
                    ks,
                    Severity::Error,
                    ready_reason,
                    "pruning for deleted resource failed",
                    (&revision, &origin),
                    &[],
                )
                .await;
                return Err(retry(reason::PRUNE_FAILED, err.to_string()));
            }
        };
        if change_set.is_empty() {
            return Ok(());
        }
        event(
            ctx,
            ks,
            Severity::Info,
            ready_reason,
            &change_set.to_string(),
            (&revision, &origin),
            &[],
        )
        .await;
        if ks.spec.deletion_policy == Some(DeletionPolicy::WaitForTermination) {
            let opts = WaitOptions {
                interval: Duration::from_secs(2),
                timeout: timeout_of(ks),
                ..WaitOptions::default()
            };
            if let Err(err) = manager.wait_for_set_termination(&change_set, &opts).await {
                tracing::error!(error = %err, "failed to wait for resources termination");
                event(
                    ctx,
                    ks,
                    Severity::Error,
                    ready_reason,
                    "failed to wait for resources termination",
                    (&revision, &origin),
                    &[],
                )
                .await;
            }
        }
        Ok(())
    }
}

/// Run a flux-ssa operation on a blocking thread with its own `block_on`: the futures of
/// `apply_all_staged` and `wait_for_set` are not provably `Send` (a stream closure over borrowed
/// identities in the status poller), which the reconcile future must be.
async fn off_thread<T, F, Fut>(make: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(make()))
        .await
        .ok()
}

async fn wait_for_set(
    manager: ResourceManager,
    set: Vec<ObjMetadata>,
    opts: WaitOptions,
) -> Result<(), flux_ssa::WaitError> {
    off_thread(move || async move { manager.wait_for_set(&set, &opts).await })
        .await
        .unwrap_or_else(|| {
            Err(flux_ssa::WaitError {
                timed_out: false,
                objects: Vec::new(),
            })
        })
}

/// Whether deleting the Kustomization deletes what it applied.
pub fn should_delete(ks: &Kustomization) -> bool {
    if ks.spec.suspend.unwrap_or(false) {
        return false;
    }
    let has_inventory = ks
        .status
        .as_ref()
        .and_then(|s| s.inventory.as_ref())
        .is_some_and(|i| !i.entries.is_empty());
    if !has_inventory {
        return false;
    }
    match ks
        .spec
        .deletion_policy
        .unwrap_or(DeletionPolicy::MirrorPrune)
    {
        DeletionPolicy::MirrorPrune => ks.spec.prune,
        DeletionPolicy::Delete | DeletionPolicy::WaitForTermination => true,
        DeletionPolicy::Orphan => false,
    }
}

/// `Kind/namespace/name` of a manifest.
fn fmt_object(object: &Json) -> String {
    let field = |p: &str| object.pointer(p).and_then(Json::as_str).unwrap_or("");
    let namespace = field("/metadata/namespace");
    if namespace.is_empty() {
        format!("{}/{}", field("/kind"), field("/metadata/name"))
    } else {
        format!("{}/{namespace}/{}", field("/kind"), field("/metadata/name"))
    }
}

/// Jobs with `spec.ttlSecondsAfterFinished`: gone after completion, which counts as healthy.
fn jobs_with_ttl(objects: &[Json]) -> Vec<ObjMetadata> {
    objects
        .iter()
        .filter(|o| {
            o.get("kind").and_then(Json::as_str) == Some("Job")
                && o.get("apiVersion")
                    .and_then(Json::as_str)
                    .is_some_and(|v| v.starts_with("batch/"))
                && o.pointer("/spec/ttlSecondsAfterFinished").is_some()
        })
        .filter_map(|o| ObjMetadata::from_object(o).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flux_api::kustomize::KustomizationSpec;

    fn ks(interval: &str, timeout: Option<&str>) -> Kustomization {
        Kustomization::new(
            "x",
            KustomizationSpec {
                interval: interval.into(),
                timeout: timeout.map(str::to_string),
                ..Default::default()
            },
        )
    }

    #[test]
    fn timeout_defaults_as_flux_code_does() {
        assert_eq!(timeout_of(&ks("10m", None)), Duration::from_secs(570));
        assert_eq!(timeout_of(&ks("40s", None)), Duration::from_secs(30));
        assert_eq!(timeout_of(&ks("10m", Some("2m"))), Duration::from_secs(120));
        assert_eq!(timeout_of(&ks("10m", Some("5s"))), Duration::from_secs(30));
    }

    #[test]
    fn deletion_policy_decides_what_is_deleted() {
        let mut k = ks("1m", None);
        k.status = Some(flux_api::kustomize::KustomizationStatus {
            inventory: Some(flux_api::kustomize::ResourceInventory {
                entries: vec![flux_api::kustomize::ResourceRef {
                    id: "default_x__ConfigMap".into(),
                    v: "v1".into(),
                }],
            }),
            ..Default::default()
        });
        assert!(!should_delete(&k), "MirrorPrune without prune");
        k.spec.prune = true;
        assert!(should_delete(&k));
        k.spec.deletion_policy = Some(DeletionPolicy::Orphan);
        assert!(!should_delete(&k));
        k.spec.prune = false;
        k.spec.deletion_policy = Some(DeletionPolicy::Delete);
        assert!(should_delete(&k));
        k.spec.suspend = Some(true);
        assert!(!should_delete(&k));
    }
}
