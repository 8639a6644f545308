//! Normalisation of manifests before apply, and of objects before comparison (fluxcd/pkg
//! `ssa/normalize`), so the API server's defaults do not show up as drift.

use base64::Engine;
use serde_json::{Map, Value};

use crate::object::split_api_version;

/// Normalises every manifest (the kustomize-controller calls this before applying): container
/// and Service ports get the default `protocol: TCP`, Secret `stringData` is folded into `data`,
/// `status` is dropped (except from CRDs) and so is `metadata.creationTimestamp`. Roles and
/// ClusterRoles are left as they are, as in Flux.
pub fn normalize_objects(objects: &mut [Value]) {
    for o in objects {
        normalize_object(o);
    }
}

/// Normalises one manifest; see [`normalize_objects`].
pub fn normalize_object(obj: &mut Value) {
    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if api_version == "rbac.authorization.k8s.io/v1" && (kind == "Role" || kind == "ClusterRole") {
        return;
    }
    let (group, _) = split_api_version(&api_version);
    let pod_spec = match (group, kind.as_str()) {
        ("", "Pod") => Some("/spec"),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => {
            Some("/spec/template/spec")
        }
        ("batch", "CronJob") => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    };
    if let Some(p) = pod_spec
        && let Some(containers) = obj
            .pointer_mut(&format!("{p}/containers"))
            .and_then(Value::as_array_mut)
    {
        for c in containers {
            default_port_protocols(c.get_mut("ports"));
        }
    }
    if group.is_empty() && kind == "Service" {
        default_port_protocols(obj.pointer_mut("/spec/ports"));
    }
    if group.is_empty() && kind == "Secret" {
        fold_string_data(obj);
    }
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("creationTimestamp");
    }
    let is_crd = group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition";
    if !is_crd && let Some(m) = obj.as_object_mut() {
        m.remove("status");
    }
}

fn default_port_protocols(ports: Option<&mut Value>) {
    let Some(ports) = ports.and_then(Value::as_array_mut) else {
        return;
    };
    for p in ports {
        if let Some(p) = p.as_object_mut() {
            let empty = p
                .get("protocol")
                .is_none_or(|v| v.is_null() || v.as_str() == Some(""));
            if empty {
                p.insert("protocol".into(), Value::String("TCP".into()));
            }
        }
    }
}

fn fold_string_data(obj: &mut Value) {
    let Some(m) = obj.as_object_mut() else {
        return;
    };
    let Some(Value::Object(string_data)) = m.remove("stringData") else {
        return;
    };
    if string_data.is_empty() {
        return;
    }
    let data = m.entry("data").or_insert_with(|| Value::Object(Map::new()));
    if !data.is_object() {
        *data = Value::Object(Map::new());
    }
    if let Some(data) = data.as_object_mut() {
        for (k, v) in string_data {
            let text = v.as_str().unwrap_or_default();
            let encoded = base64::engine::general_purpose::STANDARD.encode(text);
            data.insert(k, Value::String(encoded));
        }
    }
}

/// The dry-run normalisation used when comparing objects: HorizontalPodAutoscaler metrics lose
/// duplicates and entries without a type, as the API server does on write.
pub(crate) fn for_comparison(obj: &mut Value) {
    if obj.get("kind").and_then(Value::as_str) != Some("HorizontalPodAutoscaler") {
        return;
    }
    let Some(metrics) = obj
        .pointer_mut("/spec/metrics")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    let mut kept: Vec<Value> = Vec::with_capacity(metrics.len());
    for m in metrics.drain(..) {
        let typed = m
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.is_empty());
        if typed && !kept.contains(&m) {
            kept.push(m);
        }
    }
    *metrics = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_and_folds_as_flux() {
        let mut objs = vec![
            json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","creationTimestamp":null},
                "spec":{"template":{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80},{"containerPort":53,"protocol":"UDP"}]}]}}},
                "status":{"replicas":1}}),
            json!({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80}]}}),
            json!({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"a":"YQ=="},"stringData":{"b":"b"}}),
            json!({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"x"},"status":{}}),
            json!({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","creationTimestamp":null}}),
        ];
        normalize_objects(&mut objs);
        assert_eq!(
            objs[0],
            json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},
                "spec":{"template":{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":53,"protocol":"UDP"}]}]}}}})
        );
        assert_eq!(objs[1]["spec"]["ports"][0]["protocol"], "TCP");
        assert_eq!(objs[2]["data"], json!({"a":"YQ==","b":"Yg=="}));
        assert!(objs[2].get("stringData").is_none());
        assert!(objs[3].get("status").is_some());
        assert!(objs[4]["metadata"].get("creationTimestamp").is_some());
    }

    #[test]
    fn hpa_metrics_deduplicated() {
        let m = json!({"type":"Resource","resource":{"name":"cpu"}});
        let mut hpa = json!({"kind":"HorizontalPodAutoscaler","spec":{"metrics":[m.clone(), m.clone(), {"resource":{}}]}});
        for_comparison(&mut hpa);
        assert_eq!(hpa["spec"]["metrics"], json!([m]));
    }
}
