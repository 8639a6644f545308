//! OCIRepository under the runtime's controller harness, against Debian's docker-registry with
//! content pushed by the ORAS client (Flux-style artifacts), as plain image layers, and cosign
//! signatures made with the `cryptography` package: auth failure and recovery, the artifact and
//! its metadata served over HTTP, semver selection and a new tag, a digest pin, layer selection
//! and copy, signatures that verify and ones that do not, TLS, and bad input of every kind.

mod common;

use common::{
    NS, Running, apply_secret, condition, download, eventually, files_of, ready, request_reconcile,
};
use flux_api::ConditionStatus;
use flux_api::source::OCIRepository;
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use sha2::Digest;
use source_controller::ocirepository::OCIRepositoryReconciler;
use std::path::Path;
use testkit::registry::{Registry, RegistryOptions, cosign_key_pair, installed_or_skip};

const FLUX_LAYER: &str = "application/vnd.cncf.flux.content.v1.tar+gzip";

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

async fn start() -> (Running, tempfile::TempDir) {
    let work = tempfile::tempdir().unwrap();
    let path = work.path().to_path_buf();
    let running = Running::start::<OCIRepository, _>("OCIRepository", move |storage| {
        OCIRepositoryReconciler::new(storage, &path).unwrap()
    })
    .await;
    (running, work)
}

async fn create(api: &Api<OCIRepository>, name: &str, mut spec: Value) {
    if spec.get("interval").is_none() {
        spec["interval"] = json!("1h");
    }
    let obj: OCIRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
        "metadata": {"name": name, "namespace": NS},
        "spec": spec,
    }))
    .unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
}

async fn set_spec(api: &Api<OCIRepository>, name: &str, spec: Value) {
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(json!({ "spec": spec })),
    )
    .await
    .unwrap();
}

/// A folder with these files.
fn content(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn dockerconfig(host: &str, user: &str, password: &str) -> String {
    json!({"auths": {host: {"username": user, "password": password}}}).to_string()
}

async fn events(client: &kube::Client, name: &str) -> Vec<(String, String)> {
    let api: Api<Event> = Api::namespaced(client.clone(), NS);
    api.list(&ListParams::default().fields(&format!("involvedObject.name={name}")))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| (e.reason.unwrap_or_default(), e.message.unwrap_or_default()))
        .collect()
}

fn ready_message(obj: &OCIRepository) -> String {
    condition(obj, "Ready").unwrap().message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oras_artifact_becomes_an_artifact_with_auth_failure_and_recovery() {
    if !installed_or_skip() {
        return;
    }
    let registry = Registry::start(RegistryOptions {
        auth: Some(("flux", "s3cret")),
        ..Default::default()
    })
    .unwrap();
    let manifests = content(&[
        (
            "deploy/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n",
        ),
        ("docs/logo.jpg", "not really a picture"),
    ]);
    let digest = registry
        .push_artifact(
            "demo/manifests",
            "1.0.0",
            manifests.path(),
            &[
                (
                    "org.opencontainers.image.source",
                    "https://example.com/fleet.git",
                ),
                (
                    "org.opencontainers.image.revision",
                    "main@sha1:0123456789abcdef",
                ),
            ],
        )
        .unwrap();
    let (running, _work) = start().await;
    let client = running.client.clone();
    let api: Api<OCIRepository> = Api::namespaced(client.clone(), NS);
    apply_secret(
        &client,
        "regcred",
        &[(
            ".dockerconfigjson",
            &dockerconfig(&registry.host(), "flux", "wrong-password"),
        )],
    )
    .await;
    create(
        &api,
        "app",
        json!({"url": registry.url("demo/manifests"), "ref": {"tag": "1.0.0"},
               "insecure": true, "secretRef": {"name": "regcred"}}),
    )
    .await;
    let failed = ready(&api, "app", "False", |_| true).await;
    let ready_condition = condition(&failed, "Ready").unwrap();
    assert_eq!(ready_condition.reason, "OCIArtifactPullFailed");
    assert!(
        ready_condition
            .message
            .starts_with("failed to determine artifact digest: "),
        "{}",
        ready_condition.message
    );
    assert!(
        ready_condition.message.contains("Not authorized"),
        "{}",
        ready_condition.message
    );
    assert!(!ready_condition.message.contains("wrong-password"));
    assert_eq!(
        condition(&failed, "FetchFailed").unwrap().status,
        ConditionStatus::True
    );
    assert!(failed.status.as_ref().unwrap().artifact.is_none());

    // The right password: the layer is extracted and archived with the default ignore rules.
    apply_secret(
        &client,
        "regcred",
        &[(
            ".dockerconfigjson",
            &dockerconfig(&registry.host(), "flux", "s3cret"),
        )],
    )
    .await;
    request_reconcile(&api, "app", "1").await;
    let stored = ready(&api, "app", "True", |_| true).await;
    let status = stored.status.clone().unwrap();
    let artifact = status.artifact.clone().unwrap();
    let revision = format!("1.0.0@{digest}");
    assert_eq!(artifact.revision, revision);
    assert_eq!(
        ready_message(&stored),
        format!("stored artifact for digest '{revision}'")
    );
    assert!(condition(&stored, "FetchFailed").is_none());
    assert_eq!(
        artifact.path,
        format!("ocirepository/default/app/{digest}.tar.gz")
    );
    let metadata = artifact.metadata.clone().unwrap();
    assert_eq!(
        metadata["org.opencontainers.image.source"],
        "https://example.com/fleet.git"
    );
    let body = download(&artifact.url).await;
    assert_eq!(sha256(&body), artifact.digest);
    assert_eq!(files_of(&body), vec!["deploy/cm.yaml".to_string()]);
    assert_eq!(
        status.url.as_deref(),
        Some(
            format!(
                "http://{}/ocirepository/default/app/latest.tar.gz",
                running.served.addr
            )
            .as_str()
        )
    );
    let new_artifact = eventually("a NewArtifact event", || async {
        events(&client, "app")
            .await
            .into_iter()
            .find(|(reason, _)| reason == "NewArtifact")
    })
    .await;
    assert_eq!(
        new_artifact.1,
        format!(
            "stored artifact with revision '{revision}' from '{}', origin source 'https://example.com/fleet.git', origin revision 'main@sha1:0123456789abcdef'",
            registry.url("demo/manifests")
        )
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semver_picks_the_newest_tag_and_a_digest_pins() {
    if !installed_or_skip() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let mut digests = std::collections::BTreeMap::new();
    for tag in ["1.0.0", "1.1.0", "2.0.0-rc.1", "latest"] {
        let dir = content(&[("version.txt", tag)]);
        digests.insert(
            tag,
            registry
                .push_artifact("demo/app", tag, dir.path(), &[])
                .unwrap(),
        );
    }
    let (running, _work) = start().await;
    let api: Api<OCIRepository> = Api::namespaced(running.client.clone(), NS);
    let url = registry.url("demo/app");
    create(
        &api,
        "ranged",
        json!({"url": url, "insecure": true, "ref": {"semver": ">=1.0.0 <2.0.0-0"}}),
    )
    .await;
    create(
        &api,
        "pinned",
        json!({"url": url, "insecure": true, "ref": {"digest": digests["1.0.0"]}}),
    )
    .await;
    create(&api, "latest", json!({"url": url, "insecure": true})).await;
    create(
        &api,
        "filtered",
        json!({"url": url, "insecure": true, "ref": {"semver": "*", "semverFilter": "^1\\.0"}}),
    )
    .await;
    let ranged = ready(&api, "ranged", "True", |_| true).await;
    let revision = |o: &OCIRepository| {
        o.status
            .as_ref()
            .unwrap()
            .artifact
            .as_ref()
            .unwrap()
            .revision
            .clone()
    };
    assert_eq!(revision(&ranged), format!("1.1.0@{}", digests["1.1.0"]));
    let pinned = ready(&api, "pinned", "True", |_| true).await;
    assert_eq!(revision(&pinned), digests["1.0.0"]);
    let latest = ready(&api, "latest", "True", |_| true).await;
    assert_eq!(revision(&latest), format!("latest@{}", digests["latest"]));
    let filtered = ready(&api, "filtered", "True", |_| true).await;
    assert_eq!(revision(&filtered), format!("1.0.0@{}", digests["1.0.0"]));

    // A newer tag in range is picked up on the next reconcile, with a NewArtifact event.
    let dir = content(&[("version.txt", "1.2.0")]);
    let newer = registry
        .push_artifact("demo/app", "1.2.0", dir.path(), &[])
        .unwrap();
    request_reconcile(&api, "ranged", "1").await;
    let moved = ready(&api, "ranged", "True", |m| m.contains("1.2.0@")).await;
    assert_eq!(revision(&moved), format!("1.2.0@{newer}"));
    let body = download(
        &moved
            .status
            .as_ref()
            .unwrap()
            .artifact
            .as_ref()
            .unwrap()
            .url,
    )
    .await;
    assert_eq!(files_of(&body), vec!["version.txt".to_string()]);

    // No tag in range, a bad range and a tag that does not exist fail with Flux's words.
    set_spec(&api, "ranged", json!({"ref": {"semver": ">=5.0.0"}})).await;
    let none = ready(&api, "ranged", "False", |_| true).await;
    assert_eq!(
        ready_message(&none),
        format!(
            "failed to determine the artifact tag for '{url}': no match found for semver: >=5.0.0"
        )
    );
    assert_eq!(
        condition(&none, "Ready").unwrap().reason,
        "ReadOperationFailed"
    );
    // The artifact of the last success stays.
    assert_eq!(revision(&none), format!("1.2.0@{newer}"));
    set_spec(
        &api,
        "pinned",
        json!({"ref": {"digest": null, "tag": "9.9.9"}}),
    )
    .await;
    let missing = ready(&api, "pinned", "False", |_| true).await;
    assert!(
        ready_message(&missing).starts_with("failed to determine artifact digest: "),
        "{}",
        ready_message(&missing)
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layers_are_selected_extracted_or_copied() {
    if !installed_or_skip() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let dir = content(&[("etc/app.conf", "debug = false\n")]);
    registry
        .push_image("demo/image", "1.0.0", dir.path())
        .unwrap();
    let (running, _work) = start().await;
    let api: Api<OCIRepository> = Api::namespaced(running.client.clone(), NS);
    let url = registry.url("demo/image");
    // A plain image: its first layer is extracted.
    create(
        &api,
        "image",
        json!({"url": url, "insecure": true, "ref": {"tag": "1.0.0"}}),
    )
    .await;
    let image = ready(&api, "image", "True", |_| true).await;
    let artifact = image.status.clone().unwrap().artifact.unwrap();
    assert_eq!(
        files_of(&download(&artifact.url).await),
        vec!["etc/app.conf".to_string()]
    );
    // Copy keeps the layer as it is: the stored file is the blob, so its digest is the layer's.
    create(
        &api,
        "copied",
        json!({"url": url, "insecure": true, "ref": {"tag": "1.0.0"},
               "layerSelector": {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "operation": "copy"}}),
    )
    .await;
    let copied = ready(&api, "copied", "True", |_| true).await;
    let status = copied.status.clone().unwrap();
    let copied_artifact = status.artifact.unwrap();
    let manifest: Value = serde_json::from_slice(
        &reqwest::Client::new()
            .get(format!(
                "http://{}/v2/demo/image/manifests/1.0.0",
                registry.host()
            ))
            .header("Accept", "application/vnd.oci.image.manifest.v1+json")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(copied_artifact.digest, manifest["layers"][0]["digest"]);
    assert_eq!(
        status.observed_layer_selector.unwrap().operation,
        Some(flux_api::source::OCILayerOperation::Copy)
    );
    // A media type the artifact does not have.
    set_spec(
        &api,
        "image",
        json!({"layerSelector": {"mediaType": FLUX_LAYER}}),
    )
    .await;
    let missing = ready(&api, "image", "False", |_| true).await;
    assert_eq!(
        ready_message(&missing),
        format!("failed to find layer with media type '{FLUX_LAYER}' in artifact")
    );
    assert_eq!(
        condition(&missing, "Ready").unwrap().reason,
        "OCIArtifactLayerOperationFailed"
    );
    running.stop().await;
}

/// A tar.gz whose single entry is named `name` as given, bypassing the tar crate's checks.
fn hostile_tar_gz(path: &Path, name: &str) {
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_size(5);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    let file = std::fs::File::create(path).unwrap();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::default(),
    ));
    builder.append(&header, &b"evil\n"[..]).unwrap();
    builder.into_inner().unwrap().finish().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors() {
    if !installed_or_skip() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let evil = scratch.path().join("evil.tgz");
    hostile_tar_gz(&evil, "../../escaped.txt");
    registry
        .push_layer("demo/evil", "1.0.0", &evil, FLUX_LAYER)
        .unwrap();
    let (running, work) = start().await;
    let api: Api<OCIRepository> = Api::namespaced(running.client.clone(), NS);
    create(
        &api,
        "tagged-url",
        json!({"url": format!("{}:1.0.0", registry.url("demo/evil")), "insecure": true}),
    )
    .await;
    create(
        &api,
        "no-secret",
        json!({"url": registry.url("demo/evil"), "insecure": true, "secretRef": {"name": "missing"}}),
    )
    .await;
    create(
        &api,
        "unreachable",
        json!({"url": "oci://127.0.0.1:1/demo/app", "insecure": true, "timeout": "5s"}),
    )
    .await;
    create(
        &api,
        "evil",
        json!({"url": registry.url("demo/evil"), "insecure": true, "ref": {"tag": "1.0.0"}}),
    )
    .await;
    let tagged = ready(&api, "tagged-url", "False", |_| true).await;
    assert_eq!(
        ready_message(&tagged),
        format!(
            "URL validation failed for '{}:1.0.0': repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: demo/evil:1.0.0",
            registry.url("demo/evil")
        )
    );
    assert_eq!(condition(&tagged, "Stalled").unwrap().reason, "URLInvalid");
    let no_secret = ready(&api, "no-secret", "False", |_| true).await;
    assert_eq!(
        condition(&no_secret, "Ready").unwrap().reason,
        "AuthenticationFailed"
    );
    assert!(
        ready_message(&no_secret)
            .starts_with("failed to get credential: failed to get secret 'default/missing': "),
        "{}",
        ready_message(&no_secret)
    );
    let unreachable = ready(&api, "unreachable", "False", |_| true).await;
    assert!(
        ready_message(&unreachable).starts_with("failed to determine artifact digest: "),
        "{}",
        ready_message(&unreachable)
    );
    let evil = ready(&api, "evil", "False", |_| true).await;
    assert_eq!(
        ready_message(&evil),
        "failed to extract layer contents from artifact: refusing archive entry '../../escaped.txt': it leads outside the extraction directory"
    );
    assert!(!work.path().parent().unwrap().join("escaped.txt").exists());
    // Unsupported verification providers stall rather than pass.
    set_spec(
        &api,
        "unreachable",
        json!({"url": registry.url("demo/evil"), "ref": {"tag": "1.0.0"},
               "verify": {"provider": "notation", "secretRef": {"name": "x"}}}),
    )
    .await;
    let notation = ready(&api, "unreachable", "False", |m| m.contains("notation")).await;
    assert_eq!(
        condition(&notation, "SourceVerified").unwrap().status,
        ConditionStatus::False
    );
    assert!(condition(&notation, "Stalled").is_some());
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cosign_signatures_verify_with_the_right_key_only() {
    if !installed_or_skip() {
        return;
    }
    let registry = Registry::start(RegistryOptions::default()).unwrap();
    let keys = tempfile::tempdir().unwrap();
    let signer = tempfile::tempdir().unwrap();
    let (private_key, public_key) = cosign_key_pair(signer.path()).unwrap();
    let (_, other_public_key) = cosign_key_pair(keys.path()).unwrap();
    let dir = content(&[("cm.yaml", "kind: ConfigMap\n")]);
    let signed = registry
        .push_artifact("demo/signed", "1.0.0", dir.path(), &[])
        .unwrap();
    registry
        .cosign_sign("demo/signed", &signed, &private_key)
        .unwrap();
    let other = content(&[("cm.yaml", "kind: ConfigMap\nmetadata: {name: other}\n")]);
    let unsigned = registry
        .push_artifact("demo/signed", "2.0.0", other.path(), &[])
        .unwrap();
    let (running, _work) = start().await;
    let client = running.client.clone();
    let api: Api<OCIRepository> = Api::namespaced(client.clone(), NS);
    apply_secret(&client, "trusted", &[("cosign.pub", &public_key)]).await;
    apply_secret(
        &client,
        "other",
        &[("cosign.pub", &other_public_key), ("README", "not a key")],
    )
    .await;
    let url = registry.url("demo/signed");
    create(
        &api,
        "good",
        json!({"url": url, "insecure": true, "ref": {"tag": "1.0.0"},
               "verify": {"provider": "cosign", "secretRef": {"name": "trusted"}}}),
    )
    .await;
    create(
        &api,
        "wrong-key",
        json!({"url": url, "insecure": true, "ref": {"tag": "1.0.0"},
               "verify": {"provider": "cosign", "secretRef": {"name": "other"}}}),
    )
    .await;
    create(
        &api,
        "unsigned",
        json!({"url": url, "insecure": true, "ref": {"tag": "2.0.0"},
               "verify": {"provider": "cosign", "secretRef": {"name": "trusted"}}}),
    )
    .await;
    let good = ready(&api, "good", "True", |_| true).await;
    let verified = condition(&good, "SourceVerified").unwrap();
    assert_eq!(verified.status, ConditionStatus::True);
    assert_eq!(verified.reason, "Succeeded");
    assert_eq!(
        verified.message,
        format!("verified signature of revision 1.0.0@{signed}")
    );
    for (name, digest) in [("wrong-key", &signed), ("unsigned", &unsigned)] {
        let failed = ready(&api, name, "False", |_| true).await;
        let source_verified = condition(&failed, "SourceVerified").unwrap();
        assert_eq!(source_verified.status, ConditionStatus::False);
        assert_eq!(source_verified.reason, "VerificationError");
        assert_eq!(
            source_verified.message,
            format!(
                "failed to verify the signature using provider 'cosign': no matching signatures were found for '{}/demo/signed@{digest}'",
                registry.host()
            )
        );
        assert!(failed.status.as_ref().unwrap().artifact.is_none(), "{name}");
    }
    // Trusting the signer's key: the failure recovers.
    apply_secret(
        &client,
        "other",
        &[
            ("cosign.pub", &other_public_key),
            ("signer.pub", &public_key),
        ],
    )
    .await;
    request_reconcile(&api, "wrong-key", "1").await;
    let recovered = ready(&api, "wrong-key", "True", |_| true).await;
    assert_eq!(
        condition(&recovered, "SourceVerified").unwrap().status,
        ConditionStatus::True
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_https_registry_with_a_ca_from_cert_secret_ref() {
    if !installed_or_skip() {
        return;
    }
    let registry = Registry::start(RegistryOptions {
        tls: true,
        auth: Some(("flux", "s3cret")),
    })
    .unwrap();
    let dir = content(&[("cm.yaml", "kind: ConfigMap\n")]);
    let digest = registry
        .push_artifact("demo/tls", "1.0.0", dir.path(), &[])
        .unwrap();
    let pki = registry.pki().unwrap();
    let (running, _work) = start().await;
    let client = running.client.clone();
    let api: Api<OCIRepository> = Api::namespaced(client.clone(), NS);
    apply_secret(
        &client,
        "regcred",
        &[(
            ".dockerconfigjson",
            &dockerconfig(&registry.host(), "flux", "s3cret"),
        )],
    )
    .await;
    apply_secret(&client, "ca", &[("ca.crt", &pki.ca_pem)]).await;
    apply_secret(
        &client,
        "client-cert",
        &[
            ("tls.crt", &pki.client_cert_pem),
            ("tls.key", &pki.client_key_pem),
        ],
    )
    .await;
    let url = registry.url("demo/tls");
    create(
        &api,
        "no-ca",
        json!({"url": url, "ref": {"tag": "1.0.0"}, "secretRef": {"name": "regcred"}}),
    )
    .await;
    create(
        &api,
        "with-ca",
        json!({"url": url, "ref": {"tag": "1.0.0"}, "secretRef": {"name": "regcred"},
               "certSecretRef": {"name": "ca"}}),
    )
    .await;
    create(
        &api,
        "mtls",
        json!({"url": url, "ref": {"tag": "1.0.0"}, "secretRef": {"name": "regcred"},
               "certSecretRef": {"name": "client-cert"}}),
    )
    .await;
    let with_ca = ready(&api, "with-ca", "True", |_| true).await;
    assert_eq!(
        with_ca.status.unwrap().artifact.unwrap().revision,
        format!("1.0.0@{digest}")
    );
    let no_ca = ready(&api, "no-ca", "False", |_| true).await;
    assert!(
        ready_message(&no_ca).starts_with("failed to determine artifact digest: "),
        "{}",
        ready_message(&no_ca)
    );
    assert!(
        ready_message(&no_ca).contains("UnknownIssuer"),
        "{}",
        ready_message(&no_ca)
    );
    let mtls = ready(&api, "mtls", "False", |_| true).await;
    assert!(
        ready_message(&mtls).contains("client certificates"),
        "{}",
        ready_message(&mtls)
    );
    assert!(condition(&mtls, "Stalled").is_some());
    running.stop().await;
}
