//! Resources and their identities, with the bookkeeping kustomize keeps in build
//! annotations (previous ids, prefixes, suffixes) held as plain fields instead.

use crate::value::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    /// True when every non-empty field of `selector` equals ours.
    pub fn is_selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }
    /// kustomize's `kind_version_group` form with `~G`/`~V`/`~K` for blanks.
    pub fn id_string(&self) -> String {
        let or = |s: &str, d: &str| {
            if s.is_empty() {
                d.to_string()
            } else {
                s.to_string()
            }
        };
        format!(
            "{}_{}_{}",
            or(&self.kind, "~K"),
            or(&self.version, "~V"),
            or(&self.group, "~G")
        )
    }
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.api_version(), &self.kind)
    }
}

/// The built-in kinds kustomize knows to be cluster scoped (its precomputed table).
pub fn is_cluster_scoped(api_version: &str, kind: &str) -> bool {
    const TABLE: &[(&str, &[&str])] = &[
        (
            "admissionregistration.k8s.io/v1",
            &[
                "MutatingWebhookConfiguration",
                "ValidatingWebhookConfiguration",
            ],
        ),
        (
            "admissionregistration.k8s.io/v1beta1",
            &[
                "MutatingWebhookConfiguration",
                "ValidatingWebhookConfiguration",
            ],
        ),
        ("apiextensions.k8s.io/v1", &["CustomResourceDefinition"]),
        (
            "apiextensions.k8s.io/v1beta1",
            &["CustomResourceDefinition"],
        ),
        ("apiregistration.k8s.io/v1", &["APIService"]),
        ("apiregistration.k8s.io/v1beta1", &["APIService"]),
        ("certificates.k8s.io/v1", &["CertificateSigningRequest"]),
        (
            "certificates.k8s.io/v1beta1",
            &["CertificateSigningRequest"],
        ),
        (
            "flowcontrol.apiserver.k8s.io/v1beta1",
            &["FlowSchema", "PriorityLevelConfiguration"],
        ),
        ("networking.k8s.io/v1", &["IngressClass"]),
        ("networking.k8s.io/v1beta1", &["IngressClass"]),
        ("node.k8s.io/v1", &["RuntimeClass"]),
        ("node.k8s.io/v1beta1", &["RuntimeClass"]),
        ("policy/v1beta1", &["PodSecurityPolicy"]),
        (
            "rbac.authorization.k8s.io/v1",
            &["ClusterRole", "ClusterRoleBinding"],
        ),
        (
            "rbac.authorization.k8s.io/v1beta1",
            &["ClusterRole", "ClusterRoleBinding"],
        ),
        ("scheduling.k8s.io/v1", &["PriorityClass"]),
        ("scheduling.k8s.io/v1beta1", &["PriorityClass"]),
        (
            "storage.k8s.io/v1",
            &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        ),
        (
            "storage.k8s.io/v1beta1",
            &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        ),
        (
            "v1",
            &[
                "ComponentStatus",
                "Namespace",
                "Node",
                "NodeProxyOptions",
                "PersistentVolume",
            ],
        ),
    ];
    TABLE
        .iter()
        .any(|(av, kinds)| *av == api_version && kinds.contains(&kind))
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// Namespace with the empty one read as `default`, except for cluster-scoped kinds.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            ""
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }
    pub fn ns_equals(&self, other: &ResId) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }
    pub fn display(&self) -> String {
        let ns = if self.namespace.is_empty() {
            "[noNs]"
        } else {
            &self.namespace
        };
        format!("{}|{}|{}", self.gvk.id_string(), ns, self.name)
    }
}

/// Options a generator attached to its output.
#[derive(Debug, Clone, Default)]
pub struct GeneratedInfo {
    pub needs_hash: bool,
    pub behavior: Behavior,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Behavior {
    #[default]
    Create,
    Merge,
    Replace,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub obj: Value,
    /// Earlier ids, oldest first (kustomize's previousNames/Namespaces/Kinds).
    pub prev_ids: Vec<ResId>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    pub generated: Option<GeneratedInfo>,
    /// Patches that allow renames record it here.
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
    pub ref_var_names: Vec<String>,
    /// The original `metadata.name` when it was not a string (e.g. `true`).
    pub typed_name: Option<Value>,
}

impl Resource {
    pub fn new(obj: Value) -> Resource {
        Resource {
            obj,
            prev_ids: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            generated: None,
            allow_name_change: false,
            allow_kind_change: false,
            ref_var_names: Vec::new(),
            typed_name: None,
        }
    }
    pub fn map(&self) -> &Map {
        static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        self.obj
            .as_map()
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }
    pub fn kind(&self) -> &str {
        self.obj.str_at(&["kind"]).unwrap_or("")
    }
    pub fn api_version(&self) -> &str {
        self.obj.str_at(&["apiVersion"]).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.obj.str_at(&["metadata", "name"]).unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.obj.str_at(&["metadata", "namespace"]).unwrap_or("")
    }
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }
    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }
    pub fn org_id(&self) -> ResId {
        self.prev_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.cur_id())
    }
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        let ns = id.effective_namespace().to_string();
        self.prev_ids.push(ResId {
            namespace: ns,
            ..id
        });
    }
    pub fn set_name(&mut self, name: &str) {
        if let Some(m) = self.obj.ensure_map_at(&["metadata"]) {
            m.insert("name".into(), Value::Str(name.to_string()));
        }
    }
    pub fn set_namespace(&mut self, ns: &str) {
        if let Some(m) = self.obj.ensure_map_at(&["metadata"]) {
            m.insert("namespace".into(), Value::Str(ns.to_string()));
        }
    }
    pub fn labels(&self) -> Vec<(String, String)> {
        string_map(self.obj.at(&["metadata", "labels"]))
    }
    pub fn annotations(&self) -> Vec<(String, String)> {
        string_map(self.obj.at(&["metadata", "annotations"]))
    }
    pub fn needs_hash(&self) -> bool {
        self.generated.as_ref().is_some_and(|g| g.needs_hash)
    }
}

fn string_map(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Map(m)) => m
            .iter()
            .map(|(k, v)| (k.clone(), v.scalar_string().unwrap_or_default()))
            .collect(),
        _ => Vec::new(),
    }
}

/// kustomize's utils.SameEndingSubSlice.
pub fn same_ending_sub_slice(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() > b.len() { (b, a) } else { (a, b) };
    let diff = long.len() - short.len();
    if short.is_empty() {
        return diff == 0;
    }
    (0..short.len()).rev().all(|i| long[i + diff] == short[i])
}

pub fn prefixes_suffixes_equal(a: &Resource, b: &Resource, allow_empty: bool) -> bool {
    if allow_empty {
        let pe = a.prefixes.is_empty() || b.prefixes.is_empty();
        let se = a.suffixes.is_empty() || b.suffixes.is_empty();
        (pe || same_ending_sub_slice(&a.prefixes, &b.prefixes))
            && (se || same_ending_sub_slice(&a.suffixes, &b.suffixes))
    } else {
        same_ending_sub_slice(&a.prefixes, &b.prefixes)
            && same_ending_sub_slice(&a.suffixes, &b.suffixes)
    }
}
