//! HelmChart from an OCI HelmRepository under the runtime's harness: charts packaged by the real
//! `helm package` and pushed by the real `helm push` into Debian's docker-registry behind basic
//! auth; the version picked from the tags, the archive stored as pushed, values files merged,
//! and `spec.verify` with cosign signatures made by Python's `cryptography`.

mod common;

use common::{NS, Running, apply_secret, condition, ready};
use flux_api::ConditionStatus;
use flux_api::source::HelmChart;
use kube::api::{Api, PostParams};
use serde_json::{Value, json};
use source_controller::helmchart::HelmChartReconciler;
use testkit::chart_repo::{ChartRepo, helm_or_skip};
use testkit::registry::{Registry, RegistryOptions, cosign_key_pair, installed_or_skip};

async fn create(client: &kube::Client, kind: &str, name: &str, spec: Value) {
    let api: Api<kube::api::DynamicObject> = Api::namespaced_with(
        client.clone(),
        NS,
        &kube::discovery::ApiResource {
            group: "source.toolkit.fluxcd.io".into(),
            version: "v1".into(),
            api_version: "source.toolkit.fluxcd.io/v1".into(),
            kind: kind.into(),
            plural: match kind.to_lowercase().strip_suffix('y') {
                Some(stem) => format!("{stem}ies"),
                None => format!("{}s", kind.to_lowercase()),
            },
        },
    );
    let obj: kube::api::DynamicObject = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": kind,
        "metadata": {"name": name, "namespace": NS}, "spec": spec,
    }))
    .unwrap();
    api.create(&PostParams::default(), &obj).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_are_pulled_from_an_oci_registry_and_verified() {
    let Some(helm) = helm_or_skip() else {
        return;
    };
    if !installed_or_skip() {
        return;
    }
    let registry = Registry::start(RegistryOptions {
        auth: Some(("flux", "s3cret")),
        ..Default::default()
    })
    .unwrap();
    // helm package writes the charts; helm push puts them in the registry.
    let charts = ChartRepo::start(None).unwrap();
    for version in ["0.1.0", "0.2.0", "1.0.0"] {
        let tgz = charts
            .add_chart_with(
                "demo",
                version,
                &[("values-prod.yaml", "replicaCount: 3\n")],
            )
            .unwrap();
        registry.helm_push(&helm, &tgz, "charts").unwrap();
    }
    let pushed = std::fs::read(charts.root().join("demo-0.2.0.tgz")).unwrap();
    let digest_of = |tag: &str| {
        let out = std::process::Command::new("curl")
            .args([
                "-sfI",
                "-u",
                "flux:s3cret",
                "-H",
                "Accept: application/vnd.oci.image.manifest.v1+json",
            ])
            .arg(format!(
                "http://{}/v2/charts/demo/manifests/{tag}",
                registry.host()
            ))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| {
                l.strip_prefix("Docker-Content-Digest: ")
                    .or_else(|| l.strip_prefix("docker-content-digest: "))
            })
            .unwrap()
            .trim()
            .to_string()
    };
    let keys = tempfile::tempdir().unwrap();
    let (private_key, public_key) = cosign_key_pair(keys.path()).unwrap();
    let other = tempfile::tempdir().unwrap();
    let (_, other_public_key) = cosign_key_pair(other.path()).unwrap();
    registry
        .cosign_sign("charts/demo", &digest_of("0.2.0"), &private_key)
        .unwrap();

    let running = Running::start::<HelmChart, _>("HelmChart", |storage| {
        HelmChartReconciler::new(storage, 10 << 20)
    })
    .await;
    let client = running.client.clone();
    common::install_crd(&client, "HelmRepository").await;
    apply_secret(
        &client,
        "regcred",
        &[("username", "flux"), ("password", "s3cret")],
    )
    .await;
    apply_secret(&client, "cosign", &[("cosign.pub", &public_key)]).await;
    apply_secret(&client, "other", &[("cosign.pub", &other_public_key)]).await;
    create(
        &client,
        "HelmRepository",
        "registry",
        json!({"type": "oci", "url": format!("oci://{}/charts", registry.host()), "insecure": true,
               "interval": "1h", "secretRef": {"name": "regcred"}}),
    )
    .await;
    let source = json!({"kind": "HelmRepository", "name": "registry"});
    create(
        &client,
        "HelmChart",
        "ranged",
        json!({"chart": "demo", "version": "<1.0.0", "interval": "1h", "sourceRef": source}),
    )
    .await;
    create(
        &client,
        "HelmChart",
        "newest",
        json!({"chart": "demo", "interval": "1h", "sourceRef": source}),
    )
    .await;
    create(
        &client,
        "HelmChart",
        "prod",
        json!({"chart": "demo", "version": "0.1.0", "interval": "1h", "sourceRef": source,
               "valuesFiles": ["values.yaml", "values-prod.yaml"]}),
    )
    .await;
    create(
        &client,
        "HelmChart",
        "verified",
        json!({"chart": "demo", "version": "0.2.0", "interval": "1h", "sourceRef": source,
               "verify": {"provider": "cosign", "secretRef": {"name": "cosign"}}}),
    )
    .await;
    create(
        &client,
        "HelmChart",
        "wrong-key",
        json!({"chart": "demo", "version": "0.2.0", "interval": "1h", "sourceRef": source,
               "verify": {"provider": "cosign", "secretRef": {"name": "other"}}}),
    )
    .await;
    create(
        &client,
        "HelmChart",
        "missing",
        json!({"chart": "demo", "version": ">=5.0.0", "interval": "1h", "sourceRef": source}),
    )
    .await;

    let api: Api<HelmChart> = Api::namespaced(client.clone(), NS);
    let ranged = ready(&api, "ranged", "True", |_| true).await;
    assert_eq!(
        condition(&ranged, "Ready").unwrap().message,
        "pulled 'demo' chart with version '0.2.0'"
    );
    let artifact = ranged.status.unwrap().artifact.unwrap();
    assert_eq!(artifact.revision, "0.2.0");
    let stored = std::fs::read(running.served.dir.path().join(&artifact.path)).unwrap();
    assert_eq!(stored, pushed, "the archive as helm pushed it");
    let newest = ready(&api, "newest", "True", |_| true).await;
    assert_eq!(newest.status.unwrap().artifact.unwrap().revision, "1.0.0");
    let prod = ready(&api, "prod", "True", |_| true).await;
    assert_eq!(
        condition(&prod, "Ready").unwrap().message,
        "packaged 'demo' chart with version '0.1.0+1' and merged values files [values.yaml values-prod.yaml]"
    );
    let shown = charts
        .helm(&[
            "show",
            "values",
            &running
                .served
                .dir
                .path()
                .join(prod.status.unwrap().artifact.unwrap().path)
                .to_string_lossy(),
        ])
        .unwrap();
    assert!(shown.contains("replicaCount: 3"), "{shown}");

    let verified = ready(&api, "verified", "True", |_| true).await;
    let source_verified = condition(&verified, "SourceVerified").unwrap();
    assert_eq!(source_verified.status, ConditionStatus::True);
    assert_eq!(
        source_verified.message,
        "verified signature of version 0.2.0"
    );
    let wrong = ready(&api, "wrong-key", "False", |_| true).await;
    let source_verified = condition(&wrong, "SourceVerified").unwrap();
    assert_eq!(source_verified.status, ConditionStatus::False);
    assert_eq!(source_verified.reason, "ChartVerificationError");
    assert!(
        source_verified
            .message
            .contains("no matching signatures were found"),
        "{}",
        source_verified.message
    );
    assert!(wrong.status.unwrap().artifact.is_none());
    let missing = ready(&api, "missing", "False", |_| true).await;
    assert_eq!(
        condition(&missing, "Ready").unwrap().message,
        "invalid chart reference: failed to get chart version for remote reference: no match found for semver: >=5.0.0"
    );
    running.stop().await;
}
