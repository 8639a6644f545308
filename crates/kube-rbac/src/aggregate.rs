//! ClusterRole aggregation as the clusterrole-aggregation controller computes
//! it: for each selector, the matching ClusterRoles sorted by name (the role
//! itself excluded), their rules appended unless an equal rule is present.
//! Computed on demand here, so roles labelled e.g. `aggregate-to-edit` widen
//! `edit` at once instead of after a controller resync.

use serde_json::{Map, Value};

use crate::At2;

/// Aggregated roles nested deeper than this contribute nothing further
/// (guards against cycles of aggregation rules).
const MAX_AGGREGATION_DEPTH: usize = 8;

pub(crate) fn aggregated_rules(role: &Value, all: &[&Value], depth: usize) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    if depth > MAX_AGGREGATION_DEPTH {
        return out;
    }
    let name = role
        .at2("metadata", "name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let selectors = role
        .at2("aggregationRule", "clusterRoleSelectors")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for selector in &selectors {
        let mut matching: Vec<&Value> = all
            .iter()
            .copied()
            .filter(|r| {
                let labels = r.at2("metadata", "labels").and_then(Value::as_object);
                selector_matches(selector, labels)
            })
            .collect();
        matching.sort_by_key(|r| {
            r.at2("metadata", "name")
                .and_then(Value::as_str)
                .unwrap_or("")
        });
        for m in matching {
            if m.at2("metadata", "name").and_then(Value::as_str) == Some(name) {
                continue;
            }
            for r in effective_rules(m, all, depth + 1) {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// A ClusterRole's rules, aggregated when it has an aggregationRule.
pub(crate) fn effective_rules(role: &Value, all: &[&Value], depth: usize) -> Vec<Value> {
    if role.get("aggregationRule").is_some_and(|a| !a.is_null()) {
        aggregated_rules(role, all, depth)
    } else {
        role.get("rules")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }
}

/// metav1.LabelSelector semantics: matchLabels and matchExpressions (In,
/// NotIn, Exists, DoesNotExist) all hold; an empty selector matches everything.
pub(crate) fn selector_matches(selector: &Value, labels: Option<&Map<String, Value>>) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    if let Some(ml) = selector.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in ml {
            if get(k) != v.as_str() {
                return false;
            }
        }
    }
    if let Some(exprs) = selector.get("matchExpressions").and_then(Value::as_array) {
        for e in exprs {
            let key = e.get("key").and_then(Value::as_str).unwrap_or("");
            let values: Vec<&str> = e
                .get("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let ok = match e.get("operator").and_then(Value::as_str).unwrap_or("") {
                "In" => get(key).is_some_and(|v| values.contains(&v)),
                "NotIn" => get(key).is_none_or(|v| !values.contains(&v)),
                "Exists" => get(key).is_some(),
                "DoesNotExist" => get(key).is_none(),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
    }
    true
}
