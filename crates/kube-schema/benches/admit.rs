//! Time to build a schema and to admit (prune + default + validate) one object,
//! for the largest Flux CRD (HelmRelease) and GitRepository.
//! Run: cargo bench -p kube-schema --bench admit

use std::time::Instant;

use kube_schema::StructuralSchema;
use serde_json::{Value, json};

fn main() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference/flux-crds"
    );
    let load = |file: &str| -> Option<Value> {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).ok()?;
        let crd: Value = serde_saphyr::from_str(&text).ok()?;
        Some(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone())
    };
    let Some(hr) = load("helm.toolkit.fluxcd.io_helmreleases.yaml") else {
        eprintln!("SKIPPING bench: {dir} is absent");
        return;
    };
    let git = load("source.toolkit.fluxcd.io_gitrepositories.yaml").expect("gitrepositories CRD");

    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(StructuralSchema::new(&hr).unwrap());
    }
    println!(
        "StructuralSchema::new(HelmRelease): {:.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );

    let hr_schema = StructuralSchema::new(&hr).unwrap();
    let hr_obj = json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "apps"},
        "spec": {"interval": "10m", "chart": {"spec": {"chart": "podinfo", "version": "6.x",
            "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}},
            "install": {"remediation": {"retries": 3}}, "upgrade": {"cleanupOnFail": true},
            "values": {"replicaCount": 2, "ingress": {"enabled": true, "hosts": [{"host": "a.example.com"}]}},
            "unknown": 1}});
    let git_schema = StructuralSchema::new(&git).unwrap();
    let git_obj = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "app", "namespace": "flux-system"},
        "spec": {"url": "https://github.com/stefanprodan/podinfo", "interval": "1m", "ref": {"branch": "master"}}});

    for (name, schema, obj) in [
        ("HelmRelease", &hr_schema, &hr_obj),
        ("GitRepository", &git_schema, &git_obj),
    ] {
        let n = 20_000;
        let t = Instant::now();
        for _ in 0..n {
            let mut o = obj.clone();
            std::hint::black_box(schema.prune(&mut o));
            schema.default(&mut o);
            std::hint::black_box(schema.validate(&o));
        }
        println!(
            "admit {name} (clone + prune + default + validate): {:.1} µs",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
}
