//! The shape of fluxcd/flux-benchmark: N Kustomizations, each applying a Deployment, a
//! ServiceAccount, a Service and an Ingress with `wait: true`, from one GitRepository artifact.
//! Measures the time until all N are Ready and the controller's peak resident memory (VmHWM).
//!
//! The API emulator and the artifact server run in this process; the controller is the release
//! binary, as a child process, so that its memory is its own.
//!
//! `KS_BENCH_SIZES=100,500,1000` (default) and `KS_BENCH_CONCURRENT=20` (the controller's
//! `--concurrent`, default 100) choose the runs.

use flux_api::kustomize::Kustomization;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use sha2::Digest;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      labels:
        app: app
    spec:
      serviceAccountName: app
      containers:
      - name: app
        image: ghcr.io/stefanprodan/podinfo:6.7.0
        ports:
        - containerPort: 9898
";
const SERVICE_ACCOUNT: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n";
const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: app
spec:
  selector:
    app: app
  ports:
  - port: 80
    targetPort: 9898
";
const INGRESS: &str = "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app
spec:
  rules:
  - host: app.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: app
            port:
              number: 80
";

fn tarball(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o600);
        header.set_cksum();
        builder
            .append_data(&mut header, path, content.as_bytes())
            .expect("tar entry");
    }
    builder.into_inner().expect("tar").finish().expect("gzip")
}

/// Peak resident set size of a process, in KiB (Linux VmHWM).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn run(n: usize, concurrent: usize) -> (Duration, Option<u64>) {
    let emulator = kube_emulator::Emulator::start_with(kube_emulator::EmulatorConfig {
        workload_delay: Duration::from_millis(500),
        ..Default::default()
    })
    .await
    .expect("emulator");
    let client = emulator.client().await.expect("client");
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in flux_api::crds::all().into_iter().filter(|c| {
        matches!(
            c.spec.names.kind.as_str(),
            "Kustomization" | "GitRepository"
        )
    }) {
        crds.create(&PostParams::default(), &crd)
            .await
            .expect("CRD");
    }
    let ks_api: Api<Kustomization> = Api::namespaced(client.clone(), "default");
    while ks_api.list(&ListParams::default()).await.is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The artifact, served over HTTP.
    let bytes = tarball(&[
        ("app/deployment.yaml", DEPLOYMENT),
        ("app/serviceaccount.yaml", SERVICE_ACCOUNT),
        ("app/service.yaml", SERVICE),
        ("app/ingress.yaml", INGRESS),
    ]);
    let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listen");
    let url = format!(
        "http://{}/gitrepository/default/fleet/a.tar.gz",
        listener.local_addr().expect("addr")
    );
    let app = axum::Router::new().route(
        "/gitrepository/default/fleet/a.tar.gz",
        axum::routing::get(move || {
            let bytes = bytes.clone();
            async move { bytes }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let repos: Api<flux_api::source::GitRepository> = Api::namespaced(client.clone(), "default");
    let repo = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "default"},
        "spec": {"url": "https://example.com/fleet", "interval": "1h"}
    }))
    .unwrap();
    repos
        .create(&PostParams::default(), &repo)
        .await
        .expect("repo");
    repos
        .patch_status(
            "fleet",
            &PatchParams::default(),
            &Patch::Merge(&json!({"status": {"artifact": {
                "path": "gitrepository/default/fleet/a.tar.gz", "url": url,
                "revision": "main@sha1:0123456789012345678901234567890123456789",
                "digest": digest, "lastUpdateTime": "2026-01-01T00:00:00Z"}}})),
        )
        .await
        .expect("artifact");

    let binary = env!("CARGO_BIN_EXE_kustomize-controller");
    let child = Command::new(binary)
        .args([
            format!("--kubeconfig={}", emulator.kubeconfig_path().display()),
            format!("--metrics-addr=127.0.0.1:{}", free_port()),
            format!("--health-addr=127.0.0.1:{}", free_port()),
            format!("--concurrent={concurrent}"),
            "--kube-api-qps=1000".into(),
            "--kube-api-burst=2000".into(),
            "--log-level=error".into(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("controller starts");
    let controller = Killed(child);

    let started = Instant::now();
    let creates = (0..n).map(|i| {
        let api = ks_api.clone();
        async move {
            let ks: Kustomization = serde_json::from_value(json!({
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                "metadata": {"name": format!("app-{i}"), "namespace": "default"},
                "spec": {"interval": "1h", "path": "./app", "prune": true, "wait": true,
                         "timeout": "5m", "targetNamespace": "default",
                         "namePrefix": format!("app-{i}-"),
                         "sourceRef": {"kind": "GitRepository", "name": "fleet"}}
            }))
            .unwrap();
            api.create(&PostParams::default(), &ks).await.map(|_| ())
        }
    });
    for r in futures::future::join_all(creates).await {
        r.expect("Kustomization created");
    }
    loop {
        let list = ks_api.list(&ListParams::default()).await.expect("list");
        let ready = list
            .items
            .iter()
            .filter(|k| {
                k.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| {
                        c.iter().any(|c| {
                            c.type_ == "Ready" && c.status == flux_api::ConditionStatus::True
                        })
                    })
            })
            .count();
        if ready == n {
            break;
        }
        if started.elapsed() > Duration::from_secs(1800) {
            panic!("only {ready} of {n} Ready after 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let elapsed = started.elapsed();
    let rss = peak_rss_kib(controller.0.id());
    drop(controller);
    emulator.stop().await;
    (elapsed, rss)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("KS_BENCH_SIZES")
        .unwrap_or_else(|_| "100,500,1000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let concurrent: usize = std::env::var("KS_BENCH_CONCURRENT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    println!("| Kustomizations | --concurrent | time to all Ready | controller peak RSS |");
    println!("|---|---|---|---|");
    for n in sizes {
        let (elapsed, rss) = runtime.block_on(run(n, concurrent));
        let rss = rss.map_or("n/a".to_string(), |k| {
            format!("{:.1} MiB", k as f64 / 1024.0)
        });
        println!(
            "| {n} | {concurrent} | {:.1} s | {rss} |",
            elapsed.as_secs_f64()
        );
    }
}
