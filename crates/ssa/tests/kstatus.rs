//! kstatus rules on JSON fixtures: one case per rule of fluxcd/cli-utils `kstatus/status`.

use flux_ssa::{Status, compute_status};
use serde_json::{Value, json};

fn obj(
    api_version: &str,
    kind: &str,
    generation: Option<i64>,
    spec: Value,
    status: Value,
) -> Value {
    let mut o = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "test", "namespace": "default"}, "spec": spec, "status": status});
    if let Some(g) = generation {
        o["metadata"]["generation"] = json!(g);
    }
    o
}

fn cond(kind: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": message})
}

fn check(name: &str, o: Value, status: Status, message: &str) {
    let r = compute_status(&o);
    assert_eq!(
        (r.status, r.message.as_str()),
        (status, message),
        "case {name}"
    );
}

#[test]
fn generic_properties() {
    let mut terminating = obj("v1", "ConfigMap", None, json!({}), json!({}));
    terminating["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    check(
        "terminating",
        terminating,
        Status::Terminating,
        "Resource scheduled for deletion",
    );
    check(
        "generation not observed",
        obj(
            "example.com/v1",
            "Widget",
            Some(2),
            json!({}),
            json!({"observedGeneration": 1}),
        ),
        Status::InProgress,
        "Widget generation is 2, but latest observed generation is 1",
    );
    check(
        "reconciling",
        obj(
            "example.com/v1",
            "Widget",
            Some(1),
            json!({}),
            json!({"observedGeneration": 1,
            "conditions": [cond("Reconciling", "True", "Progressing", "working on it")]}),
        ),
        Status::InProgress,
        "working on it",
    );
    check(
        "stalled",
        obj(
            "example.com/v1",
            "Widget",
            Some(1),
            json!({}),
            json!({
            "conditions": [cond("Stalled", "True", "Broken", "gave up")]}),
        ),
        Status::Failed,
        "gave up",
    );
    check(
        "ready true",
        obj(
            "source.toolkit.fluxcd.io/v1",
            "GitRepository",
            Some(1),
            json!({}),
            json!({"observedGeneration": 1,
            "conditions": [cond("Ready", "True", "Succeeded", "stored artifact")]}),
        ),
        Status::Current,
        "Resource is Ready",
    );
    check(
        "ready false",
        obj(
            "source.toolkit.fluxcd.io/v1",
            "GitRepository",
            Some(1),
            json!({}),
            json!({"observedGeneration": 1,
            "conditions": [cond("Ready", "False", "GitOperationFailed", "auth failed")]}),
        ),
        Status::InProgress,
        "auth failed",
    );
    check(
        "no conditions",
        obj("example.com/v1", "Widget", Some(1), json!({}), json!({})),
        Status::Current,
        "Resource is current",
    );
    check(
        "malformed conditions",
        obj(
            "example.com/v1",
            "Widget",
            Some(1),
            json!({}),
            json!({"conditions": "nope"}),
        ),
        Status::Unknown,
        "status.conditions is not a list",
    );
    check(
        "always ready",
        obj("v1", "Secret", None, json!({}), json!({})),
        Status::Current,
        "Resource is always ready",
    );
}

#[test]
fn deployments() {
    let ready = json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
        "conditions": [cond("Available", "True", "MinimumReplicasAvailable", ""), cond("Progressing", "True", "NewReplicaSetAvailable", "")]});
    let spec = json!({"replicas": 2, "progressDeadlineSeconds": 600});
    check(
        "available",
        obj(
            "apps/v1",
            "Deployment",
            Some(1),
            spec.clone(),
            ready.clone(),
        ),
        Status::Current,
        "Deployment is available. Replicas: 2",
    );
    check(
        "no status yet",
        obj("apps/v1", "Deployment", Some(1), spec.clone(), json!({})),
        Status::InProgress,
        "Replicas: 0/2",
    );
    let mut s = ready.clone();
    s["updatedReplicas"] = json!(1);
    check(
        "updating",
        obj("apps/v1", "Deployment", Some(1), spec.clone(), s),
        Status::InProgress,
        "Updated: 1/2",
    );
    let mut s = ready.clone();
    s["replicas"] = json!(3);
    check(
        "surplus pods",
        obj("apps/v1", "Deployment", Some(1), spec.clone(), s),
        Status::InProgress,
        "Pending termination: 1",
    );
    let mut s = ready.clone();
    s["availableReplicas"] = json!(0);
    check(
        "unavailable",
        obj("apps/v1", "Deployment", Some(1), spec.clone(), s),
        Status::InProgress,
        "Available: 0/2",
    );
    let mut s = ready.clone();
    s["readyReplicas"] = json!(1);
    check(
        "not ready",
        obj("apps/v1", "Deployment", Some(1), spec.clone(), s),
        Status::InProgress,
        "Ready: 1/2",
    );
    let mut s = ready.clone();
    s["conditions"] = json!([cond("Available", "True", "", "")]);
    check(
        "replicaset not available",
        obj("apps/v1", "Deployment", Some(1), spec.clone(), s),
        Status::InProgress,
        "ReplicaSet not Available",
    );
    let mut s = ready.clone();
    s["conditions"] = json!([cond("Progressing", "True", "NewReplicaSetAvailable", "")]);
    check(
        "deployment not available",
        obj("apps/v1", "Deployment", Some(1), spec.clone(), s),
        Status::InProgress,
        "Deployment not Available",
    );
    let mut s = ready.clone();
    s["conditions"] = json!([cond(
        "Progressing",
        "False",
        "ProgressDeadlineExceeded",
        "timed out"
    )]);
    check(
        "deadline exceeded",
        obj("apps/v1", "Deployment", Some(1), spec, s),
        Status::Failed,
        "Progress deadline exceeded",
    );
}

#[test]
fn statefulsets_daemonsets_replicasets() {
    let sts_ready = json!({"observedGeneration": 1, "replicas": 1, "readyReplicas": 1, "currentReplicas": 1, "updatedReplicas": 1,
        "currentRevision": "r1", "updateRevision": "r1"});
    check(
        "sts ready",
        obj(
            "apps/v1",
            "StatefulSet",
            Some(1),
            json!({"replicas": 1}),
            sts_ready.clone(),
        ),
        Status::Current,
        "All replicas scheduled as expected. Replicas: 1",
    );
    let mut s = sts_ready.clone();
    s["updateRevision"] = json!("r2");
    check(
        "sts revision",
        obj("apps/v1", "StatefulSet", Some(1), json!({"replicas": 1}), s),
        Status::InProgress,
        "Waiting for updated revision to match current",
    );
    check(
        "sts ondelete",
        obj(
            "apps/v1",
            "StatefulSet",
            Some(1),
            json!({"updateStrategy": {"type": "OnDelete"}}),
            json!({}),
        ),
        Status::Current,
        "StatefulSet is using the ondelete update strategy",
    );
    check(
        "sts partition",
        obj(
            "apps/v1",
            "StatefulSet",
            Some(1),
            json!({"replicas": 3, "updateStrategy": {"rollingUpdate": {"partition": 1}}}),
            json!({"observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "updatedReplicas": 1}),
        ),
        Status::InProgress,
        "updated: 1/2",
    );
    check(
        "ds no generation",
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "x"}, "status": {}}),
        Status::InProgress,
        "DaemonSet metadata.generation not found",
    );
    check(
        "ds no desired",
        obj(
            "apps/v1",
            "DaemonSet",
            Some(1),
            json!({}),
            json!({"observedGeneration": 1}),
        ),
        Status::InProgress,
        "Missing .status.desiredNumberScheduled",
    );
    check(
        "ds not ready",
        obj(
            "apps/v1",
            "DaemonSet",
            Some(1),
            json!({}),
            json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
            "currentNumberScheduled": 2, "updatedNumberScheduled": 2, "numberAvailable": 2, "numberReady": 1}),
        ),
        Status::InProgress,
        "Ready: 1/2",
    );
    check(
        "ds ready",
        obj(
            "apps/v1",
            "DaemonSet",
            Some(1),
            json!({}),
            json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
            "currentNumberScheduled": 2, "updatedNumberScheduled": 2, "numberAvailable": 2, "numberReady": 2}),
        ),
        Status::Current,
        "All replicas scheduled as expected. Replicas: 2",
    );
    check(
        "rs labelled",
        obj(
            "apps/v1",
            "ReplicaSet",
            Some(1),
            json!({"replicas": 2}),
            json!({"replicas": 2, "fullyLabeledReplicas": 1}),
        ),
        Status::InProgress,
        "Labelled: 1/2",
    );
    check(
        "rs failure",
        obj(
            "apps/v1",
            "ReplicaSet",
            Some(1),
            json!({}),
            json!({"conditions": [cond("ReplicaFailure", "True", "", "")]}),
        ),
        Status::InProgress,
        "Replica Failure condition. Check Pods",
    );
    check(
        "rs ready",
        obj(
            "apps/v1",
            "ReplicaSet",
            Some(1),
            json!({"replicas": 1}),
            json!({"replicas": 1, "fullyLabeledReplicas": 1, "availableReplicas": 1, "readyReplicas": 1}),
        ),
        Status::Current,
        "ReplicaSet is available. Replicas: 1",
    );
}

#[test]
fn pods_jobs_pvcs_services_crds() {
    check(
        "pod no phase",
        obj("v1", "Pod", None, json!({}), json!({})),
        Status::InProgress,
        "Pod phase not available",
    );
    check(
        "pod ready",
        obj(
            "v1",
            "Pod",
            None,
            json!({}),
            json!({"phase": "Running", "conditions": [cond("Ready", "True", "", "")]}),
        ),
        Status::Current,
        "Pod is Ready",
    );
    check(
        "pod crashloop",
        obj(
            "v1",
            "Pod",
            None,
            json!({}),
            json!({"phase": "Running", "containerStatuses": [
            {"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
            {"name": "side", "state": {"running": {}}}]}),
        ),
        Status::Failed,
        "Containers in CrashLoop state: app",
    );
    check(
        "pod succeeded",
        obj("v1", "Pod", None, json!({}), json!({"phase": "Succeeded"})),
        Status::Current,
        "Pod has completed successfully",
    );
    let mut unschedulable = obj(
        "v1",
        "Pod",
        None,
        json!({}),
        json!({"phase": "Pending",
        "conditions": [cond("PodScheduled", "False", "Unschedulable", "")]}),
    );
    unschedulable["metadata"]["creationTimestamp"] = json!("2020-01-01T00:00:00Z");
    check(
        "pod unschedulable",
        unschedulable,
        Status::Failed,
        "Pod could not be scheduled",
    );
    check(
        "pod unknown phase",
        obj("v1", "Pod", None, json!({}), json!({"phase": "Weird"})),
        Status::Unknown,
        "unknown phase Weird",
    );
    check(
        "job not started",
        obj("batch/v1", "Job", Some(1), json!({}), json!({})),
        Status::InProgress,
        "Job not started",
    );
    check(
        "job running",
        obj(
            "batch/v1",
            "Job",
            Some(1),
            json!({}),
            json!({"startTime": "2026-01-01T00:00:00Z", "active": 1}),
        ),
        Status::Current,
        "Job in progress. success:0, active: 1, failed: 0",
    );
    check(
        "job complete",
        obj(
            "batch/v1",
            "Job",
            Some(1),
            json!({"completions": 2}),
            json!({"succeeded": 2, "conditions": [cond("Complete", "True", "", "")]}),
        ),
        Status::Current,
        "Job Completed. succeeded: 2/2",
    );
    check(
        "job failed",
        obj(
            "batch/v1",
            "Job",
            Some(1),
            json!({}),
            json!({"failed": 3, "conditions": [cond("Failed", "True", "", "")]}),
        ),
        Status::Failed,
        "Job Failed. failed: 3/1",
    );
    check(
        "pvc pending",
        obj(
            "v1",
            "PersistentVolumeClaim",
            None,
            json!({}),
            json!({"phase": "Pending"}),
        ),
        Status::InProgress,
        "PVC is not Bound. phase: Pending",
    );
    check(
        "pvc bound",
        obj(
            "v1",
            "PersistentVolumeClaim",
            None,
            json!({}),
            json!({"phase": "Bound"}),
        ),
        Status::Current,
        "PVC is Bound",
    );
    check(
        "lb without ip",
        obj(
            "v1",
            "Service",
            None,
            json!({"type": "LoadBalancer"}),
            json!({}),
        ),
        Status::InProgress,
        "ClusterIP not set. Service type: LoadBalancer",
    );
    check(
        "service",
        obj("v1", "Service", None, json!({}), json!({})),
        Status::Current,
        "Service is ready",
    );
    let crd = |conds: Value| {
        obj(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            Some(1),
            json!({}),
            json!({"conditions": conds}),
        )
    };
    check(
        "crd installing",
        crd(json!([cond("Established", "False", "Installing", "")])),
        Status::InProgress,
        "Install in progress",
    );
    check(
        "crd names rejected",
        crd(json!([cond(
            "NamesAccepted",
            "False",
            "MultipleNamesNotAllowed",
            "names clash"
        )])),
        Status::Failed,
        "names clash",
    );
    check(
        "crd established",
        crd(json!([
            cond("NamesAccepted", "True", "", ""),
            cond("Established", "True", "", "")
        ])),
        Status::Current,
        "CRD is established",
    );
}
