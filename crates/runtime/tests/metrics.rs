//! Metrics and health probes, scraped over real HTTP, with Flux's names and labels.

use flux_runtime::metrics::{Metrics, ObjectLabels, ReconcileResult};
use flux_runtime::server::{Readiness, parse_listen_addr, serve_health, serve_metrics};

fn podinfo() -> ObjectLabels {
    ObjectLabels {
        kind: "GitRepository".into(),
        name: "podinfo".into(),
        namespace: "flux-system".into(),
    }
}

async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.expect("server answers");
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_are_scraped_with_fluxs_names_and_labels() {
    let metrics = Metrics::new();
    let (addr, _task) = serve_metrics("127.0.0.1:0", metrics.clone()).await.unwrap();
    metrics.record_reconcile("gitrepository", &podinfo(), 0.2, ReconcileResult::Success);
    metrics.record_reconcile("gitrepository", &podinfo(), 0.3, ReconcileResult::Error);
    metrics.record_condition(&podinfo(), "Ready", "False");
    metrics.record_suspend(&podinfo(), true);
    let (status, body) = get(&format!("http://{addr}/metrics")).await;
    assert_eq!(status, 200);
    let expected = [
        r#"gotk_reconcile_duration_seconds_count{kind="GitRepository",name="podinfo",namespace="flux-system"} 2"#,
        r#"gotk_reconcile_duration_seconds_bucket{le="0.01",kind="GitRepository",name="podinfo",namespace="flux-system"} 0"#,
        r#"gotk_reconcile_duration_seconds_bucket{le="+Inf",kind="GitRepository",name="podinfo",namespace="flux-system"} 2"#,
        r#"controller_runtime_reconcile_total{controller="gitrepository",result="success"} 1"#,
        r#"controller_runtime_reconcile_total{controller="gitrepository",result="error"} 1"#,
        r#"controller_runtime_reconcile_errors_total{controller="gitrepository"} 1"#,
        r#"controller_runtime_reconcile_time_seconds_count{controller="gitrepository"} 2"#,
        r#"gotk_reconcile_condition{kind="GitRepository",name="podinfo",namespace="flux-system",type="Ready",status="False"} 1"#,
        r#"gotk_reconcile_condition{kind="GitRepository",name="podinfo",namespace="flux-system",type="Ready",status="True"} 0"#,
        r#"gotk_suspend_status{kind="GitRepository",name="podinfo",namespace="flux-system"} 1"#,
        "process_resident_memory_bytes ",
    ];
    // Flux's 10 exponential buckets from 10 ms to 30 minutes, plus +Inf.
    let buckets = body
        .lines()
        .filter(|l| l.starts_with("gotk_reconcile_duration_seconds_bucket{"))
        .count();
    assert_eq!(buckets, 11, "{body}");
    let missing: Vec<_> = expected
        .iter()
        .filter(|line| !body.contains(*line))
        .collect();
    assert!(missing.is_empty(), "missing {missing:#?} in:\n{body}");

    // A deleted object's series go away.
    metrics.forget(&podinfo());
    let (_, body) = get(&format!("http://{addr}/metrics")).await;
    assert!(
        !body.contains(r#"gotk_suspend_status{kind="GitRepository""#),
        "{body}"
    );
    assert!(
        !body.contains(r#"gotk_reconcile_condition{kind="GitRepository""#),
        "{body}"
    );
}

#[tokio::test]
async fn health_probes_follow_readiness() {
    let readiness = Readiness::default();
    let (addr, _task) = serve_health("127.0.0.1:0", readiness.clone())
        .await
        .unwrap();
    assert_eq!(get(&format!("http://{addr}/healthz")).await.0, 200);
    assert_eq!(get(&format!("http://{addr}/readyz")).await.0, 503);
    readiness.set_ready(true);
    assert_eq!(get(&format!("http://{addr}/readyz")).await.0, 200);
}

#[test]
fn listen_addresses_parse_as_go_writes_them() {
    assert_eq!(
        parse_listen_addr(":8080").unwrap().to_string(),
        "0.0.0.0:8080"
    );
    assert_eq!(
        parse_listen_addr("127.0.0.1:9440").unwrap().to_string(),
        "127.0.0.1:9440"
    );
    let err = parse_listen_addr("localhost").unwrap_err().to_string();
    assert!(
        err.starts_with("invalid listen address 'localhost'"),
        "{err}"
    );
}
