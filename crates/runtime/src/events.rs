//! Events: one call records a Kubernetes Event (core/v1, de-duplicated with a count as client-go's
//! recorder does) and, when `--events-addr` is set, POSTs the same event to the notification
//! controller in Flux's event format. Delivery never blocks or fails a reconcile: Kubernetes
//! Events go through a bounded queue to one writer task, as client-go's broadcaster does (1,000
//! queued at most, newer ones dropped with a warning beyond that), so a throttled or slow API
//! server delays the Events, not the reconciles.

use chrono::{SecondsFormat, Utc};
use k8s_openapi::api::core::v1::{Event as KubeEvent, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Flux's event severities. `Trace` is recorded as a Normal Kubernetes Event but never POSTed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Trace,
    Info,
    Error,
}

impl Severity {
    fn kube_type(self) -> &'static str {
        match self {
            Severity::Error => "Warning",
            Severity::Info | Severity::Trace => "Normal",
        }
    }
}

/// The object an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvolvedObject {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource_version: String,
}

impl InvolvedObject {
    /// The reference for any kube resource with a static kind.
    pub fn of<K: kube::Resource<DynamicType = ()>>(obj: &K) -> Self {
        let meta = obj.meta();
        InvolvedObject {
            kind: K::kind(&()).into_owned(),
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            uid: meta.uid.clone().unwrap_or_default(),
            api_version: K::api_version(&()).into_owned(),
            resource_version: meta.resource_version.clone().unwrap_or_default(),
        }
    }

    fn group(&self) -> &str {
        self.api_version
            .split_once('/')
            .map(|(g, _)| g)
            .unwrap_or("")
    }
}

/// The JSON body POSTed to the notification controller (event.toolkit.fluxcd.io Event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FluxEvent {
    pub involved_object: InvolvedObject,
    pub severity: Severity,
    pub timestamp: String,
    pub message: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    pub reporting_controller: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting_instance: Option<String>,
}

/// Annotations with this prefix on the involved object are copied into every event's metadata.
pub const EVENT_ANNOTATION_PREFIX: &str = "event.toolkit.fluxcd.io/";

/// Retry policy for the POST to the notification controller (retryablehttp's defaults in Flux).
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    pub retries: u32,
    pub timeout: Duration,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            retries: 4,
            timeout: Duration::from_secs(5),
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// How many distinct events the de-duplication cache remembers.
const DEDUP_CACHE_SIZE: usize = 4096;

/// client-go's `maxQueuedEvents`: Kubernetes Events waiting for the writer task.
const KUBE_EVENT_QUEUE: usize = 1000;

/// Records events for one controller.
#[derive(Clone)]
pub struct EventRecorder {
    kube: Option<Arc<KubeEventWriter>>,
    /// The writer task's queue, started on first use (it needs a Tokio runtime).
    queue: Arc<OnceLock<mpsc::Sender<KubeEventJob>>>,
    http: reqwest::Client,
    events_addr: Option<String>,
    controller: String,
    instance: Option<String>,
    policy: DeliveryPolicy,
}

/// Writes Kubernetes Events, one at a time, in the order they were recorded.
struct KubeEventWriter {
    client: kube::Client,
    controller: String,
    instance: Option<String>,
    seen: Mutex<DedupCache>,
}

/// One Kubernetes Event waiting for the writer task.
struct PendingEvent {
    object: InvolvedObject,
    severity: Severity,
    reason: String,
    message: String,
    annotations: BTreeMap<String, String>,
}

enum KubeEventJob {
    Write(Box<PendingEvent>),
    /// Answered once every job queued before it is done.
    Flush(oneshot::Sender<()>),
}

impl std::fmt::Debug for EventRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventRecorder")
            .field("controller", &self.controller)
            .field("events_addr", &self.events_addr)
            .finish_non_exhaustive()
    }
}

impl EventRecorder {
    /// `kube`: where Kubernetes Events are written (None: not written). `events_addr`: the
    /// notification controller's URL, as `--events-addr` gives it ("" disables the POST).
    pub fn new(
        kube: Option<kube::Client>,
        events_addr: &str,
        controller: &str,
        policy: DeliveryPolicy,
    ) -> Self {
        let instance = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty());
        EventRecorder {
            kube: kube.map(|client| {
                Arc::new(KubeEventWriter {
                    client,
                    controller: controller.to_string(),
                    instance: instance.clone(),
                    seen: Mutex::new(DedupCache::default()),
                })
            }),
            queue: Arc::new(OnceLock::new()),
            http: reqwest::Client::builder()
                .timeout(policy.timeout)
                .build()
                .unwrap_or_default(),
            events_addr: (!events_addr.is_empty()).then(|| events_addr.to_string()),
            controller: controller.to_string(),
            instance,
            policy,
        }
    }

    /// The writer task's queue; None when Kubernetes Events are not written.
    fn kube_queue(&self) -> Option<&mpsc::Sender<KubeEventJob>> {
        let writer = self.kube.as_ref()?;
        Some(self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(KUBE_EVENT_QUEUE);
            tokio::spawn(write_kube_events(writer.clone(), rx));
            tx
        }))
    }

    /// Wait until every Kubernetes Event recorded so far has been written (or has failed).
    pub async fn flush(&self) {
        let Some(queue) = self.kube.as_ref().and(self.queue.get()) else {
            return;
        };
        let (done, wait) = oneshot::channel();
        if queue.send(KubeEventJob::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// Record an event. `metadata` keys are given without the group prefix (`revision`), which is
    /// added from the involved object's API group as Flux does; `annotations` are the object's
    /// annotations, whose `event.toolkit.fluxcd.io/` entries are copied into the metadata.
    pub async fn record(
        &self,
        object: &InvolvedObject,
        annotations: Option<&BTreeMap<String, String>>,
        severity: Severity,
        reason: &str,
        message: &str,
        metadata: &BTreeMap<String, String>,
    ) {
        let mut meta: BTreeMap<String, String> = metadata
            .iter()
            .map(|(k, v)| (format!("{}/{k}", object.group()), v.clone()))
            .collect();
        for (k, v) in annotations.into_iter().flatten() {
            if let Some(key) = k.strip_prefix(EVENT_ANNOTATION_PREFIX) {
                meta.insert(format!("{}/{key}", object.group()), v.clone());
            }
        }
        if let Some(queue) = self.kube_queue() {
            let job = KubeEventJob::Write(Box::new(PendingEvent {
                object: object.clone(),
                severity,
                reason: reason.to_string(),
                message: message.to_string(),
                annotations: meta.clone(),
            }));
            if let Err(mpsc::error::TrySendError::Full(_)) = queue.try_send(job) {
                tracing::warn!(name = %object.name, namespace = %object.namespace, reason, "Kubernetes event queue full: event dropped");
            }
        }
        if severity == Severity::Trace
            || object.kind.is_empty()
            || object.name.is_empty()
            || object.namespace.is_empty()
        {
            return;
        }
        if let Some(addr) = &self.events_addr {
            let event = FluxEvent {
                involved_object: object.clone(),
                severity,
                timestamp: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
                message: message.to_string(),
                reason: reason.to_string(),
                metadata: meta,
                reporting_controller: self.controller.clone(),
                reporting_instance: self.instance.clone(),
            };
            // Delivered in the background: a slow or absent notification controller must not hold
            // up the reconcile.
            tokio::spawn(post_event(
                self.http.clone(),
                addr.clone(),
                event,
                self.policy,
            ));
        }
    }
}

/// The writer task: jobs in order until every recorder is dropped.
async fn write_kube_events(writer: Arc<KubeEventWriter>, mut jobs: mpsc::Receiver<KubeEventJob>) {
    while let Some(job) = jobs.recv().await {
        match job {
            KubeEventJob::Write(event) => {
                let PendingEvent {
                    object,
                    severity,
                    reason,
                    message,
                    annotations,
                } = *event;
                if let Err(err) = writer
                    .write(&object, severity, &reason, &message, &annotations)
                    .await
                {
                    tracing::warn!(error = %err, name = %object.name, namespace = %object.namespace, "unable to record Kubernetes event");
                }
            }
            KubeEventJob::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}

impl KubeEventWriter {
    async fn write(
        &self,
        object: &InvolvedObject,
        severity: Severity,
        reason: &str,
        message: &str,
        annotations: &BTreeMap<String, String>,
    ) -> Result<(), kube::Error> {
        let namespace = if object.namespace.is_empty() {
            "default"
        } else {
            &object.namespace
        };
        let api: Api<KubeEvent> = Api::namespaced(self.client.clone(), namespace);
        let key = format!(
            "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
            object.uid,
            object.name,
            severity.kube_type(),
            reason,
            message
        );
        let now = Time(k8s_openapi::jiff::Timestamp::now());
        let existing = self.seen.lock().map(|mut c| c.bump(&key)).unwrap_or(None);
        if let Some((name, count)) = existing {
            let patch = serde_json::json!({ "count": count, "lastTimestamp": now });
            match api
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                Ok(_) => return Ok(()),
                // The Event expired or was deleted: record it anew.
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(err) => return Err(err),
            }
        }
        let name = format!(
            "{}.{:x}",
            object.name,
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        );
        let event = KubeEvent {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(namespace.to_string()),
                annotations: (!annotations.is_empty()).then(|| annotations.clone()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: Some(object.api_version.clone()).filter(|s| !s.is_empty()),
                kind: Some(object.kind.clone()),
                name: Some(object.name.clone()),
                namespace: Some(object.namespace.clone()).filter(|s| !s.is_empty()),
                uid: Some(object.uid.clone()).filter(|s| !s.is_empty()),
                resource_version: Some(object.resource_version.clone()).filter(|s| !s.is_empty()),
                ..Default::default()
            },
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            type_: Some(severity.kube_type().to_string()),
            count: Some(1),
            first_timestamp: Some(now.clone()),
            last_timestamp: Some(now),
            source: Some(EventSource {
                component: Some(self.controller.clone()),
                host: None,
            }),
            reporting_component: Some(self.controller.clone()),
            reporting_instance: self.instance.clone(),
            ..Default::default()
        };
        api.create(&PostParams::default(), &event).await?;
        if let Ok(mut cache) = self.seen.lock() {
            cache.insert(key, name);
        }
        Ok(())
    }
}

async fn post_event(http: reqwest::Client, url: String, event: FluxEvent, policy: DeliveryPolicy) {
    for attempt in 0..=policy.retries {
        match http.post(&url).json(&event).send().await {
            Ok(response) if response.status().is_success() => return,
            // The notification controller answers 429 for duplicates it rate-limits: not an error.
            Ok(response) if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => return,
            Ok(response) if response.status().is_client_error() => {
                tracing::warn!(url = %url, status = %response.status(), reason = %event.reason, "event rejected by the notification controller");
                return;
            }
            Ok(response) => {
                tracing::debug!(url = %url, status = %response.status(), attempt, "event delivery failed")
            }
            Err(err) => tracing::debug!(url = %url, error = %err, attempt, "event delivery failed"),
        }
        if attempt < policy.retries {
            let backoff = crate::duration::exponential_backoff(
                policy.min_backoff,
                policy.max_backoff,
                attempt + 1,
            );
            tokio::time::sleep(backoff).await;
        }
    }
    tracing::warn!(url = %url, reason = %event.reason, "unable to deliver event to the notification controller; giving up");
}

/// Remembers recent events so that a repeat updates the existing Event's count.
#[derive(Default)]
struct DedupCache {
    entries: HashMap<String, (String, i32)>,
    order: VecDeque<String>,
}

impl DedupCache {
    /// For a known event, increase its count and return (Event name, new count).
    fn bump(&mut self, key: &str) -> Option<(String, i32)> {
        let entry = self.entries.get_mut(key)?;
        entry.1 = entry.1.saturating_add(1);
        Some(entry.clone())
    }

    fn insert(&mut self, key: String, name: String) {
        if self.entries.insert(key.clone(), (name, 1)).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > DEDUP_CACHE_SIZE {
            if let Some(old) = self.order.pop_front() {
                self.entries.remove(&old);
            }
        }
    }
}
