//! Structure of the built-in kinds the emulator serves, written from the Kubernetes API reference
//! (k8s.io/api types: `patchStrategy`/`patchMergeKey` tags for strategic merge patch and
//! `+listType`/`+listMapKey`/`+mapType`/`+structType` markers for server-side apply).
//! Fields not described here behave as the apiserver treats fields without tags: objects merge
//! (granular), lists are replaced (atomic).

/// A type in the built-in schemas. `Unknown` is any field without special metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Unknown,
    /// A struct or map owned as a whole by server-side apply (e.g. LabelSelector); strategic merge
    /// patch still merges into it.
    AtomicStruct,
    Root(RootKind),
    ObjectMeta,
    PodTemplateSpec,
    PodSpec,
    Container,
    EnvVar,
    EnvVarSource,
    ResourceRequirements,
    Affinity,
    NodeAffinity,
    PodAffinity,
    TopologySpreadConstraint,
    PodStatus,
    WorkloadSpec,
    WorkloadStatus,
    DeploymentStrategy,
    JobSpec,
    JobStatus,
    CronJobSpec,
    JobTemplateSpec,
    ServiceSpec,
    PvcSpec,
    ConditionsStatus,
    /// NetworkPolicy and PodDisruptionBudget specs: a LabelSelector (PDB's is patchStrategy=replace).
    SelectorSpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RootKind {
    Generic,
    Pod,
    PodTemplate,
    Workload,
    Job,
    CronJob,
    Service,
    ServiceAccount,
    Pvc,
    Namespace,
    RoleBinding,
    NetworkPolicy,
    PodDisruptionBudget,
}

/// How strategic merge patch treats a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Smp {
    /// Objects merge, lists are replaced.
    Default,
    /// `patchStrategy:"merge"`: lists merge by this key (None: a list of primitives merged as a set).
    MergeList(Option<&'static str>),
    /// `patchStrategy:"replace"` on an object.
    ReplaceMap,
}

/// How server-side apply treats a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ssa {
    /// Objects granular, lists atomic.
    Default,
    /// Owned as a whole.
    Atomic,
    /// `+listType=set`.
    Set,
    /// `+listType=map` with these keys.
    Map(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldInfo {
    /// Type of the value (for lists: of each element).
    pub ty: Ty,
    pub smp: Smp,
    pub ssa: Ssa,
}

const fn f(ty: Ty, smp: Smp, ssa: Ssa) -> FieldInfo {
    FieldInfo { ty, smp, ssa }
}

const UNKNOWN: FieldInfo = f(Ty::Unknown, Smp::Default, Ssa::Default);
const ATOMIC: FieldInfo = f(Ty::AtomicStruct, Smp::Default, Ssa::Atomic);
const BY_NAME: &[&str] = &["name"];
const BY_TYPE: &[&str] = &["type"];

/// Groups whose kinds are compiled into kube-apiserver (strategic merge patch is served for them).
pub(crate) const BUILTIN_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "coordination.k8s.io",
    "events.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "certificates.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "resource.k8s.io",
    "storagemigration.k8s.io",
    "internal.apiserver.k8s.io",
];

/// The root type of a built-in kind, or None when the group is not built in.
pub(crate) fn root(group: &str, kind: &str) -> Option<Ty> {
    if !BUILTIN_GROUPS.contains(&group) {
        return None;
    }
    let rk = match (group, kind) {
        ("", "Pod") => RootKind::Pod,
        ("", "PodTemplate") => RootKind::PodTemplate,
        ("", "ReplicationController") => RootKind::Workload,
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => RootKind::Workload,
        ("batch", "Job") => RootKind::Job,
        ("batch", "CronJob") => RootKind::CronJob,
        ("", "Service") => RootKind::Service,
        ("", "ServiceAccount") => RootKind::ServiceAccount,
        ("", "PersistentVolumeClaim") => RootKind::Pvc,
        ("", "Namespace") => RootKind::Namespace,
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            RootKind::RoleBinding
        }
        ("networking.k8s.io", "NetworkPolicy") => RootKind::NetworkPolicy,
        ("policy", "PodDisruptionBudget") => RootKind::PodDisruptionBudget,
        _ => RootKind::Generic,
    };
    Some(Ty::Root(rk))
}

/// Metadata of field `name` inside a value of type `ty`.
pub(crate) fn field(ty: Ty, name: &str) -> FieldInfo {
    use Smp::MergeList;
    match (ty, name) {
        (Ty::Root(_), "metadata") => f(Ty::ObjectMeta, Smp::Default, Ssa::Default),
        (Ty::Root(rk), _) => root_field(rk, name),
        (Ty::ObjectMeta, "ownerReferences") => {
            f(Ty::AtomicStruct, MergeList(Some("uid")), Ssa::Map(&["uid"]))
        }
        (Ty::ObjectMeta, "finalizers") => f(Ty::Unknown, MergeList(None), Ssa::Set),
        (Ty::ObjectMeta, "managedFields") => f(Ty::Unknown, Smp::Default, Ssa::Atomic),
        (Ty::PodTemplateSpec | Ty::JobTemplateSpec, "metadata") => {
            f(Ty::ObjectMeta, Smp::Default, Ssa::Default)
        }
        (Ty::PodTemplateSpec, "spec") => f(Ty::PodSpec, Smp::Default, Ssa::Default),
        (Ty::JobTemplateSpec, "spec") => f(Ty::JobSpec, Smp::Default, Ssa::Default),
        (Ty::PodSpec, _) => pod_spec_field(name),
        (Ty::Container, _) => container_field(name),
        (Ty::EnvVar, "valueFrom") => f(Ty::EnvVarSource, Smp::Default, Ssa::Default),
        // The key selectors are +structType=atomic.
        (
            Ty::EnvVarSource,
            "fieldRef" | "resourceFieldRef" | "configMapKeyRef" | "secretKeyRef" | "fileKeyRef",
        ) => ATOMIC,
        (Ty::ResourceRequirements, "claims") => f(Ty::Unknown, Smp::Default, Ssa::Map(BY_NAME)),
        (Ty::Affinity, "nodeAffinity") => f(Ty::NodeAffinity, Smp::Default, Ssa::Default),
        (Ty::Affinity, "podAffinity" | "podAntiAffinity") => {
            f(Ty::PodAffinity, Smp::Default, Ssa::Default)
        }
        (Ty::NodeAffinity, "requiredDuringSchedulingIgnoredDuringExecution") => ATOMIC,
        (Ty::TopologySpreadConstraint, "labelSelector") => ATOMIC,
        (Ty::PodStatus, "conditions") => f(Ty::Unknown, MergeList(Some("type")), Ssa::Map(BY_TYPE)),
        (Ty::PodStatus, "podIPs") => f(Ty::Unknown, MergeList(Some("ip")), Ssa::Map(&["ip"])),
        (Ty::PodStatus, "hostIPs") => f(Ty::Unknown, MergeList(Some("ip")), Ssa::Default),
        (Ty::PodStatus, "resourceClaimStatuses") => {
            f(Ty::Unknown, MergeList(Some("name")), Ssa::Map(BY_NAME))
        }
        (Ty::WorkloadSpec | Ty::JobSpec, "selector") => ATOMIC,
        (Ty::WorkloadSpec | Ty::JobSpec, "template") => {
            f(Ty::PodTemplateSpec, Smp::Default, Ssa::Default)
        }
        (Ty::WorkloadSpec, "strategy") => f(Ty::DeploymentStrategy, Smp::Default, Ssa::Default),
        (Ty::WorkloadStatus | Ty::ConditionsStatus, "conditions") => {
            f(Ty::Unknown, MergeList(Some("type")), Ssa::Map(BY_TYPE))
        }
        // Job conditions merge by type in SMP but are atomic for server-side apply.
        (Ty::JobStatus, "conditions") => f(Ty::Unknown, MergeList(Some("type")), Ssa::Default),
        (Ty::JobStatus, "uncountedTerminatedPods") => {
            f(Ty::ConditionsStatus, Smp::Default, Ssa::Default)
        }
        (Ty::JobSpec, "resourceClaims") => {
            f(Ty::Unknown, MergeList(Some("name")), Ssa::Map(BY_NAME))
        }
        (Ty::CronJobSpec, "jobTemplate") => f(Ty::JobTemplateSpec, Smp::Default, Ssa::Default),
        (Ty::ServiceSpec, "ports") => f(
            Ty::Unknown,
            MergeList(Some("port")),
            Ssa::Map(&["port", "protocol"]),
        ),
        (Ty::ServiceSpec, "selector") => f(Ty::Unknown, Smp::Default, Ssa::Atomic),
        (Ty::PvcSpec, "selector" | "dataSource" | "dataSourceRef") => ATOMIC,
        (Ty::SelectorSpec, "podSelector") => ATOMIC,
        (Ty::SelectorSpec, "selector") => f(Ty::AtomicStruct, Smp::ReplaceMap, Ssa::Atomic),
        _ => UNKNOWN,
    }
}

fn root_field(rk: RootKind, name: &str) -> FieldInfo {
    let plain = |ty| f(ty, Smp::Default, Ssa::Default);
    match (rk, name) {
        (RootKind::Pod, "spec") => plain(Ty::PodSpec),
        (RootKind::Pod, "status") => plain(Ty::PodStatus),
        (RootKind::PodTemplate, "template") => plain(Ty::PodTemplateSpec),
        (RootKind::Workload, "spec") => plain(Ty::WorkloadSpec),
        (RootKind::Workload, "status") => plain(Ty::WorkloadStatus),
        (RootKind::Job, "spec") => plain(Ty::JobSpec),
        (RootKind::Job, "status") => plain(Ty::JobStatus),
        (RootKind::CronJob, "spec") => plain(Ty::CronJobSpec),
        (RootKind::Service, "spec") => plain(Ty::ServiceSpec),
        (RootKind::Service | RootKind::Pvc | RootKind::Namespace, "status") => {
            plain(Ty::ConditionsStatus)
        }
        (RootKind::ServiceAccount, "secrets") => f(
            Ty::AtomicStruct,
            Smp::MergeList(Some("name")),
            Ssa::Map(BY_NAME),
        ),
        (RootKind::Pvc, "spec") => plain(Ty::PvcSpec),
        (RootKind::RoleBinding, "roleRef") => ATOMIC,
        (RootKind::NetworkPolicy | RootKind::PodDisruptionBudget, "spec") => {
            plain(Ty::SelectorSpec)
        }
        (RootKind::PodDisruptionBudget, "status") => plain(Ty::ConditionsStatus),
        (RootKind::RoleBinding, "subjects") => f(Ty::AtomicStruct, Smp::Default, Ssa::Default),
        _ => UNKNOWN,
    }
}

fn pod_spec_field(name: &str) -> FieldInfo {
    use Smp::MergeList;
    match name {
        "containers" | "initContainers" | "ephemeralContainers" => {
            f(Ty::Container, MergeList(Some("name")), Ssa::Map(BY_NAME))
        }
        "volumes" => f(Ty::Unknown, MergeList(Some("name")), Ssa::Map(BY_NAME)),
        "imagePullSecrets" => f(Ty::AtomicStruct, MergeList(Some("name")), Ssa::Map(BY_NAME)),
        "hostAliases" => f(Ty::Unknown, MergeList(Some("ip")), Ssa::Map(&["ip"])),
        "topologySpreadConstraints" => f(
            Ty::TopologySpreadConstraint,
            MergeList(Some("topologyKey")),
            Ssa::Map(&["topologyKey", "whenUnsatisfiable"]),
        ),
        "schedulingGates" | "resourceClaims" => {
            f(Ty::Unknown, MergeList(Some("name")), Ssa::Map(BY_NAME))
        }
        "nodeSelector" => f(Ty::Unknown, Smp::Default, Ssa::Atomic),
        "affinity" => f(Ty::Affinity, Smp::Default, Ssa::Default),
        _ => UNKNOWN,
    }
}

fn container_field(name: &str) -> FieldInfo {
    use Smp::MergeList;
    match name {
        "ports" => f(
            Ty::Unknown,
            MergeList(Some("containerPort")),
            Ssa::Map(&["containerPort", "protocol"]),
        ),
        "env" => f(Ty::EnvVar, MergeList(Some("name")), Ssa::Map(BY_NAME)),
        "volumeMounts" => f(
            Ty::Unknown,
            MergeList(Some("mountPath")),
            Ssa::Map(&["mountPath"]),
        ),
        "volumeDevices" => f(
            Ty::Unknown,
            MergeList(Some("devicePath")),
            Ssa::Map(&["devicePath"]),
        ),
        "resources" => f(Ty::ResourceRequirements, Smp::Default, Ssa::Default),
        _ => UNKNOWN,
    }
}

/// Schema defaults of list-map keys (ports' protocol defaults to TCP), used to name items that
/// omit them.
pub(crate) fn key_default(key: &str) -> Option<serde_json::Value> {
    match key {
        "protocol" => Some(serde_json::Value::String("TCP".to_string())),
        _ => None,
    }
}

/// Built-in kinds that serve a status subresource.
pub(crate) fn has_status_subresource(group: &str, kind: &str) -> bool {
    matches!(
        (group, kind),
        (
            "",
            "Pod"
                | "Service"
                | "PersistentVolumeClaim"
                | "PersistentVolume"
                | "Namespace"
                | "Node"
                | "ReplicationController"
                | "ResourceQuota"
        ) | (
            "apps",
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        ) | ("batch", "Job" | "CronJob")
            | ("networking.k8s.io", "Ingress")
            | ("policy", "PodDisruptionBudget")
            | ("autoscaling", "HorizontalPodAutoscaler")
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | ("apiregistration.k8s.io", "APIService")
            | ("certificates.k8s.io", "CertificateSigningRequest")
    )
}
