use kube_patch::ssa::{self, ApplyError, ApplyOptions, TypeInfo};
use serde_json::{Value, json};

const T1: &str = "2024-05-01T10:00:00Z";
const T2: &str = "2024-05-01T11:00:00Z";

fn opts<'a>(manager: &'a str, force: bool, now: &'a str) -> ApplyOptions<'a> {
    ApplyOptions {
        manager,
        force,
        api_version: "apps/v1",
        now,
        subresource: None,
    }
}

fn deployment_types() -> TypeInfo {
    TypeInfo::builtin("apps", "v1", "Deployment")
}

/// What `kubectl apply --server-side` sends for a small Deployment.
fn nginx(replicas: i64, image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "nginx", "namespace": "default", "labels": {"app": "nginx"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "nginx"}},
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{
                    "name": "nginx",
                    "image": image,
                    "ports": [{"containerPort": 80}]
                }]}
            }
        }
    })
}

fn managed(obj: &Value) -> &Vec<Value> {
    obj["metadata"]["managedFields"]
        .as_array()
        .expect("managedFields")
}

#[test]
fn kubectl_server_side_apply_of_a_deployment_records_fields_v1_exactly() {
    let out = ssa::apply(
        None,
        &nginx(2, "nginx:1.25"),
        &deployment_types(),
        &opts("kubectl", false, T1),
    )
    .unwrap();
    let entries = managed(&out);
    assert_eq!(entries.len(), 1);
    // Byte-for-byte what kube-apiserver stores (Go field order of ManagedFieldsEntry).
    assert_eq!(
        serde_json::to_string(&entries[0]).unwrap(),
        concat!(
            r#"{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":"#,
            r#"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"#,
            r#""f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}}"#
        )
    );
    // The object is the configuration (plus managedFields).
    let mut expected = nginx(2, "nginx:1.25");
    expected["metadata"]["managedFields"] = Value::Array(entries.clone());
    assert_eq!(out, expected);
}

fn created_by_client_side_apply() -> Value {
    // `kubectl apply` (client-side) creates with manager kubectl-client-side-apply (operation Update).
    let mut o = opts("kubectl-client-side-apply", false, T1);
    o.api_version = "apps/v1";
    ssa::record_update(None, nginx(2, "nginx:1.25"), &deployment_types(), &o)
}

#[test]
fn create_by_update_records_added_fields_with_dot_for_new_maps_and_lists() {
    let live = created_by_client_side_apply();
    let entries = managed(&live);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["manager"], "kubectl-client-side-apply");
    assert_eq!(entries[0]["operation"], "Update");
    assert_eq!(entries[0]["time"], T1);
    // `labels` and `ports` did not exist in the typed zero object: they are members (".");
    // `spec`, `template` and `containers` always exist in a typed Deployment: they are not.
    assert_eq!(
        entries[0]["fieldsV1"],
        json!({
            "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {
                "f:replicas": {},
                "f:selector": {},
                "f:template": {
                    "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {
                        ".": {},
                        "f:image": {},
                        "f:name": {},
                        "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {
                            ".": {}, "f:containerPort": {}
                        }},
                        "f:resources": {}
                    }}}
                }
            }
        })
    );
}

#[test]
fn conflict_with_client_side_apply_is_worded_like_the_apiserver() {
    let live = created_by_client_side_apply();
    let err = ssa::apply(
        Some(&live),
        &nginx(3, "nginx:1.25"),
        &deployment_types(),
        &opts("kubectl", false, T2),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#
    );
    assert_eq!(err.code(), 409);
    let ApplyError::Conflicts(c) = err else {
        panic!()
    };
    assert_eq!(c[0].manager, "kubectl-client-side-apply");
    assert_eq!(c[0].path, ".spec.replicas");
    assert_eq!(
        c[0].message,
        r#"conflict with "kubectl-client-side-apply" using apps/v1"#
    );
}

#[test]
fn several_conflicts_are_grouped_by_manager() {
    let live = created_by_client_side_apply();
    let err = ssa::apply(
        Some(&live),
        &nginx(3, "nginx:1.26"),
        &deployment_types(),
        &opts("kubectl", false, T2),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image"
    );
}

#[test]
fn conflicts_with_two_managers_are_sorted_and_apply_managers_print_without_version() {
    let types = deployment_types();
    let a = ssa::apply(
        None,
        &nginx(2, "nginx:1.25"),
        &types,
        &opts("alpha", false, T1),
    )
    .unwrap();
    let only_image = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx", "namespace": "default"},
        "spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}});
    let b = ssa::apply(Some(&a), &only_image, &types, &opts("beta", false, T1)).unwrap();
    let err = ssa::apply(
        Some(&b),
        &nginx(5, "nginx:2"),
        &types,
        &opts("gamma", false, T2),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 3 conflicts: conflicts with \"alpha\":\n- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image\nconflicts with \"beta\":\n- .spec.template.spec.containers[name=\"nginx\"].image"
    );
}

#[test]
fn force_takes_ownership() {
    let live = created_by_client_side_apply();
    let out = ssa::apply(
        Some(&live),
        &nginx(3, "nginx:1.25"),
        &deployment_types(),
        &opts("kubectl", true, T2),
    )
    .unwrap();
    assert_eq!(out["spec"]["replicas"], 3);
    let entries = managed(&out);
    assert_eq!(entries.len(), 2);
    // Apply entries sort before Update entries.
    assert_eq!(entries[0]["manager"], "kubectl");
    assert_eq!(entries[0]["time"], T2);
    assert_eq!(entries[1]["manager"], "kubectl-client-side-apply");
    assert!(entries[1]["fieldsV1"]["f:spec"].get("f:replicas").is_none());
    assert!(entries[0]["fieldsV1"]["f:spec"].get("f:replicas").is_some());
    // Without force, a later apply by the old owner now conflicts the other way round.
    let err = ssa::apply(
        Some(&out),
        &nginx(4, "nginx:1.25"),
        &deployment_types(),
        &opts("other", false, T2),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas"#
    );
}

#[test]
fn same_value_is_shared_ownership_not_a_conflict() {
    let live = created_by_client_side_apply();
    let out = ssa::apply(
        Some(&live),
        &nginx(2, "nginx:1.25"),
        &deployment_types(),
        &opts("kubectl", false, T2),
    )
    .unwrap();
    let entries = managed(&out);
    assert!(entries[0]["fieldsV1"]["f:spec"].get("f:replicas").is_some());
    assert!(entries[1]["fieldsV1"]["f:spec"].get("f:replicas").is_some());
    // A no-op apply keeps the object and gives the new manager no time.
    assert!(entries[0].get("time").is_none());
}

#[test]
fn fields_no_longer_applied_are_removed_unless_owned_by_others() {
    let types = deployment_types();
    let mut first = nginx(2, "nginx:1.25");
    first["metadata"]["labels"]["team"] = json!("a");
    first["spec"]["template"]["spec"]["containers"][0]["env"] =
        json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]);
    let live = ssa::apply(None, &first, &types, &opts("kubectl", false, T1)).unwrap();

    let mut second = nginx(2, "nginx:1.25");
    second["spec"]["template"]["spec"]["containers"][0]["env"] =
        json!([{"name": "B", "value": "2"}]);
    let out = ssa::apply(Some(&live), &second, &types, &opts("kubectl", false, T2)).unwrap();
    assert_eq!(out["metadata"]["labels"], json!({"app": "nginx"}));
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"][0]["env"],
        json!([{"name": "B", "value": "2"}])
    );
    assert_eq!(managed(&out).len(), 1);

    // Another manager co-owning the label keeps it.
    let co = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "nginx", "namespace": "default", "labels": {"team": "a"}}});
    let shared = ssa::apply(Some(&live), &co, &types, &opts("helper", false, T1)).unwrap();
    let out = ssa::apply(Some(&shared), &second, &types, &opts("kubectl", false, T2)).unwrap();
    assert_eq!(
        out["metadata"]["labels"],
        json!({"app": "nginx", "team": "a"})
    );
}

#[test]
fn managers_merge_per_manager_operation_and_subresource() {
    let types = deployment_types();
    let a = ssa::apply(
        None,
        &nginx(2, "nginx:1.25"),
        &types,
        &opts("kubectl", false, T1),
    )
    .unwrap();
    let b = ssa::apply(
        Some(&a),
        &nginx(3, "nginx:1.25"),
        &types,
        &opts("kubectl", false, T2),
    )
    .unwrap();
    let entries = managed(&b);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["time"], T2);

    // An Update by the same manager name is a separate entry, as is a status write.
    let mut changed = b.clone();
    changed["spec"]["paused"] = json!(true);
    let c = ssa::record_update(Some(&b), changed, &types, &opts("kubectl", false, T2));
    let mut status = c.clone();
    status["status"] = json!({"replicas": 3});
    let mut so = opts("kube-controller-manager", false, T2);
    so.subresource = Some("status");
    let d = ssa::record_update(Some(&c), status, &types, &so);
    let entries = managed(&d);
    assert_eq!(entries.len(), 3, "{entries:#?}");
    // Same operation and time: sorted by manager name.
    assert_eq!(entries[1]["manager"], "kube-controller-manager");
    assert_eq!(entries[1]["subresource"], "status");
    assert_eq!(
        entries[1]["fieldsV1"],
        json!({"f:status": {"f:replicas": {}}})
    );
    assert_eq!(entries[2]["manager"], "kubectl");
    assert_eq!(entries[2]["operation"], "Update");
    assert_eq!(entries[2]["fieldsV1"], json!({"f:spec": {"f:paused": {}}}));
}

#[test]
fn status_is_not_owned_through_the_main_resource() {
    let mut cfg = nginx(1, "x");
    cfg["status"] = json!({"replicas": 1});
    let out = ssa::apply(None, &cfg, &deployment_types(), &opts("kubectl", false, T1)).unwrap();
    assert!(managed(&out)[0]["fieldsV1"].get("f:status").is_none());
    // A ConfigMap has no status subresource: nothing is reset.
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}, "status": {"x": 1}});
    let mut o = opts("m", false, T1);
    o.api_version = "v1";
    let out = ssa::apply(None, &cm, &TypeInfo::builtin("", "v1", "ConfigMap"), &o).unwrap();
    assert_eq!(
        managed(&out)[0]["fieldsV1"],
        json!({"f:data": {"f:a": {}}, "f:status": {"f:x": {}}})
    );
}

#[test]
fn an_update_takes_ownership_of_what_it_changes() {
    let types = deployment_types();
    let live = ssa::apply(
        None,
        &nginx(2, "nginx:1.25"),
        &types,
        &opts("kubectl", false, T1),
    )
    .unwrap();
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(5);
    let out = ssa::record_update(Some(&live), scaled, &types, &opts("hpa", false, T2));
    let entries = managed(&out);
    assert_eq!(entries.len(), 2);
    assert!(entries[0]["fieldsV1"]["f:spec"].get("f:replicas").is_none());
    assert_eq!(entries[1]["manager"], "hpa");
    assert_eq!(
        entries[1]["fieldsV1"],
        json!({"f:spec": {"f:replicas": {}}})
    );
    // The applier now conflicts with the updater.
    let err = ssa::apply(
        Some(&out),
        &nginx(2, "nginx:1.25"),
        &types,
        &opts("kubectl", false, T2),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas"#
    );
}

fn crd_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "properties": {
                    "interval": {"type": "string"},
                    "items": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name", "port"],
                        "items": {"type": "object", "properties": {
                            "name": {"type": "string"},
                            "port": {"type": "integer", "default": 80},
                            "value": {"type": "string"}
                        }}
                    },
                    "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
                    "args": {"type": "array", "items": {"type": "string"}},
                    "selector": {"type": "object", "x-kubernetes-map-type": "atomic",
                        "additionalProperties": {"type": "string"}},
                    "values": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                }
            }
        }
    })
}

#[test]
fn custom_resource_list_types_from_openapi() {
    let types = TypeInfo::from_openapi_v3(&crd_schema());
    let cr = json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "finalizers": ["f"], "ownerReferences": [{"uid": "u1", "name": "o", "kind": "K", "apiVersion": "v1"}]},
        "spec": {
            "interval": "1m",
            "items": [{"name": "a", "value": "x"}, {"name": "b", "port": 81}],
            "tags": ["t1", "t2"],
            "args": ["--x"],
            "selector": {"k": "v"},
            "values": {"nested": {"deep": 1}}
        }
    });
    let mut o = opts("flux", false, T1);
    o.api_version = "example.com/v1";
    let out = ssa::apply(None, &cr, &types, &o).unwrap();
    assert_eq!(
        serde_json::to_string(&managed(&out)[0]["fieldsV1"]).unwrap(),
        concat!(
            r#"{"f:metadata":{"f:finalizers":{"v:\"f\"":{}},"f:ownerReferences":{"k:{\"uid\":\"u1\"}":{}}},"#,
            r#""f:spec":{"f:args":{},"f:interval":{},"f:items":{"k:{\"name\":\"a\",\"port\":80}":{".":{},"f:name":{},"f:value":{}},"#,
            r#""k:{\"name\":\"b\",\"port\":81}":{".":{},"f:name":{},"f:port":{}}},"f:selector":{},"f:tags":{"v:\"t1\"":{},"v:\"t2\"":{}},"#,
            r#""f:values":{"f:nested":{".":{},"f:deep":{}}}}}"#
        )
    );
}

#[test]
fn custom_resource_created_by_update_marks_new_spec_as_member() {
    let types = TypeInfo::from_openapi_v3(&crd_schema());
    let cr = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"interval": "1m"}});
    let mut o = opts("flux", false, T1);
    o.api_version = "example.com/v1";
    let out = ssa::record_update(None, cr, &types, &o);
    assert_eq!(
        managed(&out)[0]["fieldsV1"],
        json!({"f:spec": {".": {}, "f:interval": {}}})
    );
}

#[test]
fn set_and_map_lists_merge_atomic_lists_replace() {
    let types = TypeInfo::from_openapi_v3(&crd_schema());
    let mut o = opts("one", false, T1);
    o.api_version = "example.com/v1";
    let base = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"tags": ["a"], "args": ["x"], "items": [{"name": "a", "value": "1"}]}});
    let live = ssa::apply(None, &base, &types, &o).unwrap();
    let mut o2 = opts("two", false, T2);
    o2.api_version = "example.com/v1";
    let second = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"tags": ["b"], "items": [{"name": "b", "value": "2"}]}});
    let out = ssa::apply(Some(&live), &second, &types, &o2).unwrap();
    assert_eq!(out["spec"]["tags"], json!(["a", "b"]));
    assert_eq!(
        out["spec"]["items"],
        json!([{"name": "a", "value": "1"}, {"name": "b", "value": "2"}])
    );
    // An atomic list applied by another manager with a different value conflicts.
    let third = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"args": ["y"]}});
    let err = ssa::apply(Some(&out), &third, &types, &o2).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Apply failed with 1 conflict: conflict with "one": .spec.args"#
    );
}

#[test]
fn invalid_configurations() {
    let types = deployment_types();
    let mut dup = nginx(1, "x");
    dup["spec"]["template"]["spec"]["containers"] = json!([{"name": "a"}, {"name": "a"}]);
    let err = ssa::apply(None, &dup, &types, &opts("m", false, T1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"failed to create typed patch object (default/nginx; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]"#
    );
    let mut wrong = nginx(1, "x");
    wrong["apiVersion"] = json!("apps/v1beta1");
    let err = ssa::apply(None, &wrong, &types, &opts("m", false, T1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1"
    );
    assert_eq!(err.code(), 400);
    let mut mf = nginx(1, "x");
    mf["metadata"]["managedFields"] = json!([]);
    assert_eq!(
        ssa::apply(None, &mf, &types, &opts("m", false, T1))
            .unwrap_err()
            .to_string(),
        "metadata.managedFields must be nil"
    );
}

#[test]
fn more_than_ten_updaters_fold_into_ancient_changes() {
    let types = TypeInfo::builtin("", "v1", "ConfigMap");
    let mut obj =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}});
    for i in 0..12 {
        let mut next = obj.clone();
        next["data"][format!("k{i}")] = json!("v");
        let now = format!("2024-05-01T10:00:{i:02}Z");
        let manager = format!("m{i:02}");
        let o = ApplyOptions {
            manager: &manager,
            force: false,
            api_version: "v1",
            now: &now,
            subresource: None,
        };
        obj = ssa::record_update(Some(&obj), next, &types, &o);
    }
    let entries = managed(&obj);
    assert_eq!(entries.len(), 10);
    assert_eq!(entries[0]["manager"], "ancient-changes");
    assert_eq!(
        entries[0]["fieldsV1"],
        json!({"f:data": {"f:k0": {}, "f:k1": {}, "f:k2": {}}})
    );
    assert_eq!(entries[0]["time"], "2024-05-01T10:00:02Z");
}

#[test]
fn env_value_from_key_selectors_are_atomic() {
    let mut cfg = nginx(1, "x");
    cfg["spec"]["template"]["spec"]["containers"][0]["env"] = json!([
        {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}
    ]);
    let out = ssa::apply(None, &cfg, &deployment_types(), &opts("m", false, T1)).unwrap();
    let c = &managed(&out)[0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"nginx\"}"];
    assert_eq!(
        c["f:env"],
        json!({"k:{\"name\":\"A\"}": {".": {}, "f:name": {}, "f:valueFrom": {"f:secretKeyRef": {}}}})
    );
}

/// `kubectl apply` (client-side) as kubectl sends it: the annotation holds the applied object.
fn client_side_applied(replicas: i64) -> Value {
    let cfg = nginx(replicas, "nginx:1.25");
    let mut obj = cfg.clone();
    obj["metadata"]["annotations"] = json!({
        "kubectl.kubernetes.io/last-applied-configuration": format!("{}\n", serde_json::to_string(&cfg).unwrap())
    });
    let o = opts("kubectl-client-side-apply", false, T1);
    ssa::record_update(None, obj, &deployment_types(), &o)
}

#[test]
fn kubectl_server_side_apply_after_client_side_apply_takes_over_unchanged_fields() {
    let live = client_side_applied(2);
    let out = ssa::apply(
        Some(&live),
        &nginx(3, "nginx:1.25"),
        &deployment_types(),
        &opts("kubectl", false, T2),
    )
    .expect("fields the last-applied annotation matches are not conflicts for kubectl");
    assert_eq!(out["spec"]["replicas"], 3);
    // The annotation now records what was applied server-side (Go JSON: sorted keys, newline).
    let ann = out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
        .as_str()
        .unwrap();
    assert!(ann.starts_with(r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"nginx"},"name":"nginx","namespace":"default"},"spec":{"replicas":3,"#), "{ann}");
    assert!(ann.ends_with("}\n"));
    // Another manager name gets the conflict.
    let err = ssa::apply(
        Some(&live),
        &nginx(3, "nginx:1.25"),
        &deployment_types(),
        &opts("other", false, T2),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("Apply failed with 1 conflict"));
}

#[test]
fn kubectl_still_conflicts_on_fields_changed_since_the_last_client_side_apply() {
    let live = client_side_applied(2);
    let mut scaled = live.clone();
    scaled["spec"]["replicas"] = json!(5);
    let scaled = ssa::record_update(
        Some(&live),
        scaled,
        &deployment_types(),
        &opts("kubectl-scale", false, T2),
    );
    let err = ssa::apply(
        Some(&scaled),
        &nginx(3, "nginx:1.25"),
        &deployment_types(),
        &opts("kubectl", false, T2),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas"#
    );
}

#[test]
fn untracked_objects_stay_untracked_by_updates_and_apply_meets_before_first_apply() {
    let types = deployment_types();
    let mut live = nginx(2, "nginx:1.25");
    live["metadata"]["uid"] = json!("u-1");
    // An update of an existing object without managedFields records nothing...
    let mut changed = live.clone();
    changed["spec"]["replicas"] = json!(4);
    let out = ssa::record_update(
        Some(&live),
        changed,
        &types,
        &opts("kubectl-edit", false, T1),
    );
    assert!(out["metadata"].get("managedFields").is_none());
    // ...and sending `managedFields: []` resets them for good.
    let tracked = ssa::record_update(None, live.clone(), &types, &opts("creator", false, T1));
    assert_eq!(managed(&tracked).len(), 1);
    let mut reset = tracked.clone();
    reset["metadata"]["managedFields"] = json!([]);
    reset["spec"]["replicas"] = json!(3);
    let out = ssa::record_update(
        Some(&tracked),
        reset,
        &types,
        &opts("kubectl-edit", false, T2),
    );
    assert!(out["metadata"].get("managedFields").is_none());

    // The first apply to such an object finds its fields owned by "before-first-apply".
    let err = ssa::apply(
        Some(&live),
        &nginx(3, "nginx:1.25"),
        &types,
        &opts("kubectl-x", false, T2),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas"#
    );
    let ok = ssa::apply(
        Some(&live),
        &nginx(2, "nginx:1.26"),
        &types,
        &opts("kubectl-x", true, T2),
    )
    .unwrap();
    let managers: Vec<&str> = managed(&ok)
        .iter()
        .map(|e| e["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers, vec!["kubectl-x", "before-first-apply"]);
}
