//! Staged server-side apply against the cluster of `common::start` (the kube-emulator, or the real
//! control plane with FLUX_RS_CLUSTER=real).

mod common;

use common::*;
use flux_ssa::{Action, SsaError};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::discovery::ApiResource;
use serde_json::json;

fn app(ns: &str) -> Vec<serde_json::Value> {
    vec![
        deployment(ns, "web", "nginx:1.27"),
        service(ns, "web"),
        configmap(ns, "web-config", json!({"a": "1"})),
        namespace(ns),
    ]
}

#[tokio::test]
async fn create_then_unchanged_then_configured() {
    let env = start().await;
    let opts = flux_opts();
    let mut objects = app("apps");
    flux_ssa::normalize::normalize_objects(&mut objects);
    env.manager
        .set_owner_labels(&mut objects, "app", "flux-system");

    let cs = env
        .manager
        .apply_all_staged(objects.clone(), &opts)
        .await
        .unwrap();
    assert_eq!(
        cs.to_string(),
        "Namespace/apps created\nConfigMap/apps/web-config created\nService/apps/web created\nDeployment/apps/web created"
    );
    assert_eq!(cs.entries[3].version, "v1");
    assert_eq!(cs.entries[3].object.id(), "apps_web_apps_Deployment");

    let dep = get(
        &env.client,
        "apps/v1",
        "Deployment",
        "deployments",
        "apps",
        "web",
    )
    .await
    .unwrap();
    assert_eq!(
        dep.metadata.labels.as_ref().unwrap()["kustomize.toolkit.fluxcd.io/name"],
        "app"
    );
    let managers: Vec<_> = dep
        .metadata
        .managed_fields
        .unwrap()
        .into_iter()
        .filter_map(|m| Some((m.manager?, m.operation?)))
        .collect();
    assert!(managers.contains(&(MANAGER.to_string(), "Apply".to_string())));

    // Let the workload simulator write the Deployment's status first: status changes are not
    // drift.
    env.manager
        .wait_for_set(
            &cs.objects(),
            &flux_ssa::WaitOptions {
                interval: std::time::Duration::from_millis(100),
                timeout: std::time::Duration::from_secs(20),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let before: Vec<String> = [
        get(&env.client, "v1", "Namespace", "namespaces", "", "apps").await,
        get(
            &env.client,
            "v1",
            "ConfigMap",
            "configmaps",
            "apps",
            "web-config",
        )
        .await,
        get(&env.client, "v1", "Service", "services", "apps", "web").await,
        get(
            &env.client,
            "apps/v1",
            "Deployment",
            "deployments",
            "apps",
            "web",
        )
        .await,
    ]
    .iter()
    .map(|o| rv(o.as_ref().unwrap()))
    .collect();

    let cs = env
        .manager
        .apply_all_staged(objects.clone(), &opts)
        .await
        .unwrap();
    assert!(
        cs.entries.iter().all(|e| e.action == Action::Unchanged),
        "{cs}"
    );
    assert_eq!(cs.changes_message(), "");
    let after: Vec<String> = [
        get(&env.client, "v1", "Namespace", "namespaces", "", "apps").await,
        get(
            &env.client,
            "v1",
            "ConfigMap",
            "configmaps",
            "apps",
            "web-config",
        )
        .await,
        get(&env.client, "v1", "Service", "services", "apps", "web").await,
        get(
            &env.client,
            "apps/v1",
            "Deployment",
            "deployments",
            "apps",
            "web",
        )
        .await,
    ]
    .iter()
    .map(|o| rv(o.as_ref().unwrap()))
    .collect();
    assert_eq!(before, after, "a no-op apply must write nothing");

    objects[2]["data"]["a"] = json!("2");
    let cs = env.manager.apply_all_staged(objects, &opts).await.unwrap();
    assert_eq!(cs.changes_message(), "ConfigMap/apps/web-config configured");
    let cm = get(
        &env.client,
        "v1",
        "ConfigMap",
        "configmaps",
        "apps",
        "web-config",
    )
    .await
    .unwrap();
    assert_eq!(cm.data["data"]["a"], "2");
}

#[tokio::test]
async fn crd_and_custom_resource_in_one_set() {
    let env = start().await;
    let opts = flux_opts();
    let objects = vec![widget("default", "w1", 3), crd("Namespaced")];
    let cs = env
        .manager
        .apply_all_staged(objects.clone(), &opts)
        .await
        .unwrap();
    assert_eq!(
        cs.to_string(),
        "CustomResourceDefinition/widgets.example.com created\nWidget/default/w1 created"
    );
    let w = get(
        &env.client,
        "example.com/v1",
        "Widget",
        "widgets",
        "default",
        "w1",
    )
    .await
    .unwrap();
    assert_eq!(w.data["spec"]["size"], 3);
    let cs = env.manager.apply_all_staged(objects, &opts).await.unwrap();
    assert_eq!(cs.changes_message(), "");
}

#[tokio::test]
async fn immutable_field_needs_force() {
    let env = start().await;
    let opts = flux_opts();
    env.manager
        .apply_all_staged(vec![crd("Namespaced")], &opts)
        .await
        .unwrap();
    let uid = |o: Option<DynamicObject>| o.unwrap().metadata.uid.unwrap();
    let crd_get = || {
        get(
            &env.client,
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            "",
            "widgets.example.com",
        )
    };
    let first = uid(crd_get().await);

    // Without force the dry-run error stops the apply, worded as Flux words it.
    let err = env
        .manager
        .apply_all_staged(vec![crd("Cluster")], &opts)
        .await
        .unwrap_err();
    assert!(err.change_set.is_empty());
    let msg = err.to_string();
    assert!(
        msg.starts_with("CustomResourceDefinition/widgets.example.com dry-run failed (Invalid): "),
        "{msg}"
    );
    assert!(msg.contains("immutable"), "{msg}");
    assert_eq!(uid(crd_get().await), first);

    // The force annotation recreates the object.
    let annotated = with_annotation(
        crd("Cluster"),
        "kustomize.toolkit.fluxcd.io/force",
        "Enabled",
    );
    let cs = env
        .manager
        .apply_all_staged(vec![annotated], &opts)
        .await
        .unwrap();
    assert_eq!(
        cs.to_string(),
        "CustomResourceDefinition/widgets.example.com created"
    );
    let second = uid(crd_get().await);
    assert_ne!(second, first);

    // So does spec.force.
    let forced = flux_ssa::ApplyOptions {
        force: true,
        ..flux_opts()
    };
    let cs = env
        .manager
        .apply_all_staged(vec![crd("Namespaced")], &forced)
        .await
        .unwrap();
    assert_eq!(cs.entries[0].action, Action::Created);
    assert_ne!(uid(crd_get().await), second);
}

#[tokio::test]
async fn reconcile_disabled_and_ssa_ignore_skip() {
    let env = start().await;
    let opts = flux_opts();
    let disabled = with_annotation(
        configmap("default", "off", json!({"a": "1"})),
        "kustomize.toolkit.fluxcd.io/reconcile",
        "disabled",
    );
    let ignored = with_annotation(
        configmap("default", "ignored", json!({"a": "1"})),
        "kustomize.toolkit.fluxcd.io/ssa",
        "Ignore",
    );
    let cs = env
        .manager
        .apply_all_staged(vec![disabled, ignored], &opts)
        .await
        .unwrap();
    assert_eq!(
        cs.to_string(),
        "ConfigMap/default/ignored skipped\nConfigMap/default/off skipped"
    );
    assert!(
        get(
            &env.client,
            "v1",
            "ConfigMap",
            "configmaps",
            "default",
            "off"
        )
        .await
        .is_none()
    );

    // A live object labelled reconcile: disabled is left alone even when the manifest differs.
    let cs = env
        .manager
        .apply_all_staged(vec![configmap("default", "live", json!({"a": "1"}))], &opts)
        .await
        .unwrap();
    assert_eq!(cs.entries[0].action, Action::Created);
    let api: Api<DynamicObject> = Api::namespaced_with(
        env.client.clone(),
        "default",
        &ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&()),
    );
    api.patch(
        "live",
        &PatchParams::default(),
        &Patch::Merge(
            json!({"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/reconcile": "disabled"}}}),
        ),
    )
    .await
    .unwrap();
    let cs = env
        .manager
        .apply_all_staged(vec![configmap("default", "live", json!({"a": "2"}))], &opts)
        .await
        .unwrap();
    assert_eq!(cs.entries[0].action, Action::Skipped);
    let live = api.get("live").await.unwrap();
    assert_eq!(live.data["data"]["a"], "1");
}

#[tokio::test]
async fn if_not_present_creates_once() {
    let env = start().await;
    let opts = flux_opts();
    let cm = |v: &str| {
        with_annotation(
            configmap("default", "seed", json!({"a": v})),
            "kustomize.toolkit.fluxcd.io/ssa",
            "IfNotPresent",
        )
    };
    let cs = env
        .manager
        .apply_all_staged(vec![cm("1")], &opts)
        .await
        .unwrap();
    assert_eq!(cs.entries[0].action, Action::Created);
    let cs = env
        .manager
        .apply_all_staged(vec![cm("2")], &opts)
        .await
        .unwrap();
    assert_eq!(cs.to_string(), "ConfigMap/default/seed skipped");
    let live = get(
        &env.client,
        "v1",
        "ConfigMap",
        "configmaps",
        "default",
        "seed",
    )
    .await
    .unwrap();
    assert_eq!(live.data["data"]["a"], "1");
}

/// `kubectl edit` adds a label and changes a value: Override (the default) reverts both, Merge
/// reverts the value Flux manages and keeps the extra label.
#[tokio::test]
async fn drift_is_reverted_and_merge_keeps_foreign_fields() {
    let env = start().await;
    let opts = flux_opts();
    let override_cm = configmap("default", "over", json!({"a": "1"}));
    let merge_cm = with_annotation(
        configmap("default", "merge", json!({"a": "1"})),
        "kustomize.toolkit.fluxcd.io/ssa",
        "Merge",
    );
    let objects = vec![override_cm, merge_cm];
    env.manager
        .apply_all_staged(objects.clone(), &opts)
        .await
        .unwrap();

    let api: Api<DynamicObject> = Api::namespaced_with(
        env.client.clone(),
        "default",
        &ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&()),
    );
    let edit = PatchParams {
        field_manager: Some("kubectl-edit".into()),
        ..Default::default()
    };
    for name in ["over", "merge"] {
        api.patch(
            name,
            &edit,
            &Patch::Merge(
                json!({"metadata": {"labels": {"edited": "yes"}}, "data": {"a": "changed"}}),
            ),
        )
        .await
        .unwrap();
    }

    let cs = env.manager.apply_all_staged(objects, &opts).await.unwrap();
    assert_eq!(
        cs.changes_message(),
        "ConfigMap/default/merge configured\nConfigMap/default/over configured"
    );
    let over = api.get("over").await.unwrap();
    assert_eq!(over.data["data"]["a"], "1");
    assert!(
        over.metadata
            .labels
            .as_ref()
            .is_none_or(|l| !l.contains_key("edited")),
        "Override removes fields set by kubectl: {:?}",
        over.metadata.labels
    );
    let managers: Vec<String> = over
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert!(
        !managers.iter().any(|m| m.starts_with("kubectl")),
        "{managers:?}"
    );

    let merge = api.get("merge").await.unwrap();
    assert_eq!(merge.data["data"]["a"], "1");
    assert_eq!(merge.metadata.labels.as_ref().unwrap()["edited"], "yes");
}

#[tokio::test]
async fn errors_name_the_object() {
    let env = start().await;
    let opts = flux_opts();
    let no_ns = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    let err = env
        .manager
        .apply_all_staged(vec![no_ns], &opts)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ConfigMap/x namespace not specified: the server could not find the requested resource"
    );

    let unknown = widget("default", "w", 1);
    let err = env
        .manager
        .apply_all_staged(vec![namespace("ok"), unknown], &opts)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Widget/default/w dry-run failed: no matches for kind \"Widget\" in version \"example.com/v1\""
    );
    // The namespace stage completed before the error.
    assert_eq!(err.change_set.to_string(), "Namespace/ok created");

    let missing_ns = configmap("nowhere", "x", json!({}));
    let err = env
        .manager
        .apply_all_staged(vec![missing_ns], &opts)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("ConfigMap/nowhere/x not found: "),
        "{err}"
    );

    let invalid = json!({"apiVersion": "v1", "metadata": {"name": "x"}});
    let err = env
        .manager
        .apply_all_staged(vec![invalid], &opts)
        .await
        .unwrap_err();
    assert!(matches!(err.error, SsaError::InvalidObject(_)), "{err}");
}

/// `spec.ignore`: a field another manager changes is not drift; when the object is applied for
/// another reason the field keeps its live value (another Apply manager's field is left out of
/// the apply, a field changed by an Update is adopted).
#[tokio::test]
async fn drift_ignore_rules() {
    let env = start().await;
    let mut opts = flux_opts();
    opts.drift_ignore_rules = vec![flux_api::kustomize::IgnoreRule {
        paths: vec!["/spec/replicas".into(), "/metadata/annotations/note".into()],
        target: Some(flux_api::kustomize::Selector {
            kind: Some("Deploy.*".into()),
            ..Default::default()
        }),
    }];
    let desired = |image: &str| {
        let mut d = deployment("default", "web", image);
        d["metadata"]["annotations"] = json!({"note": "from git"});
        d
    };
    env.manager
        .apply_all_staged(vec![desired("nginx:1")], &opts)
        .await
        .unwrap();
    let api: Api<DynamicObject> = Api::namespaced_with(
        env.client.clone(),
        "default",
        &ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&()),
    );
    // An autoscaler takes replicas with its own apply; someone edits the annotation.
    let hpa = PatchParams::apply("hpa-controller").force();
    api.patch(
        "web",
        &hpa,
        &Patch::Apply(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3}})),
    )
    .await
    .unwrap();
    let edit = PatchParams {
        field_manager: Some("someone".into()),
        ..Default::default()
    };
    api.patch(
        "web",
        &edit,
        &Patch::Merge(json!({"metadata": {"annotations": {"note": "edited"}}})),
    )
    .await
    .unwrap();
    deployment_settled(&env.client, "default", "web").await;

    let cs = env
        .manager
        .apply_all_staged(vec![desired("nginx:1")], &opts)
        .await
        .unwrap();
    assert_eq!(
        cs.entries[0].action,
        Action::Unchanged,
        "ignored fields are not drift"
    );

    let cs = env
        .manager
        .apply_all_staged(vec![desired("nginx:2")], &opts)
        .await
        .unwrap();
    assert_eq!(cs.entries[0].action, Action::Configured);
    let live = api.get("web").await.unwrap();
    assert_eq!(
        live.data["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:2"
    );
    assert_eq!(live.data["spec"]["replicas"], 3);
    assert_eq!(live.metadata.annotations.unwrap()["note"], "edited");

    // Without the rules the same fields are drift and get reverted.
    let cs = env
        .manager
        .apply_all_staged(vec![desired("nginx:2")], &flux_opts())
        .await
        .unwrap();
    assert_eq!(cs.entries[0].action, Action::Configured);
    let live = api.get("web").await.unwrap();
    assert_eq!(live.data["spec"]["replicas"], 1);
    assert_eq!(live.metadata.annotations.unwrap()["note"], "from git");
}

/// `MigrateAPIVersion`: managedFields recorded at an older version move to the manifest's.
#[tokio::test]
async fn migrate_api_version_rewrites_managed_fields() {
    let env = start().await;
    let opts = flux_opts();
    let mut two_versions = crd("Namespaced");
    let v1 = two_versions["spec"]["versions"][0].clone();
    let mut v1beta1 = v1.clone();
    v1beta1["name"] = json!("v1beta1");
    v1beta1["storage"] = json!(false);
    two_versions["spec"]["versions"] = json!([v1beta1, v1]);
    let mut old = widget("default", "w", 1);
    old["apiVersion"] = json!("example.com/v1beta1");
    env.manager
        .apply_all_staged(vec![two_versions, old], &opts)
        .await
        .unwrap();
    let versions = |o: DynamicObject| -> Vec<String> {
        o.metadata
            .managed_fields
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| m.api_version)
            .collect()
    };
    let live = get(
        &env.client,
        "example.com/v1",
        "Widget",
        "widgets",
        "default",
        "w",
    )
    .await
    .unwrap();
    assert_eq!(versions(live), ["example.com/v1beta1"]);

    let migrate = flux_ssa::ApplyOptions {
        migrate_api_version: true,
        ..flux_opts()
    };
    let cs = env
        .manager
        .apply_all_staged(vec![widget("default", "w", 1)], &migrate)
        .await
        .unwrap();
    assert_eq!(cs.to_string(), "Widget/default/w configured");
    assert_eq!(cs.entries[0].version, "v1");
    let live = get(
        &env.client,
        "example.com/v1",
        "Widget",
        "widgets",
        "default",
        "w",
    )
    .await
    .unwrap();
    assert_eq!(versions(live), ["example.com/v1"]);
    let cs = env
        .manager
        .apply_all_staged(vec![widget("default", "w", 1)], &migrate)
        .await
        .unwrap();
    assert_eq!(cs.to_string(), "Widget/default/w unchanged");
}

#[tokio::test]
async fn diff_reports_without_writing() {
    let env = start().await;
    let opts = flux_opts();
    let secret = |v: &str| {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
            "type": "Opaque", "data": {"token": v, "same": "YQ=="}})
    };
    env.manager
        .apply_all_staged(
            vec![
                configmap("default", "cm", json!({"a": "1"})),
                secret("Yg=="),
            ],
            &opts,
        )
        .await
        .unwrap();
    let diff_opts = flux_ssa::DiffOptions::flux(GROUP);
    let d = env
        .manager
        .diff(configmap("default", "cm", json!({"a": "1"})), &diff_opts)
        .await
        .unwrap();
    assert_eq!(d.entry.to_string(), "ConfigMap/default/cm unchanged");

    let d = env
        .manager
        .diff(configmap("default", "cm", json!({"a": "2"})), &diff_opts)
        .await
        .unwrap();
    assert_eq!(d.entry.action, Action::Configured);
    assert_eq!(d.existing.as_ref().unwrap()["data"]["a"], "1");
    assert_eq!(d.dry_run.as_ref().unwrap()["data"]["a"], "2");
    assert!(
        d.dry_run.unwrap()["metadata"]
            .get("managedFields")
            .is_none()
    );
    let live = get(
        &env.client,
        "v1",
        "ConfigMap",
        "configmaps",
        "default",
        "cm",
    )
    .await
    .unwrap();
    assert_eq!(live.data["data"]["a"], "1", "diff must not write");

    let d = env
        .manager
        .diff(configmap("default", "new", json!({})), &diff_opts)
        .await
        .unwrap();
    assert_eq!(d.entry.to_string(), "ConfigMap/default/new created");
    assert!(
        get(
            &env.client,
            "v1",
            "ConfigMap",
            "configmaps",
            "default",
            "new"
        )
        .await
        .is_none()
    );

    let d = env
        .manager
        .diff(
            with_annotation(
                configmap("default", "cm", json!({"a": "3"})),
                "kustomize.toolkit.fluxcd.io/reconcile",
                "disabled",
            ),
            &diff_opts,
        )
        .await
        .unwrap();
    assert_eq!(d.entry.action, Action::Skipped);

    let d = env.manager.diff(secret("Yw=="), &diff_opts).await.unwrap();
    assert_eq!(d.entry.action, Action::Configured);
    assert_eq!(
        d.existing.unwrap()["data"],
        json!({"token": "*** (before)", "same": "***"})
    );
    assert_eq!(
        d.dry_run.unwrap()["data"],
        json!({"token": "*** (after)", "same": "***"})
    );
}

/// A tenant without rights outside its namespace: the dry-run's 403 names the object. (On the
/// emulator in both passes: it needs the emulator's token users; the e2e tenant tests cover the
/// real API server's RBAC.)
#[tokio::test]
async fn forbidden_objects_name_the_object() {
    let tokens = kube_emulator::parse_tokens(
        "tenant-token,system:serviceaccount:team:deployer,uid-1\n",
        "tokens",
    )
    .unwrap();
    let emulator = kube_emulator::Emulator::start_with(kube_emulator::EmulatorConfig {
        tokens,
        ..Default::default()
    })
    .await
    .unwrap();
    let admin = flux_ssa::ResourceManager::new(
        emulator.client().await.unwrap(),
        flux_ssa::Owner {
            field_manager: MANAGER.into(),
            group: GROUP.into(),
        },
    );
    let opts = flux_opts();
    let rbac = vec![
        namespace("team"),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "deployer", "namespace": "team"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
            "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "team"}]}),
    ];
    admin.apply_all_staged(rbac, &opts).await.unwrap();

    let tenant = flux_ssa::ResourceManager::new(
        emulator.client_with_token("tenant-token").await.unwrap(),
        flux_ssa::Owner {
            field_manager: MANAGER.into(),
            group: GROUP.into(),
        },
    );
    let cs = tenant
        .apply_all_staged(vec![configmap("team", "ok", json!({}))], &opts)
        .await
        .unwrap();
    assert_eq!(cs.to_string(), "ConfigMap/team/ok created");
    let err = tenant
        .apply_all_staged(vec![configmap("default", "no", json!({}))], &opts)
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("ConfigMap/default/no dry-run failed (Forbidden): "),
        "{msg}"
    );
    assert!(msg.contains("system:serviceaccount:team:deployer"), "{msg}");
}
