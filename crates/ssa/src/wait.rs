//! Waiting for sets of objects to become Current (fluxcd/pkg `ssa/manager_wait.go` over the
//! kstatus poller), and for deleted objects to be gone.

use std::time::Duration;

use futures::{StreamExt, stream};
use tokio::time::Instant;

use crate::changeset::{Action, ChangeSet};
use crate::error::{ApiFailure, SsaError};
use crate::health::{Status, compute_status};
use crate::manager::ResourceManager;
use crate::object::{ObjMetadata, ObjRef};

/// The first re-poll of a wait; later ones double up to [`WaitOptions::interval`].
const FIRST_REPOLL: Duration = Duration::from_millis(250);

/// How a wait polls (Flux's `ssa.WaitOptions`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitOptions {
    /// Time between polls.
    pub interval: Duration,
    /// When to give up.
    pub timeout: Duration,
    /// Stop as soon as one object is Failed, without waiting for the others.
    pub fail_fast: bool,
    /// Jobs with `ttlSecondsAfterFinished`: once gone they count as Current.
    pub jobs_with_ttl: Vec<ObjMetadata>,
}

impl Default for WaitOptions {
    /// Flux's `DefaultWaitOptions`: every 5s, up to 60s.
    fn default() -> Self {
        WaitOptions {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(60),
            fail_fast: false,
            jobs_with_ttl: Vec::new(),
        }
    }
}

/// The last status seen of one object of a wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectStatus {
    /// The object.
    pub object: ObjMetadata,
    /// Its status.
    pub status: Status,
    /// kstatus's message.
    pub message: String,
    /// The error that prevented reading or computing the status, if any.
    pub error: Option<String>,
}

/// A wait that did not end with every object Current. Its message is Flux's:
/// `timeout waiting for: [Deployment/default/podinfo status: 'InProgress']` or
/// `failed early due to stalled resources: [Deployment/default/podinfo status: 'Failed']`;
/// the objects keep each status message for callers that want more.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{}", self.flux_message())]
pub struct WaitError {
    /// True when the timeout ended the wait (else it ended early on failed objects).
    pub timed_out: bool,
    /// The objects that failed, or at a timeout were not Current, in the order given.
    pub objects: Vec<ObjectStatus>,
}

impl WaitError {
    fn flux_message(&self) -> String {
        let prefix = if self.timed_out {
            "timeout waiting for"
        } else {
            "failed early due to stalled resources"
        };
        let items: Vec<String> = self
            .objects
            .iter()
            .map(|o| {
                let mut s = format!("{} status: '{}'", o.object.subject(), o.status);
                if let Some(e) = &o.error {
                    s.push_str(": ");
                    s.push_str(e);
                }
                s
            })
            .collect();
        format!("{prefix}: [{}]", items.join(", "))
    }

    /// One line per object with its status message: `Deployment/default/podinfo: Failed:
    /// Progress deadline exceeded`.
    pub fn details(&self) -> String {
        self.objects
            .iter()
            .map(|o| format!("{}: {}: {}", o.object.subject(), o.status, o.message))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl ResourceManager {
    /// Polls the objects (re-polling after 250ms, doubling up to `interval`) until all are Current (Ok), or every one is Current or
    /// Failed, or one is Failed under `fail_fast` (Err, "failed early"), or `timeout` passes
    /// (Err, "timeout waiting for"). An empty set is Ok at once.
    pub async fn wait_for_set(
        &self,
        set: &[ObjMetadata],
        opts: &WaitOptions,
    ) -> Result<(), WaitError> {
        if set.is_empty() {
            return Ok(());
        }
        let deadline = Instant::now() + opts.timeout;
        let mut last: Vec<ObjectStatus> = set
            .iter()
            .map(|o| ObjectStatus {
                object: o.clone(),
                status: Status::Unknown,
                message: String::new(),
                error: Some("can't determine status".into()),
            })
            .collect();
        // Flux polls at a fixed interval; most rollouts settle within a second, so the first
        // re-polls come sooner (250ms, doubling up to `interval`) and a worker is not held for a
        // whole interval on an object that is already Current.
        let mut pause = opts.interval.min(FIRST_REPOLL);
        loop {
            match tokio::time::timeout_at(deadline, self.poll_statuses(set)).await {
                Ok(polled) => last = polled,
                Err(_) => return Err(wait_error(&last, opts, true)),
            }
            let effective = |s: &ObjectStatus| {
                if s.status == Status::NotFound && opts.jobs_with_ttl.contains(&s.object) {
                    Status::Current
                } else {
                    s.status
                }
            };
            let all_current = last.iter().all(|s| effective(s) == Status::Current);
            if all_current {
                return Ok(());
            }
            let any_failed = last.iter().any(|s| effective(s) == Status::Failed);
            let terminal = last
                .iter()
                .all(|s| matches!(effective(s), Status::Current | Status::Failed));
            if terminal || (opts.fail_fast && any_failed) {
                return Err(wait_error(&last, opts, false));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(wait_error(&last, opts, true));
            }
            tokio::time::sleep_until((now + pause).min(deadline)).await;
            pause = (pause * 2).min(opts.interval);
        }
    }

    /// The current status of each object, in order.
    pub async fn poll_statuses(&self, set: &[ObjMetadata]) -> Vec<ObjectStatus> {
        stream::iter(set)
            .map(|o| self.status_of(o))
            .buffered(self.concurrency)
            .collect()
            .await
    }

    async fn status_of(&self, o: &ObjMetadata) -> ObjectStatus {
        let status = |status, message: &str, error: Option<String>| ObjectStatus {
            object: o.clone(),
            status,
            message: message.to_string(),
            error,
        };
        let resolved = match self
            .discovery
            .resolve_group_kind(&self.client, &o.group, &o.kind)
            .await
        {
            Ok(r) => r,
            Err(e) => return status(Status::Unknown, "", Some(e.to_string())),
        };
        let api = resolved.api(&self.client, &o.namespace);
        match api.get_opt(&o.name).await {
            Ok(Some(obj)) => match serde_json::to_value(&obj) {
                Ok(v) => {
                    let r = compute_status(&v);
                    let error = (r.status == Status::Unknown).then(|| r.message.clone());
                    status(r.status, &r.message, error)
                }
                Err(e) => status(Status::Unknown, "", Some(e.to_string())),
            },
            Ok(None) => status(Status::NotFound, "Resource not found", None),
            Err(e) => status(Status::Unknown, "", Some(ApiFailure::from_kube(&e).message)),
        }
    }

    /// Waits until every object is gone, polling every `interval` up to `timeout` in all.
    pub async fn wait_for_termination(
        &self,
        objects: &[ObjRef],
        opts: &WaitOptions,
    ) -> Result<(), SsaError> {
        let deadline = Instant::now() + opts.timeout;
        for o in objects {
            let subject = o.object.subject();
            let resolved = match self
                .discovery
                .resolve(&self.client, &o.object.group, &o.version, &o.object.kind)
                .await
            {
                Ok(r) => r,
                // A kind no longer served has no objects left.
                Err(SsaError::NoKindMatch { .. }) => continue,
                Err(e) => return Err(e),
            };
            let api = resolved.api(&self.client, &o.object.namespace);
            loop {
                match api.get_opt(&o.object.name).await {
                    Ok(None) => break,
                    Ok(Some(_)) => {}
                    Err(e) => {
                        return Err(SsaError::TerminationCheck {
                            subject,
                            source: ApiFailure::from_kube(&e),
                        });
                    }
                }
                let now = Instant::now();
                if now >= deadline {
                    return Err(SsaError::TerminationTimeout { subject });
                }
                tokio::time::sleep_until((now + opts.interval).min(deadline)).await;
            }
        }
        Ok(())
    }

    /// [`wait_for_termination`](Self::wait_for_termination) of the entries deleted in a change
    /// set (`deletionPolicy: WaitForTermination`).
    pub async fn wait_for_set_termination(
        &self,
        change_set: &ChangeSet,
        opts: &WaitOptions,
    ) -> Result<(), SsaError> {
        let deleted: Vec<ObjRef> = change_set
            .entries
            .iter()
            .filter(|e| e.action == Action::Deleted)
            .map(|e| e.obj_ref())
            .collect();
        self.wait_for_termination(&deleted, opts).await
    }
}

/// The Jobs among the manifests with `spec.ttlSecondsAfterFinished` set: they may be gone by
/// the time they are health-checked (Flux's `ExtractJobsWithTTL`).
pub fn jobs_with_ttl(objects: &[serde_json::Value]) -> Vec<ObjMetadata> {
    objects
        .iter()
        .filter(|o| {
            o.get("kind").and_then(serde_json::Value::as_str) == Some("Job")
                && o.get("apiVersion")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|v| v.starts_with("batch/"))
                && o.pointer("/spec/ttlSecondsAfterFinished")
                    .is_some_and(serde_json::Value::is_i64)
        })
        .filter_map(|o| ObjMetadata::from_object(o).ok())
        .collect()
}

fn wait_error(last: &[ObjectStatus], opts: &WaitOptions, timed_out: bool) -> WaitError {
    let objects = last
        .iter()
        .filter(|s| {
            let ttl_gone = s.status == Status::NotFound && opts.jobs_with_ttl.contains(&s.object);
            !ttl_gone && (s.status == Status::Failed || (timed_out && s.status != Status::Current))
        })
        .cloned()
        .collect();
    WaitError { timed_out, objects }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jobs_with_ttl_found() {
        let objs = [
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "a", "namespace": "n"}, "spec": {"ttlSecondsAfterFinished": 0}}),
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "b", "namespace": "n"}, "spec": {}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
        ];
        assert_eq!(
            jobs_with_ttl(&objs),
            vec![ObjMetadata::new("batch", "Job", "n", "a")]
        );
    }

    #[test]
    fn wait_messages_as_flux() {
        let st = |name: &str, status| ObjectStatus {
            object: ObjMetadata::new("apps", "Deployment", "default", name),
            status,
            message: String::new(),
            error: None,
        };
        let last = [
            st("a", Status::Current),
            st("b", Status::InProgress),
            st("c", Status::Failed),
        ];
        let opts = WaitOptions::default();
        assert_eq!(
            wait_error(&last, &opts, true).to_string(),
            "timeout waiting for: [Deployment/default/b status: 'InProgress', Deployment/default/c status: 'Failed']"
        );
        assert_eq!(
            wait_error(&last, &opts, false).to_string(),
            "failed early due to stalled resources: [Deployment/default/c status: 'Failed']"
        );
    }
}
