//! Server-side printing: `meta.k8s.io/v1 Table` answers for `kubectl get`, with the columns of the
//! common built-in kinds and CRD additionalPrinterColumns.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::kinds::ResourceType;
use crate::server::Ctx;

/// kubectl's HumanDuration (k8s.io/apimachinery/pkg/util/duration).
pub fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = secs / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{}h", hours / 24, h)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{}d", hours / 24 / 365, dy)
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn age(ts: Option<&Value>) -> Value {
    let Some(s) = ts.and_then(Value::as_str) else {
        return json!("<unknown>");
    };
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => json!(human_duration(
            (chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_seconds()
        )),
        Err(_) => json!("<unknown>"),
    }
}

/// A small JSONPath subset: `.a.b`, `[0]`, `[*]`, `[?(@.k=="v")]` (what printer columns use).
pub fn jsonpath(obj: &Value, path: &str) -> Vec<Value> {
    let path = path.trim().trim_start_matches('{').trim_end_matches('}');
    let mut cur = vec![obj.clone()];
    let mut rest = path.trim_start_matches('$');
    let mut steps = 0;
    while !rest.is_empty() && steps < 64 {
        steps += 1;
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let field = &r[..end];
            cur = cur.iter().filter_map(|v| v.get(field).cloned()).collect();
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return vec![];
            };
            let inner = &r[..end];
            rest = &r[end + 1..];
            if inner == "*" {
                cur = cur
                    .iter()
                    .filter_map(Value::as_array)
                    .flatten()
                    .cloned()
                    .collect();
            } else if let Ok(i) = inner.parse::<usize>() {
                cur = cur.iter().filter_map(|v| v.get(i).cloned()).collect();
            } else if let Some(f) = inner.strip_prefix("?(@.").and_then(|f| f.strip_suffix(')')) {
                let Some((k, want)) = f.split_once("==") else {
                    return vec![];
                };
                let want = want.trim().trim_matches(|c| c == '"' || c == '\'');
                let k = k.trim();
                cur = cur
                    .iter()
                    .filter_map(Value::as_array)
                    .flatten()
                    .filter(|item| match item.get(k) {
                        Some(Value::String(s)) => s == want,
                        Some(other) => {
                            serde_json::from_str::<Value>(want).ok().as_ref() == Some(other)
                        }
                        None => false,
                    })
                    .cloned()
                    .collect();
            } else {
                return vec![];
            }
        } else {
            return vec![];
        }
    }
    cur
}

struct Column {
    name: &'static str,
    kind: &'static str,
    format: &'static str,
    description: &'static str,
}

const fn col(name: &'static str, kind: &'static str) -> Column {
    Column {
        name,
        kind,
        format: "",
        description: "",
    }
}

const NAME: Column = Column {
    name: "Name",
    kind: "string",
    format: "name",
    description: "Name must be unique within a namespace.",
};
const AGE: Column = Column {
    name: "Age",
    kind: "string",
    format: "",
    description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
};

fn builtin_columns(rt: &ResourceType) -> Vec<Column> {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "ConfigMap") => vec![NAME, col("Data", "integer"), AGE],
        ("", "Secret") => vec![NAME, col("Type", "string"), col("Data", "integer"), AGE],
        ("", "Namespace") => vec![NAME, col("Status", "string"), AGE],
        ("", "Pod") => vec![
            NAME,
            col("Ready", "string"),
            col("Status", "string"),
            col("Restarts", "string"),
            AGE,
        ],
        ("", "Service") => vec![
            NAME,
            col("Type", "string"),
            col("Cluster-IP", "string"),
            col("External-IP", "string"),
            col("Port(s)", "string"),
            AGE,
        ],
        ("", "ServiceAccount") => vec![NAME, col("Secrets", "integer"), AGE],
        ("apps", "Deployment") => vec![
            NAME,
            col("Ready", "string"),
            col("Up-to-date", "integer"),
            col("Available", "integer"),
            AGE,
        ],
        ("apps", "StatefulSet") => vec![NAME, col("Ready", "string"), AGE],
        ("apps", "ReplicaSet") => vec![
            NAME,
            col("Desired", "integer"),
            col("Current", "integer"),
            col("Ready", "integer"),
            AGE,
        ],
        ("apps", "DaemonSet") => vec![
            NAME,
            col("Desired", "integer"),
            col("Current", "integer"),
            col("Ready", "integer"),
            col("Up-to-date", "integer"),
            col("Available", "integer"),
            AGE,
        ],
        ("batch", "Job") => vec![
            NAME,
            col("Status", "string"),
            col("Completions", "string"),
            AGE,
        ],
        ("coordination.k8s.io", "Lease") => vec![NAME, col("Holder", "string"), AGE],
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            vec![NAME, col("Created At", "date")]
        }
        _ => vec![NAME, AGE],
    }
}

fn int_at(o: &Value, p: &str) -> i64 {
    o.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

fn builtin_cells(rt: &ResourceType, o: &Value) -> Vec<Value> {
    let name = json!(
        o.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    );
    let a = age(o.pointer("/metadata/creationTimestamp"));
    let s = |p: &str| json!(o.pointer(p).and_then(Value::as_str).unwrap_or(""));
    let count = |p: &str| {
        json!(
            o.pointer(p)
                .and_then(Value::as_object)
                .map_or(0, |m| m.len())
        )
    };
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "ConfigMap") => {
            let n = o
                .get("data")
                .and_then(Value::as_object)
                .map_or(0, |m| m.len())
                + o.get("binaryData")
                    .and_then(Value::as_object)
                    .map_or(0, |m| m.len());
            vec![name, json!(n), a]
        }
        ("", "Secret") => vec![name, s("/type"), count("/data"), a],
        ("", "Namespace") => vec![name, s("/status/phase"), a],
        ("", "Pod") => {
            let containers = o
                .pointer("/spec/containers")
                .and_then(Value::as_array)
                .map_or(0, |c| c.len());
            let ready = o
                .pointer("/status/containerStatuses")
                .and_then(Value::as_array)
                .map_or(0, |cs| {
                    cs.iter()
                        .filter(|c| c.get("ready") == Some(&json!(true)))
                        .count()
                });
            vec![
                name,
                json!(format!("{ready}/{containers}")),
                s("/status/phase"),
                json!("0"),
                a,
            ]
        }
        ("", "Service") => {
            let ports: Vec<String> = o
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    format!(
                        "{}/{}",
                        p.get("port").map(|v| v.to_string()).unwrap_or_default(),
                        p.get("protocol").and_then(Value::as_str).unwrap_or("TCP")
                    )
                })
                .collect();
            let ip = o
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .unwrap_or("<none>");
            let ports = if ports.is_empty() {
                "<none>".to_string()
            } else {
                ports.join(",")
            };
            vec![
                name,
                s("/spec/type"),
                json!(ip),
                json!("<none>"),
                json!(ports),
                a,
            ]
        }
        ("", "ServiceAccount") => vec![
            name,
            json!(
                o.get("secrets")
                    .and_then(Value::as_array)
                    .map_or(0, |v| v.len())
            ),
            a,
        ],
        ("apps", "Deployment") => vec![
            name,
            json!(format!(
                "{}/{}",
                int_at(o, "/status/readyReplicas"),
                int_at(o, "/spec/replicas")
            )),
            json!(int_at(o, "/status/updatedReplicas")),
            json!(int_at(o, "/status/availableReplicas")),
            a,
        ],
        ("apps", "StatefulSet") => {
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    int_at(o, "/status/readyReplicas"),
                    int_at(o, "/spec/replicas")
                )),
                a,
            ]
        }
        ("apps", "ReplicaSet") => vec![
            name,
            json!(int_at(o, "/spec/replicas")),
            json!(int_at(o, "/status/replicas")),
            json!(int_at(o, "/status/readyReplicas")),
            a,
        ],
        ("apps", "DaemonSet") => vec![
            name,
            json!(int_at(o, "/status/desiredNumberScheduled")),
            json!(int_at(o, "/status/currentNumberScheduled")),
            json!(int_at(o, "/status/numberReady")),
            json!(int_at(o, "/status/updatedNumberScheduled")),
            json!(int_at(o, "/status/numberAvailable")),
            a,
        ],
        ("batch", "Job") => {
            let complete = o
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c["type"] == "Complete" && c["status"] == "True")
                });
            let completions = o
                .pointer("/spec/completions")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            vec![
                name,
                json!(if complete { "Complete" } else { "Running" }),
                json!(format!(
                    "{}/{}",
                    int_at(o, "/status/succeeded"),
                    completions
                )),
                a,
            ]
        }
        ("coordination.k8s.io", "Lease") => vec![name, s("/spec/holderIdentity"), a],
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            vec![name, s("/metadata/creationTimestamp")]
        }
        _ => vec![name, a],
    }
}

fn custom_cell(o: &Value, column: &Value) -> Value {
    let path = column.get("jsonPath").and_then(Value::as_str).unwrap_or("");
    let kind = column
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string");
    let results = jsonpath(o, path);
    let Some(first) = results.first() else {
        return Value::Null;
    };
    match kind {
        "date" => age(Some(first)),
        "integer" | "number" | "boolean" => first.clone(),
        _ => {
            let parts: Vec<String> = results
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            json!(parts.join(","))
        }
    }
}

fn row_object(o: &Value, include: &str) -> Value {
    match include {
        "Object" => o.clone(),
        "None" => Value::Null,
        _ => json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": o.get("metadata").cloned().unwrap_or(json!({})),
        }),
    }
}

pub fn render(
    rt: &ResourceType,
    objs: &[Arc<Value>],
    ctx: &Ctx,
    rv: Option<u64>,
    cont: Option<&str>,
) -> Value {
    let include = ctx.q("includeObject").unwrap_or("PartialObjectMetadata");
    let custom_cols = rt
        .custom
        .as_ref()
        .map(|c| c.printer_columns.clone())
        .filter(|c| !c.is_empty());
    let (defs, rows): (Vec<Value>, Vec<Value>) = match custom_cols {
        Some(cols) => {
            let mut defs = vec![
                json!({"name": NAME.name, "type": NAME.kind, "format": NAME.format, "description": NAME.description, "priority": 0}),
            ];
            for c in &cols {
                defs.push(json!({
                    "name": c.get("name").cloned().unwrap_or(json!("")),
                    "type": c.get("type").cloned().unwrap_or(json!("string")),
                    "format": c.get("format").cloned().unwrap_or(json!("")),
                    "description": c.get("description").cloned().unwrap_or(json!("")),
                    "priority": c.get("priority").cloned().unwrap_or(json!(0)),
                }));
            }
            let rows = objs
                .iter()
                .map(|o| {
                    let mut cells = vec![json!(
                        o.pointer("/metadata/name")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                    )];
                    cells.extend(cols.iter().map(|c| custom_cell(o, c)));
                    json!({"cells": cells, "object": row_object(o, include)})
                })
                .collect();
            (defs, rows)
        }
        None => {
            let defs = builtin_columns(rt)
                .iter()
                .map(|c| json!({"name": c.name, "type": c.kind, "format": c.format, "description": c.description, "priority": 0}))
                .collect();
            let rows = objs
                .iter()
                .map(|o| json!({"cells": builtin_cells(rt, o), "object": row_object(o, include)}))
                .collect();
            (defs, rows)
        }
    };
    let mut md = json!({});
    if let Some(rv) = rv {
        md["resourceVersion"] = json!(rv.to_string());
    }
    if let Some(c) = cont {
        md["continue"] = json!(c);
    }
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": md, "columnDefinitions": defs, "rows": rows})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_match_kubectl() {
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(150), "2m30s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 60), "3h1m");
        assert_eq!(human_duration(30 * 3600), "30h");
        assert_eq!(human_duration(3 * 86400 + 3600), "3d1h");
        assert_eq!(human_duration(20 * 86400), "20d");
    }

    #[test]
    fn jsonpath_filters_conditions() {
        let o = json!({"status": {"conditions": [{"type": "Ready", "status": "True", "message": "ok"}, {"type": "X", "status": "False"}]}});
        assert_eq!(
            jsonpath(&o, ".status.conditions[?(@.type==\"Ready\")].status"),
            vec![json!("True")]
        );
        assert_eq!(jsonpath(&o, ".status.conditions[1].type"), vec![json!("X")]);
        assert_eq!(jsonpath(&o, ".status.conditions[*].type").len(), 2);
        assert!(jsonpath(&o, ".spec.url").is_empty());
    }
}
