use kube_patch::{PatchError, strategic_merge_patch};
use serde_json::{Value, json};

fn deploy(doc: Value, patch: Value) -> Value {
    strategic_merge_patch("apps", "v1", "Deployment", &doc, &patch).unwrap()
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "patch-demo", "labels": {"app": "nginx"}, "finalizers": ["a", "b", "c"]},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "nginx"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {
                    "containers": [{
                        "name": "patch-demo-ctr", "image": "nginx",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        "ports": [{"containerPort": 80}],
                    }],
                    "tolerations": [{"effect": "NoSchedule", "key": "dedicated", "value": "test-team"}],
                }
            }
        }
    })
}

#[test]
fn containers_merge_by_name_tolerations_replace() {
    // The example of the Kubernetes docs "Update API Objects in Place Using kubectl patch".
    let patch = json!({"spec": {"template": {"spec": {
        "containers": [{"name": "patch-demo-ctr-2", "image": "redis"}],
        "tolerations": [{"effect": "NoSchedule", "key": "disktype", "value": "ssd"}],
    }}}});
    let out = deploy(deployment(), patch);
    let spec = &out["spec"]["template"]["spec"];
    assert_eq!(
        spec["containers"],
        json!([
            {"name": "patch-demo-ctr-2", "image": "redis"},
            {"name": "patch-demo-ctr", "image": "nginx",
             "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
             "ports": [{"containerPort": 80}]},
        ])
    );
    assert_eq!(
        spec["tolerations"],
        json!([{"effect": "NoSchedule", "key": "disktype", "value": "ssd"}])
    );
}

#[test]
fn nested_merge_env_by_name_ports_by_container_port_null_deletes() {
    let patch = json!({"spec": {"replicas": null, "template": {"spec": {"containers": [{
        "name": "patch-demo-ctr",
        "env": [{"name": "B", "value": "3"}, {"name": "C", "value": "4"}],
        "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}],
    }]}}}});
    let out = deploy(deployment(), patch);
    assert!(out["spec"].get("replicas").is_none());
    let c = &out["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["env"],
        json!([{"name": "A", "value": "1"}, {"name": "B", "value": "3"}, {"name": "C", "value": "4"}])
    );
    assert_eq!(
        c["ports"],
        json!([{"containerPort": 80, "name": "http"}, {"containerPort": 443}])
    );
}

#[test]
fn patch_delete_and_replace_directives() {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{
        "name": "patch-demo-ctr",
        "env": [{"name": "A", "$patch": "delete"}],
    }]}}}});
    let out = deploy(deployment(), patch);
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"][0]["env"],
        json!([{"name": "B", "value": "2"}])
    );

    let patch = json!({"spec": {"template": {"spec": {"containers": [
        {"name": "only", "image": "busybox"},
        {"$patch": "replace"},
    ]}}}});
    let out = deploy(deployment(), patch);
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"],
        json!([{"name": "only", "image": "busybox"}])
    );

    // $patch: replace on a map replaces the map; $patch: delete removes it.
    let patch = json!({"metadata": {"labels": {"x": "y", "$patch": "replace"}}});
    assert_eq!(
        deploy(deployment(), patch)["metadata"]["labels"],
        json!({"x": "y"})
    );
    let patch = json!({"spec": {"strategy": {"$patch": "delete"}}});
    assert_eq!(deploy(deployment(), patch)["spec"]["strategy"], json!({}));
}

#[test]
fn retain_keys_clears_unlisted_fields() {
    let patch = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
    assert_eq!(
        deploy(deployment(), patch)["spec"]["strategy"],
        json!({"type": "Recreate"})
    );
    let bad = json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}});
    let err = strategic_merge_patch("apps", "v1", "Deployment", &deployment(), &bad).unwrap_err();
    assert_eq!(err.to_string(), "invalid patch format of retainKeys");
    assert_eq!(err.status().code, 400);
}

#[test]
fn finalizers_merge_and_delete_from_primitive_list() {
    let patch = json!({"metadata": {"finalizers": ["d", "a"]}});
    assert_eq!(
        deploy(deployment(), patch)["metadata"]["finalizers"],
        json!(["d", "a", "b", "c"])
    );
    let patch = json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}});
    assert_eq!(
        deploy(deployment(), patch)["metadata"]["finalizers"],
        json!(["a", "c"])
    );
}

#[test]
fn set_element_order() {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{
        "name": "patch-demo-ctr",
        "$setElementOrder/env": [{"name": "B"}, {"name": "A"}],
    }]}}}});
    let out = deploy(deployment(), patch);
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"][0]["env"],
        json!([{"name": "B", "value": "2"}, {"name": "A", "value": "1"}])
    );
    // kubectl apply's patch: the order list, a changed item and an item to delete.
    let doc = json!({"metadata": {"finalizers": ["x", "y", "z"]}});
    let patch = json!({"metadata": {
        "$setElementOrder/finalizers": ["z", "x", "w"],
        "finalizers": ["w"],
        "$deleteFromPrimitiveList/finalizers": ["y"],
    }});
    let out = strategic_merge_patch("", "v1", "ConfigMap", &doc, &patch).unwrap();
    assert_eq!(out["metadata"]["finalizers"], json!(["z", "x", "w"]));
}

#[test]
fn service_ports_merge_by_port_and_owner_references_by_uid() {
    let svc = json!({"metadata": {"ownerReferences": [{"uid": "1", "name": "a"}]},
        "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}});
    let patch = json!({"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}]},
        "spec": {"ports": [{"port": 80, "targetPort": 9090}]}});
    let out = strategic_merge_patch("", "v1", "Service", &svc, &patch).unwrap();
    assert_eq!(
        out["spec"]["ports"],
        json!([{"port": 80, "targetPort": 9090}, {"port": 443}])
    );
    assert_eq!(
        out["metadata"]["ownerReferences"],
        json!([{"uid": "2", "name": "b"}, {"uid": "1", "name": "a"}])
    );
}

#[test]
fn custom_resources_are_unsupported_media_type() {
    let err = strategic_merge_patch(
        "source.toolkit.fluxcd.io",
        "v1",
        "GitRepository",
        &json!({}),
        &json!({}),
    )
    .unwrap_err();
    assert!(matches!(err, PatchError::UnsupportedKind { .. }));
    let status = err.status();
    assert_eq!((status.code, status.reason), (415, "UnsupportedMediaType"));
    assert_eq!(
        status.message,
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    );
}

#[test]
fn error_cases() {
    let cm = json!({"metadata": {"finalizers": ["x"]}, "data": {"a": "b"}});
    let err = |p: Value| {
        strategic_merge_patch("", "v1", "ConfigMap", &cm, &p)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(json!({"data": {"$patch": "frob"}})),
        "unknown patch type: frob in map: map[$patch:frob]"
    );
    assert_eq!(
        err(json!({"metadata": {"$deleteFromPrimitiveListfinalizers": ["x"]}})),
        "invalid patch format of primitive list"
    );
    let doc = json!({"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}});
    let e = strategic_merge_patch(
        "apps",
        "v1",
        "Deployment",
        &doc,
        &json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "map: map[image:x] does not contain declared merge key: name"
    );
    let doc = json!({"metadata": {"finalizers": ["a"]}});
    let e = strategic_merge_patch(
        "",
        "v1",
        "Pod",
        &doc,
        &json!({"metadata": {"finalizers": [["x"]]}}),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "list element types are not identical: [[a] [[x]]]"
    );
    assert_eq!(e.status().code, 500);
    let doc = json!({"metadata": {"finalizers": []}});
    let e = strategic_merge_patch(
        "",
        "v1",
        "Pod",
        &doc,
        &json!({"metadata": {"finalizers": [["x"]]}}),
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "lists of lists are not supported");
    assert_eq!(e.status().code, 422);
}

#[test]
fn pod_disruption_budget_selector_is_replaced_not_merged() {
    let pdb = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "minAvailable": 1}});
    let patch = json!({"spec": {"selector": {"matchLabels": {"b": "2"}}}});
    let out = strategic_merge_patch("policy", "v1", "PodDisruptionBudget", &pdb, &patch).unwrap();
    assert_eq!(out["spec"]["selector"], json!({"matchLabels": {"b": "2"}}));
    // A Deployment's selector has no strategy: it merges.
    let out = deploy(
        deployment(),
        json!({"spec": {"selector": {"matchLabels": {"b": "2"}}}}),
    );
    assert_eq!(
        out["spec"]["selector"],
        json!({"matchLabels": {"app": "nginx", "b": "2"}})
    );
}
