//! Delivery of Flux events to a notification controller (a real local HTTP receiver).

use axum::{Json, Router, extract::State, http::StatusCode, routing::post};
use flux_runtime::events::{DeliveryPolicy, EventRecorder, FluxEvent, InvolvedObject, Severity};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Failures still to answer with, and where accepted events go.
type ReceiverState = Arc<Mutex<(usize, mpsc::UnboundedSender<serde_json::Value>)>>;

/// A receiver that fails the first `failures` requests with 500, then records events.
async fn receiver(failures: usize) -> (String, mpsc::UnboundedReceiver<serde_json::Value>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let state = Arc::new(Mutex::new((failures, tx)));
    let app = Router::new()
        .route(
            "/",
            post(
                |State(state): State<ReceiverState>,
                 Json(body): Json<serde_json::Value>| async move {
                    let mut guard = state.lock().unwrap();
                    if guard.0 > 0 {
                        guard.0 -= 1;
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    guard.1.send(body).unwrap();
                    StatusCode::ACCEPTED
                },
            ),
        )
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/"), rx)
}

fn policy() -> DeliveryPolicy {
    DeliveryPolicy {
        retries: 3,
        timeout: Duration::from_secs(2),
        min_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
    }
}

fn gitrepo() -> InvolvedObject {
    InvolvedObject {
        kind: "GitRepository".into(),
        namespace: "flux-system".into(),
        name: "podinfo".into(),
        uid: "8b2d6d0e-1b8f-4c59-a0a6-3d1c5c0c2f11".into(),
        api_version: "source.toolkit.fluxcd.io/v1".into(),
        resource_version: "42".into(),
    }
}

async fn next(rx: &mut mpsc::UnboundedReceiver<serde_json::Value>) -> serde_json::Value {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("event delivered")
        .unwrap()
}

#[tokio::test]
async fn posts_events_in_fluxs_format() {
    let (url, mut rx) = receiver(0).await;
    let recorder = EventRecorder::new(None, &url, "source-controller", policy());
    let metadata = BTreeMap::from([("revision".to_string(), "main@sha1:abc".to_string())]);
    let annotations = BTreeMap::from([
        (
            "event.toolkit.fluxcd.io/deploymentID".to_string(),
            "d-42".to_string(),
        ),
        ("unrelated".to_string(), "x".to_string()),
    ]);
    recorder
        .record(
            &gitrepo(),
            Some(&annotations),
            Severity::Info,
            "NewArtifact",
            "stored artifact for commit 'Add app'",
            &metadata,
        )
        .await;
    let body = next(&mut rx).await;
    assert_eq!(body["involvedObject"]["kind"], "GitRepository");
    assert_eq!(body["involvedObject"]["namespace"], "flux-system");
    assert_eq!(body["involvedObject"]["name"], "podinfo");
    assert_eq!(
        body["involvedObject"]["apiVersion"],
        "source.toolkit.fluxcd.io/v1"
    );
    assert_eq!(body["severity"], "info");
    assert_eq!(body["reason"], "NewArtifact");
    assert_eq!(body["message"], "stored artifact for commit 'Add app'");
    assert_eq!(body["reportingController"], "source-controller");
    assert_eq!(
        body["metadata"],
        serde_json::json!({
            "source.toolkit.fluxcd.io/revision": "main@sha1:abc",
            "source.toolkit.fluxcd.io/deploymentID": "d-42"
        })
    );
    let event: FluxEvent = serde_json::from_value(body.clone()).unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&event.timestamp).is_ok(),
        "{}",
        event.timestamp
    );
}

#[tokio::test]
async fn trace_events_are_not_posted_and_errors_are() {
    let (url, mut rx) = receiver(0).await;
    let recorder = EventRecorder::new(None, &url, "kustomize-controller", policy());
    let none = BTreeMap::new();
    recorder
        .record(
            &gitrepo(),
            None,
            Severity::Trace,
            "Progressing",
            "trace only",
            &none,
        )
        .await;
    recorder
        .record(
            &gitrepo(),
            None,
            Severity::Error,
            "BuildFailed",
            "kustomize build failed",
            &none,
        )
        .await;
    let body = next(&mut rx).await;
    assert_eq!(body["severity"], "error");
    assert_eq!(body["reason"], "BuildFailed");
    assert!(
        body.get("metadata").is_none(),
        "empty metadata is omitted: {body}"
    );
}

#[tokio::test]
async fn retries_until_the_receiver_accepts() {
    let (url, mut rx) = receiver(2).await;
    let recorder = EventRecorder::new(None, &url, "helm-controller", policy());
    recorder
        .record(
            &gitrepo(),
            None,
            Severity::Info,
            "UpgradeSucceeded",
            "upgraded",
            &BTreeMap::new(),
        )
        .await;
    assert_eq!(next(&mut rx).await["reason"], "UpgradeSucceeded");
}

#[tokio::test]
async fn a_down_receiver_does_not_fail_the_caller() {
    // Bind then drop a listener, so the port refuses connections.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let recorder = EventRecorder::new(
        None,
        &format!("http://127.0.0.1:{port}/"),
        "source-controller",
        policy(),
    );
    // Returns without waiting for delivery; a later event to a live receiver still goes through.
    recorder
        .record(
            &gitrepo(),
            None,
            Severity::Info,
            "NewArtifact",
            "lost",
            &BTreeMap::new(),
        )
        .await;
    let (url, mut rx) = receiver(0).await;
    let live = EventRecorder::new(None, &url, "source-controller", policy());
    live.record(
        &gitrepo(),
        None,
        Severity::Info,
        "NewArtifact",
        "delivered",
        &BTreeMap::new(),
    )
    .await;
    assert_eq!(next(&mut rx).await["message"], "delivered");
}

#[tokio::test]
async fn objects_without_a_namespace_are_not_posted() {
    let (url, mut rx) = receiver(0).await;
    let recorder = EventRecorder::new(None, &url, "source-controller", policy());
    let mut object = gitrepo();
    object.namespace.clear();
    recorder
        .record(
            &object,
            None,
            Severity::Info,
            "Skipped",
            "no namespace",
            &BTreeMap::new(),
        )
        .await;
    recorder
        .record(
            &gitrepo(),
            None,
            Severity::Info,
            "Sent",
            "with namespace",
            &BTreeMap::new(),
        )
        .await;
    assert_eq!(next(&mut rx).await["reason"], "Sent");
}

/// An API server that accepts connections and never answers.
async fn silent_api_server() -> kube::Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let config = kube::Config::new(format!("http://{addr}").parse().unwrap());
    flux_runtime::client::install_crypto_provider();
    kube::Client::try_from(config).unwrap()
}

#[tokio::test]
async fn a_stuck_api_server_does_not_hold_up_recording() {
    let recorder = EventRecorder::new(
        Some(silent_api_server().await),
        "",
        "kustomize-controller",
        policy(),
    );
    // Writing the Events would wait forever; recording queues them and returns.
    let recorded = tokio::time::timeout(Duration::from_secs(60), async {
        for i in 0..5 {
            recorder
                .record(
                    &gitrepo(),
                    None,
                    Severity::Info,
                    "Progressing",
                    &format!("change {i}"),
                    &BTreeMap::new(),
                )
                .await;
        }
    })
    .await;
    assert!(recorded.is_ok(), "record() waited for the API server");
    // ...and the queue is still waiting on the first of them.
    let flushed = tokio::time::timeout(Duration::from_secs(1), recorder.flush()).await;
    assert!(
        flushed.is_err(),
        "flush returned before the Events were written"
    );
}
