//! The structure every typed object of a built-in kind has even when empty: non-pointer structs
//! (`spec`, `template`, `strategy`, a container's `resources`, ...) and non-omitempty lists
//! (`containers`) are present. Comparing objects with this structure filled in reproduces which
//! paths the apiserver counts as added.

use serde_json::{Map, Value, json};

fn pod_template() -> Value {
    json!({"metadata": {}, "spec": {"containers": null}})
}

fn template_for(group: &str, kind: &str) -> Option<Value> {
    let t = pod_template();
    Some(match (group, kind) {
        ("apps", "Deployment") => json!({
            "metadata": {},
            "spec": {"selector": null, "template": t, "strategy": {}},
            "status": {}
        }),
        ("apps", "StatefulSet" | "DaemonSet") => json!({
            "metadata": {},
            "spec": {"selector": null, "template": t, "updateStrategy": {}},
            "status": {}
        }),
        ("apps", "ReplicaSet") => json!({
            "metadata": {}, "spec": {"selector": null, "template": t}, "status": {}
        }),
        ("batch", "Job") => json!({"metadata": {}, "spec": {"template": t}, "status": {}}),
        ("batch", "CronJob") => json!({
            "metadata": {},
            "spec": {"jobTemplate": {"metadata": {}, "spec": {"template": t}}},
            "status": {}
        }),
        ("", "Pod") => json!({"metadata": {}, "spec": {"containers": null}, "status": {}}),
        ("", "PodTemplate") => json!({"metadata": {}, "template": t}),
        ("", "Service") => json!({"metadata": {}, "spec": {}, "status": {"loadBalancer": {}}}),
        ("", "Namespace") => json!({"metadata": {}, "spec": {}, "status": {}}),
        ("", "PersistentVolumeClaim") => {
            json!({"metadata": {}, "spec": {"resources": {}}, "status": {}})
        }
        ("", "Event") => json!({"metadata": {}, "involvedObject": {}, "source": {}}),
        ("networking.k8s.io", "Ingress") => {
            json!({"metadata": {}, "spec": {}, "status": {"loadBalancer": {}}})
        }
        ("networking.k8s.io", "NetworkPolicy") => {
            json!({"metadata": {}, "spec": {"podSelector": {}}})
        }
        ("coordination.k8s.io", "Lease") => json!({"metadata": {}, "spec": {}}),
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => {
            json!({"metadata": {}, "rules": null})
        }
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            json!({"metadata": {}, "roleRef": {}})
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => json!({
            "metadata": {},
            "spec": {"names": {}, "versions": null},
            "status": {"acceptedNames": {}, "storedVersions": null}
        }),
        _ => json!({"metadata": {}}),
    })
}

/// Fills the zero-valued structure of a built-in kind into `obj` where it is missing.
pub(crate) fn fill(group: &str, kind: &str, obj: &mut Value) {
    if let Some(t) = template_for(group, kind) {
        fill_from(obj, &t, 0);
    }
    fill_containers(obj);
}

fn fill_from(obj: &mut Value, template: &Value, depth: usize) {
    if depth > 16 {
        return;
    }
    let (Value::Object(o), Value::Object(t)) = (obj, template) else {
        return;
    };
    for (k, tv) in t {
        match o.get_mut(k) {
            Some(ov) => fill_from(ov, tv, depth + 1),
            None => {
                o.insert(k.clone(), tv.clone());
            }
        }
    }
}

/// Every container of a pod spec has a `resources` struct.
fn fill_containers(obj: &mut Value) {
    let mut stack: Vec<(&mut Value, usize)> = vec![(obj, 0)];
    while let Some((v, depth)) = stack.pop() {
        if depth > 12 {
            continue;
        }
        let Value::Object(m) = v else { continue };
        for (k, child) in m.iter_mut() {
            match (k.as_str(), child) {
                ("containers" | "initContainers", Value::Array(items)) => {
                    for item in items.iter_mut() {
                        if let Value::Object(c) = item {
                            c.entry("resources")
                                .or_insert_with(|| Value::Object(Map::new()));
                        }
                    }
                }
                (_, child @ Value::Object(_)) => stack.push((child, depth + 1)),
                _ => {}
            }
        }
    }
}
