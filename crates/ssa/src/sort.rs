//! Flux's kind order (`ssa.ReconcileOrder`): the order objects are applied in, and reversed,
//! deleted in.

use std::cmp::Ordering;

use crate::object::ObjMetadata;

/// Kinds applied before all others, in this order.
const FIRST: [&str; 23] = [
    "CustomResourceDefinition",
    "Namespace",
    "ClusterRole",
    "ClusterClass",
    "RuntimeClass",
    "PriorityClass",
    "StorageClass",
    "VolumeSnapshotClass",
    "IngressClass",
    "GatewayClass",
    "ClusterRoleBinding",
    "ResourceQuota",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "Service",
    "LimitRange",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// Kinds applied after all others.
const LAST: [&str; 2] = [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The rank of a kind: negative for the first kinds, 0 for every unlisted kind, positive for the
/// last ones. Only the kind counts, as in Flux.
pub fn kind_rank(kind: &str) -> i32 {
    if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        return i as i32 - FIRST.len() as i32;
    }
    if let Some(i) = LAST.iter().position(|k| *k == kind) {
        return i as i32 + 1;
    }
    0
}

/// Flux's object order: kind rank, then group, kind, namespace and name.
pub fn compare(a: &ObjMetadata, b: &ObjMetadata) -> Ordering {
    if a.group != b.group || a.kind != b.kind {
        return kind_rank(&a.kind)
            .cmp(&kind_rank(&b.kind))
            .then_with(|| a.group.cmp(&b.group))
            .then_with(|| a.kind.cmp(&b.kind));
    }
    a.namespace
        .cmp(&b.namespace)
        .then_with(|| a.name.cmp(&b.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_as_flux() {
        let mut v = [
            ObjMetadata::new("", "ValidatingWebhookConfiguration", "", "w"),
            ObjMetadata::new("example.com", "Widget", "a", "w"),
            ObjMetadata::new("apps", "Deployment", "a", "d"),
            ObjMetadata::new("", "ConfigMap", "b", "c"),
            ObjMetadata::new("", "ConfigMap", "a", "c"),
            ObjMetadata::new("", "Namespace", "", "a"),
            ObjMetadata::new("apiextensions.k8s.io", "CustomResourceDefinition", "", "x"),
        ];
        v.sort_by(compare);
        let kinds: Vec<String> = v.iter().map(|o| o.subject()).collect();
        assert_eq!(
            kinds,
            [
                "CustomResourceDefinition/x",
                "Namespace/a",
                "ConfigMap/a/c",
                "ConfigMap/b/c",
                "Deployment/a/d",
                "Widget/a/w",
                "ValidatingWebhookConfiguration/w"
            ]
        );
    }
}
