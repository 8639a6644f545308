//! CustomResourceDefinitions: validation and status of CRD objects, and turning stored CRDs into
//! served resource types.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult, Cause};
use crate::kinds::{CustomInfo, Registry, ResourceType, builtin_types};
use crate::objects::{finalizers, name_of, now_rfc3339};
use crate::server::Server;
use crate::verbs::CRD_KEY;

pub const CLEANUP_FINALIZER: &str = "customresourcecleanup.apiextensions.k8s.io";

pub fn type_info(rt: &ResourceType) -> &kube_patch::ssa::TypeInfo {
    &rt.types
}

fn cause(field: &str, message: String, reason: &str) -> Cause {
    Cause {
        reason: reason.into(),
        message,
        field: field.into(),
    }
}

fn validate_crd(obj: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    let s = |p: &str| obj.pointer(p).and_then(Value::as_str).unwrap_or("");
    let (group, plural, kind) = (
        s("/spec/group"),
        s("/spec/names/plural"),
        s("/spec/names/kind"),
    );
    if group.is_empty() {
        causes.push(cause(
            "spec.group",
            "Required value".into(),
            "FieldValueRequired",
        ));
    }
    if plural.is_empty() {
        causes.push(cause(
            "spec.names.plural",
            "Required value".into(),
            "FieldValueRequired",
        ));
    }
    if kind.is_empty() {
        causes.push(cause(
            "spec.names.kind",
            "Required value".into(),
            "FieldValueRequired",
        ));
    }
    let name = name_of(obj);
    if !group.is_empty() && !plural.is_empty() && name != format!("{plural}.{group}") {
        causes.push(cause(
            "metadata.name",
            format!("Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"),
            "FieldValueInvalid",
        ));
    }
    let scope = s("/spec/scope");
    if scope != "Namespaced" && scope != "Cluster" {
        causes.push(cause(
            "spec.scope",
            format!(
                "Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\""
            ),
            "FieldValueNotSupported",
        ));
    }
    let versions = obj
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if versions.is_empty() {
        causes.push(cause(
            "spec.versions",
            "Invalid value: \"null\": must have exactly one version marked as storage version"
                .into(),
            "FieldValueInvalid",
        ));
    } else {
        let storage = versions
            .iter()
            .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
            .count();
        if storage != 1 {
            causes.push(cause(
                "spec.versions",
                "Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have exactly one version marked as storage version".into(),
                "FieldValueInvalid",
            ));
        }
    }
    causes
}

/// Kind-specific checks and derived fields on every write of a CRD object (no-op for other kinds).
pub fn on_write(rt: &ResourceType, old: Option<&Value>, mut obj: Value) -> ApiResult<Value> {
    if rt.storage_key() != CRD_KEY {
        return Ok(obj);
    }
    let causes = validate_crd(&obj);
    if !causes.is_empty() {
        return Err(ApiError::invalid(rt, name_of(&obj), causes));
    }
    if let Some(old) = old {
        let keep = |p: &str| old.pointer(p) == obj.pointer(p);
        if !keep("/spec/group") || !keep("/spec/scope") {
            return Err(ApiError::invalid(
                rt,
                name_of(&obj),
                vec![cause(
                    "spec.group",
                    "Invalid value: field is immutable".into(),
                    "FieldValueInvalid",
                )],
            ));
        }
    }
    let names = obj.pointer("/spec/names").cloned().unwrap_or(json!({}));
    let mut accepted = names.clone();
    if accepted.get("singular").is_none()
        && let Some(k) = names.get("kind").and_then(Value::as_str)
    {
        accepted["singular"] = json!(k.to_ascii_lowercase());
    }
    if accepted.get("listKind").is_none()
        && let Some(k) = names.get("kind").and_then(Value::as_str)
    {
        accepted["listKind"] = json!(format!("{k}List"));
    }
    let storage: Vec<Value> = obj
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter(|v| v.get("storage") == Some(&json!(true)))
                .filter_map(|v| v.get("name").cloned())
                .collect()
        })
        .unwrap_or_default();
    let since = old
        .and_then(|o| {
            o.pointer("/status/conditions/0/lastTransitionTime")
                .cloned()
        })
        .unwrap_or_else(|| json!(now_rfc3339()));
    obj["status"] = json!({
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": since, "reason": "NoConflicts", "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": since, "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}
        ],
        "acceptedNames": accepted,
        "storedVersions": storage,
    });
    Ok(obj)
}

/// The served resource types of one stored CRD.
pub fn types_of(crd: &Value) -> Vec<ResourceType> {
    let s = |p: &str| {
        crd.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let kind = s("/spec/names/kind");
    let singular = match s("/spec/names/singular") {
        x if x.is_empty() => kind.to_ascii_lowercase(),
        x => x,
    };
    let strs = |p: &str| -> Vec<String> {
        crd.pointer(p)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for v in crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if v.get("served").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let openapi_schema = v.pointer("/schema/openAPIV3Schema").cloned();
        let schema = openapi_schema.as_ref().and_then(|sch| match kube_schema::StructuralSchema::new(sch) {
            Ok(s) => Some(Arc::new(s)),
            Err(e) => {
                tracing::warn!(crd = %name_of(crd), error = %e, "schema not enforced: not a structural schema");
                None
            }
        });
        let status_subresource = v.pointer("/subresources/status").is_some();
        // With a status subresource the main resource owns no status (the apiserver's reset fields).
        let types = openapi_schema
            .as_ref()
            .map(kube_patch::ssa::TypeInfo::from_openapi_v3)
            .unwrap_or_default()
            .with_status_subresource(status_subresource);
        out.push(ResourceType {
            group: s("/spec/group"),
            version: v
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            kind: kind.clone(),
            plural: s("/spec/names/plural"),
            singular: singular.clone(),
            short_names: strs("/spec/names/shortNames"),
            categories: strs("/spec/names/categories"),
            namespaced: s("/spec/scope") == "Namespaced",
            status_subresource,
            has_generation: true,
            custom: Some(CustomInfo {
                crd_name: name_of(crd).to_string(),
                openapi_schema,
                schema,
                printer_columns: v
                    .get("additionalPrinterColumns")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                storage: v.get("storage").and_then(Value::as_bool) == Some(true),
            }),
            types,
        });
    }
    out
}

/// Rebuild the served types from the built-ins and every stored CRD.
pub fn rebuild_registry(srv: &Server) {
    let mut types = builtin_types();
    let (crds, _) = srv.store.list(CRD_KEY, None, None);
    for crd in crds {
        // A CRD whose objects are all cleaned up is about to vanish; until then it is served.
        let _ = finalizers(&crd);
        types.extend(types_of(&crd).into_iter().map(Arc::new));
    }
    srv.set_registry(Registry::new(types));
}
