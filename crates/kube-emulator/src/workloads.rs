//! The workload simulator: Deployments, StatefulSets, DaemonSets, ReplicaSets and Jobs reach a
//! ready (or complete) status a short time after each spec change, as their controllers would report
//! it. A container image tagged `fail` never becomes ready; such a Deployment reports
//! ProgressDeadlineExceeded once `spec.progressDeadlineSeconds` (default 600) has passed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::objects::{meta_str, name_of, now_rfc3339};
use crate::server::Server;
use crate::store::EventType;
use crate::verbs;

const KEYS: &[&str] = &[
    "deployments.apps",
    "statefulsets.apps",
    "daemonsets.apps",
    "replicasets.apps",
    "jobs.batch",
];

type ObjRef = (String, String, String);

struct Pending {
    generation: i64,
    due: Instant,
    changed_at: Instant,
}

fn generation(o: &Value) -> i64 {
    o.pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn has_condition(o: &Value, kind: &str) -> bool {
    o.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == kind && c["status"] == "True")
        })
}

/// Whether any container image has the tag `fail`.
pub fn failing(o: &Value) -> bool {
    let spec = o
        .pointer("/spec/template/spec")
        .or_else(|| o.pointer("/spec/jobTemplate/spec/template/spec"));
    ["containers", "initContainers"].iter().any(|k| {
        spec.and_then(|s| s.get(*k))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|c| {
                let image = c.get("image").and_then(Value::as_str).unwrap_or("");
                let without_digest = image.split('@').next().unwrap_or("");
                let last = without_digest.rsplit('/').next().unwrap_or("");
                last.rsplit_once(':').is_some_and(|(_, tag)| tag == "fail")
            })
    })
}

fn needs_work(key: &str, o: &Value) -> bool {
    if crate::objects::is_deleting(o) {
        return false;
    }
    if key == "jobs.batch" {
        return !has_condition(o, "Complete") && o.pointer("/status/startTime").is_none();
    }
    o.pointer("/status/observedGeneration")
        .and_then(Value::as_i64)
        != Some(generation(o))
}

fn replicas(o: &Value) -> i64 {
    o.pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

fn cond(kind: &str, status: &str, reason: &str, message: &str, now: &str) -> Value {
    json!({"type": kind, "status": status, "lastUpdateTime": now, "lastTransitionTime": now, "reason": reason, "message": message})
}

/// The status the workload's controller would report; `deadline_passed` only matters when failing.
fn status_for(key: &str, o: &Value, fail: bool, deadline_passed: bool) -> Value {
    let now = now_rfc3339();
    let obs_gen = generation(o);
    let r = replicas(o);
    let rs_name = format!(
        "{}-{}",
        name_of(o),
        &meta_str(o, "uid")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(10)
            .collect::<String>()
    );
    match key {
        "deployments.apps" if !fail => json!({
            "observedGeneration": obs_gen, "replicas": r, "updatedReplicas": r, "readyReplicas": r, "availableReplicas": r,
            "conditions": [
                cond("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", &now),
                cond("Progressing", "True", "NewReplicaSetAvailable", &format!("ReplicaSet \"{rs_name}\" has successfully progressed."), &now),
            ]
        }),
        "deployments.apps" => {
            let progressing = if deadline_passed {
                cond(
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    &format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                    &now,
                )
            } else {
                cond(
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    &format!("ReplicaSet \"{rs_name}\" is progressing."),
                    &now,
                )
            };
            json!({
                "observedGeneration": obs_gen, "replicas": r, "updatedReplicas": r, "unavailableReplicas": r,
                "conditions": [
                    cond("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", &now),
                    progressing,
                ]
            })
        }
        "statefulsets.apps" => {
            let ready = if fail { 0 } else { r };
            let rev = format!("{}-{}", name_of(o), obs_gen);
            json!({
                "observedGeneration": obs_gen, "replicas": r, "readyReplicas": ready, "currentReplicas": r, "updatedReplicas": r,
                "availableReplicas": ready, "currentRevision": rev, "updateRevision": rev, "collisionCount": 0
            })
        }
        "daemonsets.apps" => {
            let ready = if fail { 0 } else { 1 };
            let mut s = json!({
                "observedGeneration": obs_gen, "desiredNumberScheduled": 1, "currentNumberScheduled": 1, "numberMisscheduled": 0,
                "numberReady": ready, "updatedNumberScheduled": 1, "numberAvailable": ready
            });
            if fail {
                s["numberUnavailable"] = json!(1);
            }
            s
        }
        "replicasets.apps" => {
            let ready = if fail { 0 } else { r };
            json!({"observedGeneration": obs_gen, "replicas": r, "fullyLabeledReplicas": r, "readyReplicas": ready, "availableReplicas": ready})
        }
        _ => {
            let start = o
                .pointer("/status/startTime")
                .cloned()
                .unwrap_or(json!(now));
            if fail {
                json!({"startTime": start, "active": 1, "ready": 0})
            } else {
                let completions = o
                    .pointer("/spec/completions")
                    .and_then(Value::as_i64)
                    .unwrap_or(1);
                json!({
                    "startTime": start, "completionTime": now, "succeeded": completions, "ready": 0, "terminating": 0,
                    "uncountedTerminatedPods": {},
                    "conditions": [
                        {"type": "SuccessCriteriaMet", "status": "True", "lastProbeTime": now, "lastTransitionTime": now, "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"},
                        {"type": "Complete", "status": "True", "lastProbeTime": now, "lastTransitionTime": now, "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"}
                    ]
                })
            }
        }
    }
}

fn write_status(srv: &Server, key: &str, cur: &Arc<Value>, status: Value) {
    let Some(rt) = srv.type_for_key(key) else {
        return;
    };
    let mut next = (**cur).clone();
    next["status"] = status;
    if let Err(e) = verbs::commit_update(srv, &rt, cur, next, false)
        && e.code != 409
        && e.code != 404
    {
        tracing::warn!(key, name = name_of(cur), error = %e, "workload simulator could not write status");
    }
}

pub async fn run(srv: Arc<Server>) {
    let delay = srv.tuning.workload_delay;
    let mut changes = srv.store.subscribe();
    let mut pending: HashMap<ObjRef, Pending> = HashMap::new();
    let schedule = |pending: &mut HashMap<ObjRef, Pending>, key: &str, o: &Value| {
        let r = (
            key.to_string(),
            meta_str(o, "namespace").to_string(),
            name_of(o).to_string(),
        );
        let g = generation(o);
        if pending.get(&r).is_some_and(|p| p.generation == g) {
            return;
        }
        let now = Instant::now();
        pending.insert(
            r,
            Pending {
                generation: g,
                due: now + delay,
                changed_at: now,
            },
        );
    };
    // Workloads that existed before start-up (persistence).
    let mut cursor = srv.store.current_rv();
    for key in KEYS {
        for o in srv.store.list(key, None, None).0 {
            if needs_work(key, &o) {
                schedule(&mut pending, key, &o);
            }
        }
    }
    loop {
        changes.borrow_and_update();
        match srv.store.events_after(cursor) {
            Ok((events, latest)) => {
                for ev in events {
                    if ev.kind != EventType::Deleted
                        && KEYS.contains(&ev.key.as_str())
                        && needs_work(&ev.key, &ev.object)
                    {
                        schedule(&mut pending, &ev.key, &ev.object);
                    }
                }
                cursor = latest;
            }
            Err(_) => {
                // History overtaken: rescan everything.
                cursor = srv.store.current_rv();
                for key in KEYS {
                    for o in srv.store.list(key, None, None).0 {
                        if needs_work(key, &o) {
                            schedule(&mut pending, key, &o);
                        }
                    }
                }
            }
        }
        let now = Instant::now();
        let due: Vec<ObjRef> = pending
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(r, _)| r.clone())
            .collect();
        for r in due {
            let Some(p) = pending.remove(&r) else {
                continue;
            };
            let Some(cur) = srv.store.get(&r.0, &r.1, &r.2) else {
                continue;
            };
            if crate::objects::is_deleting(&cur) {
                continue;
            }
            if generation(&cur) != p.generation {
                schedule(&mut pending, &r.0, &cur);
                continue;
            }
            let fail = failing(&cur);
            let deadline = Duration::from_secs(
                cur.pointer("/spec/progressDeadlineSeconds")
                    .and_then(Value::as_u64)
                    .unwrap_or(600),
            );
            let passed = now >= p.changed_at + deadline;
            write_status(&srv, &r.0, &cur, status_for(&r.0, &cur, fail, passed));
            if fail && r.0 == "deployments.apps" && !passed {
                pending.insert(
                    r,
                    Pending {
                        due: p.changed_at + deadline,
                        ..p
                    },
                );
            }
        }
        let next = pending.values().map(|p| p.due).min();
        tokio::select! {
            r = changes.changed() => if r.is_err() { return },
            _ = async { match next { Some(t) => tokio::time::sleep_until(t).await, None => std::future::pending().await } } => {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_tag_is_detected() {
        let d =
            |img: &str| json!({"spec": {"template": {"spec": {"containers": [{"image": img}]}}}});
        assert!(failing(&d("nginx:fail")));
        assert!(failing(&d("registry:5000/app:fail")));
        assert!(!failing(&d("registry:5000/app:1.0")));
        assert!(!failing(&d("registry:5000/fail")));
    }
}
