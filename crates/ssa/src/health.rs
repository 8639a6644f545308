//! kstatus: the status of an object computed from its fields (fluxcd/cli-utils
//! `kstatus/status.Compute`), and the error of a failed wait.

use std::fmt;

use serde_json::Value;

/// The kstatus status of an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Being reconciled; not ready yet.
    InProgress,
    /// Reconciliation failed (stalled).
    Failed,
    /// Fully reconciled.
    Current,
    /// Being deleted.
    Terminating,
    /// Does not exist.
    NotFound,
    /// Could not be computed.
    Unknown,
}

impl Status {
    /// The name kstatus prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "InProgress",
            Status::Failed => "Failed",
            Status::Current => "Current",
            Status::Terminating => "Terminating",
            Status::NotFound => "NotFound",
            Status::Unknown => "Unknown",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A computed status and its message (`Deployment is available. Replicas: 1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusResult {
    /// The status.
    pub status: Status,
    /// Why, in kstatus's words.
    pub message: String,
}

impl StatusResult {
    fn new(status: Status, message: impl Into<String>) -> Self {
        StatusResult {
            status,
            message: message.into(),
        }
    }
    fn current(message: impl Into<String>) -> Self {
        Self::new(Status::Current, message)
    }
    fn in_progress(message: impl Into<String>) -> Self {
        Self::new(Status::InProgress, message)
    }
    fn failed(message: impl Into<String>) -> Self {
        Self::new(Status::Failed, message)
    }
}

/// The object's fields do not allow a status to be computed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct StatusError(pub String);

/// The status rule of one built-in kind.
type KindRule = fn(&Value) -> Result<StatusResult, StatusError>;

/// The status of an object, [`Status::Unknown`] with the error as message when it cannot be
/// computed.
pub fn compute_status(obj: &Value) -> StatusResult {
    compute(obj).unwrap_or_else(|e| StatusResult::new(Status::Unknown, e.0))
}

/// The status of an object, by kstatus's rules: deletion timestamp, then observedGeneration,
/// then `Reconciling`/`Stalled` conditions, then the rules of built-in kinds, then a `Ready`
/// condition, else Current.
pub fn compute(obj: &Value) -> Result<StatusResult, StatusError> {
    if let Some(r) = generic_properties(obj)? {
        return Ok(r);
    }
    let (group, _) = crate::object::split_api_version(str_at(obj, "/apiVersion", ""));
    let kind = str_at(obj, "/kind", "");
    let rule: Option<KindRule> = match (group, kind) {
        ("", "Service") => Some(service),
        ("", "Pod") => Some(pod),
        ("", "Secret") | ("", "ConfigMap") | ("batch", "CronJob") => Some(always_ready),
        ("", "PersistentVolumeClaim") => Some(pvc),
        ("apps", "StatefulSet") => Some(statefulset),
        ("apps" | "extensions", "DaemonSet") => Some(daemonset),
        ("apps" | "extensions", "Deployment") => Some(deployment),
        ("apps" | "extensions", "ReplicaSet") => Some(replicaset),
        ("policy", "PodDisruptionBudget") => Some(pdb),
        ("batch", "Job") => Some(job),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => Some(crd),
        _ => None,
    };
    if let Some(rule) = rule {
        return rule(obj);
    }
    if let Some(r) = ready_condition(obj)? {
        return Ok(r);
    }
    Ok(StatusResult::current("Resource is current"))
}

struct Condition<'a> {
    kind: &'a str,
    status: &'a str,
    reason: &'a str,
    message: &'a str,
}

/// `status.conditions`, rejecting the shapes Go's converter rejects.
fn conditions(obj: &Value) -> Result<Vec<Condition<'_>>, StatusError> {
    let Some(list) = obj.pointer("/status/conditions") else {
        return Ok(Vec::new());
    };
    if list.is_null() {
        return Ok(Vec::new());
    }
    let list = list
        .as_array()
        .ok_or_else(|| StatusError("status.conditions is not a list".into()))?;
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        if !c.is_object() {
            return Err(StatusError("status.conditions[] is not an object".into()));
        }
        out.push(Condition {
            kind: condition_field(c, "type")?,
            status: condition_field(c, "status")?,
            reason: condition_field(c, "reason")?,
            message: condition_field(c, "message")?,
        });
    }
    Ok(out)
}

fn condition_field<'a>(c: &'a Value, name: &str) -> Result<&'a str, StatusError> {
    match c.get(name) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(StatusError(format!(
            "status.conditions[].{name} is not a string"
        ))),
    }
}

fn str_at<'a>(obj: &'a Value, pointer: &str, default: &'a str) -> &'a str {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or(default)
}

/// An integer field; other types count as absent (Go's `GetIntField`).
fn int_at(obj: &Value, pointer: &str, default: i64) -> i64 {
    obj.pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or(default)
}

fn generic_properties(obj: &Value) -> Result<Option<StatusResult>, StatusError> {
    if !str_at(obj, "/metadata/deletionTimestamp", "").is_empty() {
        return Ok(Some(StatusResult::new(
            Status::Terminating,
            "Resource scheduled for deletion",
        )));
    }
    if let Some(generation) = obj.pointer("/metadata/generation").and_then(Value::as_i64)
        && let Some(observed) = obj
            .pointer("/status/observedGeneration")
            .and_then(Value::as_i64)
        && observed != generation
    {
        return Ok(Some(StatusResult::in_progress(format!(
            "{} generation is {generation}, but latest observed generation is {observed}",
            str_at(obj, "/kind", "")
        ))));
    }
    for c in conditions(obj)? {
        if c.kind == "Reconciling" && c.status == "True" {
            return Ok(Some(StatusResult::in_progress(c.message)));
        }
        if c.kind == "Stalled" && c.status == "True" {
            return Ok(Some(StatusResult::failed(c.message)));
        }
    }
    Ok(None)
}

fn ready_condition(obj: &Value) -> Result<Option<StatusResult>, StatusError> {
    for c in conditions(obj)? {
        if c.kind != "Ready" {
            continue;
        }
        match c.status {
            "True" => return Ok(Some(StatusResult::current("Resource is Ready"))),
            "False" | "Unknown" => return Ok(Some(StatusResult::in_progress(c.message))),
            _ => {}
        }
    }
    Ok(None)
}

fn always_ready(_: &Value) -> Result<StatusResult, StatusError> {
    Ok(StatusResult::current("Resource is always ready"))
}

fn pdb(_: &Value) -> Result<StatusResult, StatusError> {
    Ok(StatusResult::current(
        "AllowedDisruptions has been computed.",
    ))
}

fn deployment(obj: &Value) -> Result<StatusResult, StatusError> {
    const NO_DEADLINE: i64 = i32::MAX as i64;
    let mut progressing = int_at(obj, "/spec/progressDeadlineSeconds", NO_DEADLINE) == NO_DEADLINE;
    let mut available = false;
    for c in conditions(obj)? {
        match c.kind {
            "Progressing" => {
                if c.reason == "ProgressDeadlineExceeded" {
                    return Ok(StatusResult::failed("Progress deadline exceeded"));
                }
                if c.status == "True" && c.reason == "NewReplicaSetAvailable" {
                    progressing = true;
                }
            }
            "Available" if c.status == "True" => available = true,
            _ => {}
        }
    }
    let spec = int_at(obj, "/spec/replicas", 1);
    let replicas = int_at(obj, "/status/replicas", 0);
    let updated = int_at(obj, "/status/updatedReplicas", 0);
    let ready = int_at(obj, "/status/readyReplicas", 0);
    let avail = int_at(obj, "/status/availableReplicas", 0);
    if spec > replicas {
        return Ok(StatusResult::in_progress(format!(
            "Replicas: {replicas}/{spec}"
        )));
    }
    if spec > updated {
        return Ok(StatusResult::in_progress(format!(
            "Updated: {updated}/{spec}"
        )));
    }
    if replicas > spec {
        return Ok(StatusResult::in_progress(format!(
            "Pending termination: {}",
            replicas - spec
        )));
    }
    if updated > avail {
        return Ok(StatusResult::in_progress(format!(
            "Available: {avail}/{updated}"
        )));
    }
    if spec > ready {
        return Ok(StatusResult::in_progress(format!("Ready: {ready}/{spec}")));
    }
    if !progressing {
        return Ok(StatusResult::in_progress("ReplicaSet not Available"));
    }
    if !available {
        return Ok(StatusResult::in_progress("Deployment not Available"));
    }
    Ok(StatusResult::current(format!(
        "Deployment is available. Replicas: {replicas}"
    )))
}

fn statefulset(obj: &Value) -> Result<StatusResult, StatusError> {
    if str_at(obj, "/spec/updateStrategy/type", "") == "OnDelete" {
        return Ok(StatusResult::current(
            "StatefulSet is using the ondelete update strategy",
        ));
    }
    let spec = int_at(obj, "/spec/replicas", 1);
    let ready = int_at(obj, "/status/readyReplicas", 0);
    let current = int_at(obj, "/status/currentReplicas", 0);
    let updated = int_at(obj, "/status/updatedReplicas", 0);
    let replicas = int_at(obj, "/status/replicas", 0);
    let partition = int_at(obj, "/spec/updateStrategy/rollingUpdate/partition", -1);
    if spec > replicas {
        return Ok(StatusResult::in_progress(format!(
            "Replicas: {replicas}/{spec}"
        )));
    }
    if spec > ready {
        return Ok(StatusResult::in_progress(format!("Ready: {ready}/{spec}")));
    }
    if replicas > spec {
        return Ok(StatusResult::in_progress(format!(
            "Pending termination: {}",
            replicas - spec
        )));
    }
    if partition != -1 {
        if updated < spec - partition {
            return Ok(StatusResult::in_progress(format!(
                "updated: {updated}/{}",
                spec - partition
            )));
        }
        return Ok(StatusResult::current(format!(
            "Partition rollout complete. updated: {updated}"
        )));
    }
    if spec > current {
        return Ok(StatusResult::in_progress(format!(
            "current: {current}/{spec}"
        )));
    }
    if str_at(obj, "/status/currentRevision", "") != str_at(obj, "/status/updateRevision", "") {
        return Ok(StatusResult::in_progress(
            "Waiting for updated revision to match current",
        ));
    }
    Ok(StatusResult::current(format!(
        "All replicas scheduled as expected. Replicas: {replicas}"
    )))
}

fn replicaset(obj: &Value) -> Result<StatusResult, StatusError> {
    for c in conditions(obj)? {
        if c.kind == "ReplicaFailure" && c.status == "True" {
            return Ok(StatusResult::in_progress(
                "Replica Failure condition. Check Pods",
            ));
        }
    }
    let spec = int_at(obj, "/spec/replicas", 1);
    let replicas = int_at(obj, "/status/replicas", 0);
    let ready = int_at(obj, "/status/readyReplicas", 0);
    let avail = int_at(obj, "/status/availableReplicas", 0);
    let labelled = int_at(obj, "/status/fullyLabeledReplicas", 0);
    if spec > labelled {
        return Ok(StatusResult::in_progress(format!(
            "Labelled: {labelled}/{spec}"
        )));
    }
    if spec > avail {
        return Ok(StatusResult::in_progress(format!(
            "Available: {avail}/{spec}"
        )));
    }
    if spec > ready {
        return Ok(StatusResult::in_progress(format!("Ready: {ready}/{spec}")));
    }
    if replicas > spec {
        return Ok(StatusResult::in_progress(format!(
            "Pending termination: {}",
            replicas - spec
        )));
    }
    Ok(StatusResult::current(format!(
        "ReplicaSet is available. Replicas: {replicas}"
    )))
}

fn daemonset(obj: &Value) -> Result<StatusResult, StatusError> {
    let kind = str_at(obj, "/kind", "");
    if obj
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .is_none()
    {
        return Ok(StatusResult::in_progress(format!(
            "{kind} metadata.generation not found"
        )));
    }
    if obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64)
        .is_none()
    {
        return Ok(StatusResult::in_progress(format!(
            "{kind} status.observedGeneration not found"
        )));
    }
    let desired = int_at(obj, "/status/desiredNumberScheduled", -1);
    let current = int_at(obj, "/status/currentNumberScheduled", 0);
    let updated = int_at(obj, "/status/updatedNumberScheduled", 0);
    let avail = int_at(obj, "/status/numberAvailable", 0);
    let ready = int_at(obj, "/status/numberReady", 0);
    if desired == -1 {
        return Ok(StatusResult::in_progress(
            "Missing .status.desiredNumberScheduled",
        ));
    }
    if desired > current {
        return Ok(StatusResult::in_progress(format!(
            "Current: {current}/{desired}"
        )));
    }
    if desired > updated {
        return Ok(StatusResult::in_progress(format!(
            "Updated: {updated}/{desired}"
        )));
    }
    if desired > avail {
        return Ok(StatusResult::in_progress(format!(
            "Available: {avail}/{desired}"
        )));
    }
    if desired > ready {
        return Ok(StatusResult::in_progress(format!(
            "Ready: {ready}/{desired}"
        )));
    }
    Ok(StatusResult::current(format!(
        "All replicas scheduled as expected. Replicas: {desired}"
    )))
}

fn pvc(obj: &Value) -> Result<StatusResult, StatusError> {
    let phase = str_at(obj, "/status/phase", "unknown");
    if phase != "Bound" {
        return Ok(StatusResult::in_progress(format!(
            "PVC is not Bound. phase: {phase}"
        )));
    }
    Ok(StatusResult::current("PVC is Bound"))
}

/// How long an unschedulable Pod counts as still being scheduled.
const SCHEDULE_WINDOW_SECS: i64 = 15;

fn pod(obj: &Value) -> Result<StatusResult, StatusError> {
    let conds = conditions(obj)?;
    match str_at(obj, "/status/phase", "") {
        "Succeeded" => Ok(StatusResult::current("Pod has completed successfully")),
        "Failed" => Ok(StatusResult::current(
            "Pod has completed, but not successfully",
        )),
        "Running" => {
            if conds
                .iter()
                .any(|c| c.kind == "Ready" && c.status == "True")
            {
                return Ok(StatusResult::current("Pod is Ready"));
            }
            let crashing = crash_looping_containers(obj);
            if !crashing.is_empty() {
                return Ok(StatusResult::failed(format!(
                    "Containers in CrashLoop state: {}",
                    crashing.join(",")
                )));
            }
            Ok(StatusResult::in_progress("Pod is running but is not Ready"))
        }
        "Pending" => {
            let unschedulable = conds.iter().any(|c| {
                c.kind == "PodScheduled" && c.status == "False" && c.reason == "Unschedulable"
            });
            if unschedulable {
                let created = str_at(obj, "/metadata/creationTimestamp", "");
                let recent = chrono::DateTime::parse_from_rfc3339(created).is_ok_and(|t| {
                    chrono::Utc::now() - chrono::Duration::seconds(SCHEDULE_WINDOW_SECS)
                        < t.with_timezone(&chrono::Utc)
                });
                if recent {
                    return Ok(StatusResult::in_progress("Pod has not been scheduled"));
                }
                return Ok(StatusResult::failed("Pod could not be scheduled"));
            }
            Ok(StatusResult::in_progress("Pod is in the Pending phase"))
        }
        "" => Ok(StatusResult::in_progress("Pod phase not available")),
        other => Err(StatusError(format!("unknown phase {other}"))),
    }
}

fn crash_looping_containers(obj: &Value) -> Vec<String> {
    obj.pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|cs| {
                    cs.pointer("/state/waiting/reason").and_then(Value::as_str)
                        == Some("CrashLoopBackOff")
                })
                .filter_map(|cs| cs.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn job(obj: &Value) -> Result<StatusResult, StatusError> {
    let parallelism = int_at(obj, "/spec/parallelism", 1);
    let completions = int_at(obj, "/spec/completions", parallelism);
    let succeeded = int_at(obj, "/status/succeeded", 0);
    let active = int_at(obj, "/status/active", 0);
    let failed = int_at(obj, "/status/failed", 0);
    for c in conditions(obj)? {
        match (c.kind, c.status) {
            ("Complete", "True") => {
                return Ok(StatusResult::current(format!(
                    "Job Completed. succeeded: {succeeded}/{completions}"
                )));
            }
            ("Failed", "True") => {
                return Ok(StatusResult::failed(format!(
                    "Job Failed. failed: {failed}/{completions}"
                )));
            }
            _ => {}
        }
    }
    if str_at(obj, "/status/startTime", "").is_empty() {
        return Ok(StatusResult::in_progress("Job not started"));
    }
    Ok(StatusResult::current(format!(
        "Job in progress. success:{succeeded}, active: {active}, failed: {failed}"
    )))
}

fn service(obj: &Value) -> Result<StatusResult, StatusError> {
    if str_at(obj, "/spec/type", "ClusterIP") == "LoadBalancer"
        && str_at(obj, "/spec/clusterIP", "").is_empty()
    {
        return Ok(StatusResult::in_progress(
            "ClusterIP not set. Service type: LoadBalancer",
        ));
    }
    Ok(StatusResult::current("Service is ready"))
}

fn crd(obj: &Value) -> Result<StatusResult, StatusError> {
    for c in conditions(obj)? {
        if c.kind == "NamesAccepted" && c.status == "False" {
            return Ok(StatusResult::failed(c.message));
        }
        if c.kind == "Established" {
            if c.status == "False" && c.reason != "Installing" {
                return Ok(StatusResult::failed(c.message));
            }
            if c.status == "True" {
                return Ok(StatusResult::current("CRD is established"));
            }
        }
    }
    Ok(StatusResult::in_progress("Install in progress"))
}
