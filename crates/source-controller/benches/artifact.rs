//! The artifact of a 10,000-file / 100 MB repository, produced by a full GitRepository reconcile
//! (clone over smart HTTP, archive, digest, status), compared in the same run with
//! `git clone --depth 1` + `tar czf` + `sha256sum` of the same repository; then the reconcile of
//! an unchanged remote. Run with `cargo bench -p source-controller --bench artifact`.
//! Needs git (scripts/setup/git-server.sh).

use flux_api::source::GitRepository;
use flux_runtime::events::{DeliveryPolicy, EventRecorder};
use flux_runtime::metrics::Metrics;
use flux_runtime::reconcile::{Context, ControllerSettings, Reconciler};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use source_controller::gitrepository::GitRepositoryReconciler;
use source_controller::storage::{DigestAlgorithm, Retention, Storage};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FILES: usize = 10_000;
const FILE_SIZE: usize = 10 * 1024;
const UNCHANGED_RUNS: u32 = 20;

/// Text-like content (YAML lines with pseudo-random values), compressible as real manifests are.
fn file_content(seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut out = Vec::with_capacity(FILE_SIZE);
    let mut line = 0u32;
    while out.len() < FILE_SIZE {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.extend_from_slice(format!("key-{line}: value-{:016x}\n", state).as_bytes());
        line += 1;
    }
    out.truncate(FILE_SIZE);
    out
}

fn main() {
    let server = testkit::git_server::GitServer::start()
        .unwrap_or_else(|e| panic!("git server ({e}); run scripts/setup/git-server.sh"));
    server.create_repo("big").unwrap();
    let wt = server.work_tree("big").unwrap();
    eprintln!("bench: writing {FILES} files of {FILE_SIZE} bytes");
    for i in 0..FILES {
        let path = wt
            .path()
            .join(format!("dir{:03}/sub{:02}/file{i:05}.yaml", i % 100, i % 7));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, file_content(i as u64)).unwrap();
    }
    let hash = wt.commit("big").unwrap();
    wt.push_branch("main").unwrap();
    let url = server.http_url("big");

    // The shell pipeline, as a user would produce and check the same tarball.
    let scratch = tempfile::tempdir().unwrap();
    let script = format!(
        "set -e; git clone --quiet --depth 1 --branch main {url} {d}/clone && tar czf {d}/out.tar.gz -C {d}/clone --exclude=.git . && sha256sum {d}/out.tar.gz >/dev/null",
        d = scratch.path().display()
    );
    let started = Instant::now();
    let status = Command::new("bash").args(["-c", &script]).status().unwrap();
    let pipeline = started.elapsed();
    assert!(status.success(), "shell pipeline failed");
    let pipeline_size = std::fs::metadata(scratch.path().join("out.tar.gz"))
        .unwrap()
        .len();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let emulator = kube_emulator::Emulator::start().await.unwrap();
        let client = emulator.client().await.unwrap();
        let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
        for crd in flux_api::crds::all()
            .into_iter()
            .filter(|c| c.spec.names.kind == "GitRepository")
        {
            crds.create(&PostParams::default(), &crd).await.unwrap();
        }
        let repos: Api<GitRepository> = Api::namespaced(client.clone(), "default");
        while repos.list(&ListParams::default()).await.is_err() {
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let repo: GitRepository = serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "big", "namespace": "default"},
            "spec": {"url": url, "interval": "1h", "ref": {"branch": "main"}}
        }))
        .unwrap();
        repos.create(&PostParams::default(), &repo).await.unwrap();
        let storage_dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(
            Storage::new(
                storage_dir.path(),
                "localhost:9090",
                Retention::default(),
                DigestAlgorithm::Sha256,
            )
            .unwrap(),
        );
        let reconciler = GitRepositoryReconciler::new(
            storage,
            &scratch.path().join("cache"),
            &scratch.path().join("work"),
        )
        .unwrap();
        let ctx = Arc::new(Context::new(
            client.clone(),
            EventRecorder::new(None, "", "source-controller", DeliveryPolicy::default()),
            Metrics::new(),
            ControllerSettings {
                name: "source-controller".into(),
                metrics_name: "gitrepository".into(),
                concurrency: 1,
                requeue_dependency: Duration::from_secs(30),
                min_retry_delay: Duration::from_millis(750),
                max_retry_delay: Duration::from_secs(900),
                jitter_percent: 0,
                namespace: None,
                label_selector: None,
            },
        ));

        let started = Instant::now();
        let outcome = reconciler
            .reconcile(Arc::new(repos.get("big").await.unwrap()), ctx.clone())
            .await
            .expect("reconcile");
        let full = started.elapsed();
        let artifact = outcome.status["artifact"].clone();
        assert_eq!(artifact["revision"], format!("main@sha1:{hash}").as_str());
        repos
            .patch_status(
                "big",
                &PatchParams::default(),
                &Patch::Merge(&json!({"status": outcome.status})),
            )
            .await
            .unwrap();

        let object = Arc::new(repos.get("big").await.unwrap());
        let mut unchanged = Duration::ZERO;
        for _ in 0..UNCHANGED_RUNS {
            let started = Instant::now();
            let again = reconciler
                .reconcile(object.clone(), ctx.clone())
                .await
                .expect("unchanged reconcile");
            unchanged += started.elapsed();
            assert_eq!(again.status["artifact"], artifact);
        }
        let unchanged = unchanged / UNCHANGED_RUNS;

        println!(
            "repository: {FILES} files, {} MB, one commit",
            FILES * FILE_SIZE / 1_000_000
        );
        println!(
            "git clone --depth 1 + tar czf + sha256sum: {:.2} s ({} bytes)",
            pipeline.as_secs_f64(),
            pipeline_size
        );
        println!(
            "source-controller reconcile (clone, archive, digest): {:.2} s ({} bytes)",
            full.as_secs_f64(),
            artifact["size"]
        );
        println!(
            "ratio (reconcile / pipeline): {:.2}",
            full.as_secs_f64() / pipeline.as_secs_f64()
        );
        println!(
            "unchanged remote reconcile (ls-remote, artifact check), mean of {UNCHANGED_RUNS}: {:.1} ms",
            unchanged.as_secs_f64() * 1000.0
        );
    });
}
