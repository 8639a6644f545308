//! HelmChart from a GitRepository, the GitRepository, HelmRepository and HelmChart controllers
//! under the runtime's harness: a chart folder in a real git repository, with a `file://`
//! dependency from the same repository and one from a chart repository that the real
//! `helm package` and `helm repo index` made (behind basic auth, credentials from the
//! HelmRepository with that URL), values files from the repository's root, reconcileStrategy
//! Revision; the packaged artifact read back by the real `helm show chart` and `helm template`,
//! a new commit building a new version through the source watch.

mod common;

use common::{
    NS, ServedStorage, apply_secret, condition, context, eventually, git_server, install_crd,
};
use flux_api::source::{GitRepository, HelmChart, HelmRepository};
use kube::api::{Api, PostParams};
use serde_json::json;
use source_controller::gitrepository::GitRepositoryReconciler;
use source_controller::helmchart::{self, HelmChartReconciler};
use source_controller::helmrepository::HelmRepositoryReconciler;
use testkit::chart_repo::{ChartRepo, helm_or_skip};
use testkit::git_server::GitServerOptions;

const APP_CHART: &str = "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: lib\n    version: '>=1.0.0'\n    repository: file://../lib\n  - name: redis\n    version: '~7.0.0'\n    repository: REPO\n";

async fn ready_chart(api: &Api<HelmChart>, name: &str, check: impl Fn(&str) -> bool) -> HelmChart {
    eventually(&format!("{name} built"), || async {
        let chart = api.get(name).await.ok()?;
        let ready = condition(&chart, "Ready")?;
        (format!("{:?}", ready.status) == "True" && check(&ready.message)).then_some(chart)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_folder_in_git_is_packaged_with_its_dependencies() {
    let Some(_helm) = helm_or_skip() else {
        return;
    };
    let charts = ChartRepo::start(Some(("flux", "s3cret"))).unwrap();
    charts
        .add_chart_with(
            "redis",
            "7.0.3",
            &[(
                "templates/redis.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-{{ .Release.Name }}\n",
            )],
        )
        .unwrap();
    charts.add_chart("redis", "8.0.0").unwrap();
    charts.index().unwrap();

    let server = git_server(GitServerOptions::default());
    server.create_repo("fleet").unwrap();
    let wt = server.work_tree("fleet").unwrap();
    wt.write(
        "charts/app/Chart.yaml",
        APP_CHART.replace("REPO", &charts.url()),
    )
    .unwrap();
    wt.write("charts/app/values.yaml", "replicas: 1\nimage: app:1.0\n")
        .unwrap();
    wt.write(
        "charts/app/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  replicas: {{ .Values.replicas | quote }}\n  image: {{ .Values.image }}\n",
    )
    .unwrap();
    wt.write(
        "charts/lib/Chart.yaml",
        "apiVersion: v2\nname: lib\nversion: 1.2.0\n",
    )
    .unwrap();
    wt.write(
        "charts/lib/templates/lib.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lib\n",
    )
    .unwrap();
    wt.write("env/prod.yaml", "replicas: 3\n").unwrap();
    let first = wt.commit("chart").unwrap();
    wt.push_branch("main").unwrap();

    let emulator = kube_emulator::Emulator::start().await.unwrap();
    let client = emulator.client().await.unwrap();
    for kind in ["GitRepository", "HelmRepository", "HelmChart"] {
        install_crd(&client, kind).await;
    }
    let served = ServedStorage::start().await;
    let scratch = tempfile::tempdir().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let git = tokio::spawn(flux_runtime::reconcile::run_until::<GitRepository, _, _>(
        GitRepositoryReconciler::new(
            served.storage.clone(),
            &scratch.path().join("cache"),
            &scratch.path().join("work"),
        )
        .unwrap(),
        context(&client, "gitrepository"),
        stopped(stop_rx.clone()),
    ));
    let repos = tokio::spawn(flux_runtime::reconcile::run_until::<HelmRepository, _, _>(
        HelmRepositoryReconciler::new(served.storage.clone(), 50 << 20),
        context(&client, "helmrepository"),
        stopped(stop_rx.clone()),
    ));
    let chart_controller = tokio::spawn(
        flux_runtime::reconcile::run_with_watches::<HelmChart, _, _>(
            HelmChartReconciler::new(served.storage.clone(), 10 << 20),
            context(&client, "helmchart"),
            stopped(stop_rx.clone()),
            helmchart::watches(),
        ),
    );

    apply_secret(
        &client,
        "charts-auth",
        &[("username", "flux"), ("password", "s3cret")],
    )
    .await;
    let git_repo: GitRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": NS},
        "spec": {"url": server.http_url("fleet"), "interval": "1h", "ref": {"branch": "main"}},
    }))
    .unwrap();
    Api::<GitRepository>::namespaced(client.clone(), NS)
        .create(&PostParams::default(), &git_repo)
        .await
        .unwrap();
    // The dependency's repository: its credentials come from this object.
    let helm_repo: HelmRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
        "metadata": {"name": "charts", "namespace": NS},
        "spec": {"url": charts.url(), "interval": "1h", "secretRef": {"name": "charts-auth"}},
    }))
    .unwrap();
    Api::<HelmRepository>::namespaced(client.clone(), NS)
        .create(&PostParams::default(), &helm_repo)
        .await
        .unwrap();
    let chart: HelmChart = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart",
        "metadata": {"name": "app", "namespace": NS},
        "spec": {"chart": "./charts/app", "interval": "1h", "reconcileStrategy": "Revision",
                 "sourceRef": {"kind": "GitRepository", "name": "fleet"},
                 "valuesFiles": ["charts/app/values.yaml", "env/prod.yaml"]},
    }))
    .unwrap();
    let api: Api<HelmChart> = Api::namespaced(client.clone(), NS);
    api.create(&PostParams::default(), &chart).await.unwrap();

    let built = ready_chart(&api, "app", |_| true).await;
    let version = format!("0.1.0+{}.1", &first[..12]);
    let ready = condition(&built, "Ready").unwrap();
    assert_eq!(ready.reason, "ChartPackageSucceeded");
    assert_eq!(
        ready.message,
        format!(
            "packaged 'app' chart with version '{version}' and merged values files [charts/app/values.yaml env/prod.yaml]"
        )
    );
    let status = built.status.clone().unwrap();
    let artifact = status.artifact.unwrap();
    assert_eq!(artifact.revision, version);
    assert_eq!(
        status.observed_source_artifact_revision,
        Some(format!("main@sha1:{first}"))
    );
    let tgz = served.dir.path().join(&artifact.path);
    let path = tgz.to_string_lossy().to_string();
    // The real helm reads the packaged chart: its version, its dependencies, the merged values.
    let shown = charts.helm(&["show", "chart", &path]).unwrap();
    assert!(shown.contains(&format!("version: {version}")), "{shown}");
    let rendered = charts.helm(&["template", "demo", &path]).unwrap();
    assert!(rendered.contains("replicas: \"3\""), "{rendered}");
    assert!(rendered.contains("image: app:1.0"), "{rendered}");
    assert!(rendered.contains("name: lib"), "{rendered}");
    assert!(rendered.contains("name: redis-demo"), "{rendered}");

    // A new commit: the source watch builds the new revision.
    wt.write("env/prod.yaml", "replicas: 5\n").unwrap();
    let second = wt.commit("more replicas").unwrap();
    wt.push_branch("main").unwrap();
    Api::<GitRepository>::namespaced(client.clone(), NS)
        .patch(
            "fleet",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(
                json!({"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": "1"}}}),
            ),
        )
        .await
        .unwrap();
    let rebuilt = ready_chart(&api, "app", |m| m.contains(&second[..12])).await;
    let artifact = rebuilt.status.unwrap().artifact.unwrap();
    let rendered = charts
        .helm(&[
            "template",
            "demo",
            &served.dir.path().join(&artifact.path).to_string_lossy(),
        ])
        .unwrap();
    assert!(rendered.contains("replicas: \"5\""), "{rendered}");

    // A dependency that cannot be resolved is a DependencyBuildError.
    let broken: HelmChart = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart",
        "metadata": {"name": "missing", "namespace": NS},
        "spec": {"chart": "./charts/nowhere", "interval": "1h",
                 "sourceRef": {"kind": "GitRepository", "name": "fleet"}},
    }))
    .unwrap();
    api.create(&PostParams::default(), &broken).await.unwrap();
    let failed = eventually("missing fails", || async {
        let chart = api.get("missing").await.ok()?;
        let ready = condition(&chart, "Ready")?;
        (format!("{:?}", ready.status) == "False").then_some(ready)
    })
    .await;
    assert_eq!(failed.reason, "InvalidChartReference");
    assert_eq!(
        failed.message,
        "invalid chart reference: path './charts/nowhere' does not exist"
    );

    let _ = stop_tx.send(true);
    for task in [git, repos, chart_controller] {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(30), task).await;
    }
}
