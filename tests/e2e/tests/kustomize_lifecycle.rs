//! kustomize-controller's lifecycle as a user sees it, every part a separate process (the cluster,
//! source-controller, kustomize-controller and a real git server), driven with
//! `kubectl apply` / `patch` / `delete` and checked with `kubectl get`:
//! - a failing health check (pods that never become ready: see [`e2e::NEVER_SCHEDULED`]) is
//!   reported as Ready=False naming the Deployment, then fixed by a commit;
//! - a manual drift of a managed field is reverted at the next interval;
//! - a commit made while the Kustomization is suspended is not applied; resumed, it is;
//! - deleting a Kustomization with `prune: true` deletes its objects, with `prune: false` leaves them.
//!
//! Each test skips, loudly, while source-controller or kustomize-controller is still a stub.

use e2e::fleet::{Fleet, TIMEOUT, kustomization, ready_is, ready_message};
use serde_json::{Value, json};
use testkit::processes::{condition, is_observed};

fn configmap(namespace: &str, name: &str, data: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {namespace}\ndata:\n{data}"
    )
}

fn deployment(namespace: &str, name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
spec:
  progressDeadlineSeconds: 2
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: {name}
          image: {image}
"
    )
}

const NAMESPACE_APPS: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n";

/// The Kustomization `flux-system/app` waiting on a Deployment whose image is tagged `fail`,
/// once its health check failed; with the Kustomization as it is then.
fn failing_app(test: &str) -> Option<(Fleet, Value)> {
    let failing =
        deployment("apps", "web", "ghcr.io/stefanprodan/podinfo:fail") + e2e::NEVER_SCHEDULED;
    let files = [
        ("app/namespace.yaml", NAMESPACE_APPS),
        ("app/deployment.yaml", failing.as_str()),
    ];
    let mut fleet = Fleet::start(test, &files, &[])?;
    fleet.apply(&kustomization(
        "flux-system",
        "app",
        "./app",
        json!({"wait": true, "timeout": "40s"}),
    ));
    // The pods never become ready: the rollout exceeds its progress deadline.
    let failed =
        fleet.wait_kustomization("flux-system", "app", "Ready=False HealthCheckFailed", |k| {
            ready_is(k, "False", "HealthCheckFailed")
        });
    Some((fleet, failed))
}

#[test]
fn a_failing_health_check_is_reported_then_fixed_by_a_commit() {
    let Some((mut fleet, failed)) = failing_app("kustomize_lifecycle health check") else {
        return;
    };
    let first = fleet.head_revision();
    let message = ready_message(&failed);
    assert!(
        message.contains("Deployment/apps/web"),
        "the failing Deployment is named: {message}"
    );
    assert_eq!(
        failed["status"]["lastAttemptedRevision"],
        first.as_str(),
        "{failed:#}"
    );
    // A revision counts as applied only once healthy.
    assert!(
        failed["status"]["lastAppliedRevision"]
            .as_str()
            .is_none_or(str::is_empty),
        "{failed:#}"
    );
    let web = fleet.get("deployment", "apps", "web").expect("applied");
    assert!(
        condition(&web, "Available").is_none_or(|c| c["status"] != "True"),
        "{web:#}"
    );

    // Fixed by a commit: the next reconcile applies it and the health check passes.
    let fixed = fleet.push(
        &[(
            "app/deployment.yaml",
            Some(&deployment(
                "apps",
                "web",
                "ghcr.io/stefanprodan/podinfo:6.5.0",
            )),
        )],
        "web: a working image",
    );
    fleet.request_reconcile("kustomization", "flux-system", "app");
    let ready = fleet.wait_applied("flux-system", "app", &fixed);
    let healthy = condition(&ready, "Healthy").expect("a Healthy condition");
    assert_eq!(healthy["status"], "True", "{ready:#}");
    let web = fleet.get("deployment", "apps", "web").expect("applied");
    assert_eq!(
        web["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/stefanprodan/podinfo:6.5.0",
        "{web:#}"
    );
    assert_eq!(
        condition(&web, "Available").map(|c| c["status"].clone()),
        Some(json!("True")),
        "{web:#}"
    );
}

#[test]
fn a_failed_health_check_marks_the_healthy_condition_false() {
    let Some((_fleet, failed)) = failing_app("kustomize_lifecycle Healthy condition") else {
        return;
    };
    let healthy =
        condition(&failed, "Healthy").unwrap_or_else(|| panic!("a Healthy condition: {failed:#}"));
    assert_eq!(healthy["status"], "False", "{failed:#}");
    assert_eq!(healthy["reason"], "HealthCheckFailed", "{failed:#}");
    assert!(
        healthy["message"]
            .as_str()
            .is_some_and(|m| m.contains("Deployment/apps/web")),
        "{failed:#}"
    );
}

#[test]
fn a_manual_drift_is_reverted_at_the_next_interval() {
    let files = [(
        "drift/configmap.yaml",
        configmap("default", "settings", "  color: blue\n"),
    )];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let Some(mut fleet) = Fleet::start("kustomize_lifecycle drift", &files, &[]) else {
        return;
    };
    let revision = fleet.head_revision();
    // A short interval: drift correction happens on every reconcile, no request needed.
    fleet.apply(&kustomization(
        "flux-system",
        "drift",
        "./drift",
        json!({"interval": "5s"}),
    ));
    fleet.wait_applied("flux-system", "drift", &revision);
    let settings = fleet
        .get("configmap", "default", "settings")
        .expect("applied");
    assert_eq!(settings["data"]["color"], "blue");

    // `kubectl patch` of a field the controller manages, as a user editing it by hand would.
    let patched = fleet.kubectl(&[
        "patch",
        "configmap",
        "settings",
        "-n",
        "default",
        "--type=merge",
        "-p",
        r#"{"data":{"color":"red","extra":"added by hand"}}"#,
        "-o",
        "json",
    ]);
    let patched: Value = serde_json::from_str(&patched).expect("JSON");
    assert_eq!(patched["data"]["color"], "red", "the drift was written");

    fleet.cluster.wait_for(
        "the drifted field to be reverted",
        TIMEOUT,
        |kubectl| {
            let run = kubectl.run(
                &[
                    "get",
                    "configmap",
                    "settings",
                    "-n",
                    "default",
                    "-o",
                    "json",
                ],
                None,
            );
            let cm: Value = serde_json::from_str(&run.stdout).ok()?;
            (cm["data"]["color"] == "blue").then_some(())
        },
        |kubectl| {
            kubectl.ok(&[
                "get",
                "configmap",
                "settings",
                "-n",
                "default",
                "-o",
                "yaml",
            ])
        },
    );
    let drift = fleet
        .get("kustomization", "flux-system", "drift")
        .expect("exists");
    assert!(
        ready_is(&drift, "True", "ReconciliationSucceeded"),
        "{drift:#}"
    );
}

#[test]
fn a_commit_made_while_suspended_is_applied_only_once_resumed() {
    let files = [
        (
            "suspended/configmap.yaml",
            configmap("default", "release", "  version: \"1\"\n"),
        ),
        (
            "witness/configmap.yaml",
            configmap("default", "witness", "  version: \"1\"\n"),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let Some(mut fleet) = Fleet::start("kustomize_lifecycle suspend/resume", &files, &[]) else {
        return;
    };
    let first = fleet.head_revision();
    fleet.apply(&kustomization(
        "flux-system",
        "release",
        "./suspended",
        json!({}),
    ));
    // Not suspended, same source: once it applied a revision, the controller has seen it.
    fleet.apply(&kustomization(
        "flux-system",
        "witness",
        "./witness",
        json!({}),
    ));
    fleet.wait_applied("flux-system", "release", &first);
    fleet.wait_applied("flux-system", "witness", &first);

    fleet.kubectl(&[
        "patch",
        "kustomization",
        "release",
        "-n",
        "flux-system",
        "--type=merge",
        "-p",
        r#"{"spec":{"suspend":true}}"#,
    ]);

    let second = fleet.push(
        &[
            (
                "suspended/configmap.yaml",
                Some(&configmap("default", "release", "  version: \"2\"\n")),
            ),
            (
                "witness/configmap.yaml",
                Some(&configmap("default", "witness", "  version: \"2\"\n")),
            ),
        ],
        "version 2",
    );
    // The same source event reached both; the witness applied it, the suspended one did not.
    fleet.wait_applied("flux-system", "witness", &second);
    let suspended = fleet
        .get("kustomization", "flux-system", "release")
        .expect("exists");
    assert_eq!(
        suspended["status"]["lastAppliedRevision"],
        first.as_str(),
        "{suspended:#}"
    );
    let release = fleet
        .get("configmap", "default", "release")
        .expect("applied");
    assert_eq!(
        release["data"]["version"], "1",
        "a suspended Kustomization applies nothing"
    );

    // Resumed: the commit made meanwhile is applied.
    fleet.kubectl(&[
        "patch",
        "kustomization",
        "release",
        "-n",
        "flux-system",
        "--type=merge",
        "-p",
        r#"{"spec":{"suspend":false}}"#,
    ]);
    fleet.wait_applied("flux-system", "release", &second);
    let release = fleet
        .get("configmap", "default", "release")
        .expect("applied");
    assert_eq!(release["data"]["version"], "2", "{release:#}");
}

/// Flux's finalizeStatus runs for a suspended object too: the handled request and, while Ready,
/// the generation are recorded, though nothing is reconciled.
#[test]
fn a_suspended_kustomization_records_handled_requests_and_its_generation() {
    let release = configmap("default", "release", "  version: \"1\"\n");
    let files = [("suspended/configmap.yaml", release.as_str())];
    let Some(mut fleet) = Fleet::start("kustomize_lifecycle suspended status", &files, &[]) else {
        return;
    };
    let first = fleet.head_revision();
    fleet.apply(&kustomization(
        "flux-system",
        "release",
        "./suspended",
        json!({}),
    ));
    fleet.wait_applied("flux-system", "release", &first);
    fleet.kubectl(&[
        "patch",
        "kustomization",
        "release",
        "-n",
        "flux-system",
        "--type=merge",
        "-p",
        r#"{"spec":{"suspend":true}}"#,
    ]);
    // As `flux reconcile kustomization release` would request it.
    let token = fleet.request_reconcile("kustomization", "flux-system", "release");
    let suspended = fleet.wait_kustomization(
        "flux-system",
        "release",
        "the request handled and the suspended generation observed",
        |k| k["status"]["lastHandledReconcileAt"] == token.as_str() && is_observed(k),
    );
    assert!(
        ready_is(&suspended, "True", "ReconciliationSucceeded"),
        "{suspended:#}"
    );
    assert_eq!(suspended["status"]["lastAppliedRevision"], first.as_str());
}

#[test]
fn deleting_a_kustomization_prunes_its_objects_only_with_prune_true() {
    let files = [
        ("pruned/namespace.yaml", NAMESPACE_APPS.to_string()),
        ("pruned/configmap.yaml", configmap("apps", "pruned", "  a: \"1\"\n")),
        (
            "pruned/serviceaccount.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: pruned\n  namespace: default\n"
                .to_string(),
        ),
        ("kept/configmap.yaml", configmap("default", "kept", "  a: \"1\"\n")),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let Some(mut fleet) = Fleet::start("kustomize_lifecycle deletion", &files, &[]) else {
        return;
    };
    let revision = fleet.head_revision();
    fleet.apply(&kustomization(
        "flux-system",
        "pruned",
        "./pruned",
        json!({"prune": true}),
    ));
    fleet.apply(&kustomization(
        "flux-system",
        "kept",
        "./kept",
        json!({"prune": false}),
    ));
    let pruned = fleet.wait_applied("flux-system", "pruned", &revision);
    let mut ids: Vec<&str> = pruned["status"]["inventory"]["entries"]
        .as_array()
        .expect("an inventory")
        .iter()
        .map(|e| e["id"].as_str().expect("an id"))
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "_apps__Namespace",
            "apps_pruned__ConfigMap",
            "default_pruned__ServiceAccount"
        ],
        "{pruned:#}"
    );
    fleet.wait_applied("flux-system", "kept", &revision);
    assert!(fleet.get("configmap", "apps", "pruned").is_some());
    assert!(fleet.get("configmap", "default", "kept").is_some());

    // kubectl delete waits until the controller removed its finalizer.
    for name in ["pruned", "kept"] {
        fleet.kubectl(&[
            "delete",
            "kustomization",
            name,
            "-n",
            "flux-system",
            "--timeout=90s",
        ]);
    }
    fleet.cluster.wait_for(
        "the objects of the pruned Kustomization to be deleted",
        TIMEOUT,
        |kubectl| {
            let gone = |args: &[&str]| {
                let run = kubectl.run(args, None);
                !run.success && run.stderr.contains("NotFound")
            };
            (gone(&["get", "serviceaccount", "pruned", "-n", "default"])
                && gone(&["get", "namespace", "apps"]))
            .then_some(())
        },
        |kubectl| {
            let run = kubectl.run(
                &[
                    "get",
                    "serviceaccount/pruned",
                    "-n",
                    "default",
                    "-o",
                    "yaml",
                ],
                None,
            );
            let ns = kubectl.run(&["get", "namespace", "apps", "-o", "yaml"], None);
            format!("{}{}{}{}", run.stdout, run.stderr, ns.stdout, ns.stderr)
        },
    );
    let kept = fleet
        .get("configmap", "default", "kept")
        .expect("prune: false leaves the objects in place");
    assert_eq!(kept["data"]["a"], "1");
}
