//! Cases ported from sigs.k8s.io/structured-merge-diff's merge tests (expected objects and
//! ownership as the upstream tests state them).

use kube_patch::ssa::{self, ApplyOptions, TypeInfo};
use serde_json::{Value, json};

fn types() -> TypeInfo {
    TypeInfo::from_openapi_v3(&json!({
        "type": "object",
        "properties": {
            "list": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "items": {"type": "array", "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {
                    "name": {"type": "string"}, "value": {"type": "integer"}}}}
        }
    }))
}

fn opts(manager: &str) -> ApplyOptions<'_> {
    ApplyOptions {
        manager,
        force: false,
        api_version: "v1",
        now: "2024-01-01T00:00:00Z",
        subresource: None,
    }
}

fn apply(live: Option<&Value>, cfg: Value, manager: &str) -> Value {
    ssa::apply(live, &cfg, &types(), &opts(manager)).unwrap()
}

fn update(live: &Value, mut new: Value, manager: &str) -> Value {
    new["metadata"] = live["metadata"].clone();
    ssa::record_update(Some(live), new, &types(), &opts(manager))
}

fn fields_of(obj: &Value, manager: &str) -> Value {
    obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["manager"] == manager)
        .map(|e| e["fieldsV1"].clone())
        .unwrap_or(Value::Null)
}

fn strip(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("metadata");
    v
}

#[test]
fn set_apply_update_apply_no_overlap() {
    let a = apply(None, json!({"list": ["a", "c"]}), "default");
    let b = update(&a, json!({"list": ["a", "b", "c", "d"]}), "controller");
    let c = apply(
        Some(&b),
        json!({"list": ["a", "aprime", "c", "cprime"]}),
        "default",
    );
    assert_eq!(
        strip(c.clone()),
        json!({"list": ["a", "b", "aprime", "c", "d", "cprime"]})
    );
    assert_eq!(
        fields_of(&c, "default"),
        json!({"f:list": {"v:\"a\"": {}, "v:\"aprime\"": {}, "v:\"c\"": {}, "v:\"cprime\"": {}}})
    );
    assert_eq!(
        fields_of(&c, "controller"),
        json!({"f:list": {"v:\"b\"": {}, "v:\"d\"": {}}})
    );
}

#[test]
fn set_apply_update_apply_with_overlap() {
    let a = apply(None, json!({"list": ["a", "c"]}), "default");
    let b = update(&a, json!({"list": ["a", "b", "c", "d"]}), "controller");
    let c = apply(Some(&b), json!({"list": ["a", "b", "c"]}), "default");
    assert_eq!(strip(c.clone()), json!({"list": ["a", "b", "c", "d"]}));
    assert_eq!(
        fields_of(&c, "default"),
        json!({"f:list": {"v:\"a\"": {}, "v:\"b\"": {}, "v:\"c\"": {}}})
    );
    assert_eq!(
        fields_of(&c, "controller"),
        json!({"f:list": {"v:\"b\"": {}, "v:\"d\"": {}}})
    );
}

#[test]
fn set_items_dropped_by_the_applier_are_removed() {
    let a = apply(None, json!({"list": ["a", "b", "c"]}), "default");
    let b = apply(Some(&a), json!({"list": ["a", "c"]}), "default");
    assert_eq!(strip(b), json!({"list": ["a", "c"]}));
}

#[test]
fn map_list_items_owned_by_another_applier_survive_removal() {
    let a = apply(
        None,
        json!({"items": [{"name": "x", "value": 1}, {"name": "y", "value": 2}]}),
        "one",
    );
    let b = apply(
        Some(&a),
        json!({"items": [{"name": "y", "value": 2}]}),
        "two",
    );
    let c = apply(
        Some(&b),
        json!({"items": [{"name": "x", "value": 1}]}),
        "one",
    );
    assert_eq!(
        strip(c.clone()),
        json!({"items": [{"name": "x", "value": 1}, {"name": "y", "value": 2}]})
    );
    let d = apply(Some(&c), json!({"items": []}), "two");
    assert_eq!(strip(d), json!({"items": [{"name": "x", "value": 1}]}));
}

fn nested_types() -> TypeInfo {
    TypeInfo::from_openapi_v3(&json!({
        "type": "object",
        "properties": {
            "listOfLists": {"type": "array", "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "value": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}}}},
            "struct": {"type": "object", "properties": {
                "name": {"type": "string"},
                "scalarField": {"type": "string"},
                "complexField": {"type": "object", "properties": {"name": {"type": "string"}}}}}
        }
    }))
}

fn n_apply(live: Option<&Value>, cfg: Value, manager: &str) -> Value {
    ssa::apply(live, &cfg, &nested_types(), &opts(manager)).unwrap()
}

fn n_update(live: &Value, mut new: Value, manager: &str) -> Value {
    new["metadata"] = live["metadata"].clone();
    ssa::record_update(Some(live), new, &nested_types(), &opts(manager))
}

fn managers(obj: &Value) -> Vec<String> {
    obj["metadata"]["managedFields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["manager"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn remove_one_keep_one_with_two_sub_items() {
    let a = n_apply(
        None,
        json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["c"]}]}),
        "apply-one",
    );
    let b = n_apply(
        Some(&a),
        json!({"listOfLists": [{"name": "b", "value": ["d"]}]}),
        "apply-two",
    );
    let c = n_apply(
        Some(&b),
        json!({"listOfLists": [{"name": "a"}]}),
        "apply-one",
    );
    assert_eq!(
        strip(c.clone()),
        json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["d"]}]})
    );
    assert_eq!(
        fields_of(&c, "apply-one"),
        json!({"f:listOfLists": {"k:{\"name\":\"a\"}": {".": {}, "f:name": {}}}})
    );
    assert_eq!(
        fields_of(&c, "apply-two"),
        json!({"f:listOfLists": {"k:{\"name\":\"b\"}": {".": {}, "f:name": {}, "f:value": {"v:\"d\"": {}}}}})
    );
}

#[test]
fn remove_one_keep_one_with_dangling_subitem() {
    let a = n_apply(
        None,
        json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["c"]}]}),
        "apply-one",
    );
    let b = n_apply(
        Some(&a),
        json!({"listOfLists": [{"name": "b", "value": ["d"]}]}),
        "apply-two",
    );
    let c = n_update(
        &b,
        json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["c", "d", "e"]}]}),
        "controller",
    );
    let d = n_apply(
        Some(&c),
        json!({"listOfLists": [{"name": "a"}]}),
        "apply-one",
    );
    assert_eq!(
        strip(d.clone()),
        json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["d", "e"]}]})
    );
    assert_eq!(
        fields_of(&d, "controller"),
        json!({"f:listOfLists": {"k:{\"name\":\"b\"}": {"f:value": {"v:\"e\"": {}}}}})
    );
}

#[test]
fn remove_one_with_dangling_subitem_keep_one() {
    let a = n_apply(
        None,
        json!({"listOfLists": [{"name": "a"}, {"name": "b", "value": ["c"]}]}),
        "apply-one",
    );
    let b = n_apply(
        Some(&a),
        json!({"listOfLists": [{"name": "a", "value": ["b"]}]}),
        "apply-two",
    );
    let c = n_update(
        &b,
        json!({"listOfLists": [{"name": "a", "value": ["b"]}, {"name": "b", "value": ["c", "d"]}]}),
        "controller",
    );
    let d = n_apply(
        Some(&c),
        json!({"listOfLists": [{"name": "a"}]}),
        "apply-one",
    );
    assert_eq!(
        strip(d.clone()),
        json!({"listOfLists": [{"name": "a", "value": ["b"]}]})
    );
    assert_eq!(managers(&d), vec!["apply-one", "apply-two"]);
}

#[test]
fn unset_complex_shared_with_applier_and_updater_claims_field() {
    let a = n_apply(
        None,
        json!({"struct": {"name": "a", "complexField": {"name": "b"}}}),
        "apply-one",
    );
    let b = n_apply(
        Some(&a),
        json!({"struct": {"complexField": {"name": "b"}}}),
        "apply-two",
    );
    let c = n_apply(Some(&b), json!({"struct": {"name": "a"}}), "apply-one");
    assert_eq!(
        strip(c.clone()),
        json!({"struct": {"name": "a", "complexField": {"name": "b"}}})
    );
    assert_eq!(
        fields_of(&c, "apply-one"),
        json!({"f:struct": {"f:name": {}}})
    );

    let a = n_apply(
        None,
        json!({"struct": {"name": "a", "scalarField": "a"}}),
        "applier",
    );
    let b = n_update(
        &a,
        json!({"struct": {"name": "a", "scalarField": "b"}}),
        "updater",
    );
    assert_eq!(
        fields_of(&b, "applier"),
        json!({"f:struct": {"f:name": {}}})
    );
    assert_eq!(
        fields_of(&b, "updater"),
        json!({"f:struct": {"f:scalarField": {}}})
    );
}

#[test]
fn multiple_appliers_recursive_map_deduced() {
    let t = TypeInfo::default();
    let ap =
        |live: Option<&Value>, cfg: Value, m: &str| ssa::apply(live, &cfg, &t, &opts(m)).unwrap();
    let up = |live: &Value, mut new: Value, m: &str| {
        new["metadata"] = live["metadata"].clone();
        ssa::record_update(Some(live), new, &t, &opts(m))
    };
    let s1 = ap(
        None,
        json!({"a": {"b": null}, "c": {"d": null}}),
        "apply-one",
    );
    let s2 = ap(Some(&s1), json!({"a": null, "c": {"d": null}}), "apply-two");
    let s3 = up(
        &s2,
        json!({"a": {"b": {"c": null}}, "c": {"d": {"e": null}}}),
        "controller-one",
    );
    let s4 = up(
        &s3,
        json!({"a": {"b": {"c": {"d": null}}}, "c": {"d": {"e": {"f": null}}}}),
        "controller-two",
    );
    let s5 = up(
        &s4,
        json!({"a": {"b": {"c": {"d": {"e": null}}}}, "c": {"d": {"e": {"f": {"g": null}}}}}),
        "controller-one",
    );
    let s6 = ap(Some(&s5), json!({}), "apply-one");
    assert_eq!(
        strip(s6.clone()),
        json!({"a": null, "c": {"d": {"e": {"f": {"g": null}}}}})
    );
    assert_eq!(
        managers(&s6),
        vec!["apply-two", "controller-one", "controller-two"]
    );
    assert_eq!(
        fields_of(&s6, "apply-two"),
        json!({"f:a": {}, "f:c": {".": {}, "f:d": {}}})
    );
    assert_eq!(
        fields_of(&s6, "controller-one"),
        json!({"f:c": {"f:d": {"f:e": {".": {}, "f:f": {"f:g": {}}}}}})
    );
    assert_eq!(
        fields_of(&s6, "controller-two"),
        json!({"f:c": {"f:d": {"f:e": {"f:f": {}}}}})
    );
}
