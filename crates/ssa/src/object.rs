//! Object identity: group, kind, namespace and name, as Flux's `object.ObjMetadata`, and the
//! inventory entry id derived from it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::ObjectError;

/// Separates the fields of an inventory id.
const ID_SEPARATOR: char = '_';
/// RBAC names may hold colons; inventory ids transcode them so the id stays parseable.
const COLON_TRANSCODED: &str = "__";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
const RBAC_KINDS: [&str; 4] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// The identity of an object, without its version (Flux's `object.ObjMetadata`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjMetadata {
    /// API group; empty for the core group.
    pub group: String,
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjMetadata {
    /// An identity from its parts.
    pub fn new(
        group: impl Into<String>,
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        ObjMetadata {
            group: group.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The identity of a manifest; it must have `apiVersion`, `kind` and `metadata.name`.
    pub fn from_object(obj: &Value) -> Result<Self, ObjectError> {
        Ok(ObjRef::from_object(obj)?.object)
    }

    /// The inventory id `<namespace>_<name>_<group>_<kind>`, colons of RBAC names written `__`.
    pub fn id(&self) -> String {
        let name = if self.group == RBAC_GROUP && RBAC_KINDS.contains(&self.kind.as_str()) {
            self.name.replace(':', COLON_TRANSCODED)
        } else {
            self.name.clone()
        };
        format!(
            "{}{ID_SEPARATOR}{}{ID_SEPARATOR}{}{ID_SEPARATOR}{}",
            self.namespace, name, self.group, self.kind
        )
    }

    /// Parses an inventory id, as `object.ParseObjMetadata` does: the namespace ends at the first
    /// `_`, the kind and group start after the last two.
    pub fn parse_id(id: &str) -> Result<Self, ObjectError> {
        let bad = || ObjectError::InvalidId(id.to_string());
        let (namespace, rest) = id.split_once(ID_SEPARATOR).ok_or_else(bad)?;
        let (rest, kind) = rest.rsplit_once(ID_SEPARATOR).ok_or_else(bad)?;
        let (name, group) = rest.rsplit_once(ID_SEPARATOR).ok_or_else(bad)?;
        Ok(ObjMetadata {
            group: group.to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.replace(COLON_TRANSCODED, ":"),
        })
    }

    /// `Kind/namespace/name` (`Kind/name` when cluster-scoped), as Flux's events and errors print
    /// objects.
    pub fn subject(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// An object identity with the API version it is served at: what a delete or a get needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjRef {
    /// Group, kind, namespace and name.
    pub object: ObjMetadata,
    /// The version alone (`v1`, `v1beta2`), as inventory entries store it.
    pub version: String,
}

impl ObjRef {
    /// The reference of a manifest; it must have `apiVersion`, `kind` and `metadata.name`.
    pub fn from_object(obj: &Value) -> Result<Self, ObjectError> {
        let api_version = obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(ObjectError::MissingField("apiVersion"))?;
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(ObjectError::MissingField("kind"))?;
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(ObjectError::MissingField("metadata.name"))?;
        let namespace = obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (group, version) = split_api_version(api_version);
        Ok(ObjRef {
            object: ObjMetadata::new(group, kind, namespace, name),
            version: version.to_string(),
        })
    }

    /// `group/version`, or `version` alone for the core group.
    pub fn api_version(&self) -> String {
        join_api_version(&self.object.group, &self.version)
    }
}

/// Splits `group/version` (or a bare core `version`) into its parts.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// Joins a group and a version into an `apiVersion`.
pub fn join_api_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// The string map at `metadata.<field>` of a manifest (labels, annotations); empty when absent.
pub fn metadata_map(obj: &Value, field: &str) -> BTreeMap<String, String> {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// True when any `key: value` of `selector` is a label or annotation of the object, values
/// compared case-insensitively (Flux's `utils.AnyInMetadata`).
pub fn any_in_metadata(
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    selector: &BTreeMap<String, String>,
) -> bool {
    selector.iter().any(|(key, val)| {
        let hit = |m: &BTreeMap<String, String>| {
            m.get(key)
                .is_some_and(|v| !v.is_empty() && v.eq_ignore_ascii_case(val))
        };
        hit(labels) || hit(annotations)
    })
}

/// [`any_in_metadata`] on a manifest.
pub fn object_matches(obj: &Value, selector: &BTreeMap<String, String>) -> bool {
    !selector.is_empty()
        && any_in_metadata(
            &metadata_map(obj, "labels"),
            &metadata_map(obj, "annotations"),
            selector,
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_round_trip_in_flux_format() {
        let d = ObjMetadata::new("apps", "Deployment", "default", "podinfo");
        assert_eq!(d.id(), "default_podinfo_apps_Deployment");
        assert_eq!(ObjMetadata::parse_id(&d.id()).unwrap(), d);
        let ns = ObjMetadata::new("", "Namespace", "", "apps");
        assert_eq!(ns.id(), "_apps__Namespace");
        assert_eq!(ObjMetadata::parse_id("_apps__Namespace").unwrap(), ns);
        let role = ObjMetadata::new(RBAC_GROUP, "ClusterRole", "", "system:flux");
        assert_eq!(
            role.id(),
            "_system__flux_rbac.authorization.k8s.io_ClusterRole"
        );
        assert_eq!(ObjMetadata::parse_id(&role.id()).unwrap(), role);
        // Names with underscores are not valid Kubernetes names, but parse as Go does.
        assert!(ObjMetadata::parse_id("nounderscores").is_err());
        assert!(ObjMetadata::parse_id("ns_name").is_err());
    }

    #[test]
    fn subjects_as_flux_prints_them() {
        assert_eq!(
            ObjMetadata::new("apps", "Deployment", "default", "podinfo").subject(),
            "Deployment/default/podinfo"
        );
        assert_eq!(
            ObjMetadata::new("", "Namespace", "", "apps").subject(),
            "Namespace/apps"
        );
    }

    #[test]
    fn refs_from_manifests() {
        let r = ObjRef::from_object(&json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","namespace":"b"}})).unwrap();
        assert_eq!(r.version, "v1");
        assert_eq!(r.api_version(), "apps/v1");
        assert_eq!(r.object.id(), "b_a_apps_Deployment");
        let e =
            ObjRef::from_object(&json!({"apiVersion":"v1","metadata":{"name":"a"}})).unwrap_err();
        assert_eq!(e.to_string(), "object has no kind");
        assert!(ObjRef::from_object(&json!("text")).is_err());
    }

    #[test]
    fn metadata_selectors_ignore_case_of_values() {
        let obj = json!({"metadata":{"annotations":{"kustomize.toolkit.fluxcd.io/ssa":"ifnotpresent"},"labels":{"a":""}}});
        let sel = BTreeMap::from([(
            "kustomize.toolkit.fluxcd.io/ssa".to_string(),
            "IfNotPresent".to_string(),
        )]);
        assert!(object_matches(&obj, &sel));
        let empty = BTreeMap::from([("a".to_string(), "".to_string())]);
        assert!(!object_matches(&obj, &empty));
    }
}
