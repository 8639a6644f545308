//! The CustomResourceDefinitions of every kind, as `make crds` writes them to config/crds/.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, JSONSchemaProps,
};
use serde_json::{Value, json};

/// Every CRD flux-rs serves, normalised to the shape controller-gen gives Flux's CRDs.
pub fn all() -> Vec<CustomResourceDefinition> {
    let mut crds = Vec::new();
    crds.extend(crate::source::crds());
    crds.extend(crate::source_extensions::crds());
    crds.extend(crate::kustomize::crds());
    crds.extend(crate::helm::crds());
    crds.extend(crate::notification::crds());
    crds.extend(crate::image::crds());
    crds.into_iter().map(normalize).collect()
}

/// The file name Flux uses for a CRD: `<group>_<plural>.yaml`.
pub fn file_name(crd: &CustomResourceDefinition) -> String {
    format!("{}_{}.yaml", crd.spec.group, crd.spec.names.plural)
}

/// Render a CRD as YAML, the way config/crds/ stores it.
pub fn to_yaml(crd: &CustomResourceDefinition) -> Result<String, serde_saphyr::ser::Error> {
    let mut value = serde_json::to_value(crd).expect("a CRD always serialises to JSON");
    integral_floats_to_integers(&mut value);
    let mut out = String::from("---\n");
    out.push_str(&serde_saphyr::to_string(&value)?);
    Ok(out)
}

/// Bring kube-derive's output to controller-gen's shape: no `nullable` on optional fields (Go's
/// omitempty fields are simply optional), no `null` in enums, no schemars title, and the root
/// `apiVersion`/`kind`/`metadata` properties, and no root `required` every Kubernetes object schema lists.
fn normalize(mut crd: CustomResourceDefinition) -> CustomResourceDefinition {
    if crd.spec.names.list_kind.is_none() {
        crd.spec.names.list_kind = Some(format!("{}List", crd.spec.names.kind));
    }
    for version in &mut crd.spec.versions {
        let Some(validation) = version.schema.as_mut() else {
            continue;
        };
        let Some(root) = validation.open_api_v3_schema.take() else {
            continue;
        };
        let mut root = serde_json::to_value(root).expect("schema serialises");
        strip_option_artifacts(&mut root);
        if let Some(obj) = root.as_object_mut() {
            obj.remove("title");
            // Go's `spec,omitempty` leaves spec optional at the root; the API server still
            // validates spec's own required fields whenever it is present.
            obj.remove("required");
            let props = obj
                .entry("properties")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("root properties is an object");
            props.insert("apiVersion".into(), json!({
                "description": "APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
                "type": "string"
            }));
            props.insert("kind".into(), json!({
                "description": "Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated.\nIn CamelCase.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
                "type": "string"
            }));
            props.insert("metadata".into(), json!({ "type": "object" }));
            sort_object(props);
        }
        let root: JSONSchemaProps =
            serde_json::from_value(root).expect("normalised schema is valid");
        validation.open_api_v3_schema = Some(root);
    }
    crd
}

fn strip_option_artifacts(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            map.remove("nullable");
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            for (key, child) in map.iter_mut() {
                // `default` and `example` hold data, not schemas.
                if key != "default" && key != "example" {
                    strip_option_artifacts(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_option_artifacts),
        _ => {}
    }
}

/// JSONSchemaProps keeps `minimum`/`maximum` as f64; print `0`, not `0.0`, as controller-gen does.
fn integral_floats_to_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or_default();
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                *value = Value::from(f as i64);
            }
        }
        Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

fn sort_object(map: &mut serde_json::Map<String, Value>) {
    let mut entries: Vec<_> = std::mem::take(map).into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    map.extend(entries);
}
