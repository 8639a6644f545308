//! Shared set-up of the integration tests: a cluster and a resource manager. The cluster is the
//! in-process kube-emulator, or with FLUX_RS_CLUSTER=real the real control plane
//! (scripts/control-plane.sh: kube-apiserver's own server-side apply, dry-run and defaulting).

#![allow(dead_code)]

use std::time::Duration;

use flux_ssa::{ApplyOptions, Owner, ResourceManager};
use kube::api::{Api, DynamicObject};
use kube::discovery::ApiResource;
use kube_emulator::Emulator;
use serde_json::{Value, json};
use testkit::processes::ClusterKind;

pub const GROUP: &str = "kustomize.toolkit.fluxcd.io";
pub const MANAGER: &str = "kustomize-controller";

/// The API server behind a test, stopped when dropped.
pub enum Server {
    Emulator(Emulator),
    Real(testkit::processes::Cluster),
}

pub struct Env {
    pub server: Server,
    pub client: kube::Client,
    pub manager: ResourceManager,
}

pub async fn start() -> Env {
    let (server, client) = match ClusterKind::from_env() {
        ClusterKind::Emulator => {
            let emulator = Emulator::start().await.expect("start the kube-emulator");
            let client = emulator.client().await.expect("client of the emulator");
            (Server::Emulator(emulator), client)
        }
        ClusterKind::Real => {
            let (cluster, client) = testkit::client::start_cluster(ClusterKind::Real).await;
            (Server::Real(cluster), client)
        }
    };
    let manager = ResourceManager::new(
        client.clone(),
        Owner {
            field_manager: MANAGER.into(),
            group: GROUP.into(),
        },
    );
    Env {
        server,
        client,
        manager,
    }
}

/// Flux's apply options, with short waits so tests end quickly.
pub fn flux_opts() -> ApplyOptions {
    ApplyOptions {
        wait_interval: Duration::from_millis(100),
        wait_timeout: Duration::from_secs(20),
        ..ApplyOptions::flux(GROUP, MANAGER)
    }
}

pub fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

pub fn configmap(ns: &str, name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data})
}

/// A Deployment of one replica. An image tagged `fail` never becomes ready on either cluster: the
/// emulator fails it, and on the real control plane a nodeSelector no Node matches keeps its pods
/// Pending (kwok runs any image).
pub fn deployment(ns: &str, name: &str, image: &str) -> Value {
    let mut deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": image, "ports": [{"containerPort": 8080}]}]}
            }
        }
    });
    if image.ends_with(":fail") {
        deployment["spec"]["template"]["spec"]["nodeSelector"] =
            json!({"flux-rs.test/schedulable": "never"});
    }
    deployment
}

pub fn service(ns: &str, name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}
    })
}

pub fn crd(scope: &str) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": scope,
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}}]
        }
    })
}

pub fn widget(ns: &str, name: &str, size: i64) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name, "namespace": ns}, "spec": {"size": size}})
}

/// Reads an object by apiVersion/kind/plural; None when absent.
pub async fn get(
    client: &kube::Client,
    api_version: &str,
    kind: &str,
    plural: &str,
    ns: &str,
    name: &str,
) -> Option<DynamicObject> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let ar = ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: api_version.into(),
        kind: kind.into(),
        plural: plural.into(),
    };
    let api: Api<DynamicObject> = if ns.is_empty() {
        Api::all_with(client.clone(), &ar)
    } else {
        Api::namespaced_with(client.clone(), ns, &ar)
    };
    api.get_opt(name).await.expect("get")
}

pub fn rv(o: &DynamicObject) -> String {
    o.metadata.resource_version.clone().unwrap_or_default()
}

pub fn with_annotation(mut obj: Value, key: &str, value: &str) -> Value {
    obj["metadata"]["annotations"] = json!({ key: value });
    obj
}

/// Waits until the Deployment's controller has seen its latest generation. On the real control
/// plane kube-controller-manager writes the Deployment (the `deployment.kubernetes.io/revision`
/// annotation) after each change; a drift check racing that write sees the annotation change.
pub async fn deployment_settled(client: &kube::Client, ns: &str, name: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let d = get(client, "apps/v1", "Deployment", "deployments", ns, name)
            .await
            .expect("the Deployment exists");
        let observed = d
            .data
            .pointer("/status/observedGeneration")
            .and_then(Value::as_i64);
        if observed.is_some() && observed == d.metadata.generation {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Deployment {ns}/{name} not observed by its controller in 30s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
