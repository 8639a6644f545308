//! Prometheus metrics with the names and labels of Flux's controllers (fluxcd/pkg/runtime/metrics
//! and controller-runtime), so Flux's Grafana dashboards and alerting rules work unchanged.
//!
//! Beyond Flux, which registers `gotk_reconcile_condition` and `gotk_suspend_status` but no longer
//! sets them, both are maintained here.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::sync::Arc;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ObjectLabels {
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConditionLabels {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub r#type: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ControllerLabels {
    pub controller: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabels {
    pub controller: String,
    pub result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    pub name: String,
}

/// How a reconcile ended, as controller_runtime_reconcile_total labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconcileResult {
    Success,
    Error,
    Requeue,
    RequeueAfter,
}

impl ReconcileResult {
    fn label(self) -> &'static str {
        match self {
            ReconcileResult::Success => "success",
            ReconcileResult::Error => "error",
            ReconcileResult::Requeue => "requeue",
            ReconcileResult::RequeueAfter => "requeue_after",
        }
    }
}

/// Every metric a controller exports, registered once in one registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub reconcile_duration: Family<ObjectLabels, Histogram, fn() -> Histogram>,
    pub reconcile_condition: Family<ConditionLabels, Gauge>,
    pub suspend_status: Family<ObjectLabels, Gauge>,
    pub reconcile_total: Family<ResultLabels, Counter>,
    pub reconcile_errors: Family<ControllerLabels, Counter>,
    pub reconcile_time: Family<ControllerLabels, Histogram, fn() -> Histogram>,
    pub active_workers: Family<ControllerLabels, Gauge>,
    pub max_concurrent_reconciles: Family<ControllerLabels, Gauge>,
    pub queue_depth: Family<QueueLabels, Gauge>,
    pub queue_adds: Family<QueueLabels, Counter>,
    pub queue_retries: Family<QueueLabels, Counter>,
    pub queue_duration: Family<QueueLabels, Histogram, fn() -> Histogram>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Buckets spread exponentially from `min` to `max` (Go's prometheus.ExponentialBucketsRange).
fn exponential_range(min: f64, max: f64, count: u16) -> Vec<f64> {
    let factor = (max / min).powf(1.0 / f64::from(count - 1));
    (0..count)
        .map(|i| min * factor.powf(f64::from(i)))
        .collect()
}

/// controller-runtime's reconcile time buckets.
const RECONCILE_TIME_BUCKETS: [f64; 27] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9,
    1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5,
];

/// Flux's reconcile duration: 10 buckets from 10 ms to 30 minutes.
fn reconcile_duration_histogram() -> Histogram {
    Histogram::new(exponential_range(10e-3, 1800.0, 10))
}

fn reconcile_time_histogram() -> Histogram {
    Histogram::new(RECONCILE_TIME_BUCKETS.iter().copied())
}

/// client-go's workqueue buckets: 10 ns to 1000 s, by powers of ten.
fn queue_duration_histogram() -> Histogram {
    Histogram::new(exponential_range(1e-8, 1e3, 12))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let reconcile_duration =
            Family::<ObjectLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                reconcile_duration_histogram as fn() -> Histogram,
            );
        registry.register_with_unit(
            "gotk_reconcile_duration",
            "The duration in seconds of a GitOps Toolkit resource reconciliation.",
            Unit::Seconds,
            reconcile_duration.clone(),
        );
        let reconcile_condition = Family::<ConditionLabels, Gauge>::default();
        registry.register(
            "gotk_reconcile_condition",
            "The current condition status of a GitOps Toolkit resource reconciliation.",
            reconcile_condition.clone(),
        );
        let suspend_status = Family::<ObjectLabels, Gauge>::default();
        registry.register(
            "gotk_suspend_status",
            "The current suspend status of a GitOps Toolkit resource.",
            suspend_status.clone(),
        );
        let reconcile_total = Family::<ResultLabels, Counter>::default();
        registry.register(
            "controller_runtime_reconcile",
            "Total number of reconciliations per controller",
            reconcile_total.clone(),
        );
        let reconcile_errors = Family::<ControllerLabels, Counter>::default();
        registry.register(
            "controller_runtime_reconcile_errors",
            "Total number of reconciliation errors per controller",
            reconcile_errors.clone(),
        );
        let reconcile_time =
            Family::<ControllerLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                reconcile_time_histogram as fn() -> Histogram,
            );
        registry.register_with_unit(
            "controller_runtime_reconcile_time",
            "Length of time per reconciliation per controller",
            Unit::Seconds,
            reconcile_time.clone(),
        );
        let active_workers = Family::<ControllerLabels, Gauge>::default();
        registry.register(
            "controller_runtime_active_workers",
            "Number of currently used workers per controller",
            active_workers.clone(),
        );
        let max_concurrent_reconciles = Family::<ControllerLabels, Gauge>::default();
        registry.register(
            "controller_runtime_max_concurrent_reconciles",
            "Maximum number of concurrent reconciles per controller",
            max_concurrent_reconciles.clone(),
        );
        let queue_depth = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "workqueue_depth",
            "Current depth of workqueue",
            queue_depth.clone(),
        );
        let queue_adds = Family::<QueueLabels, Counter>::default();
        registry.register(
            "workqueue_adds",
            "Total number of adds handled by workqueue",
            queue_adds.clone(),
        );
        let queue_retries = Family::<QueueLabels, Counter>::default();
        registry.register(
            "workqueue_retries",
            "Total number of retries handled by workqueue",
            queue_retries.clone(),
        );
        let queue_duration =
            Family::<QueueLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                queue_duration_histogram as fn() -> Histogram,
            );
        registry.register_with_unit(
            "workqueue_queue_duration",
            "How long in seconds an item stays in workqueue before being requested",
            Unit::Seconds,
            queue_duration.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            reconcile_duration,
            reconcile_condition,
            suspend_status,
            reconcile_total,
            reconcile_errors,
            reconcile_time,
            active_workers,
            max_concurrent_reconciles,
            queue_depth,
            queue_adds,
            queue_retries,
            queue_duration,
        }
    }

    /// Record one finished reconcile of an object.
    pub fn record_reconcile(
        &self,
        controller: &str,
        object: &ObjectLabels,
        seconds: f64,
        result: ReconcileResult,
    ) {
        self.reconcile_duration
            .get_or_create(object)
            .observe(seconds);
        self.reconcile_time
            .get_or_create(&ControllerLabels {
                controller: controller.into(),
            })
            .observe(seconds);
        self.reconcile_total
            .get_or_create(&ResultLabels {
                controller: controller.into(),
                result: result.label().into(),
            })
            .inc();
        if result == ReconcileResult::Error {
            self.reconcile_errors
                .get_or_create(&ControllerLabels {
                    controller: controller.into(),
                })
                .inc();
        }
    }

    /// Set an object's condition gauges: 1 for the condition's current status, 0 for the others,
    /// as Flux's dashboards expect.
    pub fn record_condition(&self, object: &ObjectLabels, type_: &str, status: &str) {
        for candidate in ["True", "False", "Unknown", "Deleted"] {
            let labels = ConditionLabels {
                kind: object.kind.clone(),
                name: object.name.clone(),
                namespace: object.namespace.clone(),
                r#type: type_.into(),
                status: candidate.into(),
            };
            self.reconcile_condition
                .get_or_create(&labels)
                .set(i64::from(candidate == status));
        }
    }

    pub fn record_suspend(&self, object: &ObjectLabels, suspended: bool) {
        self.suspend_status
            .get_or_create(object)
            .set(i64::from(suspended));
    }

    /// Forget a deleted object's series, as Flux does.
    pub fn forget(&self, object: &ObjectLabels) {
        self.reconcile_duration.remove(object);
        self.suspend_status.remove(object);
        for type_ in ["Ready", "Reconciling", "Stalled", "Healthy"] {
            for status in ["True", "False", "Unknown", "Deleted"] {
                self.reconcile_condition.remove(&ConditionLabels {
                    kind: object.kind.clone(),
                    name: object.name.clone(),
                    namespace: object.namespace.clone(),
                    r#type: type_.into(),
                    status: status.into(),
                });
            }
        }
    }

    /// The registry in Prometheus text exposition (OpenMetrics), plus process metrics.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode_registry(&mut out, &self.registry).is_err() {
            return String::new();
        }
        out.push_str(&process_metrics());
        out.push_str("# EOF\n");
        out
    }
}

/// process_* metrics from /proc, as the Go client's process collector exports them.
fn process_metrics() -> String {
    let mut out = String::new();
    #[cfg(target_os = "linux")]
    {
        let page_size = 4096.0;
        if let Ok(statm) = std::fs::read_to_string("/proc/self/statm")
            && let Some(rss_pages) = statm
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<f64>().ok())
        {
            out.push_str("# HELP process_resident_memory_bytes Resident memory size in bytes.\n");
            out.push_str("# TYPE process_resident_memory_bytes gauge\n");
            out.push_str(&format!(
                "process_resident_memory_bytes {}\n",
                rss_pages * page_size
            ));
        }
        if let Ok(stat) = std::fs::read_to_string("/proc/self/stat")
            && let Some(after_name) = stat.rsplit_once(')').map(|(_, rest)| rest)
        {
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of /proc/self/stat, in clock ticks (100 Hz).
            if let (Some(utime), Some(stime)) = (fields.get(11), fields.get(12))
                && let (Ok(u), Ok(s)) = (utime.parse::<f64>(), stime.parse::<f64>())
            {
                out.push_str("# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n");
                out.push_str("# TYPE process_cpu_seconds_total counter\n");
                out.push_str(&format!("process_cpu_seconds_total {}\n", (u + s) / 100.0));
            }
        }
        if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
            out.push_str("# HELP process_open_fds Number of open file descriptors.\n");
            out.push_str("# TYPE process_open_fds gauge\n");
            out.push_str(&format!("process_open_fds {}\n", fds.count()));
        }
    }
    out
}
