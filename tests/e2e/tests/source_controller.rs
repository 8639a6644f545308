//! source-controller as a process: `kubectl apply` a GitRepository to the cluster (the API
//! emulator, or the real control plane with FLUX_RS_CLUSTER=real), the controller clones from a real git server, the artifact is downloaded over HTTP
//! from the controller's file server and its digest checked; status and printer columns are as
//! Flux's docs show them; deleting the object removes its artifacts.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;
use testkit::git_server::{GitServer, GitServerOptions};
use testkit::processes::{Cluster, condition};

/// GET over plain HTTP/1.1 with std only: (status code, body).
fn http_get(url: &str) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = TcpStream::connect(host).unwrap_or_else(|e| panic!("connect {host}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP header end");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let body = response[split + 4..].to_vec();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "the file server sends a Content-Length"
    );
    (status, body)
}

/// `sha256sum` of bytes, as a user would check a download.
fn sha256sum(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum (coreutils) runs");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_gitrepository_applied_with_kubectl_is_served_as_an_artifact() {
    let server = GitServer::start_with(GitServerOptions::default())
        .unwrap_or_else(|e| panic!("git server ({e}); run scripts/setup/git-server.sh"));
    server.create_repo("podinfo").unwrap();
    let wt = server.work_tree("podinfo").unwrap();
    wt.write("kustomize/deployment.yaml", "kind: Deployment\n")
        .unwrap();
    wt.write(".github/workflows/test.yaml", "on: push\n")
        .unwrap();
    let hash = wt.commit("Deploy podinfo").unwrap();
    wt.push_refspec("HEAD:refs/heads/master").unwrap();

    let mut cluster = Cluster::start();
    let storage_addr = cluster.start_source_controller(&[]);
    let storage = cluster.dir().join("storage");
    cluster
        .kubectl()
        .ok(&["create", "namespace", "flux-system"]);
    let manifest = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  interval: 5m\n  url: {}\n  ref:\n    branch: master\n",
        server.http_url("podinfo")
    );
    let applied = cluster
        .kubectl()
        .run(&["apply", "-f", "-"], Some(&manifest));
    assert!(applied.success, "kubectl apply failed: {}", applied.stderr);
    let repo = cluster.wait_ready(
        "gitrepository",
        "flux-system",
        "podinfo",
        Duration::from_secs(120),
    );

    // Status as in Flux's docs.
    let artifact = &repo["status"]["artifact"];
    let revision = format!("master@sha1:{hash}");
    assert_eq!(artifact["revision"], revision.as_str());
    assert_eq!(
        artifact["path"],
        format!("gitrepository/flux-system/podinfo/{hash}.tar.gz").as_str()
    );
    let url = artifact["url"].as_str().expect("artifact URL").to_string();
    assert_eq!(
        url,
        format!("http://{storage_addr}/gitrepository/flux-system/podinfo/{hash}.tar.gz")
    );
    let ready = condition(&repo, "Ready").unwrap();
    assert_eq!(ready["reason"], "Succeeded");
    assert_eq!(
        ready["message"],
        format!("stored artifact for revision '{revision}'").as_str()
    );
    let in_storage = condition(&repo, "ArtifactInStorage").unwrap();
    assert_eq!(in_storage["status"], "True");
    assert!(
        repo["metadata"]["finalizers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "finalizers.fluxcd.io")
    );
    let columns = cluster
        .kubectl()
        .ok(&["get", "gitrepository", "podinfo", "-n", "flux-system"]);
    assert!(
        columns.contains("stored artifact for revision"),
        "{columns}"
    );

    // The artifact over HTTP, with the digest the status advertises.
    let (status, body) = http_get(&url);
    assert_eq!(status, 200);
    assert_eq!(
        artifact["digest"],
        format!("sha256:{}", sha256sum(&body)).as_str()
    );
    assert_eq!(artifact["size"], body.len() as u64);
    let (status, _) = http_get(&format!("http://{storage_addr}/../etc/passwd"));
    assert_ne!(status, 200);
    let (status, _) = http_get(&format!("http://{storage_addr}/"));
    assert_eq!(status, 200, "the readiness probe path answers");

    // The NewArtifact event, as `kubectl get events` shows it.
    let events = cluster.kubectl().ok(&[
        "get",
        "events",
        "-n",
        "flux-system",
        "--field-selector",
        "involvedObject.name=podinfo",
        "-o",
        "json",
    ]);
    let events: serde_json::Value = serde_json::from_str(&events).expect("events as JSON");
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["reason"] == "NewArtifact"
                && e["type"] == "Normal"
                && e["message"] == "stored artifact for commit 'Deploy podinfo'"),
        "{events:#}"
    );

    // Deleting the object removes its artifacts from storage.
    cluster.kubectl().ok(&[
        "delete",
        "gitrepository",
        "podinfo",
        "-n",
        "flux-system",
        "--timeout=60s",
    ]);
    let dir = storage.join("gitrepository/flux-system/podinfo");
    cluster.wait_for(
        "artifacts removed",
        Duration::from_secs(30),
        |_| (!dir.exists()).then_some(()),
        |_| format!("{} still exists", dir.display()),
    );
    let (status, _) = http_get(&url);
    assert_eq!(status, 404);
}

#[test]
fn a_helmrepository_and_a_helmchart_applied_with_kubectl_are_served_as_artifacts() {
    if testkit::chart_repo::helm_or_skip().is_none() {
        return;
    }
    let charts = testkit::chart_repo::ChartRepo::start(None).unwrap();
    charts.add_chart("podinfo", "6.5.0").unwrap();
    charts.add_chart("podinfo", "6.6.0").unwrap();
    let index = charts.index().unwrap();

    let mut cluster = Cluster::start();
    let storage_addr = cluster.start_source_controller(&[]);
    cluster
        .kubectl()
        .ok(&["create", "namespace", "flux-system"]);
    let manifest = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  interval: 5m\n  url: {}\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: registry\n  namespace: flux-system\nspec:\n  type: oci\n  interval: 5m\n  url: oci://127.0.0.1:5000/charts\n",
        charts.url()
    );
    let applied = cluster
        .kubectl()
        .run(&["apply", "-f", "-"], Some(&manifest));
    assert!(applied.success, "kubectl apply failed: {}", applied.stderr);
    let repo = cluster.wait_ready(
        "helmrepository",
        "flux-system",
        "podinfo",
        Duration::from_secs(120),
    );

    let revision = format!("sha256:{}", sha256sum(&index));
    let artifact = &repo["status"]["artifact"];
    assert_eq!(artifact["revision"], revision.as_str());
    let hex = revision.trim_start_matches("sha256:");
    assert_eq!(
        artifact["url"],
        format!("http://{storage_addr}/helmrepository/flux-system/podinfo/index-{hex}.yaml")
            .as_str()
    );
    assert_eq!(
        repo["status"]["url"],
        format!("http://{storage_addr}/helmrepository/flux-system/podinfo/index.yaml").as_str()
    );
    let ready = condition(&repo, "Ready").unwrap();
    assert_eq!(ready["reason"], "Succeeded");
    assert_eq!(
        ready["message"],
        format!("stored artifact: revision '{revision}'").as_str()
    );
    assert_eq!(repo["status"]["observedGeneration"], 1);

    // Printer columns: URL, AGE, READY, STATUS.
    let columns = cluster
        .kubectl()
        .ok(&["get", "helmrepository", "-n", "flux-system"]);
    let header: Vec<&str> = columns.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "URL", "AGE", "READY", "STATUS"],
        "{columns}"
    );
    let row = columns
        .lines()
        .find(|l| l.starts_with("podinfo "))
        .unwrap_or_else(|| panic!("{columns}"));
    assert!(
        row.contains(&charts.url()) && row.contains("True"),
        "{columns}"
    );
    assert!(
        row.contains("stored artifact: revision 'sha256:"),
        "{columns}"
    );

    // The stored index over HTTP: JSON, with the digest the status advertises.
    let url = artifact["url"].as_str().unwrap();
    let (status, body) = http_get(url);
    assert_eq!(status, 200);
    assert_eq!(
        artifact["digest"],
        format!("sha256:{}", sha256sum(&body)).as_str()
    );
    let stored: serde_json::Value = serde_json::from_slice(&body).expect("the index as JSON");
    assert_eq!(stored["entries"]["podinfo"][0]["version"], "6.6.0");
    let (status, linked) = http_get(repo["status"]["url"].as_str().unwrap());
    assert_eq!((status, linked), (200, body));

    // The oci HelmRepository is only data for HelmCharts: no finalizer, no status.
    let registry: serde_json::Value = serde_json::from_str(&cluster.kubectl().ok(&[
        "get",
        "helmrepository",
        "registry",
        "-n",
        "flux-system",
        "-o",
        "json",
    ]))
    .unwrap();
    assert!(registry["metadata"]["finalizers"].is_null(), "{registry:#}");
    assert!(
        registry["status"].is_null() || registry["status"] == serde_json::json!({}),
        "{registry:#}"
    );

    // A HelmChart from it: the packaged chart served with its digest.
    let chart_manifest = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  interval: 5m\n  chart: podinfo\n  version: '>=6.5.0 <6.6.0'\n  sourceRef:\n    kind: HelmRepository\n    name: podinfo\n";
    let applied = cluster
        .kubectl()
        .run(&["apply", "-f", "-"], Some(chart_manifest));
    assert!(applied.success, "kubectl apply failed: {}", applied.stderr);
    let chart = cluster.wait_ready(
        "helmchart",
        "flux-system",
        "podinfo",
        Duration::from_secs(120),
    );
    let chart_artifact = &chart["status"]["artifact"];
    assert_eq!(chart_artifact["revision"], "6.5.0");
    assert_eq!(
        condition(&chart, "Ready").unwrap()["message"],
        "pulled 'podinfo' chart with version '6.5.0'"
    );
    let (status, tgz) = http_get(chart_artifact["url"].as_str().unwrap());
    assert_eq!(status, 200);
    assert_eq!(
        chart_artifact["digest"],
        format!("sha256:{}", sha256sum(&tgz)).as_str()
    );
    assert_eq!(
        tgz,
        std::fs::read(charts.root().join("podinfo-6.5.0.tgz")).unwrap()
    );
    let columns = cluster
        .kubectl()
        .ok(&["get", "helmchart", "-n", "flux-system"]);
    let row = columns
        .lines()
        .find(|l| l.starts_with("podinfo "))
        .unwrap_or_else(|| panic!("{columns}"));
    assert!(
        row.contains("HelmRepository")
            && row.contains("pulled 'podinfo' chart with version '6.5.0'"),
        "{columns}"
    );

    cluster.kubectl().ok(&[
        "delete",
        "helmrepository",
        "podinfo",
        "-n",
        "flux-system",
        "--timeout=60s",
    ]);
    let (status, _) = http_get(url);
    assert_eq!(status, 404);
}

#[test]
fn an_ocirepository_applied_with_kubectl_is_served_as_an_artifact() {
    if !testkit::registry::installed_or_skip() {
        return;
    }
    let registry =
        testkit::registry::Registry::start(testkit::registry::RegistryOptions::default()).unwrap();
    let content = tempfile::tempdir().unwrap();
    std::fs::write(
        content.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n",
    )
    .unwrap();
    let digest = registry
        .push_artifact(
            "fleet/manifests",
            "6.6.0",
            content.path(),
            &[(
                "org.opencontainers.image.source",
                "https://example.com/fleet.git",
            )],
        )
        .unwrap();

    let mut cluster = Cluster::start();
    let storage_addr = cluster.start_source_controller(&[]);
    cluster
        .kubectl()
        .ok(&["create", "namespace", "flux-system"]);
    let manifest = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: manifests\n  namespace: flux-system\nspec:\n  interval: 5m\n  url: {}\n  insecure: true\n  ref:\n    semver: '>=6.0.0'\n",
        registry.url("fleet/manifests")
    );
    let applied = cluster
        .kubectl()
        .run(&["apply", "-f", "-"], Some(&manifest));
    assert!(applied.success, "kubectl apply failed: {}", applied.stderr);
    let repo = cluster.wait_ready(
        "ocirepository",
        "flux-system",
        "manifests",
        Duration::from_secs(120),
    );
    let artifact = &repo["status"]["artifact"];
    let revision = format!("6.6.0@{digest}");
    assert_eq!(artifact["revision"], revision.as_str());
    assert_eq!(
        artifact["url"],
        format!("http://{storage_addr}/ocirepository/flux-system/manifests/{digest}.tar.gz")
            .as_str()
    );
    assert_eq!(
        artifact["metadata"]["org.opencontainers.image.source"],
        "https://example.com/fleet.git"
    );
    assert_eq!(
        condition(&repo, "Ready").unwrap()["message"],
        format!("stored artifact for digest '{revision}'").as_str()
    );
    assert_eq!(repo["status"]["observedGeneration"], 1);
    let (status, body) = http_get(artifact["url"].as_str().unwrap());
    assert_eq!(status, 200);
    assert_eq!(
        artifact["digest"],
        format!("sha256:{}", sha256sum(&body)).as_str()
    );
    let (status, latest) = http_get(repo["status"]["url"].as_str().unwrap());
    assert_eq!((status, latest), (200, body));

    // Printer columns: URL, READY, STATUS, AGE.
    let columns = cluster
        .kubectl()
        .ok(&["get", "ocirepository", "-n", "flux-system"]);
    let header: Vec<&str> = columns.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "URL", "READY", "STATUS", "AGE"],
        "{columns}"
    );
    let row = columns
        .lines()
        .find(|l| l.starts_with("manifests "))
        .unwrap_or_else(|| panic!("{columns}"));
    assert!(
        row.contains(&registry.url("fleet/manifests")) && row.contains("True"),
        "{columns}"
    );
    assert!(row.contains("stored artifact for digest"), "{columns}");

    // Deleting it removes its artifacts and the finalizer lets it go.
    cluster.kubectl().ok(&[
        "delete",
        "ocirepository",
        "manifests",
        "-n",
        "flux-system",
        "--timeout=60s",
    ]);
    let (status, _) = http_get(artifact["url"].as_str().unwrap());
    assert_eq!(status, 404);
    cluster.assert_running();
}

#[test]
fn a_bucket_applied_with_kubectl_is_served_as_an_artifact() {
    if !testkit::object_store::installed_or_skip() {
        return;
    }
    let s3 = testkit::object_store::S3Server::seaweedfs().unwrap();
    s3.create_bucket("fleet").unwrap();
    s3.put(
        "fleet",
        "apps/cm.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n",
    )
    .unwrap();
    s3.put("fleet", "other/skip.yaml", b"kind: Namespace\n")
        .unwrap();

    let mut cluster = Cluster::start();
    let storage_addr = cluster.start_source_controller(&[]);
    cluster
        .kubectl()
        .ok(&["create", "namespace", "flux-system"]);
    cluster.kubectl().ok(&[
        "create",
        "secret",
        "generic",
        "s3-creds",
        "-n",
        "flux-system",
        &format!("--from-literal=accesskey={}", s3.access_key()),
        &format!("--from-literal=secretkey={}", s3.secret_key()),
    ]);
    let manifest = format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata:\n  name: fleet\n  namespace: flux-system\nspec:\n  interval: 5m\n  bucketName: fleet\n  endpoint: {}\n  insecure: true\n  prefix: apps/\n  secretRef:\n    name: s3-creds\n",
        s3.endpoint()
    );
    let applied = cluster
        .kubectl()
        .run(&["apply", "-f", "-"], Some(&manifest));
    assert!(applied.success, "kubectl apply failed: {}", applied.stderr);
    let bucket = cluster.wait_ready("bucket", "flux-system", "fleet", Duration::from_secs(120));
    let artifact = &bucket["status"]["artifact"];
    let revision = artifact["revision"].as_str().unwrap();
    assert!(revision.starts_with("sha256:"), "{bucket:#}");
    let hex = revision.trim_start_matches("sha256:");
    assert_eq!(
        artifact["url"],
        format!("http://{storage_addr}/bucket/flux-system/fleet/{hex}.tar.gz").as_str()
    );
    assert_eq!(
        condition(&bucket, "Ready").unwrap()["message"],
        format!("stored artifact: revision '{revision}'").as_str()
    );
    let (status, body) = http_get(artifact["url"].as_str().unwrap());
    assert_eq!(status, 200);
    assert_eq!(
        artifact["digest"],
        format!("sha256:{}", sha256sum(&body)).as_str()
    );

    // Printer columns: ENDPOINT, AGE, READY, STATUS.
    let columns = cluster
        .kubectl()
        .ok(&["get", "bucket", "-n", "flux-system"]);
    let header: Vec<&str> = columns.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["NAME", "ENDPOINT", "AGE", "READY", "STATUS"],
        "{columns}"
    );
    let row = columns
        .lines()
        .find(|l| l.starts_with("fleet "))
        .unwrap_or_else(|| panic!("{columns}"));
    assert!(
        row.contains(&s3.endpoint()) && row.contains("True"),
        "{columns}"
    );
    cluster.assert_running();
}
