//! The reconcile pipeline against the API emulator, with artifacts served over HTTP by the test:
//! build layering, postBuild, apply, inventory, prune, drift correction, deletion, and the
//! failure reasons Flux reports.

mod common;

use common::{Bed, eventually, test_settings};
use serde_json::json;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  replicas: ${replicas:=1}
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
        image: ghcr.io/stefanprodan/podinfo:6.0.0
"#;

const SERVICE: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: podinfo
spec:
  selector:
    app: podinfo
  ports:
  - port: 9898
"#;

const CONFIGMAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
data:
  greeting: hello ${name}
  literal: keep $${this}
"#;

const BASE: &str = "resources:\n- deployment.yaml\n- service.yaml\n- configmap.yaml\n";
const BASE_WITHOUT_CONFIGMAP: &str = "resources:\n- deployment.yaml\n- service.yaml\n";
const OVERLAY: &str = "resources:\n- ../base\nnamePrefix: dev-\ncommonLabels:\n  env: dev\n";

fn app(base: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("apps/base/kustomization.yaml", base),
        ("apps/base/deployment.yaml", DEPLOYMENT),
        ("apps/base/service.yaml", SERVICE),
        ("apps/base/configmap.yaml", CONFIGMAP),
        ("apps/overlay/kustomization.yaml", OVERLAY),
    ]
}

const REV1: &str = "main@sha1:1111111111111111111111111111111111111111";
const REV2: &str = "main@sha1:2222222222222222222222222222222222222222";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlay_is_built_applied_pruned_corrected_and_deleted() {
    let mut bed = Bed::start().await;
    bed.create_namespace("apps").await;
    bed.create_source("default", "repo").await;
    bed.publish("default", "repo", REV1, &app(BASE)).await;
    let vars: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::namespaced(bed.client.clone(), "default");
    vars.create(
        &Default::default(),
        &serde_json::from_value(json!({"metadata": {"name": "vars"}, "data": {"replicas": "2"}}))
            .unwrap(),
    )
    .await
    .unwrap();
    bed.run_controller(test_settings()).await;
    bed.apply_kustomization(
        "default",
        "app",
        json!({
            "interval": "1h",
            "path": "./apps/overlay",
            "prune": true,
            "targetNamespace": "apps",
            "sourceRef": {"kind": "GitRepository", "name": "repo"},
            "commonMetadata": {"labels": {"team": "a"}, "annotations": {"owner": "team-a"}},
            "images": [{"name": "ghcr.io/stefanprodan/podinfo", "newTag": "6.1.0"}],
            "patches": [{
                "patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: any\n  annotations:\n    patched: \"yes\"\n",
                "target": {"kind": "Deployment"}
            }],
            "postBuild": {
                "substitute": {"name": "world"},
                "substituteFrom": [
                    {"kind": "ConfigMap", "name": "vars"},
                    {"kind": "Secret", "name": "absent", "optional": true}
                ]
            }
        }),
    )
    .await;

    let message = bed
        .wait_ready("default", "app", "True", "ReconciliationSucceeded")
        .await;
    assert_eq!(message, format!("Applied revision: {REV1}"));

    let deploy = bed
        .get_json("/apis/apps/v1/namespaces/apps/deployments/dev-podinfo")
        .await
        .expect("the Deployment is applied with the prefix, in the target namespace");
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"][0]["image"],
        "ghcr.io/stefanprodan/podinfo:6.1.0"
    );
    assert_eq!(deploy["spec"]["replicas"], 2, "substituteFrom ConfigMap");
    let labels = &deploy["metadata"]["labels"];
    assert_eq!(labels["team"], "a");
    assert_eq!(labels["env"], "dev");
    assert_eq!(labels["kustomize.toolkit.fluxcd.io/name"], "app");
    assert_eq!(labels["kustomize.toolkit.fluxcd.io/namespace"], "default");
    assert_eq!(deploy["metadata"]["annotations"]["patched"], "yes");
    assert_eq!(deploy["metadata"]["annotations"]["owner"], "team-a");
    let managers: Vec<&str> = deploy["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert!(managers.contains(&"kustomize-controller"), "{managers:?}");

    let cm = bed
        .get_json("/api/v1/namespaces/apps/configmaps/dev-greeting")
        .await
        .expect("ConfigMap applied");
    assert_eq!(cm["data"]["greeting"], "hello world");
    assert_eq!(cm["data"]["literal"], "keep ${this}");

    let ks = bed.kustomization("default", "app").await.unwrap();
    let status = ks.status.clone().unwrap();
    assert_eq!(status.last_applied_revision.as_deref(), Some(REV1));
    assert_eq!(status.last_attempted_revision.as_deref(), Some(REV1));
    let ids: Vec<String> = status
        .inventory
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.id)
        .collect();
    for id in [
        "apps_dev-podinfo_apps_Deployment",
        "apps_dev-podinfo__Service",
        "apps_dev-greeting__ConfigMap",
    ] {
        assert!(ids.contains(&id.to_string()), "{id} in {ids:?}");
    }
    let history = status.history.unwrap();
    assert_eq!(history[0].last_reconciled_status, "ReconciliationSucceeded");
    assert!(history[0].digest.starts_with("sha256:"));
    eventually("apply event", || async {
        bed.event_messages("default", "app")
            .await
            .iter()
            .any(|m| m.contains("Deployment/apps/dev-podinfo created"))
    })
    .await;

    // A new revision without the ConfigMap: applied, and the ConfigMap pruned.
    bed.publish("default", "repo", REV2, &app(BASE_WITHOUT_CONFIGMAP))
        .await;
    eventually("new revision applied", || async {
        bed.kustomization("default", "app")
            .await
            .and_then(|k| k.status?.last_applied_revision)
            .as_deref()
            == Some(REV2)
    })
    .await;
    assert!(
        bed.get_json("/api/v1/namespaces/apps/configmaps/dev-greeting")
            .await
            .is_none(),
        "the removed ConfigMap is pruned"
    );
    eventually("prune event", || async {
        bed.event_messages("default", "app")
            .await
            .iter()
            .any(|m| m.contains("ConfigMap/apps/dev-greeting deleted"))
    })
    .await;

    // Drift: someone scales the Deployment by hand; the next reconcile reverts it.
    let deployments: kube::Api<k8s_openapi::api::apps::v1::Deployment> =
        kube::Api::namespaced(bed.client.clone(), "apps");
    deployments
        .patch(
            "dev-podinfo",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .unwrap();
    bed.request_reconcile("default", "app", "drift").await;
    eventually("drift reverted", || async {
        bed.get_json("/apis/apps/v1/namespaces/apps/deployments/dev-podinfo")
            .await
            .is_some_and(|d| d["spec"]["replicas"] == 2)
    })
    .await;

    // spec.ignore: replicas are left to someone else (an autoscaler, say). A hand-scaled
    // Deployment keeps its replicas, while other drift on it is still corrected.
    let ks = bed.kustomization("default", "app").await.unwrap();
    let mut spec = serde_json::to_value(&ks.spec).unwrap();
    spec["ignore"] = json!([{"paths": ["/spec/replicas"], "target": {"kind": "Deployment"}}]);
    bed.apply_kustomization("default", "app", spec).await;
    eventually("spec.ignore generation reconciled", || async {
        bed.kustomization("default", "app")
            .await
            .is_some_and(|k| k.status.and_then(|s| s.observed_generation) == k.metadata.generation)
    })
    .await;
    deployments
        .patch(
            "dev-podinfo",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(
                json!({"spec": {"replicas": 7}, "metadata": {"labels": {"team": null}}}),
            ),
        )
        .await
        .unwrap();
    bed.request_reconcile("default", "app", "ignore").await;
    eventually("the label drift corrected", || async {
        bed.get_json("/apis/apps/v1/namespaces/apps/deployments/dev-podinfo")
            .await
            .is_some_and(|d| d["metadata"]["labels"]["team"] == "a")
    })
    .await;
    let deploy = bed
        .get_json("/apis/apps/v1/namespaces/apps/deployments/dev-podinfo")
        .await
        .unwrap();
    assert_eq!(
        deploy["spec"]["replicas"], 7,
        "an ignored field keeps its live value"
    );

    // Deleting the Kustomization (prune: true) deletes what it applied.
    let api: kube::Api<flux_api::kustomize::Kustomization> =
        kube::Api::namespaced(bed.client.clone(), "default");
    api.delete("app", &Default::default()).await.unwrap();
    eventually("objects deleted with the Kustomization", || async {
        bed.get_json("/apis/apps/v1/namespaces/apps/deployments/dev-podinfo")
            .await
            .is_none()
            && bed.kustomization("default", "app").await.is_none()
    })
    .await;
    bed.stop_controller().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_carry_fluxs_reasons() {
    let mut bed = Bed::start().await;
    bed.create_source("default", "empty").await;
    bed.create_source("default", "repo").await;
    bed.publish(
        "default",
        "repo",
        REV1,
        &[
            (
                "strict/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict\ndata:\n  a: ${defined}\n  b: ${missing}\n",
            ),
            (
                "failing/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\nspec:\n  progressDeadlineSeconds: 1\n  selector:\n    matchLabels: {app: broken}\n  template:\n    metadata:\n      labels: {app: broken}\n    spec:\n      containers:\n      - name: app\n        image: nginx:fail\n",
            ),
            (
                "plain/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n",
            ),
        ],
    )
    .await;
    bed.run_controller(test_settings()).await;

    bed.apply_kustomization(
        "default",
        "no-artifact",
        json!({"interval": "1h", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "empty"}}),
    )
    .await;
    bed.apply_kustomization(
        "default",
        "no-source",
        json!({"interval": "1h", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "nope"}}),
    )
    .await;
    bed.apply_kustomization(
        "default",
        "strict",
        json!({"interval": "1h", "prune": true, "path": "./strict",
               "sourceRef": {"kind": "GitRepository", "name": "repo"},
               "postBuild": {"substitute": {"defined": "x"}}}),
    )
    .await;
    bed.apply_kustomization(
        "default",
        "missing-path",
        json!({"interval": "1h", "prune": true, "path": "./nowhere",
               "sourceRef": {"kind": "GitRepository", "name": "repo"}}),
    )
    .await;
    bed.apply_kustomization(
        "default",
        "unhealthy",
        json!({"interval": "1h", "prune": true, "path": "./failing", "wait": true, "timeout": "1m", "targetNamespace": "default",
               "sourceRef": {"kind": "GitRepository", "name": "repo"}}),
    )
    .await;
    bed.apply_kustomization(
        "default",
        "dependent",
        json!({"interval": "1h", "prune": true, "path": "./plain", "targetNamespace": "default",
               "dependsOn": [{"name": "strict"}],
               "sourceRef": {"kind": "GitRepository", "name": "repo"}}),
    )
    .await;

    let m = bed
        .wait_ready("default", "no-artifact", "False", "ArtifactFailed")
        .await;
    assert_eq!(m, "Source artifact not found, retrying in 1s");
    let m = bed
        .wait_ready("default", "no-source", "False", "ArtifactFailed")
        .await;
    assert!(m.contains("\"nope\" not found"), "{m}");
    let m = bed
        .wait_ready("default", "strict", "False", "BuildFailed")
        .await;
    assert_eq!(
        m,
        "post build failed for 'ConfigMap.v1.[noGrp]/strict': envsubst error: variable substitution \
         failed: variable not set (strict mode): \"missing\""
    );
    let ks = bed.kustomization("default", "strict").await.unwrap();
    assert_eq!(
        ks.status.unwrap().last_attempted_revision.as_deref(),
        Some(REV1),
        "lastAttemptedRevision is recorded on failure"
    );
    let m = bed
        .wait_ready("default", "missing-path", "False", "ArtifactFailed")
        .await;
    assert!(m.starts_with("kustomization path not found: stat "), "{m}");
    let m = bed
        .wait_ready("default", "dependent", "False", "DependencyNotReady")
        .await;
    assert_eq!(m, "dependency 'default/strict' is not ready");
    let m = bed
        .wait_ready("default", "unhealthy", "False", "HealthCheckFailed")
        .await;
    assert!(m.starts_with("health check failed after "), "{m}");
    assert!(
        m.contains("Deployment/default/broken status: 'Failed'"),
        "{m}"
    );
    let ks = bed.kustomization("default", "unhealthy").await.unwrap();
    let history = ks.status.unwrap().history.unwrap();
    assert_eq!(history[0].last_reconciled_status, "HealthCheckFailed");

    // Fixing the variable makes the strict one Ready, then its dependent follows.
    bed.apply_kustomization(
        "default",
        "strict",
        json!({"interval": "1h", "prune": true, "path": "./strict", "targetNamespace": "default",
               "sourceRef": {"kind": "GitRepository", "name": "repo"},
               "postBuild": {"substitute": {"defined": "x", "missing": "y"}}}),
    )
    .await;
    bed.wait_ready("default", "strict", "True", "ReconciliationSucceeded")
        .await;
    bed.wait_ready("default", "dependent", "True", "ReconciliationSucceeded")
        .await;
    bed.stop_controller().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockdown_refuses_cross_namespace_sources_and_remote_bases() {
    let mut bed = Bed::start().await;
    bed.create_namespace("tenant").await;
    bed.create_source("default", "repo").await;
    bed.publish(
        "default",
        "repo",
        REV1,
        &[
            (
                "remote/kustomization.yaml",
                "resources:\n- https://github.com/fluxcd/flux2//manifests/rbac?ref=main\n",
            ),
            (
                "plain/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  a: b\n",
            ),
        ],
    )
    .await;
    let mut settings = test_settings();
    settings.source_policy.cross_namespace = flux_runtime::acl::CrossNamespacePolicy::new(true);
    settings.build.no_remote_bases = true;
    bed.run_controller(settings).await;
    bed.apply_kustomization(
        "tenant",
        "cross",
        json!({"interval": "1h", "prune": true, "path": "./plain",
               "sourceRef": {"kind": "GitRepository", "name": "repo", "namespace": "default"}}),
    )
    .await;
    bed.apply_kustomization(
        "default",
        "remote",
        json!({"interval": "1h", "prune": true, "path": "./remote",
               "sourceRef": {"kind": "GitRepository", "name": "repo"}}),
    )
    .await;
    let m = bed
        .wait_ready("tenant", "cross", "False", "AccessDenied")
        .await;
    assert_eq!(
        m,
        "can't access 'GitRepository/default/repo', cross-namespace references have been blocked"
    );
    let stalled = bed.condition("tenant", "cross", "Stalled").await;
    assert_eq!(
        stalled.map(|(s, r, _)| (s, r)),
        Some(("True".to_string(), "AccessDenied".to_string()))
    );
    let m = bed
        .wait_ready("default", "remote", "False", "BuildFailed")
        .await;
    assert!(m.starts_with("kustomize build failed: "), "{m}");
    assert!(m.contains("remote bases are disabled"), "{m}");
    bed.stop_controller().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sops_secrets_are_decrypted_with_age_and_pgp_keys() {
    let dir = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/sops"
    ));
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED: {} is absent (the SOPS fixtures live in ../shared)",
            dir.display()
        );
        return;
    }
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).expect("fixture");
    let age = read("algorithms/age.yaml");
    let pgp = read("algorithms/pgp.yaml");
    let mut bed = Bed::start().await;
    bed.create_source("default", "repo").await;
    bed.publish(
        "default",
        "repo",
        REV1,
        &[("secrets/age.yaml", &age), ("secrets/pgp.yaml", &pgp)],
    )
    .await;
    let secrets: kube::Api<k8s_openapi::api::core::v1::Secret> =
        kube::Api::namespaced(bed.client.clone(), "default");
    let keys = json!({"metadata": {"name": "sops-keys"}, "stringData": {
        "age.agekey": read("keys/age.txt"),
        "pgp.asc": read("keys/pgp.asc"),
    }});
    secrets
        .create(&Default::default(), &serde_json::from_value(keys).unwrap())
        .await
        .unwrap();
    bed.run_controller(test_settings()).await;
    bed.apply_kustomization(
        "default",
        "undecrypted",
        json!({"interval": "1h", "prune": true, "path": "./secrets", "namePrefix": "plain-",
               "targetNamespace": "default",
               "sourceRef": {"kind": "GitRepository", "name": "repo"}}),
    )
    .await;
    bed.apply_kustomization(
        "default",
        "secrets",
        json!({"interval": "1h", "prune": true, "path": "./secrets", "targetNamespace": "default",
               "sourceRef": {"kind": "GitRepository", "name": "repo"},
               "decryption": {"provider": "sops", "secretRef": {"name": "sops-keys"}}}),
    )
    .await;
    bed.wait_ready("default", "secrets", "True", "ReconciliationSucceeded")
        .await;
    for name in ["age", "pgp"] {
        let secret = secrets.get(name).await.expect("decrypted Secret applied");
        let data = secret.data.unwrap();
        assert_eq!(data["key"].0, b"value", "{name}");
    }
    let m = bed
        .wait_ready("default", "undecrypted", "False", "ReconciliationFailed")
        .await;
    assert!(
        m.ends_with(
            "is SOPS encrypted, configuring decryption is required for this secret to be reconciled"
        ),
        "{m}"
    );
    assert!(secrets.get_opt("plain-age").await.unwrap().is_none());
    bed.stop_controller().await;
}
