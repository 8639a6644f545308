//! ExternalArtifact: a producer writes artifacts into the storage under the kind's folder and
//! advertises one in the object's status; the file server serves it, a sweep keeps the
//! retention rules and removes the folder once the object is gone, never touching the status.

mod common;

use common::{NS, install_crd};
use flux_api::source::ExternalArtifact;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use source_controller::externalartifact::ExternalArtifactCollector;
use source_controller::storage::{DigestAlgorithm, Retention, Storage};
use std::sync::Arc;
use std::time::Duration;

/// What a producer does: archive a folder with one file into the object's folder.
fn produce(storage: &Storage, name: &str, version: &str) -> flux_api::meta::Artifact {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("version.txt"), version).unwrap();
    let mut artifact = storage.artifact_for(
        "ExternalArtifact",
        NS,
        name,
        &format!("{version}@sha256:0"),
        &format!("{version}.tar.gz"),
    );
    storage.mkdir_all(&artifact).unwrap();
    storage.archive(&mut artifact, dir.path(), None).unwrap();
    artifact
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_artifacts_and_orphaned_folders_are_collected_and_the_current_one_served() {
    let emulator = kube_emulator::Emulator::start().await.unwrap();
    let client = emulator.client().await.unwrap();
    install_crd(&client, "ExternalArtifact").await;
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let retention = Retention {
        ttl: Duration::ZERO,
        records: 2,
    };
    let storage =
        Arc::new(Storage::new(dir.path(), &addr, retention, DigestAlgorithm::Sha256).unwrap());
    let server = tokio::spawn(source_controller::server::serve(
        listener,
        dir.path().to_path_buf(),
        std::future::pending(),
    ));

    let api: Api<ExternalArtifact> = Api::namespaced(client.clone(), NS);
    let obj: ExternalArtifact = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "ExternalArtifact",
        "metadata": {"name": "rendered", "namespace": NS},
        "spec": {"sourceRef": {"apiVersion": "example.com/v1", "kind": "Source", "name": "s"}},
    }))
    .unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
    let old = produce(&storage, "rendered", "v1");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let current = produce(&storage, "rendered", "v2");
    let status = json!({"status": {"artifact": current, "conditions": [{
        "type": "Ready", "status": "True", "reason": "Succeeded",
        "message": "stored artifact for revision v2", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}});
    api.patch_status("rendered", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();
    // A folder left by an object that is gone.
    produce(&storage, "deleted-long-ago", "v1");

    let collector = ExternalArtifactCollector::new(storage.clone(), client.clone(), retention.ttl);
    let sweep = collector.sweep().await.unwrap();
    assert_eq!(sweep.collected, 1);
    assert_eq!(
        sweep.orphans_removed,
        vec![format!("{NS}/deleted-long-ago")]
    );
    assert!(!storage.local_path(&old.path).unwrap().exists());
    assert!(storage.artifact_exists(&current));
    let body = reqwest::get(&current.url).await.unwrap();
    assert_eq!(body.status(), 200);
    let bytes = body.bytes().await.unwrap();
    assert_eq!(DigestAlgorithm::Sha256.digest(&bytes), current.digest);
    // The producer's status is left as it was.
    let after = api.get("rendered").await.unwrap();
    assert_eq!(
        after.status.unwrap().artifact.unwrap().digest,
        current.digest
    );

    // The object goes: so does its folder.
    api.delete("rendered", &Default::default()).await.unwrap();
    let sweep = collector.sweep().await.unwrap();
    assert_eq!(sweep.orphans_removed, vec![format!("{NS}/rendered")]);
    assert!(!storage.artifact_exists(&current));
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_folder_without_its_object_yet_is_kept() {
    let emulator = kube_emulator::Emulator::start().await.unwrap();
    let client = emulator.client().await.unwrap();
    install_crd(&client, "ExternalArtifact").await;
    let dir = tempfile::tempdir().unwrap();
    let storage = Arc::new(
        Storage::new(
            dir.path(),
            "localhost:9090",
            Retention::default(),
            DigestAlgorithm::Sha256,
        )
        .unwrap(),
    );
    let written = produce(&storage, "not-created-yet", "v1");
    let collector =
        ExternalArtifactCollector::new(storage.clone(), client, Retention::default().ttl);
    let sweep = collector.sweep().await.unwrap();
    assert!(sweep.orphans_removed.is_empty());
    assert!(storage.artifact_exists(&written));
}
