use kube_patch::{PatchError, json_patch, merge_patch};
use serde_json::{Value, json};

fn apply(doc: Value, patch: Value) -> Result<Value, String> {
    json_patch(&doc, &patch).map_err(|e| e.to_string())
}

#[test]
fn all_six_operations() {
    let doc = json!({"a": {"b": [1, 2, 3]}, "c": "x"});
    let patch = json!([
        {"op": "add", "path": "/a/b/1", "value": 9},
        {"op": "remove", "path": "/a/b/0"},
        {"op": "replace", "path": "/c", "value": "y"},
        {"op": "copy", "from": "/c", "path": "/d"},
        {"op": "move", "from": "/d", "path": "/a/e"},
        {"op": "test", "path": "/a/b", "value": [9, 2, 3]},
        {"op": "add", "path": "/a/b/-", "value": 4},
    ]);
    assert_eq!(
        apply(doc, patch).unwrap(),
        json!({"a": {"b": [9, 2, 3, 4], "e": "y"}, "c": "y"})
    );
}

#[test]
fn pointer_escaping() {
    let doc = json!({"metadata": {"annotations": {}}});
    let patch = json!([
        {"op": "add", "path": "/metadata/annotations/example.com~1a~0b", "value": "v"},
    ]);
    assert_eq!(
        apply(doc, patch).unwrap(),
        json!({"metadata": {"annotations": {"example.com/a~b": "v"}}})
    );
    // "~01" is "~" then "1", not "/".
    let doc = json!({});
    let patch = json!([{"op": "add", "path": "/~01", "value": 1}]);
    assert_eq!(apply(doc, patch).unwrap(), json!({"~1": 1}));
}

#[test]
fn negative_indices_and_append() {
    let doc = json!({"l": [1, 2, 3]});
    let patch =
        json!([{"op": "remove", "path": "/l/-1"}, {"op": "add", "path": "/l/-1", "value": 7}]);
    // As in evanphx/json-patch, add at -1 counts from the end of the grown array: it appends.
    assert_eq!(apply(doc, patch).unwrap(), json!({"l": [1, 2, 7]}));
}

#[test]
fn replace_of_missing_object_key_adds_it() {
    // evanphx/json-patch v4 (used by kube-apiserver) does not check object keys on replace.
    let doc = json!({"metadata": {"labels": {}}});
    let patch = json!([{"op": "replace", "path": "/metadata/labels/app", "value": "x"}]);
    assert_eq!(
        apply(doc, patch).unwrap(),
        json!({"metadata": {"labels": {"app": "x"}}})
    );
}

#[test]
fn error_wording() {
    let doc = json!({"spec": {"replicas": 1, "l": [1]}});
    let cases = [
        (
            json!([{"op": "test", "path": "/spec/replicas", "value": 2}]),
            "testing value /spec/replicas failed: test failed",
        ),
        (
            json!([{"op": "add", "path": "/nope/x", "value": 2}]),
            "add operation does not apply: doc is missing path: \"/nope/x\": missing value",
        ),
        (
            json!([{"op": "remove", "path": "/spec/foo"}]),
            "error in remove for path: '/spec/foo': Unable to remove nonexistent key: foo: missing value",
        ),
        (
            json!([{"op": "remove", "path": "/spec/l/5"}]),
            "error in remove for path: '/spec/l/5': Unable to access invalid index: 5: invalid index referenced",
        ),
        (
            json!([{"op": "replace", "path": "/spec/l/3", "value": 1}]),
            "replace operation does not apply: doc is missing key: /spec/l/3: missing value",
        ),
        (
            json!([{"op": "add", "path": "/spec/l/x", "value": 1}]),
            "error in add for path: '/spec/l/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax",
        ),
        (
            json!([{"op": "move", "from": "/spec/x", "path": "/y"}]),
            "error in move for path: 'x': Unable to remove nonexistent key: x: missing value",
        ),
        (
            json!([{"op": "frob", "path": "/x"}]),
            "Unexpected kind: frob",
        ),
        (json!([{"path": "/x"}]), "Unexpected kind: unknown"),
        (
            json!([{"op": "add", "value": 1}]),
            "add operation failed to decode path: missing value",
        ),
        (
            json!([{"op": "test", "value": 1}]),
            "test operation failed to decode path: operation missing path field: missing value",
        ),
        (
            json!([{"op": "copy", "path": "/x"}]),
            "copy operation failed to decode from: operation, missing from field: missing value",
        ),
    ];
    for (patch, want) in cases {
        assert_eq!(
            apply(doc.clone(), patch.clone()).unwrap_err(),
            want,
            "{patch}"
        );
    }
}

#[test]
fn malformed_patch_is_bad_request() {
    let err = json_patch(&json!({}), &json!({"op": "add"})).unwrap_err();
    assert_eq!(
        err,
        PatchError::BadRequest(
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch".into()
        )
    );
    assert_eq!(err.status().code, 400);
    let err = json_patch(
        &json!({}),
        &json!([{"op": "test", "path": "/a", "value": 1}]),
    )
    .unwrap_err();
    let status = err.status();
    assert_eq!((status.code, status.reason), (422, "Invalid"));
    assert_eq!(
        status.message,
        "the server rejected our request due to an error in our request"
    );
}

#[test]
fn test_op_null_matches_missing() {
    let doc = json!({"a": null});
    assert!(
        apply(
            doc.clone(),
            json!([{"op": "test", "path": "/a", "value": null}])
        )
        .is_ok()
    );
    assert!(
        apply(
            doc.clone(),
            json!([{"op": "test", "path": "/b", "value": null}])
        )
        .is_ok()
    );
    assert!(apply(doc, json!([{"op": "test", "path": "/b", "value": 1}])).is_err());
}

#[test]
fn too_many_operations() {
    let ops: Vec<Value> = (0..10_001)
        .map(|_| json!({"op": "test", "path": "/a", "value": 1}))
        .collect();
    let err = json_patch(&json!({"a": 1}), &Value::Array(ops)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The allowed maximum operations in a JSON patch is 10000, got 10001"
    );
    assert_eq!(err.status().code, 413);
}

#[test]
fn copy_size_is_limited() {
    let big = "x".repeat(1024 * 1024);
    let patch = json!([
        {"op": "copy", "from": "/a", "path": "/b"},
        {"op": "copy", "from": "/a", "path": "/c"},
        {"op": "copy", "from": "/a", "path": "/d"},
    ]);
    let err = apply(json!({"a": big}), patch).unwrap_err();
    assert!(
        err.starts_with("Unable to complete the copy, the accumulated size increase of copy is "),
        "{err}"
    );
}

#[test]
fn merge_patch_rfc7386_examples() {
    let doc = json!({"title": "Goodbye!", "author": {"givenName": "John", "familyName": "Doe"}, "tags": ["example", "sample"], "content": "This will be unchanged"});
    let patch = json!({"title": "Hello!", "phoneNumber": "+01-123-456-7890", "author": {"familyName": null}, "tags": ["example"]});
    assert_eq!(
        merge_patch(&doc, &patch).unwrap(),
        json!({"title": "Hello!", "author": {"givenName": "John"}, "tags": ["example"], "content": "This will be unchanged", "phoneNumber": "+01-123-456-7890"})
    );
    // Nulls inside a newly added object are dropped; a scalar is replaced by an object.
    assert_eq!(
        merge_patch(
            &json!({"a": 1}),
            &json!({"a": {"b": null, "c": 2}, "d": null})
        )
        .unwrap(),
        json!({"a": {"c": 2}})
    );
    assert_eq!(
        merge_patch(&json!({"a": 1}), &json!([1]))
            .unwrap_err()
            .to_string(),
        "Invalid JSON Patch"
    );
}

#[test]
fn absurdly_deep_values_are_refused_not_recursed() {
    let mut deep = json!(1);
    for _ in 0..5000 {
        let mut m = serde_json::Map::new();
        m.insert("a".to_string(), deep);
        deep = Value::Object(m);
    }
    assert!(merge_patch(&json!({}), &deep).is_err());
    assert_eq!(
        json_patch(&deep, &json!([])).unwrap_err().to_string(),
        "exceeded max depth"
    );
    assert!(kube_patch::strategic_merge_patch("", "v1", "ConfigMap", &json!({}), &deep).is_err());
    let types = kube_patch::ssa::TypeInfo::default();
    let opts = kube_patch::ssa::ApplyOptions {
        manager: "m",
        force: false,
        api_version: "v1",
        now: "2024-01-01T00:00:00Z",
        subresource: None,
    };
    assert!(kube_patch::ssa::apply(None, &deep, &types, &opts).is_err());
    // Returned untouched (too deep to record); serde_json's own drop of such a value is
    // recursive, so dismantle it iteratively.
    let mut cur = kube_patch::ssa::record_update(None, deep, &types, &opts);
    while let Value::Object(mut m) = cur {
        cur = m.remove("a").unwrap_or(Value::Null);
    }
}
