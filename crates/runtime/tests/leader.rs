//! Leader hand-over between two candidates on the API emulator.

use flux_runtime::leader::{LeaderElector, LeaseTimings};
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::Api;
use std::time::Duration;

fn timings() -> LeaseTimings {
    LeaseTimings {
        lease_duration: Duration::from_secs(2),
        renew_deadline: Duration::from_millis(1500),
        retry_period: Duration::from_millis(200),
    }
}

async fn holder(api: &Api<Lease>) -> Option<String> {
    api.get("source-controller-leader-election")
        .await
        .ok()?
        .spec?
        .holder_identity
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_takes_over_when_the_leader_dies_or_releases() {
    let emulator = kube_emulator::Emulator::start().await.expect("emulator");
    let client = emulator.client().await.expect("client");
    let leases: Api<Lease> = Api::namespaced(client.clone(), "default");
    let name = "source-controller-leader-election";

    let first = LeaderElector::new(client.clone(), "default", name, "pod-a", timings())
        .acquire()
        .await
        .unwrap();
    assert_eq!(holder(&leases).await.as_deref(), Some("pod-a"));

    // The standby waits while the leader renews.
    let standby = tokio::spawn(
        LeaderElector::new(client.clone(), "default", name, "pod-b", timings()).acquire(),
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !standby.is_finished(),
        "the standby must not lead while the leader renews"
    );
    assert_eq!(holder(&leases).await.as_deref(), Some("pod-a"));

    // The leader dies (stops renewing): the standby takes over within about one lease duration.
    first.abandon();
    let second = tokio::time::timeout(Duration::from_secs(10), standby)
        .await
        .expect("standby took over")
        .unwrap()
        .unwrap();
    assert_eq!(holder(&leases).await.as_deref(), Some("pod-b"));
    let lease = leases.get(name).await.unwrap();
    assert_eq!(lease.spec.unwrap().lease_transitions, Some(1));

    // A clean shutdown releases the lease: the next candidate gets it without waiting for expiry.
    let third = tokio::spawn(
        LeaderElector::new(client.clone(), "default", name, "pod-c", timings()).acquire(),
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!third.is_finished());
    assert!(!*second.lost.borrow());
    second.release().await;
    let third = tokio::time::timeout(Duration::from_secs(2), third)
        .await
        .expect("took over at once")
        .unwrap()
        .unwrap();
    assert_eq!(holder(&leases).await.as_deref(), Some("pod-c"));
    third.release().await;
    emulator.stop().await;
}
