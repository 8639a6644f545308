//! Time of one authorization decision against 200 ClusterRoleBindings and 200
//! RoleBindings, for an allowed request (matched late) and a denied one.
//! Run: cargo bench -p kube-rbac --bench authorize

use std::time::Instant;

use kube_rbac::*;
use serde_json::{Value, json};

fn main() {
    let crbs: Vec<Value> = (0..200)
        .map(|i| {
            json!({"metadata": {"name": format!("crb{i}")},
            "roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": format!("user{i}")}]})
        })
        .collect();
    let rbs: Vec<Value> = (0..200)
        .map(|i| {
            json!({"metadata": {"name": format!("rb{i}"), "namespace": "apps"},
            "roleRef": {"kind": "ClusterRole", "name": "edit"},
            "subjects": [{"kind": "Group", "name": format!("team{i}")}]})
        })
        .collect();
    let objs = RbacObjects {
        cluster_role_bindings: &crbs,
        role_bindings: &rbs,
        ..Default::default()
    };
    let allowed_user = UserInfo::authenticated("bob", &["team199"]);
    let denied_user = UserInfo::authenticated("eve", &[]);
    let attrs = Attributes::resource("patch", "apps", "deployments", "apps").with_name("web");
    assert_eq!(authorize(&allowed_user, &attrs, &objs), Decision::Allow);
    assert_eq!(authorize(&denied_user, &attrs, &objs), Decision::Deny);
    for (name, user) in [
        ("allowed (last RoleBinding)", &allowed_user),
        ("denied", &denied_user),
    ] {
        let n = 20_000;
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(authorize(user, &attrs, &objs));
        }
        println!(
            "authorize {name}: {:.1} µs",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
}
