//! Conformance with the real kubectl (v1.32): each test drives kubectl against an in-process
//! emulator and asserts what a real API server answers.

mod common;

use common::{eventually, fails, kubectl, ok};

const APP: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: web}
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.0
        ports: [{containerPort: 80}]
        env: [{name: A, value: "1"}]
      - name: sidecar
        image: busybox:1.0
"#;

#[tokio::test]
async fn apply_get_yaml_describe_and_reapply() {
    let emu = common::start().await;
    let kc = emu.kubeconfig_path();
    let out = ok(kc, &["apply", "-f", "-"], Some(APP)).await;
    assert_eq!(
        out,
        "configmap/settings created\ndeployment.apps/web created\n"
    );
    let out = ok(kc, &["apply", "-f", "-"], Some(APP)).await;
    assert_eq!(
        out,
        "configmap/settings unchanged\ndeployment.apps/web unchanged\n"
    );
    let out = ok(
        kc,
        &["apply", "-f", "-"],
        Some(&APP.replace("color: blue", "color: red")),
    )
    .await;
    assert_eq!(
        out,
        "configmap/settings configured\ndeployment.apps/web unchanged\n"
    );

    let yaml = ok(kc, &["get", "configmap", "settings", "-o", "yaml"], None).await;
    for needle in [
        "apiVersion: v1\n",
        "kind: ConfigMap\n",
        "  color: red\n",
        "kubectl.kubernetes.io/last-applied-configuration",
        "  namespace: default\n",
        "  uid: ",
        "  resourceVersion: \"",
        "  creationTimestamp: \"",
    ] {
        assert!(yaml.contains(needle), "missing {needle:?} in:\n{yaml}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&ok(kc, &["get", "deployment", "web", "-o", "json"], None).await)
            .unwrap();
    assert_eq!(json["metadata"]["generation"], 1);
    assert_eq!(
        json["spec"]["template"]["spec"]["containers"][1]["name"],
        "sidecar"
    );

    let table = ok(kc, &["get", "configmaps"], None).await;
    let header = table.lines().next().unwrap();
    assert!(
        header.starts_with("NAME") && header.contains("DATA") && header.ends_with("AGE"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("settings ") && l.split_whitespace().nth(1) == Some("1")),
        "{table}"
    );
    let table = ok(kc, &["get", "deploy"], None).await;
    assert!(
        table.starts_with("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\n"),
        "{table}"
    );
    let labelled = ok(kc, &["get", "cm", "-l", "app=web", "-o", "name"], None).await;
    assert_eq!(labelled, "configmap/settings\n");
    let none = ok(
        kc,
        &["get", "cm", "-l", "app notin (web)", "-o", "name"],
        None,
    )
    .await;
    assert!(!none.contains("settings"));

    let described = ok(kc, &["describe", "deployment", "web"], None).await;
    assert!(described.contains("Name:               web"), "{described}");
    assert!(
        described
            .lines()
            .any(|l| l.trim().starts_with("Image:") && l.ends_with(" nginx:1.0")),
        "{described}"
    );

    let err = fails(kc, &["get", "configmap", "nope"], None).await;
    assert_eq!(
        err.trim(),
        "Error from server (NotFound): configmaps \"nope\" not found"
    );
    let err = fails(kc, &["create", "-f", "-"], Some(APP)).await;
    assert!(err.contains("Error from server (AlreadyExists): error when creating \"STDIN\": configmaps \"settings\" already exists"), "{err}");
    emu.stop().await;
}

#[tokio::test]
async fn patch_strategic_merge_and_json() {
    let emu = common::start().await;
    let kc = emu.kubeconfig_path();
    ok(kc, &["apply", "-f", "-"], Some(APP)).await;

    // Strategic merge: containers merge by name, env by name.
    let p = r#"{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"B","value":"2"}]}]}}}}"#;
    assert_eq!(
        ok(kc, &["patch", "deployment", "web", "-p", p], None).await,
        "deployment.apps/web patched\n"
    );
    let d: serde_json::Value =
        serde_json::from_str(&ok(kc, &["get", "deploy", "web", "-o", "json"], None).await).unwrap();
    let containers = d["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 2, "{containers:?}");
    assert_eq!(containers[0]["image"], "nginx:1.0");
    let env: Vec<&str> = containers[0]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(env, vec!["B", "A"]);
    assert_eq!(d["metadata"]["generation"], 2);

    // Merge patch replaces lists and merges maps.
    ok(
        kc,
        &[
            "patch",
            "configmap",
            "settings",
            "--type",
            "merge",
            "-p",
            r#"{"metadata":{"labels":{"tier":"fe"}},"data":{"size":"L"}}"#,
        ],
        None,
    )
    .await;
    let cm: serde_json::Value =
        serde_json::from_str(&ok(kc, &["get", "cm", "settings", "-o", "json"], None).await)
            .unwrap();
    assert_eq!(
        cm["metadata"]["labels"],
        serde_json::json!({"app": "web", "tier": "fe"})
    );
    assert_eq!(
        cm["data"],
        serde_json::json!({"color": "blue", "size": "L"})
    );

    // JSON patch, including a failing test operation.
    ok(kc, &["patch", "configmap", "settings", "--type", "json", "-p", r#"[{"op":"replace","path":"/data/color","value":"green"},{"op":"remove","path":"/data/size"}]"#], None).await;
    let data = ok(
        kc,
        &["get", "cm", "settings", "-o", "jsonpath={.data}"],
        None,
    )
    .await;
    assert_eq!(data, r#"{"color":"green"}"#);
    let err = fails(
        kc,
        &[
            "patch",
            "configmap",
            "settings",
            "--type",
            "json",
            "-p",
            r#"[{"op":"test","path":"/data/color","value":"red"}]"#,
        ],
        None,
    )
    .await;
    assert_eq!(
        err.trim(),
        "The request is invalid: the server rejected our request due to an error in our request"
    );
    emu.stop().await;
}

#[tokio::test]
async fn wait_for_condition_and_cascading_delete() {
    let emu = common::start().await;
    let kc = emu.kubeconfig_path();
    ok(kc, &["apply", "-f", "-"], Some(APP)).await;
    let out = ok(
        kc,
        &[
            "wait",
            "--for=condition=Available",
            "deployment/web",
            "--timeout=30s",
        ],
        None,
    )
    .await;
    assert_eq!(out, "deployment.apps/web condition met\n");
    let rs = |name: &str, uid: &str| {
        format!(
            "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: {name}\n  ownerReferences:\n  - apiVersion: apps/v1\n    kind: Deployment\n    name: web\n    uid: {uid}\n    controller: true\n    blockOwnerDeletion: true\nspec:\n  replicas: 1\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: web, image: nginx:1.0}}]\n"
        )
    };
    let uid = ok(
        kc,
        &["get", "deploy", "web", "-o", "jsonpath={.metadata.uid}"],
        None,
    )
    .await;
    ok(kc, &["apply", "-f", "-"], Some(&rs("web-1", &uid))).await;

    // Orphan: the dependent stays, without its owner reference.
    let out = ok(
        kc,
        &["delete", "deployment", "web", "--cascade=orphan"],
        None,
    )
    .await;
    assert_eq!(out, "deployment.apps \"web\" deleted\n");
    let refs = ok(
        kc,
        &[
            "get",
            "rs",
            "web-1",
            "-o",
            "jsonpath={.metadata.ownerReferences}",
        ],
        None,
    )
    .await;
    assert_eq!(refs, "");

    // Background (default): the dependent is collected after the owner is gone.
    ok(kc, &["apply", "-f", "-"], Some(APP)).await;
    let uid = ok(
        kc,
        &["get", "deploy", "web", "-o", "jsonpath={.metadata.uid}"],
        None,
    )
    .await;
    ok(kc, &["apply", "-f", "-"], Some(&rs("web-2", &uid))).await;
    ok(kc, &["delete", "deployment", "web"], None).await;
    eventually(10, || async {
        let out = kubectl(kc, &["get", "rs", "web-2"], None).await;
        (!out.status.success()).then_some(())
    })
    .await;

    // Foreground: the owner waits for its dependents.
    ok(kc, &["apply", "-f", "-"], Some(APP)).await;
    let uid = ok(
        kc,
        &["get", "deploy", "web", "-o", "jsonpath={.metadata.uid}"],
        None,
    )
    .await;
    ok(kc, &["apply", "-f", "-"], Some(&rs("web-3", &uid))).await;
    ok(
        kc,
        &["delete", "deployment", "web", "--cascade=foreground"],
        None,
    )
    .await;
    let rs_gone = kubectl(kc, &["get", "rs", "web-3"], None).await;
    assert!(
        !rs_gone.status.success(),
        "foreground delete returned before the dependent was gone"
    );
    // web-1 was orphaned earlier and is still there.
    ok(kc, &["get", "rs", "web-1"], None).await;
    emu.stop().await;
}

#[tokio::test]
async fn namespace_deletion_removes_its_content() {
    let emu = common::start().await;
    let kc = emu.kubeconfig_path();
    ok(
        kc,
        &["apply", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n"),
    )
    .await;
    ok(kc, &["apply", "-n", "team", "-f", "-"], Some(APP)).await;
    let out = ok(kc, &["delete", "namespace", "team"], None).await;
    assert_eq!(out, "namespace \"team\" deleted\n");
    let err = fails(kc, &["get", "namespace", "team"], None).await;
    assert!(err.contains("namespaces \"team\" not found"), "{err}");
    let all = ok(kc, &["get", "cm", "-A", "-o", "name"], None).await;
    assert!(!all.contains("settings"), "{all}");
    emu.stop().await;
}

#[tokio::test]
async fn flux_crds_are_served_validated_and_explained() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let emu = common::start().await;
    let kc = emu.kubeconfig_path();
    let crds = shared.join("reference/flux-crds");
    let out = ok(kc, &["apply", "-f", crds.to_str().unwrap()], None).await;
    assert!(out.contains("customresourcedefinition.apiextensions.k8s.io/gitrepositories.source.toolkit.fluxcd.io created"), "{out}");
    ok(
        kc,
        &[
            "wait",
            "--for=condition=Established",
            "crd/kustomizations.kustomize.toolkit.fluxcd.io",
            "--timeout=30s",
        ],
        None,
    )
    .await;

    let repo = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: podinfo\nspec:\n  interval: 1m\n  url: https://github.com/stefanprodan/podinfo\n";
    assert_eq!(
        ok(kc, &["apply", "-f", "-"], Some(repo)).await,
        "gitrepository.source.toolkit.fluxcd.io/podinfo created\n"
    );
    let table = ok(kc, &["get", "gitrepositories"], None).await;
    assert!(
        table.starts_with(
            "NAME      URL                                       AGE   READY   STATUS\n"
        ),
        "{table}"
    );
    // Defaults from the schema are applied.
    let timeout = ok(
        kc,
        &[
            "get",
            "gitrepository",
            "podinfo",
            "-o",
            "jsonpath={.spec.timeout}",
        ],
        None,
    )
    .await;
    assert_eq!(timeout, "60s");

    let err = fails(
        kc,
        &["apply", "-f", "-"],
        Some(&format!("{repo}  bogus: 1\n")),
    )
    .await;
    assert!(
        err.contains("GitRepository in version \"v1\" cannot be handled as a GitRepository: strict decoding error: unknown field \"spec.bogus\""),
        "{err}"
    );
    let err = fails(
        kc,
        &["apply", "-f", "-"],
        Some(&repo.replace("interval: 1m", "interval: soon")),
    )
    .await;
    assert!(
        err.contains("The GitRepository \"podinfo\" is invalid: spec.interval: Invalid value: \"soon\": spec.interval in body should match"),
        "{err}"
    );

    let explained = ok(kc, &["explain", "gitrepository.spec.interval"], None).await;
    assert!(
        explained.contains("KIND:       GitRepository"),
        "{explained}"
    );
    assert!(
        explained.contains("FIELD: interval <string>"),
        "{explained}"
    );

    ok(
        kc,
        &["delete", "crd", "gitrepositories.source.toolkit.fluxcd.io"],
        None,
    )
    .await;
    let err = fails(kc, &["get", "gitrepositories"], None).await;
    // kubectl's discovery cache may still name the resource; either way the server has no such resource.
    assert!(
        err.contains("the server doesn't have a resource type \"gitrepositories\"")
            || err.contains("the server could not find the requested resource"),
        "{err}"
    );
    emu.stop().await;
}

#[tokio::test]
async fn server_side_apply_conflicts_and_force() {
    let emu = common::start().await;
    let kc = emu.kubeconfig_path();
    assert_eq!(
        ok(kc, &["apply", "--server-side", "-f", "-"], Some(APP)).await,
        "configmap/settings serverside-applied\ndeployment.apps/web serverside-applied\n"
    );
    ok(
        kc,
        &[
            "patch",
            "configmap",
            "settings",
            "--type",
            "merge",
            "-p",
            r#"{"data":{"color":"pink"}}"#,
        ],
        None,
    )
    .await;
    let err = fails(kc, &["apply", "--server-side", "-f", "-"], Some(APP)).await;
    assert!(
        err.contains(
            "Apply failed with 1 conflict: conflict with \"kubectl-patch\" using v1: .data.color"
        ),
        "{err}"
    );
    ok(
        kc,
        &["apply", "--server-side", "--force-conflicts", "-f", "-"],
        Some(APP),
    )
    .await;
    assert_eq!(
        ok(
            kc,
            &["get", "cm", "settings", "-o", "jsonpath={.data.color}"],
            None
        )
        .await,
        "blue"
    );
    let managers = ok(
        kc,
        &[
            "get",
            "cm",
            "settings",
            "-o",
            "jsonpath={.metadata.managedFields[*].manager}",
            "--show-managed-fields",
        ],
        None,
    )
    .await;
    assert!(managers.split(' ').any(|m| m == "kubectl"), "{managers}");
    emu.stop().await;
}

/// Every field of `want` is in `got` with the same value (the server adds fields of its own).
fn assert_subset(want: &serde_json::Value, got: &serde_json::Value, path: &str) {
    match (want, got) {
        (serde_json::Value::Object(w), serde_json::Value::Object(g)) => {
            for (k, v) in w {
                if matches!(k.as_str(), "creationTimestamp" | "status") {
                    continue;
                }
                let Some(gv) = g.get(k) else {
                    panic!("{path}.{k} missing from {got}")
                };
                assert_subset(v, gv, &format!("{path}.{k}"));
            }
        }
        (serde_json::Value::Array(w), serde_json::Value::Array(g)) => {
            assert_eq!(w.len(), g.len(), "{path}");
            for (i, (a, b)) in w.iter().zip(g).enumerate() {
                assert_subset(a, b, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(want, got, "{path}"),
    }
}

#[tokio::test]
async fn typed_create_subcommands_and_scale() {
    let emu = common::start().await;
    let kc = emu.kubeconfig_path();
    // kubectl sends these as protobuf; the object stored must be what `--dry-run=client` prints.
    let cases: &[(&[&str], &str)] = &[
        (&["create", "namespace", "team"], "namespace/team"),
        (
            &[
                "create",
                "configmap",
                "c",
                "--from-literal=a=b",
                "--from-literal=n=",
            ],
            "configmap/c",
        ),
        (
            &["create", "secret", "generic", "s", "--from-literal=k=v"],
            "secret/s",
        ),
        (&["create", "serviceaccount", "bot"], "serviceaccount/bot"),
        (
            &[
                "create",
                "deployment",
                "d",
                "--image=nginx:1.0",
                "--replicas=2",
                "--port=80",
            ],
            "deployment.apps/d",
        ),
        (
            &["create", "service", "clusterip", "svc", "--tcp=80:8080"],
            "service/svc",
        ),
        (
            &["create", "job", "j", "--image=busybox:1.0"],
            "job.batch/j",
        ),
        (
            &[
                "create",
                "cronjob",
                "cj",
                "--image=busybox:1.0",
                "--schedule=*/5 * * * *",
            ],
            "cronjob.batch/cj",
        ),
        (
            &["create", "role", "r", "--verb=get,list", "--resource=pods"],
            "role.rbac.authorization.k8s.io/r",
        ),
        (
            &["create", "rolebinding", "rb", "--role=r", "--user=alice"],
            "rolebinding.rbac.authorization.k8s.io/rb",
        ),
    ];
    for (args, resource) in cases {
        let mut dry: Vec<&str> = args.to_vec();
        dry.extend(["--dry-run=client", "-o", "json"]);
        let want: serde_json::Value = serde_json::from_str(&ok(kc, &dry, None).await).unwrap();
        let out = ok(kc, args, None).await;
        assert_eq!(out, format!("{resource} created\n"));
        let got: serde_json::Value =
            serde_json::from_str(&ok(kc, &["get", resource, "-o", "json"], None).await).unwrap();
        assert_subset(&want, &got, resource);
    }
    assert_eq!(
        ok(kc, &["scale", "deployment", "d", "--replicas=3"], None).await,
        "deployment.apps/d scaled\n"
    );
    assert_eq!(
        ok(
            kc,
            &["get", "deploy", "d", "-o", "jsonpath={.spec.replicas}"],
            None
        )
        .await,
        "3"
    );
    emu.stop().await;
}

#[tokio::test]
async fn auth_can_i_and_impersonation() {
    let emu = common::start().await;
    let kc = emu.kubeconfig_path();
    ok(
        kc,
        &[
            "create",
            "role",
            "reader",
            "--verb=get,list",
            "--resource=configmaps",
        ],
        None,
    )
    .await;
    ok(
        kc,
        &[
            "create",
            "rolebinding",
            "reader",
            "--role=reader",
            "--user=alice",
        ],
        None,
    )
    .await;
    assert_eq!(
        ok(kc, &["auth", "can-i", "delete", "configmaps"], None).await,
        "yes\n"
    );
    assert_eq!(
        ok(
            kc,
            &["auth", "can-i", "list", "configmaps", "--as=alice"],
            None
        )
        .await,
        "yes\n"
    );
    let out = kubectl(
        kc,
        &["auth", "can-i", "delete", "configmaps", "--as=alice"],
        None,
    )
    .await;
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "no\n");
    assert_eq!(
        ok(kc, &["get", "cm", "--as=alice", "-o", "name"], None).await,
        ""
    );
    let err = fails(kc, &["get", "secrets", "--as=alice"], None).await;
    assert_eq!(
        err.trim(),
        "Error from server (Forbidden): secrets is forbidden: User \"alice\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\""
    );
    emu.stop().await;
}
