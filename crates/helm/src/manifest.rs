//! Splitting rendered files into manifests and hooks, and ordering them as Helm's install does
//! (pkg/release/v1/util: SplitManifests, SortManifests, InstallOrder).

use std::collections::BTreeMap;

use crate::error::Error;
use crate::value::Value;
use crate::yaml::parse_yaml;

/// Kinds in the order Helm installs them; others come after, by kind name.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

#[derive(Debug, Clone)]
pub struct Manifest {
    /// Template path, e.g. "mychart/templates/deployment.yaml".
    pub path: String,
    pub content: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Hook {
    pub manifest: Manifest,
    pub events: Vec<String>,
    pub weight: i64,
}

/// SplitManifests: documents separated by lines starting with `---`, left-trimmed, blanks dropped.
pub fn split_manifests(big: &str) -> Vec<String> {
    let text = big.trim_start();
    let mut docs = Vec::new();
    let mut cur = String::new();
    let mut first = true;
    for line in text.split_inclusive('\n') {
        if let Some(after) = line.strip_prefix("---") {
            // the separator eats "---" and following blanks on its line
            let rest = after.trim_start_matches([' ', '\t']);
            if !first || !cur.is_empty() {
                docs.push(std::mem::take(&mut cur));
            } else {
                docs.push(String::new());
            }
            cur.push_str(rest);
        } else {
            cur.push_str(line);
        }
        first = false;
    }
    docs.push(cur);
    docs.into_iter()
        .filter(|d| !d.trim().is_empty())
        .map(|d| d.trim_start().to_string())
        .collect()
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// lessByKind with a stable sort: known kinds in install order, unknown ones after by name.
fn sort_by_kind<T>(items: &mut [T], kind: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| {
        let (ka, kb) = (kind(a), kind(b));
        match (kind_rank(ka), kind_rank(kb)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => ka.cmp(kb),
        }
    });
}

/// SortManifests: splits each file, separates hooks, orders both by kind.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), Error> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in files {
        if crate::funcs::misc::base(path).starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = parse_yaml(&doc).map_err(|e| {
                Error::Manifest(format!(
                    "YAML parse error on {path}: error converting YAML to JSON: {e}"
                ))
            })?;
            let (kind, name, annotations) = match &head {
                Value::Map(m) => {
                    let m = m.borrow();
                    let kind = m
                        .get("kind")
                        .and_then(|k| k.as_str().map(String::from))
                        .unwrap_or_default();
                    let md = m.get("metadata").cloned().unwrap_or_default();
                    let (name, ann) = match &md {
                        Value::Map(mm) => {
                            let mm = mm.borrow();
                            let name = mm
                                .get("name")
                                .and_then(|n| n.as_str().map(String::from))
                                .unwrap_or_default();
                            let ann = mm.get("annotations").cloned().unwrap_or_default();
                            (name, ann)
                        }
                        _ => (String::new(), Value::Nil),
                    };
                    (kind, name, ann)
                }
                Value::Nil => (String::new(), String::new(), Value::Nil),
                other => {
                    let kind = match other {
                        Value::List(_) => "array",
                        Value::Str(_) => "string",
                        Value::Bool(_) => "bool",
                        _ => "number",
                    };
                    return Err(Error::Manifest(format!(
                        "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type util.SimpleHead"
                    )));
                }
            };
            let m = Manifest {
                path: path.clone(),
                content: doc,
                kind,
                name,
            };
            let hook_ann = annotations
                .as_map()
                .and_then(|a| a.get("helm.sh/hook").cloned());
            let Some(hook_types) = hook_ann else {
                generic.push(m);
                continue;
            };
            let hook_types = crate::funcs::to_string(&hook_types);
            let weight = annotations
                .as_map()
                .and_then(|a| a.get("helm.sh/hook-weight").map(crate::funcs::to_string))
                .and_then(|w| w.parse::<i64>().ok())
                .unwrap_or(0);
            let mut events = Vec::new();
            let mut unknown = false;
            for t in hook_types.split(',') {
                let t = t.trim().to_ascii_lowercase();
                if HOOK_EVENTS.contains(&t.as_str()) {
                    events.push(t);
                } else {
                    unknown = true;
                    break;
                }
            }
            if unknown {
                continue;
            }
            hooks.push(Hook {
                manifest: m,
                events,
                weight,
            });
        }
    }
    sort_by_kind(&mut hooks, |h| h.manifest.kind.as_str());
    sort_by_kind(&mut generic, |m| m.kind.as_str());
    Ok((hooks, generic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_helm() {
        let d = split_manifests("a: 1\n---\n# c\n---   \nb: 2\n\n");
        assert_eq!(d, vec!["a: 1\n", "# c\n", "b: 2\n\n"]);
    }
}
