//! HelmChart from a HelmRepository, both reconcilers under the runtime's harness, against a
//! chart repository that the real `helm package` and `helm repo index` made, behind basic auth:
//! the chart version picked as Flux picks it, the archive stored as served (and read back by the
//! real `helm show chart`), a new chart version in the index picked up through the repository
//! watch, values files merged into a repackaged chart (read back by the real helm), and Flux's
//! reasons for a missing chart, a missing values file, and a missing source.

mod common;

use common::{NS, condition, context, eventually, install_crd};
use flux_api::source::{HelmChart, HelmRepository};
use k8s_openapi::api::core::v1::{Event, Secret};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use sha2::Digest;
use source_controller::helmchart::{self, HelmChartReconciler};
use source_controller::helmrepository::HelmRepositoryReconciler;
use source_controller::storage::{DigestAlgorithm, Retention, Storage};
use std::sync::Arc;
use std::time::Duration;
use testkit::chart_repo::{ChartRepo, helm_or_skip};

fn ready_of(chart: &HelmChart) -> Option<flux_api::Condition> {
    condition(chart, "Ready")
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

fn helm_chart(name: &str, spec: serde_json::Value) -> HelmChart {
    let mut spec = spec;
    spec["interval"] = json!("1h");
    if spec.get("sourceRef").is_none() {
        spec["sourceRef"] = json!({"kind": "HelmRepository", "name": "charts"});
    }
    serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart",
        "metadata": {"name": name, "namespace": NS},
        "spec": spec,
    }))
    .unwrap()
}

/// Waits for Ready with `status` on chart `name`.
async fn ready(charts: &Api<HelmChart>, name: &str, status: &str) -> HelmChart {
    eventually(&format!("{name} Ready={status}"), || async {
        let chart = charts.get(name).await.ok()?;
        (format!("{:?}", ready_of(&chart)?.status) == status).then_some(chart)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_are_pulled_from_a_helm_repository_as_flux_pulls_them() {
    if helm_or_skip().is_none() {
        return;
    }
    let repo = ChartRepo::start(Some(("flux", "s3cret"))).unwrap();
    repo.add_chart("podinfo", "6.5.0").unwrap();
    let packaged = repo.add_chart("podinfo", "6.6.0").unwrap();
    repo.add_chart("podinfo", "7.0.0-rc.1").unwrap();
    repo.index().unwrap();

    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.expect("client");
    install_crd(&client, "HelmRepository").await;
    install_crd(&client, "HelmChart").await;
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
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let repositories = tokio::spawn(flux_runtime::reconcile::run_until::<HelmRepository, _, _>(
        HelmRepositoryReconciler::new(storage.clone(), 50 << 20),
        context(&client, "helmrepository"),
        stopped(stop_rx.clone()),
    ));
    let chart_controller = tokio::spawn(
        flux_runtime::reconcile::run_with_watches::<HelmChart, _, _>(
            HelmChartReconciler::new(storage.clone(), 10 << 20),
            context(&client, "helmchart"),
            stopped(stop_rx),
            helmchart::watches(),
        ),
    );

    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "creds", "namespace": NS},
        "stringData": {"username": "flux", "password": "s3cret"},
    }))
    .unwrap();
    Api::<Secret>::namespaced(client.clone(), NS)
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    let charts: Api<HelmChart> = Api::namespaced(client.clone(), NS);
    // Created before its repository: it waits for the index.
    charts
        .create(
            &PostParams::default(),
            &helm_chart("podinfo", json!({"chart": "podinfo", "version": "6.x"})),
        )
        .await
        .unwrap();
    let waiting = ready(&charts, "podinfo", "False").await;
    assert_eq!(ready_of(&waiting).unwrap().reason, "SourceUnavailable");
    let repositories_api: Api<HelmRepository> = Api::namespaced(client.clone(), NS);
    let helm_repository: HelmRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
        "metadata": {"name": "charts", "namespace": NS},
        "spec": {"url": repo.url(), "interval": "1h", "secretRef": {"name": "creds"}}
    }))
    .unwrap();
    repositories_api
        .create(&PostParams::default(), &helm_repository)
        .await
        .unwrap();

    // The newest 6.x, stored as the repository served it.
    let pulled = ready(&charts, "podinfo", "True").await;
    let ready_condition = ready_of(&pulled).unwrap();
    assert_eq!(ready_condition.reason, "ChartPullSucceeded");
    assert_eq!(
        ready_condition.message,
        "pulled 'podinfo' chart with version '6.6.0'"
    );
    let status = pulled.status.clone().unwrap();
    let artifact = status.artifact.clone().unwrap();
    assert_eq!(artifact.revision, "6.6.0");
    assert_eq!(artifact.path, "helmchart/default/podinfo/podinfo-6.6.0.tgz");
    let served = std::fs::read(&packaged).unwrap();
    assert_eq!(artifact.digest, sha256(&served));
    assert_eq!(status.observed_chart_name.as_deref(), Some("podinfo"));
    let repo_revision = repositories_api
        .get("charts")
        .await
        .unwrap()
        .status
        .unwrap()
        .artifact
        .unwrap()
        .revision;
    assert_eq!(
        status.observed_source_artifact_revision.as_deref(),
        Some(repo_revision.as_str())
    );
    assert_eq!(
        status.url.as_deref(),
        Some("http://localhost:9090/helmchart/default/podinfo/latest.tar.gz")
    );
    let stored = storage_dir.path().join(&artifact.path);
    let shown = repo
        .helm(&["show", "chart", &stored.to_string_lossy()])
        .unwrap();
    assert!(
        shown.contains("name: podinfo") && shown.contains("version: 6.6.0"),
        "{shown}"
    );
    let events: Api<Event> = Api::namespaced(client.clone(), NS);
    eventually("a ChartPullSucceeded event", || async {
        let list = events.list(&ListParams::default()).await.ok()?;
        list.items.into_iter().find(|e| {
            e.reason.as_deref() == Some("ChartPullSucceeded")
                && e.message.as_deref() == Some("pulled 'podinfo' chart with version '6.6.0'")
        })
    })
    .await;

    // `*` leaves the release candidate out; an exact version takes it.
    for (name, version, expected) in [("latest", "*", "6.6.0"), ("rc", "7.0.0-rc.1", "7.0.0-rc.1")]
    {
        charts
            .create(
                &PostParams::default(),
                &helm_chart(name, json!({"chart": "podinfo", "version": version})),
            )
            .await
            .unwrap();
        let chart = ready(&charts, name, "True").await;
        assert_eq!(chart.status.unwrap().artifact.unwrap().revision, expected);
    }

    // A new version in the index: the repository's new artifact re-queues the chart.
    repo.add_chart_with(
        "podinfo",
        "6.7.0",
        &[(
            "values-prod.yaml",
            "replicaCount: 3\nresources:\n  limits:\n    cpu: 100m\n",
        )],
    )
    .unwrap();
    repo.index().unwrap();
    repositories_api
        .patch(
            "charts",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": "1"}}}),
            ),
        )
        .await
        .unwrap();
    eventually("podinfo 6.7.0", || async {
        let chart = charts.get("podinfo").await.ok()?;
        (chart.status?.artifact?.revision == "6.7.0").then_some(())
    })
    .await;

    // Flux's reasons for what cannot be built.
    let cases = [
        (
            "missing-chart",
            json!({"chart": "nothing-here"}),
            "InvalidChartReference",
            "invalid chart reference: failed to get chart version for remote reference: no chart name found",
        ),
        (
            "no-match",
            json!({"chart": "podinfo", "version": ">=9"}),
            "InvalidChartReference",
            "invalid chart reference: failed to get chart version for remote reference: no 'podinfo' chart with version matching '>=9' found",
        ),
        (
            "missing-values-file",
            json!({"chart": "podinfo", "valuesFiles": ["values.yaml", "absent.yaml"]}),
            "ValuesFilesError",
            "values files merge error: failed to merge chart values: no values file found at path 'absent.yaml'",
        ),
    ];
    for (name, spec, reason, message) in cases {
        charts
            .create(&PostParams::default(), &helm_chart(name, spec))
            .await
            .unwrap();
        let failed = ready(&charts, name, "False").await;
        let ready_condition = ready_of(&failed).unwrap();
        assert_eq!(
            (
                ready_condition.reason.as_str(),
                ready_condition.message.as_str()
            ),
            (reason, message),
            "{name}"
        );
        assert_eq!(
            condition(&failed, "Stalled").map(|c| c.reason),
            Some(reason.to_string()),
            "{name} is stalled"
        );
    }

    // Values files merged into the chart: repackaged, the version with the generation as
    // build metadata; the real helm reads the merged values from the artifact.
    charts
        .create(
            &PostParams::default(),
            &helm_chart(
                "prod",
                json!({"chart": "podinfo", "valuesFiles": ["values.yaml", "values-prod.yaml", "absent.yaml"], "ignoreMissingValuesFiles": true}),
            ),
        )
        .await
        .unwrap();
    let prod = ready(&charts, "prod", "True").await;
    let ready_condition = ready_of(&prod).unwrap();
    assert_eq!(ready_condition.reason, "ChartPackageSucceeded");
    assert_eq!(
        ready_condition.message,
        "packaged 'podinfo' chart with version '6.7.0+1' and merged values files [values.yaml values-prod.yaml]"
    );
    let status = prod.status.clone().unwrap();
    let artifact = status.artifact.unwrap();
    assert_eq!(artifact.revision, "6.7.0+1");
    assert_eq!(artifact.path, "helmchart/default/prod/podinfo-6.7.0+1.tgz");
    assert_eq!(
        status.observed_values_files,
        Some(vec![
            "values.yaml".to_string(),
            "values-prod.yaml".to_string()
        ])
    );
    let stored = storage_dir.path().join(&artifact.path);
    let values = repo
        .helm(&["show", "values", &stored.to_string_lossy()])
        .unwrap();
    // `helm show values` prints the file and a newline.
    assert_eq!(
        values.strip_suffix('\n'),
        Some("replicaCount: 3\nresources:\n  limits:\n    cpu: 100m\n")
    );
    let shown = repo
        .helm(&["show", "chart", &stored.to_string_lossy()])
        .unwrap();
    assert!(shown.contains("version: 6.7.0+1"), "{shown}");
    let rendered = repo
        .helm(&["template", "r1", &stored.to_string_lossy()])
        .unwrap();
    assert!(rendered.contains("replicas: \"3\""), "{rendered}");

    let _ = stop_tx.send(true);
    for task in [repositories, chart_controller] {
        tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("controller stops")
            .unwrap();
    }
}
