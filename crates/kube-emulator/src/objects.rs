//! The rules every write applies to an object: metadata set on create, fields preserved on update,
//! generation bumps, the status subresource split, kind-specific normalisation, name validation.

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ApiResult, Cause};
use crate::kinds::ResourceType;

pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub fn meta(obj: &Value) -> Option<&Map<String, Value>> {
    obj.get("metadata").and_then(Value::as_object)
}

pub fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    obj["metadata"]
        .as_object_mut()
        .expect("metadata was just made an object")
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    meta(obj)
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub fn name_of(obj: &Value) -> &str {
    meta_str(obj, "name")
}

pub fn finalizers(obj: &Value) -> Vec<String> {
    meta(obj)
        .and_then(|m| m.get("finalizers"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

pub fn is_deleting(obj: &Value) -> bool {
    meta(obj).is_some_and(|m| m.get("deletionTimestamp").is_some_and(|v| !v.is_null()))
}

fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    bytes
        .iter()
        .take(5)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// Name rules as the apiserver words them (the first violation only).
pub fn validate_name(rt: &ResourceType, name: &str) -> Option<Cause> {
    let label_only = matches!(rt.kind.as_str(), "Namespace" | "Service");
    let ok = if label_only {
        is_dns1123_label(name)
    } else {
        is_dns1123_subdomain(name)
    };
    // RBAC objects and events accept any path segment name.
    let lenient = rt.group == "rbac.authorization.k8s.io" || rt.kind == "Event";
    if ok || (lenient && !name.is_empty() && !name.contains('/') && name != "." && name != "..") {
        return None;
    }
    let what = if label_only {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    } else {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    };
    Some(Cause {
        reason: "FieldValueInvalid".into(),
        message: format!("Invalid value: \"{name}\": {what}"),
        field: "metadata.name".into(),
    })
}

/// Check apiVersion/kind of a request body against the endpoint, then fill them in.
pub fn check_type(rt: &ResourceType, obj: &mut Value) -> ApiResult<()> {
    if !obj.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    }
    let want_av = rt.api_version();
    if let Some(av) = obj.get("apiVersion").and_then(Value::as_str)
        && !av.is_empty()
        && av != want_av
    {
        // Objects of another version of the same group/kind are converted by rewriting apiVersion
        // (no conversion webhooks are emulated).
        let (g, _) = crate::kinds::split_api_version(av);
        if g != rt.group {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({want_av})"
            )));
        }
    }
    if let Some(k) = obj.get("kind").and_then(Value::as_str)
        && !k.is_empty()
        && k != rt.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({k}) does not match the expected kind ({})",
            rt.kind
        )));
    }
    obj["apiVersion"] = json!(want_av);
    obj["kind"] = json!(rt.kind);
    Ok(())
}

/// Move apiVersion and kind to the front, as the apiserver serialises objects.
pub fn normalise_order(obj: Value) -> Value {
    let Value::Object(mut m) = obj else {
        return obj;
    };
    let mut out = Map::with_capacity(m.len());
    for k in ["apiVersion", "kind", "metadata"] {
        if let Some(v) = m.shift_remove(k) {
            out.insert(k.into(), v);
        }
    }
    out.extend(m);
    Value::Object(out)
}

fn fold_string_data(obj: &mut Value) -> ApiResult<()> {
    let Some(sd) = obj
        .as_object_mut()
        .and_then(|o| o.shift_remove("stringData"))
    else {
        return Ok(());
    };
    let Value::Object(sd) = sd else {
        return Err(ApiError::bad_request("stringData must be a map of strings"));
    };
    if !obj.get("data").is_some_and(Value::is_object) {
        obj["data"] = json!({});
    }
    for (k, v) in sd {
        let s = v.as_str().unwrap_or_default();
        obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(s));
    }
    Ok(())
}

/// Kind-specific normalisation and defaults applied on every write.
fn normalise_kind(rt: &ResourceType, obj: &mut Value) -> ApiResult<()> {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Secret") => {
            fold_string_data(obj)?;
            if obj.get("type").is_none() {
                obj["type"] = json!("Opaque");
            }
        }
        ("apps", "Deployment" | "StatefulSet" | "ReplicaSet")
            if obj.get("spec").is_some_and(Value::is_object)
                && obj["spec"].get("replicas").is_none() =>
        {
            obj["spec"]["replicas"] = json!(1);
        }
        ("", "Service")
            if obj.get("spec").is_some_and(Value::is_object)
                && obj["spec"].get("type").is_none() =>
        {
            obj["spec"]["type"] = json!("ClusterIP");
        }
        _ => {}
    }
    Ok(())
}

/// Prune, default and validate a custom resource against its CRD schema.
fn enforce_schema(rt: &ResourceType, obj: &mut Value, strict: bool) -> ApiResult<()> {
    let Some(schema) = rt.custom.as_ref().and_then(|c| c.schema.as_ref()) else {
        return Ok(());
    };
    let unknown = schema.prune(obj);
    if strict && !unknown.is_empty() {
        let list: Vec<String> = unknown
            .iter()
            .map(|p| format!("unknown field \"{p}\""))
            .collect();
        return Err(ApiError::bad_request(format!(
            "{kind} in version \"{v}\" cannot be handled as a {kind}: strict decoding error: {}",
            list.join(", "),
            kind = rt.kind,
            v = rt.version
        )));
    }
    schema.default(obj);
    let causes = schema.validate(obj);
    if !causes.is_empty() {
        return Err(ApiError::invalid(rt, name_of(obj), causes));
    }
    Ok(())
}

/// Everything a create sets: name (generateName), namespace, uid, timestamps, generation.
pub fn prepare_create(
    rt: &ResourceType,
    ns: &str,
    mut obj: Value,
    strict: bool,
) -> ApiResult<Value> {
    check_type(rt, &mut obj)?;
    let m = meta_mut(&mut obj);
    let name = m
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name.is_empty() {
        let gen_name = m
            .get("generateName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if gen_name.is_empty() {
            return Err(ApiError::invalid(
                rt,
                "",
                vec![Cause {
                    reason: "FieldValueRequired".into(),
                    message: "Required value: name or generateName is required".into(),
                    field: "metadata.name".into(),
                }],
            ));
        }
        m.insert(
            "name".into(),
            json!(format!("{gen_name}{}", random_suffix())),
        );
    }
    if rt.namespaced {
        let body_ns = m.get("namespace").and_then(Value::as_str).unwrap_or("");
        if !body_ns.is_empty() && body_ns != ns {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        m.insert("namespace".into(), json!(ns));
    } else {
        m.shift_remove("namespace");
    }
    m.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
    m.insert("creationTimestamp".into(), json!(now_rfc3339()));
    m.shift_remove("resourceVersion");
    m.shift_remove("deletionTimestamp");
    m.shift_remove("deletionGracePeriodSeconds");
    m.shift_remove("selfLink");
    if rt.has_generation || rt.custom.is_some() {
        m.insert("generation".into(), json!(1));
    } else {
        m.shift_remove("generation");
    }
    let name = name_of(&obj).to_string();
    if let Some(cause) = validate_name(rt, &name) {
        return Err(ApiError::invalid(rt, &name, vec![cause]));
    }
    if rt.status_subresource
        && let Some(o) = obj.as_object_mut()
    {
        o.shift_remove("status");
    }
    match rt.kind.as_str() {
        "Namespace" if rt.group.is_empty() => {
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
            obj["status"] = json!({"phase": "Active"});
        }
        "Pod" if rt.group.is_empty() => {
            obj["status"] = json!({"phase": "Pending", "qosClass": "BestEffort"});
        }
        _ => {}
    }
    normalise_kind(rt, &mut obj)?;
    enforce_schema(rt, &mut obj, strict)?;
    Ok(normalise_order(obj))
}

fn without_meta_and_status(obj: &Value) -> Map<String, Value> {
    let mut m = obj.as_object().cloned().unwrap_or_default();
    m.shift_remove("metadata");
    m.shift_remove("status");
    m
}

/// Merge a write onto the live object: `new` is what the client sent (already patched, for patches).
/// `subresource` is `Some("status")` for the status endpoint.
pub fn prepare_update(
    rt: &ResourceType,
    old: &Value,
    mut new: Value,
    subresource: Option<&str>,
    strict: bool,
) -> ApiResult<Value> {
    check_type(rt, &mut new)?;
    let name = name_of(old).to_string();
    let new_name = name_of(&new);
    if !new_name.is_empty() && new_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({new_name}) does not match the name on the URL ({name})"
        )));
    }
    let mut out = if subresource == Some("status") {
        // The status endpoint changes status only (plus nothing else in metadata).
        let mut o = old.clone();
        match new.get("status") {
            Some(s) => o["status"] = s.clone(),
            None => {
                if let Some(m) = o.as_object_mut() {
                    m.shift_remove("status");
                }
            }
        }
        let rv = meta_str(&new, "resourceVersion").to_string();
        meta_mut(&mut o).insert("resourceVersion".into(), json!(rv));
        o
    } else {
        if rt.status_subresource {
            match old.get("status") {
                Some(s) => new["status"] = s.clone(),
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.shift_remove("status");
                    }
                }
            }
        }
        new
    };
    // Fields the client cannot change.
    let old_meta = meta(old).cloned().unwrap_or_default();
    let m = meta_mut(&mut out);
    for k in [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "namespace",
        "name",
    ] {
        match old_meta.get(k) {
            Some(v) => {
                m.insert(k.into(), v.clone());
            }
            None => {
                m.shift_remove(k);
            }
        }
    }
    m.shift_remove("selfLink");
    if is_deleting(old) {
        // Finalizers may only be removed from an object being deleted, not added.
        let old_f = finalizers(old);
        if let Some(added) = finalizers(&out).into_iter().find(|f| !old_f.contains(f)) {
            return Err(ApiError::forbidden(
                format!(
                    "{} \"{}\" is forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{}\"}}",
                    rt.qualified_plural(),
                    name,
                    added
                ),
                Some((rt, &name)),
            ));
        }
    }
    if subresource.is_none() {
        normalise_kind(rt, &mut out)?;
        enforce_schema(rt, &mut out, strict)?;
    } else if rt.custom.is_some() {
        // The status endpoint validates the whole object too.
        enforce_schema(rt, &mut out, false)?;
    }
    if rt.has_generation || rt.custom.is_some() {
        let old_gen = old_meta
            .get("generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let changed = without_meta_and_status(old) != without_meta_and_status(&out);
        let new_gen = if changed && subresource.is_none() {
            old_gen + 1
        } else {
            old_gen
        };
        meta_mut(&mut out).insert("generation".into(), json!(new_gen));
    }
    Ok(normalise_order(out))
}

/// Whether two versions of an object differ in anything but resourceVersion and managedFields
/// timestamps (a write that changes nothing is not committed, as the apiserver does).
pub fn same_content(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.shift_remove("resourceVersion");
            if let Some(Value::Array(mf)) = m.get_mut("managedFields") {
                for e in mf {
                    if let Some(o) = e.as_object_mut() {
                        o.shift_remove("time");
                    }
                }
            }
        }
        v
    }
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{Registry, builtin_types};

    fn rt(g: &str, plural: &str) -> std::sync::Arc<ResourceType> {
        Registry::new(builtin_types())
            .lookup(g, if g == "autoscaling" { "v2" } else { "v1" }, plural)
            .unwrap()
    }

    #[test]
    fn create_sets_metadata_and_generate_name() {
        let d = rt("apps", "deployments");
        let obj = prepare_create(
            &d,
            "ns1",
            json!({"metadata": {"generateName": "web-"}, "spec": {}, "status": {"x": 1}}),
            false,
        )
        .unwrap();
        let name = name_of(&obj);
        assert!(name.starts_with("web-") && name.len() == 9, "{name}");
        assert_eq!(obj["metadata"]["namespace"], "ns1");
        assert_eq!(obj["metadata"]["generation"], 1);
        assert_eq!(obj["spec"]["replicas"], 1);
        assert!(obj.get("status").is_none());
        assert_eq!(obj["apiVersion"], "apps/v1");
    }

    #[test]
    fn invalid_names_are_rejected_with_causes() {
        let e = prepare_create(
            &rt("", "configmaps"),
            "d",
            json!({"metadata": {"name": "Bad_Name"}}),
            false,
        )
        .unwrap_err();
        assert_eq!(e.code, 422);
        assert!(e.message.starts_with(
            "ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\""
        ));
    }

    #[test]
    fn secrets_fold_string_data() {
        let s = prepare_create(
            &rt("", "secrets"),
            "d",
            json!({"metadata": {"name": "s"}, "stringData": {"a": "hi"}}),
            false,
        )
        .unwrap();
        assert_eq!(s["data"]["a"], "aGk=");
        assert!(s.get("stringData").is_none());
        assert_eq!(s["type"], "Opaque");
    }

    #[test]
    fn generation_tracks_spec_not_status() {
        let d = rt("apps", "deployments");
        let old = prepare_create(
            &d,
            "n",
            json!({"metadata": {"name": "a"}, "spec": {"replicas": 1}}),
            false,
        )
        .unwrap();
        let same = prepare_update(
            &d,
            &old,
            json!({"metadata": {"name": "a", "labels": {"x": "y"}}, "spec": {"replicas": 1}}),
            None,
            false,
        )
        .unwrap();
        assert_eq!(same["metadata"]["generation"], 1);
        let bumped = prepare_update(
            &d,
            &old,
            json!({"metadata": {"name": "a"}, "spec": {"replicas": 3}}),
            None,
            false,
        )
        .unwrap();
        assert_eq!(bumped["metadata"]["generation"], 2);
        let status = prepare_update(
            &d,
            &old,
            json!({"metadata": {"name": "a"}, "spec": {"replicas": 9}, "status": {"replicas": 1}}),
            Some("status"),
            false,
        )
        .unwrap();
        assert_eq!(status["metadata"]["generation"], 1);
        assert_eq!(status["spec"]["replicas"], 1);
        assert_eq!(status["status"]["replicas"], 1);
    }
}
