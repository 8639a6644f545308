//! Benchmarks of the emulator binary driven by kube-rs over HTTPS (release build):
//! `cargo bench -p kube-emulator`. Figures go into README.md.

use std::path::Path;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::json;

struct Server {
    child: std::process::Child,
    client: kube::Client,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_kube-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--log",
            "warn",
            "--watch-history",
            "200000",
            "--no-workload-simulator",
            "--kubeconfig",
        ])
        .arg(&kc)
        .spawn()
        .unwrap();
    for _ in 0..300 {
        if kc.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let client = client_for(&kc).await;
    Server {
        child,
        client,
        _dir: dir,
    }
}

async fn client_for(kc: &Path) -> kube::Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(kc).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(cfg).unwrap()
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn cm(name: &str) -> ConfigMap {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": {"app": "bench", "team": "flux"}},
        "data": {"config.yaml": "key: value\nother: thing\n", "mode": "fast"}
    }))
    .unwrap()
}

async fn create_many(api: &Api<ConfigMap>, prefix: &str, n: usize, concurrency: usize) -> Duration {
    let start = Instant::now();
    futures::stream::iter(0..n)
        .for_each_concurrent(concurrency, |i| {
            let api = api.clone();
            let name = format!("{prefix}-{i:05}");
            async move {
                api.create(&PostParams::default(), &cm(&name))
                    .await
                    .unwrap();
            }
        })
        .await;
    start.elapsed()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

async fn bench_list() {
    let s = start().await;
    let api: Api<ConfigMap> = Api::default_namespaced(s.client.clone());
    create_many(&api, "list", 5_000, 16).await;
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let l = api.list(&ListParams::default()).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(l.items.len(), 5_000);
    }
    times.sort();
    let mut sel = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let l = api
            .list(&ListParams::default().labels("app=bench").limit(500))
            .await
            .unwrap();
        sel.push(t.elapsed());
        assert_eq!(l.items.len(), 500);
    }
    sel.sort();
    println!(
        "list 5,000 ConfigMaps (kube-rs, typed): median {} (min {}, max {})",
        ms(times[3]),
        ms(times[0]),
        ms(times[6])
    );
    println!(
        "list with labelSelector, limit=500 of 5,000: median {}",
        ms(sel[3])
    );
}

async fn bench_concurrent_creates() {
    let s = start().await;
    let api: Api<ConfigMap> = Api::default_namespaced(s.client.clone());
    let d = create_many(&api, "c", 1_000, 8).await;
    println!(
        "1,000 creates from 8 concurrent clients: {} ({:.0} creates/s)",
        ms(d),
        1000.0 / d.as_secs_f64()
    );
}

async fn bench_watchers() {
    let s = start().await;
    let api: Api<ConfigMap> = Api::default_namespaced(s.client.clone());
    let rv = api
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap();
    let mut watchers = Vec::new();
    for _ in 0..100 {
        let stream = api
            .watch(&WatchParams::default().timeout(290), &rv)
            .await
            .unwrap();
        watchers.push(tokio::spawn(async move {
            let mut stream = stream.boxed();
            let mut n = 0usize;
            while n < 1_000 {
                match tokio::time::timeout(Duration::from_secs(120), stream.next()).await {
                    Ok(Some(Ok(WatchEvent::Added(_)))) => n += 1,
                    Ok(Some(Ok(_))) => {}
                    _ => break,
                }
            }
            n
        }));
    }
    let t = Instant::now();
    create_many(&api, "w", 1_000, 8).await;
    let mut total = 0;
    for w in watchers {
        total += w.await.unwrap();
    }
    let d = t.elapsed();
    println!(
        "100 watchers x 1,000 events: {} delivered of 100,000 ({} lost) in {}",
        total,
        100_000 - total,
        ms(d)
    );
}

async fn bench_ssa() {
    let s = start().await;
    let mut objs = Vec::new();
    for i in 0..100 {
        objs.push(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm-{i}"), "namespace": "default", "labels": {"app": "x"}}, "data": {"a": "1", "b": "2"}}));
        objs.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": format!("svc-{i}"), "namespace": "default"},
            "spec": {"selector": {"app": format!("a{i}")}, "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}}));
        objs.push(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": format!("dep-{i}"), "namespace": "default"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": format!("a{i}")}}, "template": {"metadata": {"labels": {"app": format!("a{i}")}},
            "spec": {"containers": [{"name": "app", "image": "ghcr.io/x/app:1.0", "ports": [{"containerPort": 8080}], "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}]}}}}));
    }
    let apis: Vec<(Api<DynamicObject>, serde_json::Value)> = objs
        .into_iter()
        .map(|o| {
            let (g, v) = match o["apiVersion"].as_str().unwrap().split_once('/') {
                Some((g, v)) => (g.to_string(), v.to_string()),
                None => (String::new(), "v1".to_string()),
            };
            let kind = o["kind"].as_str().unwrap().to_string();
            let plural = format!("{}s", kind.to_lowercase());
            let ar =
                ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(&g, &v, &kind), &plural);
            (Api::namespaced_with(s.client.clone(), "default", &ar), o)
        })
        .collect();
    for round in ["create", "no-op re-apply"] {
        let t = Instant::now();
        for (api, o) in &apis {
            let name = o["metadata"]["name"].as_str().unwrap();
            api.patch(name, &PatchParams::apply("bench").force(), &Patch::Apply(o))
                .await
                .unwrap();
        }
        println!(
            "SSA of a 300-object manifest ({round}, sequential): {}",
            ms(t.elapsed())
        );
    }
}

async fn bench_memory() {
    let s = start().await;
    let pid = s.child.id();
    let before = rss_mib(pid);
    let api: Api<ConfigMap> = Api::default_namespaced(s.client.clone());
    create_many(&api, "m", 10_000, 16).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    println!(
        "RSS: {:.1} MiB idle, {:.1} MiB with 10,000 ConfigMaps stored",
        before,
        rss_mib(pid)
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with no arguments too; only run on `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        bench_list().await;
        bench_concurrent_creates().await;
        bench_watchers().await;
        bench_ssa().await;
        bench_memory().await;
    });
}
