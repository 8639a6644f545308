//! kustomize-controller as a process, with the cluster (the API emulator, or the real control
//! plane with FLUX_RS_CLUSTER=real), source-controller and a real git server: everything driven with `kubectl apply` and checked with `kubectl get`, as a user
//! would: a base+overlay app with postBuild from a ConfigMap behind a dependsOn chain of three
//! Kustomizations becomes Ready; a commit is applied; a removed file is pruned; a failing health
//! check is reported then fixed; a manual change is reverted; suspend/resume; deletion prunes.
//! A second test covers the lockdown flags and a tenant's RBAC denial.

use std::time::Duration;
use testkit::git_server::{GitServer, GitServerOptions, WorkTree};
use testkit::processes::{Cluster, condition};

const WAIT: Duration = Duration::from_secs(120);

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  replicas: ${replicas:=1}
  progressDeadlineSeconds: 3
  selector:
    matchLabels:
      app: podinfo
  template:
    metadata:
      labels:
        app: podinfo
    spec:
      containers:
      - name: podinfo
        image: ghcr.io/stefanprodan/podinfo:TAG
";

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: podinfo
spec:
  selector:
    app: podinfo
  ports:
  - port: 9898
";

const EXTRA: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: extra
data:
  greeting: hello ${name}
";

fn write_app(wt: &WorkTree, tag: &str, with_extra: bool) {
    let mut base = String::from("resources:\n- deployment.yaml\n- service.yaml\n");
    if with_extra {
        base.push_str("- extra.yaml\n");
        wt.write("apps/base/extra.yaml", EXTRA).unwrap();
    } else {
        let _ = wt.remove("apps/base/extra.yaml");
    }
    wt.write("apps/base/kustomization.yaml", base).unwrap();
    let mut deployment = DEPLOYMENT.replace("TAG", tag);
    if tag == "fail" {
        deployment.push_str(e2e::NEVER_SCHEDULED);
    }
    wt.write("apps/base/deployment.yaml", deployment).unwrap();
    wt.write("apps/base/service.yaml", SERVICE).unwrap();
    wt.write(
        "apps/overlay/kustomization.yaml",
        "resources:\n- ../base\nnamePrefix: dev-\n",
    )
    .unwrap();
    wt.write(
        "infra/namespace.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n",
    )
    .unwrap();
    wt.write(
        "config/vars.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: vars\n  namespace: flux-system\ndata:\n  replicas: \"2\"\n  name: world\n",
    )
    .unwrap();
}

fn start(cluster: &mut Cluster, kustomize_args: &[&str]) {
    cluster.start_source_controller(&[]);
    let mut args = vec!["--requeue-dependency=2s"];
    args.extend_from_slice(kustomize_args);
    cluster.start_controller("kustomize-controller", &args);
}

fn apply(cluster: &Cluster, manifest: &str) {
    let run = cluster.kubectl().run(&["apply", "-f", "-"], Some(manifest));
    assert!(run.success, "kubectl apply failed: {}", run.stderr);
}

fn git_repository(url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: fleet\n  namespace: flux-system\nspec:\n  interval: 2s\n  url: {url}\n  ref:\n    branch: main\n"
    )
}

fn kustomization(name: &str, path: &str, extra: &str) -> String {
    format!(
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  retryInterval: 2s\n  path: {path}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: fleet\n{extra}"
    )
}

fn get_json(cluster: &Cluster, args: &[&str]) -> Option<serde_json::Value> {
    let mut all = vec!["get"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "json"]);
    let run = cluster.kubectl().run(&all, None);
    run.success
        .then(|| serde_json::from_str(&run.stdout).ok())
        .flatten()
}

/// Wait until the Kustomization's Ready condition has `status` and `reason`; returns its message.
fn wait_ready_reason(cluster: &mut Cluster, name: &str, status: &str, reason: &str) -> String {
    let args = [
        "get",
        "kustomization",
        name,
        "-n",
        "flux-system",
        "-o",
        "json",
    ];
    cluster.wait_for(
        &format!("Kustomization {name} Ready={status} ({reason})"),
        WAIT,
        |kubectl| {
            let run = kubectl.run(&args, None);
            let object: serde_json::Value = serde_json::from_str(&run.stdout).ok()?;
            let ready = condition(&object, "Ready")?;
            (ready["status"] == status && ready["reason"] == reason)
                .then(|| ready["message"].as_str().unwrap_or("").to_string())
        },
        |kubectl| kubectl.run(&args, None).stdout,
    )
}

fn wait_revision(cluster: &mut Cluster, name: &str, revision: &str) {
    let args = [
        "get",
        "kustomization",
        name,
        "-n",
        "flux-system",
        "-o",
        "json",
    ];
    cluster.wait_for(
        &format!("Kustomization {name} at {revision}"),
        WAIT,
        |kubectl| {
            let run = kubectl.run(&args, None);
            let object: serde_json::Value = serde_json::from_str(&run.stdout).ok()?;
            (object["status"]["lastAppliedRevision"] == revision
                && condition(&object, "Ready").is_some_and(|c| c["status"] == "True"))
            .then_some(())
        },
        |kubectl| kubectl.run(&args, None).stdout,
    );
}

fn git_server() -> GitServer {
    GitServer::start_with(GitServerOptions::default())
        .unwrap_or_else(|e| panic!("git server ({e}); run scripts/setup/git-server.sh"))
}

#[test]
fn a_fleet_is_applied_updated_pruned_healed_suspended_and_deleted() {
    let server = git_server();
    server.create_repo("fleet").unwrap();
    let wt = server.work_tree("fleet").unwrap();
    write_app(&wt, "6.0.0", true);
    let first = wt.commit("podinfo 6.0.0").unwrap();
    wt.push_branch("main").unwrap();

    let mut cluster = Cluster::start();
    start(&mut cluster, &[]);
    cluster
        .kubectl()
        .ok(&["create", "namespace", "flux-system"]);
    apply(&cluster, &git_repository(&server.http_url("fleet")));
    // A dependsOn chain of three: apps -> config -> infra.
    apply(
        &cluster,
        &kustomization(
            "apps",
            "./apps/overlay",
            "  targetNamespace: apps\n  wait: true\n  timeout: 1m\n  dependsOn:\n  - name: config\n  postBuild:\n    substituteFrom:\n    - kind: ConfigMap\n      name: vars\n",
        ),
    );
    apply(
        &cluster,
        &kustomization("config", "./config", "  dependsOn:\n  - name: infra\n"),
    );
    apply(&cluster, &kustomization("infra", "./infra", ""));

    let revision = format!("main@sha1:{first}");
    wait_revision(&mut cluster, "apps", &revision);
    let message = wait_ready_reason(&mut cluster, "apps", "True", "ReconciliationSucceeded");
    assert_eq!(message, format!("Applied revision: {revision}"));
    let infra = get_json(&cluster, &["kustomization", "infra", "-n", "flux-system"]).unwrap();
    let apps = get_json(&cluster, &["kustomization", "apps", "-n", "flux-system"]).unwrap();
    let ready_at = |o: &serde_json::Value| {
        condition(o, "Ready").unwrap()["lastTransitionTime"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        ready_at(&infra) <= ready_at(&apps),
        "infra is Ready before apps"
    );
    assert_eq!(condition(&apps, "Healthy").unwrap()["status"], "True");

    let deploy = get_json(&cluster, &["deployment", "dev-podinfo", "-n", "apps"])
        .expect("the overlay's Deployment exists");
    assert_eq!(
        deploy["spec"]["replicas"], 2,
        "postBuild from the vars ConfigMap"
    );
    assert_eq!(
        deploy["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"],
        "apps"
    );
    let extra = get_json(&cluster, &["configmap", "dev-extra", "-n", "apps"]).unwrap();
    assert_eq!(extra["data"]["greeting"], "hello world");
    let columns = cluster
        .kubectl()
        .ok(&["get", "kustomizations", "-n", "flux-system"]);
    assert!(columns.contains("Applied revision"), "{columns}");

    // A commit changing the image and removing a file: applied, and the file's object pruned.
    write_app(&wt, "6.1.0", false);
    let second = wt.commit("podinfo 6.1.0").unwrap();
    wt.push_branch("main").unwrap();
    let revision = format!("main@sha1:{second}");
    wait_revision(&mut cluster, "apps", &revision);
    let deploy = get_json(&cluster, &["deployment", "dev-podinfo", "-n", "apps"]).unwrap();
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/stefanprodan/podinfo:6.1.0"
    );
    assert!(
        get_json(&cluster, &["configmap", "dev-extra", "-n", "apps"]).is_none(),
        "the removed file's ConfigMap is pruned"
    );
    let events = cluster.kubectl().ok(&[
        "get",
        "events",
        "-n",
        "flux-system",
        "--field-selector",
        "involvedObject.name=apps",
        "-o",
        "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}",
    ]);
    assert!(
        events.contains("ConfigMap/apps/dev-extra deleted"),
        "{events}"
    );

    // A failing rollout is reported with the failing object, then fixed by the next commit.
    write_app(&wt, "fail", false);
    wt.commit("broken image").unwrap();
    wt.push_branch("main").unwrap();
    let message = wait_ready_reason(&mut cluster, "apps", "False", "HealthCheckFailed");
    assert!(
        message.contains("Deployment/apps/dev-podinfo status: 'Failed'"),
        "{message}"
    );
    write_app(&wt, "6.2.0", false);
    let fixed = wt.commit("podinfo 6.2.0").unwrap();
    wt.push_branch("main").unwrap();
    wait_revision(&mut cluster, "apps", &format!("main@sha1:{fixed}"));

    // A manual change is reverted at the next reconcile.
    cluster.kubectl().ok(&[
        "scale",
        "deployment",
        "dev-podinfo",
        "-n",
        "apps",
        "--replicas=5",
    ]);
    cluster.kubectl().ok(&[
        "annotate",
        "--overwrite",
        "kustomization",
        "apps",
        "-n",
        "flux-system",
        "reconcile.fluxcd.io/requestedAt=drift",
    ]);
    cluster.wait_for(
        "replicas reverted to 2",
        WAIT,
        |kubectl| {
            let run = kubectl.run(
                &[
                    "get",
                    "deployment",
                    "dev-podinfo",
                    "-n",
                    "apps",
                    "-o",
                    "jsonpath={.spec.replicas}",
                ],
                None,
            );
            (run.stdout.trim() == "2").then_some(())
        },
        |kubectl| {
            kubectl
                .run(&["get", "deployment", "-n", "apps", "-o", "yaml"], None)
                .stdout
        },
    );

    // Suspended: a new commit is not applied; resumed: it is.
    cluster.kubectl().ok(&[
        "patch",
        "kustomization",
        "apps",
        "-n",
        "flux-system",
        "--type=merge",
        "-p",
        r#"{"spec":{"suspend":true}}"#,
    ]);
    write_app(&wt, "6.3.0", false);
    let suspended = wt.commit("podinfo 6.3.0").unwrap();
    wt.push_branch("main").unwrap();
    cluster.wait_for(
        "the source at the new commit",
        WAIT,
        |kubectl| {
            let run = kubectl.run(
                &[
                    "get",
                    "gitrepository",
                    "fleet",
                    "-n",
                    "flux-system",
                    "-o",
                    "jsonpath={.status.artifact.revision}",
                ],
                None,
            );
            run.stdout.contains(&suspended).then_some(())
        },
        |_| String::new(),
    );
    std::thread::sleep(Duration::from_secs(3));
    let deploy = get_json(&cluster, &["deployment", "dev-podinfo", "-n", "apps"]).unwrap();
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/stefanprodan/podinfo:6.2.0",
        "nothing is applied while suspended"
    );
    cluster.kubectl().ok(&[
        "patch",
        "kustomization",
        "apps",
        "-n",
        "flux-system",
        "--type=merge",
        "-p",
        r#"{"spec":{"suspend":false}}"#,
    ]);
    wait_revision(&mut cluster, "apps", &format!("main@sha1:{suspended}"));

    // Deleting a Kustomization with prune deletes what it applied.
    cluster.kubectl().ok(&[
        "delete",
        "kustomization",
        "apps",
        "-n",
        "flux-system",
        "--timeout=60s",
    ]);
    cluster.wait_for(
        "the app's objects deleted",
        WAIT,
        |kubectl| {
            let run = kubectl.run(&["get", "deployment", "dev-podinfo", "-n", "apps"], None);
            (!run.success).then_some(())
        },
        |kubectl| kubectl.run(&["get", "all", "-n", "apps"], None).stdout,
    );
}

#[test]
fn lockdown_flags_and_tenant_rbac_are_enforced() {
    let server = git_server();
    server.create_repo("fleet").unwrap();
    let wt = server.work_tree("fleet").unwrap();
    wt.write(
        "tenant/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tenant-config\n  namespace: other\ndata:\n  a: b\n",
    )
    .unwrap();
    wt.write(
        "remote/kustomization.yaml",
        "resources:\n- https://github.com/fluxcd/flux2//manifests/rbac?ref=main\n",
    )
    .unwrap();
    wt.write(
        "own/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own\ndata:\n  a: b\n",
    )
    .unwrap();
    wt.commit("tenants").unwrap();
    wt.push_branch("main").unwrap();

    let mut cluster = Cluster::start();
    start(
        &mut cluster,
        &[
            "--no-cross-namespace-refs",
            "--no-remote-bases",
            "--default-service-account=default",
        ],
    );
    for ns in ["flux-system", "team-a", "other"] {
        cluster.kubectl().ok(&["create", "namespace", ns]);
    }
    apply(&cluster, &git_repository(&server.http_url("fleet")));
    // The tenant's service account may do anything in team-a only.
    apply(
        &cluster,
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: team-a\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: team-a-admin\n  namespace: team-a\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: admin\nsubjects:\n- kind: ServiceAccount\n  name: default\n  namespace: team-a\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: flux-system\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: flux-system-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: default\n  namespace: flux-system\n",
    );
    // Cross-namespace source: refused by --no-cross-namespace-refs.
    apply(
        &cluster,
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: cross\n  namespace: team-a\nspec:\n  interval: 10m\n  path: ./own\n  prune: true\n  targetNamespace: team-a\n  sourceRef:\n    kind: GitRepository\n    name: fleet\n    namespace: flux-system\n",
    );
    // A tenant applying into another namespace through its own service account.
    apply(
        &cluster,
        &kustomization("tenant", "./tenant", "  serviceAccountName: default\n"),
    );
    apply(&cluster, &kustomization("remote", "./remote", ""));

    let message =
        cluster.wait_condition("kustomization", "team-a", "cross", "Stalled", "True", WAIT);
    let ready = condition(&message, "Ready").unwrap();
    assert_eq!(ready["reason"], "AccessDenied");
    assert_eq!(
        ready["message"],
        "can't access 'GitRepository/flux-system/fleet', cross-namespace references have been blocked"
    );
    let message = wait_ready_reason(&mut cluster, "remote", "False", "BuildFailed");
    assert!(message.contains("remote bases are disabled"), "{message}");

    // The default service account of flux-system is bound to cluster-admin, so the tenant
    // Kustomization there succeeds; the same manifests from team-a's account are denied.
    wait_ready_reason(&mut cluster, "tenant", "True", "ReconciliationSucceeded");
    apply(
        &cluster,
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: escape\n  namespace: team-a\nspec:\n  interval: 10m\n  retryInterval: 2s\n  path: ./tenant\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: fleet-a\n",
    );
    apply(
        &cluster,
        &git_repository(&server.http_url("fleet")).replace(
            "name: fleet\n  namespace: flux-system",
            "name: fleet-a\n  namespace: team-a",
        ),
    );
    let args = [
        "get",
        "kustomization",
        "escape",
        "-n",
        "team-a",
        "-o",
        "json",
    ];
    let message = cluster.wait_for(
        "the tenant's Kustomization denied by RBAC",
        WAIT,
        |kubectl| {
            let run = kubectl.run(&args, None);
            let object: serde_json::Value = serde_json::from_str(&run.stdout).ok()?;
            let ready = condition(&object, "Ready")?;
            (ready["status"] == "False" && ready["reason"] == "ReconciliationFailed")
                .then(|| ready["message"].as_str().unwrap_or("").to_string())
        },
        |kubectl| kubectl.run(&args, None).stdout,
    );
    assert!(
        message.contains("ConfigMap/other/tenant-config"),
        "{message}"
    );
    assert!(message.contains("forbidden"), "{message}");
    assert!(
        cluster
            .kubectl()
            .run(&["get", "configmap", "tenant-config", "-n", "other"], None)
            .success,
        "created by the flux-system tenant only"
    );
}
