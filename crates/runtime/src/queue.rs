//! Feeds controller-runtime's workqueue metrics (`workqueue_depth`, `workqueue_adds_total`,
//! `workqueue_retries_total`, `workqueue_queue_duration_seconds`) from the harness, since
//! kube-runtime's scheduler does not expose its queue.
//!
//! An object is *queued* from the moment it is ready to be reconciled until a worker picks it up:
//! when a watch event (of its own kind or of a related object) triggers it, or when its requeue
//! delay has elapsed (as controller-runtime's delaying queue adds an item once its delay is over).
//! Requeue delays are checked once per [`TICK`], so timed requeues show in the depth gauge with up
//! to that much lag; the queue duration of a timed requeue is measured from its due time.
//! Retries count requeues after errors (backoff), as controller-runtime counts rate-limited adds.

use crate::metrics::{Metrics, QueueLabels};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// How often due requeues are moved into the queue for the depth gauge.
pub const TICK: Duration = Duration::from_secs(1);

#[derive(Default)]
struct State {
    /// Ready and waiting for a worker, since when.
    ready: HashMap<String, Instant>,
    /// Waiting for their requeue delay, until when.
    delayed: HashMap<String, Instant>,
}

pub(crate) struct QueueTracker {
    labels: QueueLabels,
    metrics: Metrics,
    state: Mutex<State>,
}

impl QueueTracker {
    pub(crate) fn new(name: &str, metrics: Metrics) -> Self {
        QueueTracker {
            labels: QueueLabels { name: name.into() },
            metrics,
            state: Mutex::new(State::default()),
        }
    }

    fn with_state(&self, f: impl FnOnce(&mut State)) {
        if let Ok(mut state) = self.state.lock() {
            f(&mut state);
            self.metrics
                .queue_depth
                .get_or_create(&self.labels)
                .set(i64::try_from(state.ready.len()).unwrap_or(i64::MAX));
        }
    }

    /// A watch event made `key` ready.
    pub(crate) fn triggered(&self, key: &str) {
        self.with_state(|state| {
            state.delayed.remove(key);
            if let std::collections::hash_map::Entry::Vacant(entry) =
                state.ready.entry(key.to_string())
            {
                entry.insert(Instant::now());
                self.metrics.queue_adds.get_or_create(&self.labels).inc();
            }
        });
    }

    /// `key` will be ready again after `delay`; `retry` when it follows an error.
    pub(crate) fn requeued(&self, key: &str, delay: Duration, retry: bool) {
        if retry {
            self.metrics.queue_retries.get_or_create(&self.labels).inc();
        }
        let due = Instant::now() + delay;
        self.with_state(|state| {
            let entry = state.delayed.entry(key.to_string()).or_insert(due);
            // As the delaying queue: the earliest time wins.
            if due < *entry {
                *entry = due;
            }
        });
    }

    /// Move due requeues into the queue.
    pub(crate) fn tick(&self) {
        let now = Instant::now();
        self.with_state(|state| {
            let due: Vec<(String, Instant)> = state
                .delayed
                .iter()
                .filter(|(_, at)| **at <= now)
                .map(|(k, at)| (k.clone(), *at))
                .collect();
            for (key, at) in due {
                state.delayed.remove(&key);
                if let std::collections::hash_map::Entry::Vacant(entry) = state.ready.entry(key) {
                    entry.insert(at);
                    self.metrics.queue_adds.get_or_create(&self.labels).inc();
                }
            }
        });
    }

    /// A worker picked `key` up.
    pub(crate) fn started(&self, key: &str) {
        let now = Instant::now();
        let mut waited = None;
        self.with_state(|state| {
            let since = match state.ready.remove(key) {
                Some(since) => Some(since),
                // A timed requeue picked up before the tick noticed it was due.
                None => match state.delayed.get(key) {
                    Some(at) if *at <= now => {
                        let at = *at;
                        state.delayed.remove(key);
                        self.metrics.queue_adds.get_or_create(&self.labels).inc();
                        Some(at)
                    }
                    _ => None,
                },
            };
            waited = since.map(|s| now.saturating_duration_since(s));
        });
        if let Some(waited) = waited {
            self.metrics
                .queue_duration
                .get_or_create(&self.labels)
                .observe(waited.as_secs_f64());
        }
    }

    /// An object went away: forget its queue entries.
    pub(crate) fn forget(&self, key: &str) {
        self.with_state(|state| {
            state.ready.remove(key);
            state.delayed.remove(key);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(metrics: &Metrics, family: &str) -> f64 {
        let text = metrics.encode();
        text.lines()
            .find(|l| l.starts_with(family) && l.contains("name=\"kustomization\""))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    }

    #[tokio::test(start_paused = true)]
    async fn depth_adds_retries_and_waits_follow_the_queue() {
        let metrics = Metrics::new();
        let queue = QueueTracker::new("kustomization", metrics.clone());
        queue.triggered("a");
        queue.triggered("a");
        queue.triggered("b");
        assert_eq!(value(&metrics, "workqueue_depth"), 2.0);
        assert_eq!(value(&metrics, "workqueue_adds_total"), 2.0);
        tokio::time::advance(Duration::from_millis(250)).await;
        queue.started("a");
        assert_eq!(value(&metrics, "workqueue_depth"), 1.0);
        assert_eq!(
            value(&metrics, "workqueue_queue_duration_seconds_sum"),
            0.25
        );

        // A failed reconcile is requeued with backoff: a retry, ready once the delay is over.
        queue.requeued("a", Duration::from_secs(2), true);
        assert_eq!(value(&metrics, "workqueue_retries_total"), 1.0);
        queue.tick();
        assert_eq!(value(&metrics, "workqueue_depth"), 1.0);
        tokio::time::advance(Duration::from_secs(2)).await;
        queue.tick();
        assert_eq!(value(&metrics, "workqueue_depth"), 2.0);
        assert_eq!(value(&metrics, "workqueue_adds_total"), 3.0);
        queue.forget("a");
        queue.forget("b");
        assert_eq!(value(&metrics, "workqueue_depth"), 0.0);
    }
}
