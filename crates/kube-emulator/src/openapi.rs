//! OpenAPI v3 documents: one per group/version, with the PATCH operations kubectl inspects for
//! `fieldValidation` support and the schemas `kubectl explain` reads. /openapi/v2 is not served
//! (kubectl asks for it in protobuf only, and falls back to v3 or its compiled-in types).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult};
use crate::kinds::{Registry, ResourceType};
use crate::server::{Ctx, json_response};

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `io.k8s.api.apps.v1.Deployment` for built-ins, reversed group for custom resources.
fn schema_name(rt: &ResourceType) -> String {
    if rt.custom.is_some() {
        let rev: Vec<&str> = rt.group.split('.').rev().collect();
        return format!("{}.{}.{}", rev.join("."), rt.version, rt.kind);
    }
    let g = match rt.group.as_str() {
        "" => "core".to_string(),
        "apiextensions.k8s.io" => {
            return format!(
                "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{}.{}",
                rt.version, rt.kind
            );
        }
        g => g.trim_end_matches(".k8s.io").to_string(),
    };
    format!("io.k8s.api.{g}.{}.{}", rt.version, rt.kind)
}

fn gvk(rt: &ResourceType) -> Value {
    json!({"group": rt.group, "kind": rt.kind, "version": rt.version})
}

fn object_meta_schema() -> Value {
    let s = |d: &str| json!({"type": "string", "description": d});
    json!({
        "type": "object",
        "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        "properties": {
            "name": s("Name must be unique within a namespace."),
            "generateName": s("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
            "namespace": s("Namespace defines the space within which each name must be unique."),
            "uid": s("UID is the unique in time and space value for this object."),
            "resourceVersion": s("An opaque value that represents the internal version of this object."),
            "generation": {"type": "integer", "format": "int64", "description": "A sequence number representing a specific generation of the desired state."},
            "creationTimestamp": {"type": "string", "format": "date-time", "description": "CreationTimestamp is a timestamp representing the server time when this object was created."},
            "deletionTimestamp": {"type": "string", "format": "date-time", "description": "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."},
            "deletionGracePeriodSeconds": {"type": "integer", "format": "int64", "description": "Number of seconds allowed for this object to gracefully terminate."},
            "labels": {"type": "object", "additionalProperties": {"type": "string", "default": ""}, "description": "Map of string keys and values that can be used to organize and categorize (scope and select) objects."},
            "annotations": {"type": "object", "additionalProperties": {"type": "string", "default": ""}, "description": "Annotations is an unstructured key value map stored with a resource."},
            "finalizers": {"type": "array", "items": {"type": "string", "default": ""}, "x-kubernetes-list-type": "set", "description": "Must be empty before the object is deleted from the registry."},
            "ownerReferences": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["uid"], "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge", "description": "List of objects depended by this object."},
            "managedFields": {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}, "description": "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow."}
        }
    })
}

fn kind_schema(rt: &ResourceType) -> Value {
    let mut schema = rt
        .custom
        .as_ref()
        .and_then(|c| c.openapi_schema.clone())
        .unwrap_or_else(|| {
            json!({
                "type": "object",
                "description": format!("{} ({}). This emulator does not describe the fields of built-in kinds.", rt.kind, rt.api_version()),
                "properties": {
                    "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                },
                "x-kubernetes-preserve-unknown-fields": true
            })
        });
    if !schema.get("properties").is_some_and(Value::is_object) {
        schema["properties"] = json!({});
    }
    let props = schema["properties"]
        .as_object_mut()
        .expect("properties was just made an object");
    props.insert(
        "apiVersion".into(),
        json!({"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."}),
    );
    props.insert(
        "kind".into(),
        json!({"type": "string", "description": "Kind is a string value representing the REST resource this object represents."}),
    );
    props.insert(
        "metadata".into(),
        json!({"allOf": [{"$ref": format!("#/components/schemas/{OBJECT_META}")}], "default": {}, "description": "Standard object's metadata."}),
    );
    schema["x-kubernetes-group-version-kind"] = json!([gvk(rt)]);
    schema
}

fn param(name: &str, kind: &str) -> Value {
    json!({"name": name, "in": "query", "schema": {"type": kind, "uniqueItems": true}})
}

fn operations(rt: &ResourceType, sname: &str) -> Value {
    let obj_ref = json!({"schema": {"$ref": format!("#/components/schemas/{sname}")}});
    let ok = json!({"200": {"description": "OK", "content": {"application/json": obj_ref}}});
    let patch_ref = json!({"schema": {"$ref": format!("#/components/schemas/{PATCH}")}});
    let mut content = Map::new();
    for t in [
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
    ] {
        content.insert(t.into(), patch_ref.clone());
    }
    let op = |action: &str, verb: &str, extra: Vec<Value>| {
        let mut params = vec![
            param("dryRun", "string"),
            param("fieldManager", "string"),
            param("fieldValidation", "string"),
        ];
        params.extend(extra);
        json!({
            "operationId": format!("{verb}{}", rt.kind),
            "parameters": params,
            "responses": ok,
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": gvk(rt),
        })
    };
    let mut patch = op("patch", "patch", vec![param("force", "boolean")]);
    patch["requestBody"] = json!({"content": content, "required": true});
    let mut put = op("put", "replace", vec![]);
    put["requestBody"] = json!({"content": {"application/json": obj_ref}, "required": true});
    let get = json!({"operationId": format!("read{}", rt.kind), "responses": ok, "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvk(rt)});
    let delete = json!({"operationId": format!("delete{}", rt.kind), "responses": ok, "x-kubernetes-action": "delete", "x-kubernetes-group-version-kind": gvk(rt)});
    json!({"get": get, "put": put, "patch": patch, "delete": delete})
}

pub fn group_version_doc(reg: &Registry, group: &str, version: &str) -> Option<Value> {
    let types = reg.in_group_version(group, version);
    if types.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert(OBJECT_META.into(), object_meta_schema());
    schemas.insert(PATCH.into(), json!({"type": "object", "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."}));
    let root = format!("/{}", gv_path(group, version));
    for rt in &types {
        let sname = schema_name(rt);
        let item = if rt.namespaced {
            format!("{root}/namespaces/{{namespace}}/{}/{{name}}", rt.plural)
        } else {
            format!("{root}/{}/{{name}}", rt.plural)
        };
        paths.insert(item.clone(), operations(rt, &sname));
        if rt.status_subresource {
            paths.insert(format!("{item}/status"), operations(rt, &sname));
        }
        schemas.insert(sname, kind_schema(rt));
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.0"},
        "paths": paths,
        "components": {"schemas": schemas}
    }))
}

fn hash_of(v: &Value) -> String {
    let mut h = DefaultHasher::new();
    v.to_string().hash(&mut h);
    format!("{:016X}", h.finish())
}

pub fn serve(reg: &Registry, path: &str, _ctx: &Ctx) -> ApiResult<Response> {
    let path = path.trim_end_matches('/');
    if path == "/openapi/v3" {
        let mut gvs: Vec<(String, String)> = vec![("".into(), "v1".into())];
        for (g, vs) in reg.groups() {
            for v in vs {
                gvs.push((g.clone(), v));
            }
        }
        let mut paths = Map::new();
        for (g, v) in gvs {
            if let Some(doc) = group_version_doc(reg, &g, &v) {
                let p = gv_path(&g, &v);
                paths.insert(
                    p.clone(),
                    json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash={}", hash_of(&doc))}),
                );
            }
        }
        return Ok(json_response(StatusCode::OK, &json!({"paths": paths})));
    }
    if let Some(rest) = path.strip_prefix("/openapi/v3/") {
        let segs: Vec<&str> = rest.split('/').collect();
        let doc = match segs.as_slice() {
            ["api", v] => group_version_doc(reg, "", v),
            ["apis", g, v] => group_version_doc(reg, g, v),
            _ => None,
        };
        return doc
            .map(|d| json_response(StatusCode::OK, &d))
            .ok_or_else(ApiError::path_not_found);
    }
    Err(ApiError::path_not_found())
}
