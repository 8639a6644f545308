//! Bucket under the runtime's controller harness, against SeaweedFS and moto (both check SigV4
//! signatures), objects written with boto3: auth failure and recovery, the revision as Flux
//! computes it, prefix and ignore rules, a changed object making a new revision, and bad input.

mod common;

use common::{
    NS, Running, apply_secret, condition, download, eventually, files_of, ready, request_reconcile,
};
use flux_api::ConditionStatus;
use flux_api::source::Bucket;
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use sha2::Digest;
use source_controller::bucket::{BucketReconciler, EtagIndex};
use source_controller::storage::DigestAlgorithm;
use testkit::object_store::{S3Server, installed_or_skip};

async fn start() -> (Running, tempfile::TempDir) {
    let work = tempfile::tempdir().unwrap();
    let path = work.path().to_path_buf();
    let running = Running::start::<Bucket, _>("Bucket", move |storage| {
        BucketReconciler::new(storage, &path).unwrap()
    })
    .await;
    (running, work)
}

async fn create(api: &Api<Bucket>, name: &str, mut spec: Value) {
    if spec.get("interval").is_none() {
        spec["interval"] = json!("1h");
    }
    let obj: Bucket = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "Bucket",
        "metadata": {"name": name, "namespace": NS},
        "spec": spec,
    }))
    .unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
}

fn md5_hex(bytes: &[u8]) -> String {
    // S3 ETags of single-part uploads are the MD5 of the content.
    let out = std::process::Command::new("md5sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn message(obj: &Bucket) -> String {
    condition(obj, "Ready").unwrap().message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seaweedfs_objects_become_an_artifact_with_auth_failure_and_recovery() {
    if !installed_or_skip() {
        return;
    }
    let s3 = S3Server::seaweedfs().unwrap();
    s3.create_bucket("fleet").unwrap();
    let objects: [(&str, &[u8]); 5] = [
        ("apps/deploy.yaml", b"kind: Deployment\n"),
        ("apps/cm.yaml", b"kind: ConfigMap\n"),
        ("apps/notes.txt", b"ignored by the bucket's .sourceignore\n"),
        ("infra/ns.yaml", b"kind: Namespace\n"),
        (".sourceignore", b"*.txt\n"),
    ];
    for (key, body) in objects {
        s3.put("fleet", key, body).unwrap();
    }
    let (running, _work) = start().await;
    let client = running.client.clone();
    let api: Api<Bucket> = Api::namespaced(client.clone(), NS);
    apply_secret(
        &client,
        "s3",
        &[
            ("accesskey", s3.access_key()),
            ("secretkey", "wrong-secret"),
        ],
    )
    .await;
    create(
        &api,
        "fleet",
        json!({"bucketName": "fleet", "endpoint": s3.endpoint(), "insecure": true,
               "prefix": "apps/", "secretRef": {"name": "s3"}}),
    )
    .await;
    let failed = ready(&api, "fleet", "False", |_| true).await;
    let ready_condition = condition(&failed, "Ready").unwrap();
    assert_eq!(ready_condition.reason, "BucketOperationFailed");
    assert!(
        ready_condition.message.contains("SignatureDoesNotMatch")
            || ready_condition.message.contains("403"),
        "{}",
        ready_condition.message
    );
    assert!(!ready_condition.message.contains("wrong-secret"));
    assert_eq!(
        condition(&failed, "FetchFailed").unwrap().status,
        ConditionStatus::True
    );

    apply_secret(
        &client,
        "s3",
        &[
            ("accesskey", s3.access_key()),
            ("secretkey", s3.secret_key()),
        ],
    )
    .await;
    request_reconcile(&api, "fleet", "1").await;
    let stored = ready(&api, "fleet", "True", |_| true).await;
    let status = stored.status.clone().unwrap();
    let artifact = status.artifact.unwrap();
    // Flux's revision: the digest of the sorted "<key> <etag>" lines of what was indexed.
    let mut expected = EtagIndex::default();
    expected.add("apps/cm.yaml", &md5_hex(b"kind: ConfigMap\n"));
    expected.add("apps/deploy.yaml", &md5_hex(b"kind: Deployment\n"));
    let revision = expected.digest(DigestAlgorithm::Sha256);
    assert_eq!(artifact.revision, revision);
    assert_eq!(
        message(&stored),
        format!("stored artifact: revision '{revision}'")
    );
    let hex = revision.trim_start_matches("sha256:");
    assert_eq!(artifact.path, format!("bucket/default/fleet/{hex}.tar.gz"));
    let body = download(&artifact.url).await;
    assert_eq!(
        format!("sha256:{}", hex::encode(sha2::Sha256::digest(&body))),
        artifact.digest
    );
    assert_eq!(
        files_of(&body),
        vec!["apps/cm.yaml".to_string(), "apps/deploy.yaml".to_string()]
    );
    assert!(
        status
            .url
            .unwrap()
            .ends_with("/bucket/default/fleet/latest.tar.gz")
    );
    let events_api: Api<Event> = Api::namespaced(client.clone(), NS);
    let new_artifact = eventually("a NewArtifact event", || async {
        events_api
            .list(&ListParams::default().fields("involvedObject.name=fleet"))
            .await
            .ok()?
            .items
            .into_iter()
            .find(|e| e.reason.as_deref() == Some("NewArtifact"))
    })
    .await;
    assert_eq!(
        new_artifact.message.unwrap(),
        "stored artifact with 2 fetched files from 'fleet' bucket"
    );

    // A changed object and spec.ignore: a new revision.
    s3.put("fleet", "apps/cm.yaml", b"kind: ConfigMap\ndata: {a: b}\n")
        .unwrap();
    api.patch(
        "fleet",
        &PatchParams::default(),
        &Patch::Merge(json!({"spec": {"ignore": "deploy.yaml\n"}})),
    )
    .await
    .unwrap();
    let moved = ready(&api, "fleet", "True", |m| !m.contains(hex)).await;
    let status = moved.status.unwrap();
    let mut expected = EtagIndex::default();
    expected.add("apps/cm.yaml", &md5_hex(b"kind: ConfigMap\ndata: {a: b}\n"));
    assert_eq!(
        status.artifact.as_ref().unwrap().revision,
        expected.digest(DigestAlgorithm::Sha256)
    );
    assert_eq!(status.observed_ignore.as_deref(), Some("deploy.yaml\n"));
    let body = download(&status.artifact.unwrap().url).await;
    assert_eq!(files_of(&body), vec!["apps/cm.yaml".to_string()]);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_with_iam_credentials_and_bad_input() {
    if !installed_or_skip() {
        return;
    }
    let s3 = S3Server::moto().unwrap();
    s3.create_bucket("generated").unwrap();
    s3.put("generated", "cm.yaml", b"kind: ConfigMap\n")
        .unwrap();
    let (running, _work) = start().await;
    let client = running.client.clone();
    let api: Api<Bucket> = Api::namespaced(client.clone(), NS);
    apply_secret(
        &client,
        "iam",
        &[
            ("accesskey", s3.access_key()),
            ("secretkey", s3.secret_key()),
        ],
    )
    .await;
    apply_secret(&client, "half", &[("accesskey", s3.access_key())]).await;
    let spec = |bucket: &str, secret: &str| {
        json!({"bucketName": bucket, "endpoint": s3.endpoint(), "insecure": true,
               "provider": "aws", "region": "us-east-1", "secretRef": {"name": secret}})
    };
    create(&api, "good", spec("generated", "iam")).await;
    create(&api, "missing-bucket", spec("not-there", "iam")).await;
    create(&api, "half-secret", spec("generated", "half")).await;
    create(&api, "no-secret", spec("generated", "absent")).await;
    create(
        &api,
        "gcp",
        json!({"bucketName": "x", "endpoint": "storage.googleapis.com", "provider": "gcp"}),
    )
    .await;
    let good = ready(&api, "good", "True", |_| true).await;
    let mut expected = EtagIndex::default();
    expected.add("cm.yaml", &md5_hex(b"kind: ConfigMap\n"));
    assert_eq!(
        good.status.unwrap().artifact.unwrap().revision,
        expected.digest(DigestAlgorithm::Sha256)
    );
    let missing = ready(&api, "missing-bucket", "False", |_| true).await;
    assert_eq!(message(&missing), "bucket 'not-there' not found");
    let half = ready(&api, "half-secret", "False", |_| true).await;
    assert_eq!(
        message(&half),
        "invalid 'half' secret data: required fields 'accesskey' and 'secretkey'"
    );
    assert_eq!(
        condition(&half, "Ready").unwrap().reason,
        "AuthenticationFailed"
    );
    let absent = ready(&api, "no-secret", "False", |_| true).await;
    assert!(
        message(&absent).starts_with("failed to get secret 'default/absent': "),
        "{}",
        message(&absent)
    );
    let gcp = ready(&api, "gcp", "False", |_| true).await;
    assert!(condition(&gcp, "Stalled").is_some());
    assert!(
        message(&gcp).contains("provider 'gcp' is not supported"),
        "{}",
        message(&gcp)
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azurite_blobs_become_an_artifact_with_the_account_key() {
    if !testkit::object_store::azurite_or_skip() {
        return;
    }
    use testkit::object_store::Azurite;
    let azurite = Azurite::start().unwrap();
    azurite.create_container("fleet").unwrap();
    azurite
        .put("fleet", "apps/cm.yaml", b"kind: ConfigMap\n")
        .unwrap();
    azurite
        .put("fleet", "apps/deploy.yaml", b"kind: Deployment\n")
        .unwrap();
    azurite
        .put("fleet", "other/ns.yaml", b"kind: Namespace\n")
        .unwrap();
    let (running, _work) = start().await;
    let client = running.client.clone();
    let api: Api<Bucket> = Api::namespaced(client.clone(), NS);
    apply_secret(
        &client,
        "azure-wrong",
        &[("accountKey", "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXk=")],
    )
    .await;
    apply_secret(&client, "azure", &[("accountKey", Azurite::ACCOUNT_KEY)]).await;
    apply_secret(&client, "azure-empty", &[("unrelated", "x")]).await;
    let spec = |secret: &str| {
        json!({"provider": "azure", "bucketName": "fleet", "endpoint": azurite.endpoint(),
               "prefix": "apps/", "secretRef": {"name": secret}})
    };
    create(&api, "wrong", spec("azure-wrong")).await;
    create(&api, "good", spec("azure")).await;
    create(&api, "empty", spec("azure-empty")).await;
    let good = ready(&api, "good", "True", |_| true).await;
    // The revision from the ETags the official client lists.
    let mut expected = EtagIndex::default();
    for (name, etag) in azurite.list("fleet").unwrap() {
        if name.starts_with("apps/") {
            expected.add(&name, etag.trim_matches('"'));
        }
    }
    let artifact = good.status.unwrap().artifact.unwrap();
    assert_eq!(artifact.revision, expected.digest(DigestAlgorithm::Sha256));
    let body = download(&artifact.url).await;
    assert_eq!(
        files_of(&body),
        vec!["apps/cm.yaml".to_string(), "apps/deploy.yaml".to_string()]
    );
    let wrong = ready(&api, "wrong", "False", |_| true).await;
    assert_eq!(
        condition(&wrong, "Ready").unwrap().reason,
        "BucketOperationFailed"
    );
    assert!(
        message(&wrong).contains("403") || message(&wrong).contains("AuthorizationFailure"),
        "{}",
        message(&wrong)
    );
    assert!(!message(&wrong).contains(Azurite::ACCOUNT_KEY));
    let empty = ready(&api, "empty", "False", |_| true).await;
    assert!(
        message(&empty).starts_with(
            "invalid 'azure-empty' secret data: requires a 'clientId' or 'accountKey' field"
        ),
        "{}",
        message(&empty)
    );
    running.stop().await;
}
