//! dependsOn evaluation against Kustomizations stored in the API emulator.

use flux_api::kustomize::Kustomization;
use flux_runtime::dependencies::check_dependencies;
use flux_runtime::reconcile::Disposition;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use std::time::Duration;

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

fn kustomization(namespace: &str, name: &str, source: &str, depends_on: Value) -> Kustomization {
    serde_json::from_value(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"interval": "10m", "prune": true, "path": "./",
                 "sourceRef": {"kind": "GitRepository", "name": source, "namespace": "flux-system"},
                 "dependsOn": depends_on}
    }))
    .unwrap()
}

async fn set_status(api: &Api<Kustomization>, name: &str, status: Value) {
    api.patch_status(
        name,
        &PatchParams::default(),
        &Patch::Merge(&json!({ "status": status })),
    )
    .await
    .unwrap();
}

fn ready(generation: i64, applied: &str) -> Value {
    json!({
        "observedGeneration": generation,
        "lastAppliedRevision": applied,
        "lastAttemptedRevision": applied,
        "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                        "message": "Applied revision", "lastTransitionTime": "2024-01-01T00:00:00Z",
                        "observedGeneration": generation}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependencies_must_exist_be_ready_current_and_at_the_source_revision() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in flux_api::crds::all()
        .into_iter()
        .filter(|c| c.spec.names.kind == "Kustomization")
    {
        crds.create(&PostParams::default(), &crd).await.unwrap();
    }
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "infra"}})).unwrap(),
        )
        .await
        .unwrap();
    let apps: Api<Kustomization> = Api::namespaced(client.clone(), "default");
    let infra: Api<Kustomization> = Api::namespaced(client.clone(), "infra");
    eventually("CRD served", || async {
        apps.list(&ListParams::default()).await.is_ok()
    })
    .await;

    let revision = format!("main@sha1:{}", "b".repeat(40));
    let dependent = kustomization(
        "default",
        "apps",
        "fleet",
        json!([{"name": "crds"}, {"name": "infra", "namespace": "infra"}]),
    );
    let check = |obj: Kustomization| {
        let client = client.clone();
        let revision = revision.clone();
        async move { check_dependencies(&client, &obj, Some(&revision)).await }
    };

    // Missing.
    let err = check(dependent.clone()).await.unwrap_err();
    assert_eq!(err.disposition, Disposition::Waiting);
    assert_eq!(err.reason, "DependencyNotReady");
    assert_eq!(
        err.message,
        "dependency 'default/crds' not found: kustomizations.kustomize.toolkit.fluxcd.io \"crds\" not found"
    );

    // Exists without status: not ready.
    apps.create(
        &PostParams::default(),
        &kustomization("default", "crds", "fleet", json!([])),
    )
    .await
    .unwrap();
    let err = check(dependent.clone()).await.unwrap_err();
    assert_eq!(err.message, "dependency 'default/crds' is not ready");

    // Ready but for an older generation: not ready.
    set_status(&apps, "crds", ready(1, &revision)).await;
    apps.patch(
        "crds",
        &PatchParams::default(),
        &Patch::Merge(&json!({"spec": {"path": "./crds"}})),
    )
    .await
    .unwrap();
    let err = check(dependent.clone()).await.unwrap_err();
    assert_eq!(err.message, "dependency 'default/crds' is not ready");

    // Current generation, same source, but an older applied revision: not up to date.
    set_status(
        &apps,
        "crds",
        ready(2, "main@sha1:0000000000000000000000000000000000000000"),
    )
    .await;
    let err = check(dependent.clone()).await.unwrap_err();
    assert_eq!(
        err.message,
        "dependency 'default/crds' revision is not up to date"
    );

    // Applied the current revision (legacy format accepted): ready; the next dependency is checked
    // in its own namespace.
    set_status(&apps, "crds", ready(2, &format!("main/{}", "b".repeat(40)))).await;
    let err = check(dependent.clone()).await.unwrap_err();
    assert!(
        err.message
            .starts_with("dependency 'infra/infra' not found: "),
        "{}",
        err.message
    );

    // A dependency building from another source need not be at our revision.
    infra
        .create(
            &PostParams::default(),
            &kustomization("infra", "infra", "other-source", json!([])),
        )
        .await
        .unwrap();
    set_status(&infra, "infra", ready(1, "v9@sha1:whatever")).await;
    check(dependent.clone()).await.unwrap();

    // Ready=False.
    set_status(
        &infra,
        "infra",
        json!({"conditions": [{"type": "Ready", "status": "False", "reason": "BuildFailed",
            "message": "x", "lastTransitionTime": "2024-01-01T00:00:00Z"}]}),
    )
    .await;
    let err = check(dependent.clone()).await.unwrap_err();
    assert_eq!(err.message, "dependency 'infra/infra' is not ready");

    // readyExpr is refused clearly, not guessed.
    let with_expr = kustomization(
        "default",
        "apps",
        "fleet",
        json!([{"name": "crds", "readyExpr": "dep.status.conditions.all(c, c.status == 'True')"}]),
    );
    let err = check(with_expr).await.unwrap_err();
    assert_eq!(err.disposition, Disposition::Stalled);
    assert_eq!(err.reason, "InvalidCELExpression");
    assert!(
        err.message.contains("readyExpr is not supported"),
        "{}",
        err.message
    );

    // No dependencies: nothing to wait for.
    check(kustomization("default", "solo", "fleet", json!([])))
        .await
        .unwrap();
    emulator.stop().await;
}
