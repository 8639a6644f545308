//! The client factory on a cluster that enforces RBAC and guards impersonation (the API emulator,
//! or with FLUX_RS_CLUSTER=real the real kube-apiserver): a tenant service account bound to its
//! own namespace is refused elsewhere; the default service account applies when the object names
//! none; a kubeconfig Secret reaches another cluster (two emulators).

use flux_api::meta::{KubeConfigReference, LocalObjectReference, SecretKeyReference};
use flux_runtime::client::{ClientFactory, ClientFactoryError};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use testkit::processes::ClusterKind;

async fn apply(client: &kube::Client, obj: Value) {
    let api_version = obj["apiVersion"].as_str().unwrap();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = obj["kind"].as_str().unwrap();
    let gvk = kube::api::GroupVersionKind::gvk(group, version, kind);
    let plural = match kind {
        "ServiceAccount" => "serviceaccounts".to_string(),
        other => format!("{}s", other.to_lowercase()),
    };
    let ar = kube::api::ApiResource::from_gvk_with_plural(&gvk, &plural);
    let name = obj["metadata"]["name"].as_str().unwrap().to_string();
    let api: Api<DynamicObject> = match obj["metadata"]["namespace"].as_str() {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    };
    api.patch(&name, &PatchParams::apply("test"), &Patch::Apply(obj))
        .await
        .unwrap();
}

fn config_map(name: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": {"k": "v"}})).unwrap()
}

fn forbidden_message(err: kube::Error) -> String {
    match err {
        kube::Error::Api(status) if status.code == 403 => status.message,
        other => panic!("expected 403 Forbidden, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_held_to_their_service_accounts_rights() {
    let (cluster, admin) = testkit::client::start_cluster(ClusterKind::from_env()).await;
    for ns in ["tenant-a", "other"] {
        apply(
            &admin,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        )
        .await;
    }
    apply(&admin, json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "deployer", "namespace": "tenant-a"}})).await;
    apply(
        &admin,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "deployer", "namespace": "tenant-a"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]}]}),
    )
    .await;
    apply(
        &admin,
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "deployer", "namespace": "tenant-a"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "deployer"},
        "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "tenant-a"}]}),
    )
    .await;

    let base = testkit::client::kube_config(cluster.kubeconfig()).await;
    let factory = ClientFactory::new(base.clone(), admin.clone(), "");
    assert_eq!(
        factory.impersonated_user("tenant-a", Some("deployer")),
        Some("system:serviceaccount:tenant-a:deployer".into())
    );

    // spec.serviceAccountName: allowed in its namespace, refused elsewhere with RBAC's message.
    let tenant = factory
        .client_for("tenant-a", Some("deployer"), None)
        .await
        .unwrap();
    Api::<ConfigMap>::namespaced(tenant.clone(), "tenant-a")
        .create(&PostParams::default(), &config_map("app"))
        .await
        .unwrap();
    let err = Api::<ConfigMap>::namespaced(tenant.clone(), "other")
        .create(&PostParams::default(), &config_map("escape"))
        .await
        .unwrap_err();
    assert_eq!(
        forbidden_message(err),
        "configmaps is forbidden: User \"system:serviceaccount:tenant-a:deployer\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"other\""
    );
    let err = Api::<Namespace>::all(tenant)
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "grab"}})).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(forbidden_message(err).contains("cannot create resource \"namespaces\""));

    // --default-service-account applies when the object names none; the object's namespace is
    // the service account's.
    let defaulted = ClientFactory::new(base.clone(), admin.clone(), "deployer");
    let client = defaulted.client_for("other", None, None).await.unwrap();
    let err = Api::<ConfigMap>::namespaced(client, "other")
        .create(&PostParams::default(), &config_map("x"))
        .await
        .unwrap_err();
    assert!(
        forbidden_message(err).contains("User \"system:serviceaccount:other:deployer\""),
        "the default service account is looked up in the object's namespace"
    );

    // Whether the service account exists (checked before pruning on deletion, as Flux does).
    assert!(factory.can_impersonate("tenant-a", Some("deployer")).await);
    assert!(!factory.can_impersonate("other", Some("deployer")).await);
    assert!(factory.can_impersonate("other", None).await);
    assert!(!defaulted.can_impersonate("other", None).await);

    // Without any service account the controller's own rights apply.
    let own = factory.client_for("other", None, None).await.unwrap();
    Api::<ConfigMap>::namespaced(own, "other")
        .create(&PostParams::default(), &config_map("by-controller"))
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || drop(cluster))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kubeconfig_secret_reaches_the_remote_cluster() {
    let local = kube_emulator::Emulator::start()
        .await
        .expect("local emulator");
    let remote = kube_emulator::Emulator::start()
        .await
        .expect("remote emulator");
    let admin = local.client().await.unwrap();
    let kubeconfig = std::fs::read_to_string(remote.kubeconfig_path()).unwrap();
    let secrets: Api<Secret> = Api::namespaced(admin.clone(), "default");
    for (name, key) in [
        ("remote", "value"),
        ("remote-yaml", "value.yaml"),
        ("remote-custom", "cfg"),
    ] {
        secrets
            .create(
                &PostParams::default(),
                &serde_json::from_value(
                    json!({"metadata": {"name": name}, "stringData": {key: kubeconfig}}),
                )
                .unwrap(),
            )
            .await
            .unwrap();
    }
    let base = local.config_with_token(local.admin_token()).await.unwrap();
    let factory = ClientFactory::new(base, admin.clone(), "");
    let reference = |name: &str, key: Option<&str>| KubeConfigReference {
        secret_ref: Some(SecretKeyReference {
            name: name.into(),
            key: key.map(String::from),
        }),
        config_map_ref: None,
    };

    for (name, key) in [
        ("remote", None),
        ("remote-yaml", None),
        ("remote-custom", Some("cfg")),
    ] {
        let client = factory
            .client_for("default", None, Some(&reference(name, key)))
            .await
            .unwrap();
        Api::<ConfigMap>::namespaced(client, "default")
            .create(&PostParams::default(), &config_map(name))
            .await
            .unwrap();
    }
    let on_remote = Api::<ConfigMap>::namespaced(remote.client().await.unwrap(), "default");
    assert!(on_remote.get("remote").await.is_ok());
    assert!(on_remote.get("remote-custom").await.is_ok());
    assert!(
        Api::<ConfigMap>::namespaced(admin.clone(), "default")
            .get_opt("remote")
            .await
            .unwrap()
            .is_none(),
        "written to the remote cluster, not the local one"
    );

    // A service account is impersonated on the remote cluster too (and has no rights there).
    let client = factory
        .client_for(
            "default",
            Some("deployer"),
            Some(&reference("remote", None)),
        )
        .await
        .unwrap();
    let err = Api::<ConfigMap>::namespaced(client, "default")
        .create(&PostParams::default(), &config_map("denied"))
        .await
        .unwrap_err();
    assert!(forbidden_message(err).contains("system:serviceaccount:default:deployer"));

    // Clear errors, without the kubeconfig's content.
    let err = factory
        .client_for("default", None, Some(&reference("remote", Some("nope"))))
        .await
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "KubeConfig secret 'default/remote' does not contain a 'nope' key with a kubeconfig"
    );
    let err = factory
        .client_for("default", None, Some(&reference("missing", None)))
        .await
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .starts_with("unable to read KubeConfig secret 'default/missing' error: "),
        "{err}"
    );
    assert!(!err.to_string().contains(remote.admin_token()));
    let err = factory
        .client_for(
            "default",
            None,
            Some(&KubeConfigReference {
                secret_ref: None,
                config_map_ref: Some(LocalObjectReference { name: "wi".into() }),
            }),
        )
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ClientFactoryError::ConfigMapRefUnsupported));
    remote.stop().await;
    local.stop().await;
}
