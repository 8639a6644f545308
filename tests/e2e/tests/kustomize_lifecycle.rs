//! kustomize-controller's lifecycle as a user sees it, every part a separate process (the API
//! emulator, source-controller, kustomize-controller and a real git server), driven with
//! `kubectl apply` / `patch` / `delete` and checked with `kubectl get`:
//! - a failing health check (an image tagged `fail`, which the emulator's workload simulator never
//!   makes ready) is reported as Ready=False naming the Deployment, then fixed by a commit;
//! - a manual drift of a managed field is reverted at the next interval;
//! - a commit made while the Kustomization is suspended is not applied; resumed, it is;
//! - deleting a Kustomization with `prune: true` deletes its objects, with `prune: false` leaves them.
//!
//! Each test skips, loudly, while source-controller or kustomize-controller is still a stub.

use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use testkit::git_server::{GitServer, WorkTree};
use testkit::processes::{Cluster, condition, free_port, is_observed, stub_message};

/// Room for a loaded 2-core CI machine; every wait returns as soon as its condition holds.
const TIMEOUT: Duration = Duration::from_secs(120);

/// A git repository served over HTTP, the cluster, both controllers, and the GitRepository
/// `flux-system/fleet` tracking branch `main` of that repository.
struct Fleet {
    // Dropped in this order: the processes first, then the work tree and the git server.
    cluster: Cluster,
    work: WorkTree,
    server: GitServer,
}

impl Fleet {
    /// None (after a loud message) while a controller is still a stub.
    fn start(test: &str, files: &[(&str, &str)], kustomize_flags: &[&str]) -> Option<Fleet> {
        for controller in ["source-controller", "kustomize-controller"] {
            if let Some(line) = stub_message(controller) {
                eprintln!(
                    "\n!!! SKIPPED {test}: {controller} is still a stub ({line:?}); this test runs \
                     for real once source-controller and kustomize-controller reconcile !!!\n"
                );
                return None;
            }
        }
        let server = GitServer::start()
            .unwrap_or_else(|e| panic!("git server ({e}); run scripts/setup/git-server.sh"));
        server.create_repo("fleet").expect("create the repository");
        let work = server.work_tree("fleet").expect("work tree");
        for (path, text) in files {
            work.write(path, text).expect("write a file");
        }
        work.commit("initial").expect("commit");
        work.push_branch("main").expect("push");

        let mut cluster = Cluster::start();
        let storage = cluster.dir().join("storage");
        let storage_addr = format!("127.0.0.1:{}", free_port());
        cluster.start_controller(
            "source-controller",
            &[
                &format!("--storage-path={}", storage.display()),
                &format!("--storage-addr={storage_addr}"),
                &format!("--storage-adv-addr={storage_addr}"),
            ],
        );
        cluster.start_controller("kustomize-controller", kustomize_flags);
        let mut fleet = Fleet {
            cluster,
            work,
            server,
        };
        fleet.kubectl(&["create", "namespace", "flux-system"]);
        fleet.apply(&json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": "fleet", "namespace": "flux-system"},
            "spec": {"interval": "1m", "url": fleet.server.http_url("fleet"),
                     "ref": {"branch": "main"}}
        }));
        let revision = fleet.head_revision();
        fleet.wait_source_revision(&revision);
        Some(fleet)
    }

    fn kubectl(&self, args: &[&str]) -> String {
        self.cluster.kubectl().ok(args)
    }

    /// `kubectl apply -f -` of one object.
    fn apply(&self, object: &Value) {
        let run = self
            .cluster
            .kubectl()
            .run(&["apply", "-f", "-"], Some(&object.to_string()));
        assert!(
            run.success,
            "kubectl apply failed: {}\n{object:#}",
            run.stderr
        );
    }

    /// The object as `kubectl get -o json` prints it; None when it does not exist.
    fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        let run = self
            .cluster
            .kubectl()
            .run(&["get", kind, name, "-n", namespace, "-o", "json"], None);
        if run.success {
            return Some(serde_json::from_str(&run.stdout).expect("kubectl prints JSON"));
        }
        assert!(
            run.stderr.contains("NotFound"),
            "kubectl get {kind} {namespace}/{name}: {}",
            run.stderr
        );
        None
    }

    fn head_revision(&self) -> String {
        format!("main@sha1:{}", self.work.head().expect("HEAD"))
    }

    /// Commit and push changes (`None` removes the file); returns the new revision once the
    /// GitRepository serves it.
    fn push(&mut self, changes: &[(&str, Option<&str>)], message: &str) -> String {
        for (path, text) in changes {
            match text {
                Some(text) => self.work.write(path, text).expect("write a file"),
                None => self.work.remove(path).expect("remove a file"),
            }
        }
        self.work.commit(message).expect("commit");
        self.work.push_branch("main").expect("push");
        let revision = self.head_revision();
        // As `flux reconcile source git fleet` does.
        self.request_reconcile("gitrepository", "flux-system", "fleet");
        self.wait_source_revision(&revision);
        revision
    }

    fn wait_source_revision(&mut self, revision: &str) {
        let args = [
            "get",
            "gitrepository",
            "fleet",
            "-n",
            "flux-system",
            "-o",
            "json",
        ];
        self.cluster.wait_for(
            &format!("GitRepository flux-system/fleet to serve {revision}"),
            TIMEOUT,
            |kubectl| {
                let repo: Value = serde_json::from_str(&kubectl.ok(&args)).ok()?;
                (repo["status"]["artifact"]["revision"] == revision).then_some(())
            },
            |kubectl| kubectl.ok(&args),
        );
    }

    /// Annotate with `reconcile.fluxcd.io/requestedAt` (as the flux CLI does); returns the token.
    fn request_reconcile(&self, kind: &str, namespace: &str, name: &str) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970");
        let token = format!("{}.{:09}", now.as_secs(), now.subsec_nanos());
        self.kubectl(&[
            "annotate",
            "--overwrite",
            kind,
            name,
            "-n",
            namespace,
            &format!("reconcile.fluxcd.io/requestedAt={token}"),
        ]);
        token
    }

    /// Wait until the Kustomization satisfies `check`; returns it.
    fn wait_kustomization(
        &mut self,
        namespace: &str,
        name: &str,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let args = ["get", "kustomization", name, "-n", namespace, "-o", "json"];
        self.cluster.wait_for(
            &format!("Kustomization {namespace}/{name}: {what}"),
            TIMEOUT,
            |kubectl| {
                let run = kubectl.run(&args, None);
                let object: Value = serde_json::from_str(&run.stdout).ok()?;
                check(&object).then_some(object)
            },
            |kubectl| {
                let mut yaml = args;
                yaml[6] = "yaml";
                kubectl.ok(&yaml)
            },
        )
    }

    /// Wait for Ready=True (for the current generation) with `revision` applied.
    fn wait_applied(&mut self, namespace: &str, name: &str, revision: &str) -> Value {
        self.wait_kustomization(
            namespace,
            name,
            &format!("Ready=True with {revision} applied"),
            |k| {
                ready_is(k, "True", "ReconciliationSucceeded")
                    && is_observed(k)
                    && k["status"]["lastAppliedRevision"] == revision
            },
        )
    }
}

/// A Kustomization of `path` in the GitRepository flux-system/fleet; `extra` is merged into spec.
fn kustomization(namespace: &str, name: &str, path: &str, extra: Value) -> Value {
    let mut spec = json!({
        "interval": "10m",
        "path": path,
        "prune": true,
        "sourceRef": {"kind": "GitRepository", "name": "fleet", "namespace": "flux-system"},
    });
    for (key, value) in extra.as_object().expect("an object") {
        spec[key] = value.clone();
    }
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    })
}

fn ready_is(object: &Value, status: &str, reason: &str) -> bool {
    condition(object, "Ready").is_some_and(|c| c["status"] == status && c["reason"] == reason)
}

fn ready_message(object: &Value) -> String {
    condition(object, "Ready")
        .and_then(|c| c["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

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
    let failing = deployment("apps", "web", "ghcr.io/stefanprodan/podinfo:fail");
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
    // The image tagged `fail` never becomes ready: the rollout exceeds its progress deadline.
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

#[test]
#[ignore = "the runtime returns early for a suspended object without recording status.lastHandledReconcileAt and observedGeneration (Flux's finalizeStatus does); see the ke2e report"]
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
