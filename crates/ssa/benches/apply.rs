//! Apply, no-op re-apply and prune of a 300-object set against the in-process kube-emulator
//! (over HTTPS, as controllers talk to it). Run with `cargo bench -p flux-ssa`.

use std::time::{Duration, Instant};

use flux_ssa::{ApplyOptions, DeleteOptions, Owner, ResourceManager, inventory};
use serde_json::{Value, json};

const GROUP: &str = "kustomize.toolkit.fluxcd.io";

fn objects(n: usize, ns: &str) -> Vec<Value> {
    let mut out = vec![json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})];
    for i in 0..n {
        out.push(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{i}"), "namespace": ns}, "data": {"k": "v"}}));
        out.push(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": format!("svc-{i}"), "namespace": ns},
            "spec": {"selector": {"app": format!("app-{i}")}, "ports": [{"port": 80}]}}));
        out.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": format!("app-{i}"), "namespace": ns},
            "spec": {"selector": {"matchLabels": {"app": format!("app-{i}")}},
                "template": {"metadata": {"labels": {"app": format!("app-{i}")}},
                    "spec": {"containers": [{"name": "app", "image": "nginx:1", "ports": [{"containerPort": 80}]}]}}}}));
    }
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.expect("client");
    for concurrency in [1usize, 4] {
        let manager = ResourceManager::new(
            client.clone(),
            Owner {
                field_manager: "kustomize-controller".into(),
                group: GROUP.into(),
            },
        )
        .with_concurrency(concurrency);
        let opts = ApplyOptions::flux(GROUP, "kustomize-controller");
        let mut objs = objects(100, &format!("bench-{concurrency}"));
        flux_ssa::normalize::normalize_objects(&mut objs);
        manager.set_owner_labels(&mut objs, "bench", "flux-system");

        let t = Instant::now();
        let cs = manager
            .apply_all_staged(objs.clone(), &opts)
            .await
            .expect("apply");
        let create = t.elapsed();
        let mut noop = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let cs = manager
                .apply_all_staged(objs.clone(), &opts)
                .await
                .expect("re-apply");
            noop.push(t.elapsed());
            assert!(
                cs.changes_message().is_empty(),
                "no-op apply changed objects"
            );
        }
        let inv = inventory::from_change_set(&cs);
        let stale = inventory::diff(&inv, &Default::default()).expect("diff");
        let t = Instant::now();
        manager
            .delete_all(
                stale,
                &DeleteOptions::flux(&manager, "bench", "flux-system"),
            )
            .await
            .expect("prune");
        let prune = t.elapsed();
        println!(
            "concurrency {concurrency}: {} objects: create {:.1} ms, no-op re-apply median {:.1} ms, prune {:.1} ms",
            cs.entries.len(),
            create.as_secs_f64() * 1e3,
            median(noop).as_secs_f64() * 1e3,
            prune.as_secs_f64() * 1e3
        );
    }
    emulator.stop().await;
}
