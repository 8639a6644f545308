//! HelmRepository under the runtime's controller harness, against a chart repository that the
//! real `helm package` and `helm repo index` made, served as static files behind basic auth:
//! auth failure and recovery, the index stored as Flux stores it and served over HTTP, a new
//! revision when the index changes, Flux's messages for a missing Secret and an unreachable
//! host, and a switch to type `oci` letting go of the artifacts, finalizer and status.

mod common;

use common::{NS, Running, apply_secret, condition, eventually, ready, request_reconcile};
use flux_api::source::HelmRepository;
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use sha2::Digest;
use source_controller::helmrepository::HelmRepositoryReconciler;
use testkit::chart_repo::{ChartRepo, helm_or_skip};

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_written_by_helm_becomes_an_artifact_with_auth_failure_and_recovery() {
    if helm_or_skip().is_none() {
        return;
    }
    let charts = ChartRepo::start(Some(("flux", "s3cret"))).unwrap();
    charts.add_chart("demo", "0.1.0").unwrap();
    charts.add_chart("demo", "0.2.0").unwrap();
    let first_index = charts.index().unwrap();

    let running = Running::start::<HelmRepository, _>("HelmRepository", |storage| {
        HelmRepositoryReconciler::new(storage, 50 << 20)
    })
    .await;
    let client = running.client.clone();
    let addr = running.served.addr.clone();
    // A wrong password: Helm's wording of the 401, never the password.
    apply_secret(
        &client,
        "creds",
        &[("username", "flux"), ("password", "wrong-password")],
    )
    .await;
    let repos: Api<HelmRepository> = Api::namespaced(client.clone(), NS);
    let repo: HelmRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
        "metadata": {"name": "charts", "namespace": NS},
        "spec": {"url": charts.url(), "interval": "1h", "secretRef": {"name": "creds"}}
    }))
    .unwrap();
    repos.create(&PostParams::default(), &repo).await.unwrap();
    let failed = ready(&repos, "charts", "False", |_| true).await;
    let ready_condition = condition(&failed, "Ready").unwrap();
    assert_eq!(ready_condition.reason, "Failed");
    assert_eq!(
        ready_condition.message,
        format!(
            "failed to fetch Helm repository index: failed to cache index to temporary file: failed to fetch {}/index.yaml : 401 Unauthorized",
            charts.url()
        )
    );
    assert_eq!(
        condition(&failed, "FetchFailed").unwrap().status,
        flux_api::ConditionStatus::True
    );
    assert!(failed.status.as_ref().unwrap().artifact.is_none());
    assert!(!ready_condition.message.contains("wrong-password"));

    // The right password: the index becomes an artifact.
    apply_secret(
        &client,
        "creds",
        &[("username", "flux"), ("password", "s3cret")],
    )
    .await;
    request_reconcile(&repos, "charts", "1").await;
    let stored = ready(&repos, "charts", "True", |_| true).await;
    let status = stored.status.clone().unwrap();
    let artifact = status.artifact.clone().unwrap();
    assert_eq!(artifact.revision, sha256(&first_index));
    assert_eq!(
        condition(&stored, "Ready").unwrap().message,
        format!("stored artifact: revision '{}'", artifact.revision)
    );
    assert_eq!(
        condition(&stored, "ArtifactInStorage").unwrap().reason,
        "Succeeded"
    );
    assert!(condition(&stored, "FetchFailed").is_none());
    let hex = artifact.revision.trim_start_matches("sha256:");
    assert_eq!(
        artifact.path,
        format!("helmrepository/default/charts/index-{hex}.yaml")
    );
    assert_eq!(
        status.url.as_deref(),
        Some(format!("http://{addr}/helmrepository/default/charts/index.yaml").as_str())
    );

    // Served over HTTP: Go's indented JSON of the parsed index, under its digest.
    let http = reqwest::Client::new();
    let body = http
        .get(&artifact.url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(artifact.digest, sha256(&body));
    assert_eq!(artifact.size, Some(body.len() as i64));
    let parsed = flux_helm::repo::IndexFile::from_bytes(&first_index).unwrap();
    assert_eq!(String::from_utf8_lossy(&body), parsed.to_json());
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let versions: Vec<&str> = json["entries"]["demo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["0.2.0", "0.1.0"]);
    let link = http
        .get(status.url.as_deref().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(link, body);

    // A new chart version: a new revision, announced by a NewArtifact event.
    charts.add_chart("demo", "0.3.0").unwrap();
    let second_index = charts.index().unwrap();
    request_reconcile(&repos, "charts", "2").await;
    let second = sha256(&second_index);
    let updated = eventually("the new index revision", || async {
        let repo = repos.get("charts").await.ok()?;
        let artifact = repo.status.as_ref()?.artifact.clone()?;
        (artifact.revision == second).then_some(artifact)
    })
    .await;
    assert_ne!(updated.digest, artifact.digest);
    let events: Api<Event> = Api::namespaced(client.clone(), NS);
    let new_artifact = eventually("a NewArtifact event", || async {
        let list = events.list(&ListParams::default()).await.ok()?;
        list.items
            .into_iter()
            .find(|e| e.reason.as_deref() == Some("NewArtifact"))
    })
    .await;
    let message = new_artifact.message.unwrap();
    assert!(
        message.starts_with("stored fetched index of size ")
            && message.ends_with(&format!("from '{}'", charts.url())),
        "{message}"
    );
    // Every request carried the credentials the Secret holds.
    assert!(
        charts.log().lines().all(|l| l.starts_with("True")),
        "{}",
        charts.log()
    );

    // Type oci: the controller lets go of the artifacts, the finalizer and the status.
    repos
        .patch(
            "charts",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"type": "oci", "url": "oci://127.0.0.1:5000/charts"}})),
        )
        .await
        .unwrap();
    let released = eventually("the oci HelmRepository let go", || async {
        let repo = repos.get("charts").await.ok()?;
        let status_empty = repo.status.as_ref().is_none_or(|s| {
            s.artifact.is_none() && s.conditions.as_ref().is_none_or(|c| c.is_empty())
        });
        (repo.metadata.finalizers.iter().flatten().next().is_none() && status_empty).then_some(repo)
    })
    .await;
    assert!(released.status.as_ref().is_none_or(|s| s.url.is_none()));
    assert!(
        !running
            .served
            .dir
            .path()
            .join("helmrepository/default/charts")
            .exists()
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_fluxs_messages() {
    let running = Running::start::<HelmRepository, _>("HelmRepository", |storage| {
        HelmRepositoryReconciler::new(storage, 50 << 20)
    })
    .await;
    let client = running.client.clone();
    // A port nothing listens on, for the unreachable host.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let repos: Api<HelmRepository> = Api::namespaced(client.clone(), NS);
    let cases = [
        (
            "missing-secret",
            json!({"url": "http://127.0.0.1:1", "secretRef": {"name": "absent"}}),
            "AuthenticationFailed",
            "failed to get authentication secret 'default/absent': ".to_string(),
        ),
        (
            "unreachable",
            json!({"url": format!("http://127.0.0.1:{closed}/charts")}),
            "Failed",
            format!(
                "failed to fetch Helm repository index: failed to cache index to temporary file: Get \"http://127.0.0.1:{closed}/charts/index.yaml\": "
            ),
        ),
        (
            "oci-url",
            json!({"url": "oci://ghcr.io/org/charts", "type": "default"}),
            "URLInvalid",
            "invalid Helm repository URL: 'oci' URL scheme cannot be used with 'default' HelmRepository type".to_string(),
        ),
    ];
    for (name, spec, reason, message) in &cases {
        let mut spec = spec.clone();
        spec["interval"] = json!("1h");
        let repo: HelmRepository = serde_json::from_value(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
            "metadata": {"name": name, "namespace": NS},
            "spec": spec,
        }))
        .unwrap();
        repos.create(&PostParams::default(), &repo).await.unwrap();
        let failed = ready(&repos, name, "False", |_| true).await;
        let ready_condition = condition(&failed, "Ready").unwrap();
        assert_eq!(&ready_condition.reason, reason, "{name}");
        assert!(
            ready_condition.message.starts_with(message.as_str()),
            "{name}: {}",
            ready_condition.message
        );
    }
    // A URL in the wrong scheme will not heal by retrying: Stalled.
    let stalled = repos.get("oci-url").await.unwrap();
    assert_eq!(
        condition(&stalled, "Stalled").map(|c| c.reason),
        Some("URLInvalid".to_string())
    );

    running.stop().await;
}

/// The emulator with the HelmRepository CRD, the reconciler running under the harness, and
/// the artifact file server at `addr`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_with_a_ca_and_a_client_certificate_from_cert_secret_ref() {
    if helm_or_skip().is_none() {
        return;
    }
    let charts =
        testkit::chart_repo::ChartRepo::start_with(testkit::chart_repo::ChartRepoOptions {
            tls: true,
            require_client_cert: true,
            ..Default::default()
        })
        .unwrap();
    charts.add_chart("secure", "1.0.0").unwrap();
    let index = charts.index().unwrap();
    let pki = charts.pki().unwrap();
    let running = Running::start::<HelmRepository, _>("HelmRepository", |storage| {
        HelmRepositoryReconciler::new(storage, 50 << 20)
    })
    .await;
    let client = running.client.clone();
    let repos: Api<HelmRepository> = Api::namespaced(client.clone(), NS);
    let create = |name: &str, cert_secret: Option<&str>| {
        let mut spec = json!({"url": charts.url(), "interval": "1h"});
        if let Some(secret) = cert_secret {
            spec["certSecretRef"] = json!({"name": secret});
        }
        serde_json::from_value::<HelmRepository>(json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
            "metadata": {"name": name, "namespace": NS},
            "spec": spec,
        }))
        .unwrap()
    };

    // No CA: the server's certificate is not trusted.
    repos
        .create(&PostParams::default(), &create("untrusted", None))
        .await
        .unwrap();
    let failed = ready(&repos, "untrusted", "False", |_| true).await;
    let message = condition(&failed, "Ready").unwrap().message;
    assert!(
        message.starts_with(&format!(
            "failed to fetch Helm repository index: failed to cache index to temporary file: Get \"{}/index.yaml\": ",
            charts.url()
        )) && message.to_lowercase().contains("certificate"),
        "{message}"
    );

    // Half a key pair: Flux's message, before any request.
    apply_secret(&client, "half", &[("tls.crt", &pki.client_cert_pem)]).await;
    repos
        .create(&PostParams::default(), &create("half", Some("half")))
        .await
        .unwrap();
    let failed = ready(&repos, "half", "False", |_| true).await;
    let ready_condition = condition(&failed, "Ready").unwrap();
    assert_eq!(ready_condition.reason, "AuthenticationFailed");
    assert_eq!(
        ready_condition.message,
        "failed to construct Helm client's TLS config: secret 'default/half' contains 'tls.crt' but missing 'tls.key'"
    );
    assert!(!ready_condition.message.contains("BEGIN"));

    // The CA alone: trusted, but the server wants a client certificate.
    apply_secret(&client, "ca-only", &[("ca.crt", &pki.ca_pem)]).await;
    repos
        .create(&PostParams::default(), &create("ca-only", Some("ca-only")))
        .await
        .unwrap();
    let failed = ready(&repos, "ca-only", "False", |_| true).await;
    assert_eq!(condition(&failed, "Ready").unwrap().reason, "Failed");

    // CA and client certificate: the index is stored.
    apply_secret(
        &client,
        "mtls",
        &[
            ("ca.crt", &pki.ca_pem),
            ("tls.crt", &pki.client_cert_pem),
            ("tls.key", &pki.client_key_pem),
        ],
    )
    .await;
    repos
        .create(&PostParams::default(), &create("mtls", Some("mtls")))
        .await
        .unwrap();
    let stored = ready(&repos, "mtls", "True", |_| true).await;
    assert_eq!(
        stored.status.unwrap().artifact.unwrap().revision,
        sha256(&index)
    );
    running.stop().await;
}
