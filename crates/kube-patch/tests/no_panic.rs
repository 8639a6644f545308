//! Property-style checks: arbitrary JSON never makes any entry point panic, and a few laws hold.

use kube_patch::ssa::{self, ApplyOptions, TypeInfo};
use kube_patch::{json_patch, merge_patch, strategic_merge_patch};
use serde_json::{Map, Value, json};

/// xorshift64*: deterministic, dependency-free randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const KEYS: &[&str] = &[
    "metadata",
    "spec",
    "status",
    "name",
    "containers",
    "env",
    "ports",
    "containerPort",
    "protocol",
    "value",
    "labels",
    "finalizers",
    "template",
    "items",
    "tags",
    "$patch",
    "$retainKeys",
    "$setElementOrder/env",
    "$deleteFromPrimitiveList/finalizers",
    "selector",
    "replicas",
    "uid",
    "ownerReferences",
    "port",
    "a",
    "b",
    "~1",
    "apiVersion",
    "kind",
];

fn scalar(r: &mut Rng) -> Value {
    match r.below(7) {
        0 => Value::Null,
        1 => json!(r.below(2) == 0),
        2 => json!(r.below(100)),
        3 => json!(-(r.below(5) as i64)),
        4 => json!(1.5),
        5 => json!(r.pick(&["delete", "replace", "merge", "x", "TCP", "nginx"])),
        _ => json!(r.pick(KEYS)),
    }
}

fn value(r: &mut Rng, depth: u32) -> Value {
    if depth == 0 {
        return scalar(r);
    }
    match r.below(5) {
        0 | 1 => {
            let mut m = Map::new();
            for _ in 0..r.below(5) {
                m.insert(r.pick(KEYS).to_string(), value(r, depth - 1));
            }
            Value::Object(m)
        }
        2 => Value::Array((0..r.below(4)).map(|_| value(r, depth - 1)).collect()),
        _ => scalar(r),
    }
}

fn object(r: &mut Rng) -> Value {
    match value(r, 5) {
        v @ Value::Object(_) => v,
        other => json!({"spec": other}),
    }
}

fn pointer(r: &mut Rng) -> String {
    let mut p = String::new();
    for _ in 0..r.below(4) {
        p.push('/');
        p.push_str(r.pick(&[
            "spec", "metadata", "0", "1", "-", "-1", "name", "a~1b", "x", "99",
        ]));
    }
    p
}

fn json_patch_doc(r: &mut Rng) -> Value {
    let ops = ["add", "remove", "replace", "move", "copy", "test", "bogus"];
    Value::Array(
        (0..r.below(5))
            .map(|_| {
                let mut op = Map::new();
                op.insert("op".into(), json!(r.pick(&ops)));
                if r.below(6) != 0 {
                    op.insert("path".into(), json!(pointer(r)));
                }
                if r.below(2) == 0 {
                    op.insert("from".into(), json!(pointer(r)));
                }
                if r.below(3) != 0 {
                    op.insert("value".into(), value(r, 2));
                }
                Value::Object(op)
            })
            .collect(),
    )
}

const KINDS: &[(&str, &str)] = &[
    ("apps", "Deployment"),
    ("", "Pod"),
    ("", "Service"),
    ("", "ConfigMap"),
    ("batch", "CronJob"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
];

#[test]
fn no_entry_point_panics_on_arbitrary_json() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let crd = TypeInfo::from_openapi_v3(&json!({
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {
            "items": {"type": "array", "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"], "items": {"type": "object"}},
            "tags": {"type": "array", "x-kubernetes-list-type": "set"}
        }}}
    }));
    for i in 0..1500 {
        let doc = object(&mut r);
        let patch = object(&mut r);
        let _ = json_patch(&doc, &json_patch_doc(&mut r));
        let _ = json_patch(&doc, &value(&mut r, 3));
        let _ = merge_patch(&doc, &patch);
        let _ = merge_patch(&value(&mut r, 2), &value(&mut r, 2));
        let (group, kind) = KINDS[i % KINDS.len()];
        let _ = strategic_merge_patch(group, "v1", kind, &doc, &patch);
        let builtin = TypeInfo::builtin(group, "v1", kind);
        for types in [&builtin, &crd, &TypeInfo::default()] {
            let opts = ApplyOptions {
                manager: r.pick(&["a", "b", ""]),
                force: r.below(2) == 0,
                api_version: "v1",
                now: "2024-01-01T00:00:00Z",
                subresource: if r.below(4) == 0 {
                    Some("status")
                } else {
                    None
                },
            };
            let live = ssa::record_update(None, doc.clone(), types, &opts);
            let _ = ssa::apply(Some(&live), &patch, types, &opts);
            let _ = ssa::apply(None, &patch, types, &opts);
            let _ = ssa::record_update(Some(&live), patch.clone(), types, &opts);
            // Garbage managedFields must not panic either.
            let mut junk = doc.clone();
            junk["metadata"] = json!({"managedFields": value(&mut r, 4)});
            let _ = ssa::apply(Some(&junk), &patch, types, &opts);
            let _ = ssa::record_update(Some(&junk), patch.clone(), types, &opts);
        }
    }
}

#[test]
fn merge_patch_laws() {
    let mut r = Rng(42);
    for _ in 0..500 {
        let doc = object(&mut r);
        // The empty patch changes nothing (null values aside, which it never adds).
        assert_eq!(merge_patch(&doc, &json!({})).unwrap(), doc);
        // Applying the same patch twice is the same as once.
        let patch = object(&mut r);
        let once = merge_patch(&doc, &patch).unwrap();
        assert_eq!(merge_patch(&once, &patch).unwrap(), once);
    }
}

#[test]
fn an_apply_repeated_is_a_no_op() {
    let mut r = Rng(7);
    let types = TypeInfo::builtin("apps", "v1", "Deployment");
    for _ in 0..300 {
        let mut cfg = object(&mut r);
        cfg["apiVersion"] = json!("apps/v1");
        if let Some(m) = cfg.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
        }
        let opts = ApplyOptions {
            manager: "m",
            force: false,
            api_version: "apps/v1",
            now: "2024-01-01T00:00:00Z",
            subresource: None,
        };
        let Ok(first) = ssa::apply(None, &cfg, &types, &opts) else {
            continue;
        };
        let later = ApplyOptions {
            now: "2024-01-02T00:00:00Z",
            ..opts.clone()
        };
        let second = ssa::apply(Some(&first), &cfg, &types, &later).expect("re-apply");
        assert_eq!(second, first, "config {cfg}");
    }
}

/// Every leaf of the applied configuration is in the result (the configuration wins).
fn assert_contains(result: &Value, config: &Value, path: &str) {
    match config {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                if v.is_null() {
                    continue;
                }
                let r = result
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} missing in {result}"));
                assert_contains(r, v, &format!("{path}.{k}"));
            }
        }
        Value::Array(_) | Value::Object(_) => {}
        _ => assert_eq!(result, config, "at {path}"),
    }
}

#[test]
fn applied_values_win_and_an_unchanged_update_records_nothing() {
    let mut r = Rng(99);
    let types = TypeInfo::builtin("apps", "v1", "Deployment");
    let opts = ApplyOptions {
        manager: "m",
        force: true,
        api_version: "apps/v1",
        now: "2024-01-01T00:00:00Z",
        subresource: None,
    };
    for _ in 0..300 {
        let live = ssa::record_update(None, object(&mut r), &types, &opts);
        let mut cfg = object(&mut r);
        cfg["apiVersion"] = json!("apps/v1");
        if let Some(m) = cfg.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
        }
        // Status is reset through the main resource; compare the rest.
        if let Some(m) = cfg.as_object_mut() {
            m.remove("status");
        }
        let Ok(out) = ssa::apply(Some(&live), &cfg, &types, &opts) else {
            continue;
        };
        let mut cfg_meta_free = cfg.clone();
        if let Some(Value::Object(m)) = cfg_meta_free.get_mut("metadata") {
            m.remove("managedFields");
        }
        assert_contains(&out, &cfg_meta_free, "");
        let again = ssa::record_update(
            Some(&out),
            out.clone(),
            &types,
            &ApplyOptions {
                manager: "other",
                ..opts.clone()
            },
        );
        assert_eq!(
            again, out,
            "an update that changes nothing must not touch managedFields"
        );
    }
}
