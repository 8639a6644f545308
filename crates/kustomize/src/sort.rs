//! Output order: kustomize's legacy order (kinds first/last, then GVK and id strings) or fifo.

use crate::error::Error;
use crate::resource::{Gvk, ResId, Resource};
use crate::value::Value;

const ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: [&str; 2] = [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn legacy_gvk_string(g: &Gvk) -> String {
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}_{}_{}",
        or(&g.group, "~G"),
        or(&g.version, "~V"),
        or(&g.kind, "~K")
    )
}

fn legacy_id_string(id: &ResId) -> String {
    let ns = if id.namespace.is_empty() {
        "~X"
    } else {
        &id.namespace
    };
    let nm = if id.name.is_empty() { "~N" } else { &id.name };
    format!("{}|{}|{}", id.gvk.id_string(), ns, nm)
}

struct Order {
    first: Vec<String>,
    last: Vec<String>,
}

impl Order {
    fn index(&self, kind: &str) -> i64 {
        if let Some(i) = self.first.iter().position(|k| k == kind) {
            return i as i64 - self.first.len() as i64;
        }
        if let Some(i) = self.last.iter().position(|k| k == kind) {
            return 1 + i as i64;
        }
        0
    }
    fn less(&self, a: &ResId, b: &ResId) -> bool {
        if a.gvk != b.gvk {
            let (i, j) = (self.index(&a.gvk.kind), self.index(&b.gvk.kind));
            if i != j {
                return i < j;
            }
            if a.gvk.kind == "Namespace"
                && b.gvk.kind == "Namespace"
                && (a.gvk.group.is_empty() || b.gvk.group.is_empty())
            {
                return legacy_gvk_string(&a.gvk) > legacy_gvk_string(&b.gvk);
            }
            return legacy_gvk_string(&a.gvk) < legacy_gvk_string(&b.gvk);
        }
        legacy_id_string(a) < legacy_id_string(b)
    }
}

fn str_list(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_seq).map(|s| {
        s.iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    })
}

pub fn apply(res: &mut Vec<Resource>, options: Option<&Value>) -> Result<(), Error> {
    let mut order = Order {
        first: ORDER_FIRST.iter().map(|s| s.to_string()).collect(),
        last: ORDER_LAST.iter().map(|s| s.to_string()).collect(),
    };
    if let Some(opts) = options {
        let kind = opts.get("order").and_then(Value::as_str).unwrap_or("");
        match kind {
            "fifo" => {
                if opts.get("legacySortOptions").is_some_and(|v| !v.is_null()) {
                    return Err(Error::InvalidKustomization(
                        "the field 'sortOptions.legacySortOptions' must not be set when 'sortOptions.order' is 'fifo'".into(),
                    ));
                }
                return Ok(());
            }
            "legacy" => {
                if let Some(l) = opts.get("legacySortOptions").filter(|v| !v.is_null()) {
                    order.first = str_list(l.get("orderFirst")).unwrap_or_default();
                    order.last = str_list(l.get("orderLast")).unwrap_or_default();
                }
            }
            other => {
                return Err(Error::InvalidKustomization(format!(
                    "the field 'sortOptions.order' must be one of [legacy, fifo], got {other:?}"
                )));
            }
        }
    }
    let ids: Vec<ResId> = res.iter().map(Resource::cur_id).collect();
    let mut idx: Vec<usize> = (0..res.len()).collect();
    merge_sort(&mut idx, &|a, b| order.less(&ids[a], &ids[b]));
    let mut taken: Vec<Option<Resource>> = res.drain(..).map(Some).collect();
    for i in idx {
        if let Some(r) = taken[i].take() {
            res.push(r);
        }
    }
    Ok(())
}

fn merge_sort(v: &mut Vec<usize>, less: &dyn Fn(usize, usize) -> bool) {
    if v.len() < 2 {
        return;
    }
    let mut right = v.split_off(v.len() / 2);
    merge_sort(v, less);
    merge_sort(&mut right, less);
    let left = std::mem::take(v);
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if less(right[j], left[i]) {
            v.push(right[j]);
            j += 1;
        } else {
            v.push(left[i]);
            i += 1;
        }
    }
    v.extend_from_slice(&left[i..]);
    v.extend_from_slice(&right[j..]);
}
