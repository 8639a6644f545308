//! Prune through the inventory, and kstatus waits, against the cluster of `common::start` (the
//! kube-emulator with its workload simulator, or the real control plane with kwok).

mod common;

use std::time::Duration;

use common::*;
use flux_ssa::{Action, DeleteOptions, ObjMetadata, Status, WaitOptions, inventory};
use serde_json::json;

fn fast_wait(timeout_secs: u64) -> WaitOptions {
    WaitOptions {
        interval: Duration::from_millis(100),
        timeout: Duration::from_secs(timeout_secs),
        ..Default::default()
    }
}

#[tokio::test]
async fn prune_deletes_only_owned_and_enabled_stale_objects() {
    let env = start().await;
    let opts = flux_opts();
    let owned = |mut objs: Vec<serde_json::Value>| {
        env.manager
            .set_owner_labels(&mut objs, "app", "flux-system");
        objs
    };
    let keep = configmap("default", "keep", json!({}));
    let stale = configmap("default", "stale", json!({}));
    let protected = with_annotation(
        configmap("default", "protected", json!({})),
        "kustomize.toolkit.fluxcd.io/prune",
        "disabled",
    );
    let first = env
        .manager
        .apply_all_staged(owned(vec![keep.clone(), stale, protected]), &opts)
        .await
        .unwrap();
    let old_inv = inventory::from_change_set(&first);
    assert_eq!(old_inv.entries[0].id, "default_keep__ConfigMap");
    assert_eq!(old_inv.entries[0].v, "v1");

    // An object in the old inventory that someone else now owns (no owner labels).
    env.manager
        .apply_all_staged(vec![configmap("default", "foreign", json!({}))], &opts)
        .await
        .unwrap();
    let mut old_inv = old_inv;
    old_inv.entries.push(flux_api::kustomize::ResourceRef {
        id: "default_foreign__ConfigMap".into(),
        v: "v1".into(),
    });

    let second = env
        .manager
        .apply_all_staged(owned(vec![keep]), &opts)
        .await
        .unwrap();
    let new_inv = inventory::from_change_set(&second);
    let stale = inventory::diff(&old_inv, &new_inv).unwrap();
    assert_eq!(stale.len(), 3);

    let cs = env
        .manager
        .delete_all(
            stale,
            &DeleteOptions::flux(&env.manager, "app", "flux-system"),
        )
        .await
        .unwrap();
    assert_eq!(
        cs.to_string(),
        "ConfigMap/default/stale deleted\nConfigMap/default/protected skipped\nConfigMap/default/foreign skipped"
    );
    let exists = |name: &'static str| {
        let client = env.client.clone();
        async move {
            get(&client, "v1", "ConfigMap", "configmaps", "default", name)
                .await
                .is_some()
        }
    };
    assert!(!exists("stale").await);
    assert!(exists("protected").await);
    assert!(exists("foreign").await);
    assert!(exists("keep").await);

    // Deleting what is already gone reports it deleted.
    let gone = vec![flux_ssa::ObjRef {
        object: ObjMetadata::new("", "ConfigMap", "default", "stale"),
        version: "v1".into(),
    }];
    let cs = env
        .manager
        .delete_all(gone.clone(), &DeleteOptions::default())
        .await
        .unwrap();
    assert_eq!(cs.entries[0].action, Action::Deleted);
    env.manager
        .wait_for_set_termination(&cs, &fast_wait(5))
        .await
        .unwrap();

    // A kind the cluster does not serve fails the prune and names the object.
    let unknown = vec![flux_ssa::ObjRef {
        object: ObjMetadata::new("example.com", "Widget", "default", "w"),
        version: "v1".into(),
    }];
    let err = env
        .manager
        .delete_all(unknown, &DeleteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.change_set.entries[0].action, Action::Unknown);
    assert_eq!(
        err.to_string(),
        "delete failed, errors: Widget/default/w query failed: no matches for kind \"Widget\" in version \"example.com/v1\";"
    );
}

#[tokio::test]
async fn deployments_become_current() {
    let env = start().await;
    let opts = flux_opts();
    let cs = env
        .manager
        .apply_all_staged(
            vec![
                namespace("apps"),
                deployment("apps", "web", "nginx:1.27"),
                service("apps", "web"),
            ],
            &opts,
        )
        .await
        .unwrap();
    let set = cs.objects_without_skipped();
    env.manager
        .wait_for_set(&set, &fast_wait(30))
        .await
        .unwrap();
    let statuses = env.manager.poll_statuses(&set).await;
    let dep = statuses
        .iter()
        .find(|s| s.object.kind == "Deployment")
        .unwrap();
    assert_eq!(dep.status, Status::Current);
    assert_eq!(dep.message, "Deployment is available. Replicas: 1");
}

#[tokio::test]
async fn failing_rollout_fails_early_and_names_the_object() {
    let env = start().await;
    let opts = flux_opts();
    let mut failing = deployment("default", "broken", "nginx:fail");
    failing["spec"]["progressDeadlineSeconds"] = json!(1);
    let cs = env
        .manager
        .apply_all_staged(
            vec![failing, deployment("default", "fine", "nginx:1.27")],
            &opts,
        )
        .await
        .unwrap();
    let err = env
        .manager
        .wait_for_set(&cs.objects(), &fast_wait(60))
        .await
        .unwrap_err();
    assert!(!err.timed_out);
    assert_eq!(
        err.to_string(),
        "failed early due to stalled resources: [Deployment/default/broken status: 'Failed']"
    );
    assert_eq!(
        err.details(),
        "Deployment/default/broken: Failed: Progress deadline exceeded"
    );
}

#[tokio::test]
async fn not_ready_objects_time_out() {
    let env = start().await;
    let opts = flux_opts();
    let cs = env
        .manager
        .apply_all_staged(vec![deployment("default", "slow", "nginx:fail")], &opts)
        .await
        .unwrap();
    let mut set = cs.objects();
    set.push(ObjMetadata::new("", "ConfigMap", "default", "missing"));
    let err = env
        .manager
        .wait_for_set(&set, &fast_wait(2))
        .await
        .unwrap_err();
    assert!(err.timed_out);
    assert_eq!(
        err.to_string(),
        "timeout waiting for: [Deployment/default/slow status: 'InProgress', ConfigMap/default/missing status: 'NotFound']"
    );
    assert!(
        err.details().contains("Available: 0/1"),
        "{}",
        err.details()
    );

    // A Job with a TTL that is gone counts as done.
    let ttl_job = ObjMetadata::new("batch", "Job", "default", "migrate");
    let wait = WaitOptions {
        jobs_with_ttl: vec![ttl_job.clone()],
        ..fast_wait(2)
    };
    env.manager.wait_for_set(&[ttl_job], &wait).await.unwrap();
}
