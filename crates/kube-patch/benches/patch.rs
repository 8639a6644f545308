//! Throughput of the patch mechanics on a typical Deployment (`cargo bench -p kube-patch`).

use std::hint::black_box;
use std::time::Instant;

use kube_patch::ssa::{self, ApplyOptions, TypeInfo};
use kube_patch::{json_patch, strategic_merge_patch};
use serde_json::{Value, json};

fn deployment(i: usize, replicas: usize) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": format!("app-{i}"), "namespace": "default", "labels": {"app": format!("app-{i}"), "tier": "web"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": format!("app-{i}")}},
            "template": {
                "metadata": {"labels": {"app": format!("app-{i}")}},
                "spec": {"containers": [
                    {"name": "app", "image": "nginx:1.25", "ports": [{"containerPort": 80}, {"containerPort": 443}],
                     "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}],
                     "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}}},
                    {"name": "sidecar", "image": "busybox", "args": ["sleep", "3600"]}
                ]}
            }
        }
    })
}

fn time(label: &str, n: usize, mut f: impl FnMut(usize)) {
    let start = Instant::now();
    for i in 0..n {
        f(i);
    }
    let elapsed = start.elapsed();
    println!(
        "{label}: {n} in {:.1} ms ({:.1} µs each)",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
}

fn main() {
    let types = TypeInfo::builtin("apps", "v1", "Deployment");
    let opts = |now: &'static str| ApplyOptions {
        manager: "kustomize-controller",
        force: true,
        api_version: "apps/v1",
        now,
        subresource: None,
    };
    let created: Vec<Value> = (0..300)
        .map(|i| {
            ssa::apply(
                None,
                &deployment(i, 1),
                &types,
                &opts("2024-01-01T00:00:00Z"),
            )
            .unwrap()
        })
        .collect();
    time("ssa::apply create, 300 Deployments", 300, |i| {
        black_box(
            ssa::apply(
                None,
                &deployment(i, 1),
                &types,
                &opts("2024-01-01T00:00:00Z"),
            )
            .unwrap(),
        );
    });
    time("ssa::apply unchanged re-apply, 300 Deployments", 300, |i| {
        black_box(
            ssa::apply(
                Some(&created[i]),
                &deployment(i, 1),
                &types,
                &opts("2024-01-01T00:01:00Z"),
            )
            .unwrap(),
        );
    });
    time("ssa::apply with a change, 300 Deployments", 300, |i| {
        black_box(
            ssa::apply(
                Some(&created[i]),
                &deployment(i, 2),
                &types,
                &opts("2024-01-01T00:01:00Z"),
            )
            .unwrap(),
        );
    });
    time("ssa::record_update, 300 Deployments", 300, |i| {
        let mut new = created[i].clone();
        new["spec"]["replicas"] = json!(3);
        black_box(ssa::record_update(
            Some(&created[i]),
            new,
            &types,
            &opts("2024-01-01T00:02:00Z"),
        ));
    });
    let smp = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "D", "value": "4"}]}]}}}});
    time("strategic_merge_patch, 300 Deployments", 300, |i| {
        black_box(strategic_merge_patch("apps", "v1", "Deployment", &created[i], &smp).unwrap());
    });
    let jp = json!([{"op": "replace", "path": "/spec/replicas", "value": 5}, {"op": "add", "path": "/metadata/labels/x", "value": "y"}]);
    time("json_patch, 300 Deployments", 300, |i| {
        black_box(json_patch(&created[i], &jp).unwrap());
    });
}
