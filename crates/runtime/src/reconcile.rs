//! The controller harness: a controller crate supplies a [`Reconciler`] for its kind and gets the
//! watch, the work queue (per-object serialisation, `--concurrent` workers), requeues at
//! `spec.interval` with jitter, retries at `spec.retryInterval` or with backoff, immediate reconciles
//! on spec changes and on `reconcile.fluxcd.io/requestedAt`, suspend, the finalizer, the kstatus
//! conditions (one status patch per reconcile), events and metrics.

use crate::duration::{exponential_backoff, parse_duration};
use crate::events::{EventRecorder, InvolvedObject, Severity};
use crate::metrics::{Metrics, ObjectLabels, ReconcileResult};
use flux_api::HasConditions;
use flux_api::meta::{FINALIZER, RECONCILE_REQUEST_ANNOTATION, condition_type, reason};
use futures::StreamExt;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{WatchStreamExt, predicates, watcher};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the harness needs to know about a Flux kind, read from its spec and status.
pub trait FluxObject:
    kube::Resource<DynamicType = (), Scope = kube::core::NamespaceResourceScope>
    + Clone
    + Debug
    + DeserializeOwned
    + Serialize
    + Send
    + Sync
    + 'static
{
    /// `spec.interval` as written (a Go duration).
    fn interval(&self) -> &str;
    /// `spec.retryInterval`, when the kind has one and it is set.
    fn retry_interval(&self) -> Option<&str> {
        None
    }
    fn suspended(&self) -> bool;
    /// Objects that only hold data for other objects (a HelmRepository of type `oci`): never
    /// reconciled. What an earlier spec left (artifacts, the finalizer, a status) is removed.
    fn is_static(&self) -> bool {
        false
    }
    /// `status.conditions` as JSON, to keep lastTransitionTime of unchanged conditions.
    fn status_conditions(&self) -> Vec<flux_api::Condition>;
}

/// How a failed reconcile is retried, decided once where the error is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Try again at `spec.retryInterval` (or `spec.interval`).
    Retry,
    /// Try again with exponential backoff between --min-retry-delay and --max-retry-delay.
    Backoff,
    /// A dependency or source is not ready: try again at --requeue-dependency.
    Waiting,
    /// Will not succeed until the spec changes: no requeue.
    Stalled,
}

/// A failed reconcile: the Ready reason and message, and how to retry.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ReconcileError {
    pub disposition: Disposition,
    pub reason: String,
    pub message: String,
    /// Conditions set besides Ready (e.g. FetchFailed=True), with this error's reason and message.
    pub conditions: Vec<(String, flux_api::ConditionStatus)>,
    /// Conditions removed (e.g. the negative condition of a step that has since succeeded).
    pub remove_conditions: Vec<String>,
}

impl ReconcileError {
    pub fn new(disposition: Disposition, reason: &str, message: impl Into<String>) -> Self {
        ReconcileError {
            disposition,
            reason: reason.into(),
            message: message.into(),
            conditions: Vec::new(),
            remove_conditions: Vec::new(),
        }
    }

    /// Also set condition `type_` to `status`, with this error's reason and message.
    pub fn with_condition(mut self, type_: &str, status: flux_api::ConditionStatus) -> Self {
        self.conditions.push((type_.to_string(), status));
        self
    }

    /// Also remove these conditions.
    pub fn removing(mut self, types: &[&str]) -> Self {
        self.remove_conditions
            .extend(types.iter().map(|t| t.to_string()));
        self
    }
}

/// A successful reconcile: the Ready message and reason, kind-specific status fields to write, and
/// extra conditions (e.g. ArtifactInStorage) to set.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub reason: String,
    pub message: String,
    /// Fields merged into `.status` (e.g. `artifact`); conditions are managed by the harness.
    pub status: serde_json::Map<String, Value>,
    pub conditions: Vec<(String, flux_api::ConditionStatus, String, String)>,
    /// Conditions to remove (e.g. a failed step's negative condition, now resolved).
    pub remove_conditions: Vec<String>,
    /// Requeue sooner than the interval.
    pub requeue_after: Option<Duration>,
}

/// A kind's reconcile logic; everything else is the harness's.
pub trait Reconciler<K: FluxObject>: Send + Sync + 'static {
    /// Make the world match `object`.
    fn reconcile(
        &self,
        object: Arc<K>,
        ctx: Arc<Context>,
    ) -> impl Future<Output = Result<Outcome, ReconcileError>> + Send;
    /// Undo what reconcile did, before the finalizer is removed.
    fn cleanup(
        &self,
        object: Arc<K>,
        ctx: Arc<Context>,
    ) -> impl Future<Output = Result<(), ReconcileError>> + Send;
}

/// Settings of one controller.
#[derive(Debug, Clone)]
pub struct ControllerSettings {
    /// The controller name in events and field managers, e.g. `source-controller`.
    pub name: String,
    /// The controller label in metrics: the lower-cased kind, e.g. `gitrepository`.
    pub metrics_name: String,
    pub concurrency: u16,
    pub requeue_dependency: Duration,
    pub min_retry_delay: Duration,
    pub max_retry_delay: Duration,
    pub jitter_percent: u8,
    /// Watch only this namespace (None: all namespaces).
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
}

/// Shared by every reconcile of a controller.
pub struct Context {
    pub client: kube::Client,
    pub events: EventRecorder,
    pub metrics: Metrics,
    pub settings: ControllerSettings,
    failures: Mutex<HashMap<String, u32>>,
    queue: crate::queue::QueueTracker,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Context {
    pub fn new(
        client: kube::Client,
        events: EventRecorder,
        metrics: Metrics,
        settings: ControllerSettings,
    ) -> Self {
        Context {
            queue: crate::queue::QueueTracker::new(&settings.metrics_name, metrics.clone()),
            client,
            events,
            metrics,
            settings,
            failures: Mutex::new(HashMap::new()),
        }
    }
}

/// Errors of the harness itself (talking to the API server), reported as Backoff.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("{0}")]
    Reconcile(#[from] ReconcileError),
    #[error("failed to update {what}: {source}")]
    Kube {
        what: &'static str,
        source: kube::Error,
    },
}

/// Run the controller until a shutdown signal (SIGTERM/SIGINT); in-flight reconciles finish first.
pub async fn run<K, R>(reconciler: R, ctx: Context)
where
    K: FluxObject,
    R: Reconciler<K>,
{
    run_until(reconciler, ctx, shutdown_signal()).await;
}

/// Resolves on the first SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Run the controller until `shutdown` resolves: no new reconciles start after that, and the
/// future ends once the in-flight ones have finished (bound that wait with a timeout, as
/// [`crate::manager::Manager`] does).
pub async fn run_until<K, R, S>(reconciler: R, ctx: Context, shutdown: S)
where
    K: FluxObject,
    R: Reconciler<K>,
    S: Future<Output = ()> + Send + Sync + 'static,
{
    run_with_watches(reconciler, ctx, shutdown, Vec::new()).await;
}

/// [`run_until`], plus watches of related objects whose changes re-queue the objects referring
/// to them (see [`crate::watches`]).
pub async fn run_with_watches<K, R, S>(
    reconciler: R,
    ctx: Context,
    shutdown: S,
    watches: Vec<crate::watches::RelatedWatch<K>>,
) where
    K: FluxObject,
    R: Reconciler<K>,
    S: Future<Output = ()> + Send + Sync + 'static,
{
    let api: Api<K> = match &ctx.settings.namespace {
        Some(ns) => Api::namespaced(ctx.client.clone(), ns),
        None => Api::all(ctx.client.clone()),
    };
    let mut config = watcher::Config::default();
    if let Some(selector) = &ctx.settings.label_selector {
        config = config.labels(selector);
    }
    let (reader, writer) = reflector::store();
    let ctx = Arc::new(ctx);
    // Our own status writes must not trigger reconciles: only spec changes (generation), a
    // reconcile request, or deletion do.
    let queued = ctx.clone();
    let trigger = watcher(api, config)
        .default_backoff()
        .reflect(writer)
        .applied_objects()
        .predicate_filter(reconcile_trigger::<K>, Default::default())
        .inspect(move |object| {
            if let Ok(object) = object {
                queued.queue.triggered(&key_of(object));
            }
        });
    let concurrency = ctx.settings.concurrency;
    let name = ctx.settings.metrics_name.clone();
    ctx.metrics
        .max_concurrent_reconciles
        .get_or_create(&crate::metrics::ControllerLabels {
            controller: name.clone(),
        })
        .set(i64::from(concurrency));
    let reconciler = Arc::new(reconciler);
    let mut controller = Controller::for_stream(trigger, reader.clone());
    for watch in watches {
        tracing::debug!(controller = %name, watch = %watch.name(), "watching related objects");
        let queued = ctx.clone();
        controller = controller.reconcile_on(
            watch
                .start_in(
                    ctx.client.clone(),
                    reader.clone(),
                    ctx.settings.namespace.clone(),
                )
                .inspect(move |object| queued.queue.triggered(&object.to_string())),
        );
    }
    let ticking = ctx.clone();
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(crate::queue::TICK);
        loop {
            every.tick().await;
            ticking.queue.tick();
        }
    });
    controller
        .with_config(kube::runtime::controller::Config::default().concurrency(concurrency))
        .graceful_shutdown_on(shutdown)
        .run(
            move |object, ctx| {
                let reconciler = reconciler.clone();
                async move { reconcile_one(reconciler.as_ref(), object, ctx).await }
            },
            error_policy::<K>,
            ctx,
        )
        .for_each(|result| async move {
            if let Err(err) = result {
                tracing::debug!(error = %err, "reconcile loop error");
            }
        })
        .await;
    ticker.abort();
}

/// A hash of what should trigger a reconcile: generation, the request annotation, deletion.
fn reconcile_trigger<K: FluxObject>(object: &K) -> Option<u64> {
    let meta = object.meta();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    predicates::generation(object).hash(&mut hasher);
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(RECONCILE_REQUEST_ANNOTATION))
        .hash(&mut hasher);
    meta.deletion_timestamp.is_some().hash(&mut hasher);
    Some(hasher.finish())
}

fn key_of<K: FluxObject>(object: &K) -> String {
    ObjectRef::from_obj(object).to_string()
}

fn labels_of<K: FluxObject>(object: &K) -> ObjectLabels {
    ObjectLabels {
        kind: K::kind(&()).into_owned(),
        name: object.meta().name.clone().unwrap_or_default(),
        namespace: object.meta().namespace.clone().unwrap_or_default(),
    }
}

async fn reconcile_one<K: FluxObject, R: Reconciler<K>>(
    reconciler: &R,
    object: Arc<K>,
    ctx: Arc<Context>,
) -> Result<Action, HarnessError> {
    let started = Instant::now();
    ctx.queue.started(&key_of(object.as_ref()));
    let labels = labels_of(object.as_ref());
    let controller = ctx.settings.metrics_name.clone();
    let workers = ctx
        .metrics
        .active_workers
        .get_or_create(&crate::metrics::ControllerLabels {
            controller: controller.clone(),
        })
        .clone();
    workers.inc();
    let result = reconcile_inner(reconciler, object.clone(), &ctx, &labels).await;
    workers.dec();
    let metric_result = match &result {
        Ok(action) if *action == Action::await_change() => ReconcileResult::Success,
        Ok(_) => ReconcileResult::RequeueAfter,
        Err(_) => ReconcileResult::Error,
    };
    ctx.metrics.record_reconcile(
        &controller,
        &labels,
        started.elapsed().as_secs_f64(),
        metric_result,
    );
    result
}

async fn reconcile_inner<K: FluxObject, R: Reconciler<K>>(
    reconciler: &R,
    object: Arc<K>,
    ctx: &Arc<Context>,
    labels: &ObjectLabels,
) -> Result<Action, HarnessError> {
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &labels.namespace);
    let meta = object.meta();
    let has_finalizer = meta.finalizers.iter().flatten().any(|f| f == FINALIZER);

    if object.is_static() {
        let_go_of_static(reconciler, object, ctx, &api, labels).await?;
        return Ok(Action::await_change());
    }

    if meta.deletion_timestamp.is_some() {
        if has_finalizer {
            // A suspended object is let go without cleanup, as Flux does.
            if !object.suspended() {
                reconciler.cleanup(object.clone(), ctx.clone()).await?;
            }
            remove_finalizer(&api, &labels.name, meta.finalizers.iter().flatten()).await?;
        }
        ctx.metrics.forget(labels);
        ctx.queue.forget(&key_of(object.as_ref()));
        return Ok(Action::await_change());
    }

    // As Flux: the finalizer first (so that a deletion is always seen), then suspend.
    if !has_finalizer {
        let mut finalizers: Vec<String> = meta.finalizers.clone().unwrap_or_default();
        finalizers.push(FINALIZER.to_string());
        patch_metadata(
            &api,
            &labels.name,
            json!({ "metadata": { "finalizers": finalizers } }),
        )
        .await?;
    }

    ctx.metrics.record_suspend(labels, object.suspended());
    if object.suspended() {
        tracing::info!(name = %labels.name, namespace = %labels.namespace, "reconciliation is suspended for this object");
        record_suspended_status(&api, object.as_ref(), &labels.name).await?;
        return Ok(Action::await_change());
    }

    let interval = parse_duration(object.interval()).map_err(|e| {
        ReconcileError::new(
            Disposition::Stalled,
            reason::FAILED,
            format!("invalid spec.interval: {e}"),
        )
    });
    let every = interval.as_ref().ok().copied();
    let result = match interval {
        Ok(_) => reconciler.reconcile(object.clone(), ctx.clone()).await,
        Err(e) => Err(e),
    };
    let requested_at = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(RECONCILE_REQUEST_ANNOTATION))
        .cloned();
    let generation = meta.generation;
    let key = key_of(object.as_ref());
    let mut conditions = object.status_conditions();
    let mut status = serde_json::Map::new();
    let action = match &result {
        Ok(outcome) => {
            if let Ok(mut failures) = ctx.failures.lock() {
                failures.remove(&key);
            }
            conditions.set_condition(
                condition_type::READY,
                flux_api::ConditionStatus::True,
                &outcome.reason,
                &outcome.message,
                generation,
            );
            conditions.remove_condition(condition_type::RECONCILING);
            conditions.remove_condition(condition_type::STALLED);
            for type_ in &outcome.remove_conditions {
                conditions.remove_condition(type_);
            }
            for (type_, status_, reason_, message) in &outcome.conditions {
                conditions.set_condition(type_, *status_, reason_, message, generation);
            }
            status.extend(outcome.status.clone());
            let every = every.unwrap_or(Duration::from_secs(600));
            let after = outcome
                .requeue_after
                .unwrap_or_else(|| jitter(every, ctx.settings.jitter_percent));
            ctx.queue.requeued(&key, after, false);
            Action::requeue(after)
        }
        Err(err) => {
            conditions.set_condition(
                condition_type::READY,
                flux_api::ConditionStatus::False,
                &err.reason,
                &err.message,
                generation,
            );
            for type_ in &err.remove_conditions {
                conditions.remove_condition(type_);
            }
            for (type_, status_) in &err.conditions {
                conditions.set_condition(type_, *status_, &err.reason, &err.message, generation);
            }
            if err.disposition == Disposition::Stalled {
                conditions.remove_condition(condition_type::RECONCILING);
                conditions.set_condition(
                    condition_type::STALLED,
                    flux_api::ConditionStatus::True,
                    &err.reason,
                    &err.message,
                    generation,
                );
            } else {
                conditions.remove_condition(condition_type::STALLED);
                conditions.set_condition(
                    condition_type::RECONCILING,
                    flux_api::ConditionStatus::True,
                    reason::PROGRESSING_WITH_RETRY,
                    &err.message,
                    generation,
                );
            }
            let severity = if err.disposition == Disposition::Waiting {
                Severity::Info
            } else {
                Severity::Error
            };
            let involved = InvolvedObject::of(object.as_ref());
            ctx.events
                .record(
                    &involved,
                    meta.annotations.as_ref(),
                    severity,
                    &err.reason,
                    &err.message,
                    &BTreeMap::new(),
                )
                .await;
            retry_action(object.as_ref(), err.disposition, ctx, &key)
        }
    };
    status.insert(
        "conditions".into(),
        serde_json::to_value(&conditions).unwrap_or(Value::Null),
    );
    // As Flux: the generation counts as observed once it reconciled successfully or stalled;
    // after a retriable failure it is still to be observed.
    let observed = match &result {
        Ok(_) => true,
        Err(err) => err.disposition == Disposition::Stalled,
    };
    if let Some(generation) = generation.filter(|_| observed) {
        status.insert("observedGeneration".into(), json!(generation));
    }
    if let Some(requested_at) = requested_at {
        status.insert("lastHandledReconcileAt".into(), json!(requested_at));
    }
    for condition in &conditions {
        ctx.metrics
            .record_condition(labels, &condition.type_, status_str(condition.status));
    }
    patch_status(&api, &labels.name, status).await?;
    Ok(action)
}

/// Flux's `migrationToStatic`: unless suspended (and not being deleted), an object that still
/// has a finalizer or a status loses its artifacts (the reconciler's cleanup), the finalizer
/// and every status field.
async fn let_go_of_static<K: FluxObject, R: Reconciler<K>>(
    reconciler: &R,
    object: Arc<K>,
    ctx: &Arc<Context>,
    api: &Api<K>,
    labels: &ObjectLabels,
) -> Result<(), HarnessError> {
    let meta = object.meta();
    if object.suspended() && meta.deletion_timestamp.is_none() {
        return Ok(());
    }
    let finalizers = meta.finalizers.clone().unwrap_or_default();
    let status = serde_json::to_value(object.as_ref())
        .ok()
        .and_then(|v| v.get("status").and_then(Value::as_object).cloned())
        .unwrap_or_default();
    if finalizers.is_empty() && status.is_empty() {
        return Ok(());
    }
    reconciler.cleanup(object.clone(), ctx.clone()).await?;
    if finalizers.iter().any(|f| f == FINALIZER) {
        remove_finalizer(api, &labels.name, finalizers.iter()).await?;
    }
    if !status.is_empty() && meta.deletion_timestamp.is_none() {
        let cleared = status.keys().map(|k| (k.clone(), Value::Null)).collect();
        patch_status(api, &labels.name, cleared).await?;
    }
    ctx.metrics.forget(labels);
    Ok(())
}

/// Writes the object's finalizers without Flux's.
async fn remove_finalizer<'a, K: FluxObject>(
    api: &Api<K>,
    name: &str,
    finalizers: impl Iterator<Item = &'a String>,
) -> Result<(), HarnessError> {
    let remaining: Vec<&String> = finalizers.filter(|f| *f != FINALIZER).collect();
    patch_metadata(
        api,
        name,
        json!({ "metadata": { "finalizers": remaining } }),
    )
    .await
}

/// What Flux's finalizeStatus still records for a suspended object: the handled reconcile request,
/// and the generation as observed while Ready is True. Conditions are left as they are; nothing
/// is written when both are already recorded.
async fn record_suspended_status<K: FluxObject>(
    api: &Api<K>,
    object: &K,
    name: &str,
) -> Result<(), HarnessError> {
    let current = serde_json::to_value(object).unwrap_or(Value::Null);
    let current = &current["status"];
    let meta = object.meta();
    let mut status = serde_json::Map::new();
    if let Some(requested_at) = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(RECONCILE_REQUEST_ANNOTATION))
        .filter(|r| current["lastHandledReconcileAt"].as_str() != Some(r.as_str()))
    {
        status.insert("lastHandledReconcileAt".into(), json!(requested_at));
    }
    let ready = object
        .status_conditions()
        .iter()
        .any(|c| c.type_ == condition_type::READY && c.status == flux_api::ConditionStatus::True);
    if let Some(generation) = meta
        .generation
        .filter(|g| ready && current["observedGeneration"].as_i64() != Some(*g))
    {
        status.insert("observedGeneration".into(), json!(generation));
    }
    if status.is_empty() {
        return Ok(());
    }
    patch_status(api, name, status).await
}

/// One merge patch of the status subresource.
async fn patch_status<K: FluxObject>(
    api: &Api<K>,
    name: &str,
    status: serde_json::Map<String, Value>,
) -> Result<(), HarnessError> {
    api.patch_status(
        name,
        &PatchParams::default(),
        &Patch::Merge(&json!({ "status": status })),
    )
    .await
    .map(|_| ())
    .map_err(|source| HarnessError::Kube {
        what: "status",
        source,
    })
}

fn status_str(status: flux_api::ConditionStatus) -> &'static str {
    match status {
        flux_api::ConditionStatus::True => "True",
        flux_api::ConditionStatus::False => "False",
        flux_api::ConditionStatus::Unknown => "Unknown",
    }
}

async fn patch_metadata<K: FluxObject>(
    api: &Api<K>,
    name: &str,
    patch: Value,
) -> Result<(), HarnessError> {
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .map(|_| ())
        .map_err(|source| HarnessError::Kube {
            what: "finalizers",
            source,
        })
}

fn retry_action<K: FluxObject>(
    object: &K,
    disposition: Disposition,
    ctx: &Context,
    key: &str,
) -> Action {
    match retry_delay(object, disposition, ctx, key) {
        Some(delay) => {
            ctx.queue
                .requeued(key, delay, disposition == Disposition::Backoff);
            Action::requeue(delay)
        }
        None => Action::await_change(),
    }
}

fn retry_delay<K: FluxObject>(
    object: &K,
    disposition: Disposition,
    ctx: &Context,
    key: &str,
) -> Option<Duration> {
    match disposition {
        Disposition::Stalled => None,
        Disposition::Waiting => Some(ctx.settings.requeue_dependency),
        Disposition::Retry => Some(
            object
                .retry_interval()
                .or(Some(object.interval()))
                .and_then(|d| parse_duration(d).ok())
                .unwrap_or(ctx.settings.max_retry_delay),
        ),
        Disposition::Backoff => {
            let attempts = ctx
                .failures
                .lock()
                .map(|mut f| {
                    let n = f.entry(key.to_string()).or_insert(0);
                    *n = n.saturating_add(1);
                    *n
                })
                .unwrap_or(1);
            Some(exponential_backoff(
                ctx.settings.min_retry_delay,
                ctx.settings.max_retry_delay,
                attempts,
            ))
        }
    }
}

/// `interval` plus or minus up to `percent` percent, so that many objects do not reconcile in step.
pub fn jitter(interval: Duration, percent: u8) -> Duration {
    if percent == 0 {
        return interval;
    }
    let spread = interval.as_secs_f64() * f64::from(percent.min(99)) / 100.0;
    let offset = (fastrand::f64() * 2.0 - 1.0) * spread;
    Duration::from_secs_f64((interval.as_secs_f64() + offset).max(0.0))
}

/// Errors the harness itself hits (API calls) are retried with backoff.
fn error_policy<K: FluxObject>(object: Arc<K>, err: &HarnessError, ctx: Arc<Context>) -> Action {
    tracing::warn!(error = %err, name = ?object.meta().name, namespace = ?object.meta().namespace, "reconcile failed");
    let key = key_of(object.as_ref());
    retry_action(object.as_ref(), Disposition::Backoff, &ctx, &key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_the_percentage() {
        let interval = Duration::from_secs(100);
        for _ in 0..1000 {
            let d = jitter(interval, 5);
            assert!(
                d >= Duration::from_secs(95) && d <= Duration::from_secs(105),
                "{d:?}"
            );
        }
        assert_eq!(jitter(interval, 0), interval);
    }
}
