//! The GitRepository reconciler under the runtime's controller harness, with the artifact server:
//! a new object becomes Ready with the finalizer, its artifact is downloaded over HTTP with the
//! advertised digest, the server refuses paths leading out of the storage, and deletion removes
//! the artifacts.

mod common;

use common::{NS, ServedStorage, condition, context, eventually, git_server, install_crds};
use flux_api::source::GitRepository;
use kube::api::{Api, DeleteParams, PostParams};
use serde_json::json;
use source_controller::gitrepository::GitRepositoryReconciler;
use std::time::Duration;
use testkit::git_server::GitServerOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_controller_serves_artifacts_and_cleans_up_on_deletion() {
    let server = git_server(GitServerOptions::default());
    server.create_repo("app").unwrap();
    let wt = server.work_tree("app").unwrap();
    wt.write("deploy/app.yaml", "kind: ConfigMap\n").unwrap();
    let hash = wt.commit("first").unwrap();
    wt.push_branch("main").unwrap();

    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.expect("client");
    install_crds(&client).await;

    let served = ServedStorage::start().await;
    let addr = served.addr.clone();
    let scratch = tempfile::tempdir().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async move {
        let _ = stop_rx.await;
    };
    let reconciler = GitRepositoryReconciler::new(
        served.storage.clone(),
        &scratch.path().join("cache"),
        &scratch.path().join("work"),
    )
    .unwrap();
    let ctx = context(&client, "gitrepository");
    let controller = tokio::spawn(flux_runtime::reconcile::run_until::<GitRepository, _, _>(
        reconciler, ctx, stop,
    ));

    let repos: Api<GitRepository> = Api::namespaced(client.clone(), NS);
    let repo: GitRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "app", "namespace": NS},
        "spec": {"url": server.http_url("app"), "interval": "1h", "ref": {"branch": "main"}}
    }))
    .unwrap();
    repos.create(&PostParams::default(), &repo).await.unwrap();
    let ready = eventually("Ready=True", || async {
        let repo = repos.get("app").await.ok()?;
        let ready = condition(&repo, "Ready")?;
        (ready.status == flux_api::ConditionStatus::True).then_some(repo)
    })
    .await;
    let status = ready.status.clone().unwrap();
    assert_eq!(status.observed_generation, ready.metadata.generation);
    assert!(
        ready
            .metadata
            .finalizers
            .iter()
            .flatten()
            .any(|f| f == "finalizers.fluxcd.io")
    );
    let artifact = status.artifact.unwrap();
    assert_eq!(artifact.revision, format!("main@sha1:{hash}"));
    assert_eq!(
        condition(&ready, "ArtifactInStorage").unwrap().message,
        format!("stored artifact for revision 'main@sha1:{hash}'")
    );

    // Download over HTTP; the digest is the advertised one.
    let http = reqwest::Client::new();
    let response = http.get(&artifact.url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.unwrap();
    use sha2::Digest;
    assert_eq!(
        artifact.digest,
        format!("sha256:{}", hex::encode(sha2::Sha256::digest(&body)))
    );
    for bad in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/gitrepository/../../x",
    ] {
        let status = http
            .get(format!("http://{addr}{bad}"))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status == 400 || status == 404, "{bad}: {status}");
    }
    let listing = http.get(format!("http://{addr}/")).send().await.unwrap();
    assert_eq!(listing.status(), 200);
    assert!(listing.text().await.unwrap().contains("gitrepository/"));

    // Deletion removes the artifacts, then the finalizer.
    repos.delete("app", &DeleteParams::default()).await.unwrap();
    eventually("object deleted", || async {
        repos.get_opt("app").await.ok()?.is_none().then_some(())
    })
    .await;
    assert!(!served.dir.path().join("gitrepository/default/app").exists());
    let gone = http.get(&artifact.url).send().await.unwrap();
    assert_eq!(gone.status(), 404);

    let _ = stop_tx.send(());
    tokio::time::timeout(Duration::from_secs(30), controller)
        .await
        .expect("controller stops")
        .unwrap();
}
