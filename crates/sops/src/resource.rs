//! What the kustomize controller decrypts in a build output, as Flux's `DecryptResource`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value as Json;

use crate::decrypt::{DecryptOptions, decrypt_document, decrypt_with};
use crate::keys::Keys;
use crate::stores::{self, json};
use crate::tree::{MapKey, Value};
use crate::{Format, SopsError, cipher, metadata};

/// Annotation (on any object) that turns decryption off for it when set to `disabled`.
pub const DECRYPT_ANNOTATION: &str = "kustomize.toolkit.fluxcd.io/decrypt";

/// True when the object carries `kustomize.toolkit.fluxcd.io/decrypt: disabled` (any case).
pub fn is_decryption_disabled(object: &Json) -> bool {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(DECRYPT_ANNOTATION))
        .and_then(Json::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("disabled"))
}

/// True when the object has a `sops` field with a non-empty `mac` (Flux decrypts it whole).
pub fn is_encrypted_resource(object: &Json) -> bool {
    match object
        .get(metadata::METADATA_KEY)
        .and_then(|s| s.get("mac"))
    {
        None | Some(Json::Null) => false,
        Some(Json::String(s)) => !s.is_empty(),
        Some(Json::Object(m)) => !m.is_empty(),
        Some(Json::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// True for a `v1` Secret that still has a `sops` field: Flux refuses to apply those.
pub fn is_encrypted_secret(object: &Json) -> bool {
    object.get("kind").and_then(Json::as_str) == Some("Secret")
        && object.get("apiVersion").and_then(Json::as_str) == Some("v1")
        && object.get(metadata::METADATA_KEY).is_some()
}

/// Decrypts one object of a kustomize build output, as Flux's `DecryptResource`:
///
/// - an object with `sops` metadata (`sops.mac` set) is decrypted as a whole and returned
///   without its `sops` field. Its MAC is not checked, as in Flux: kustomize rewrites such
///   documents (name prefixes, labels, key order), so the MAC cannot match; every encrypted value
///   is still authenticated by AES-GCM against its path, and a value left encrypted is an error;
/// - otherwise, for a `Secret`, every `data` value that base64-decodes to a SOPS document
///   (detected by its marker: dotenv, JSON/binary, YAML; INI is unsupported) is decrypted,
///   with its MAC verified, and written in the format the data key's file name implies
///   (`*.yaml`, `*.json`, `*.env`, `.dockerconfigjson`, anything else binary);
/// - objects carrying `kustomize.toolkit.fluxcd.io/decrypt: disabled`, and anything else, are
///   returned unchanged.
pub fn decrypt_resource(object: &Json, keys: &Keys) -> Result<Json, SopsError> {
    if is_decryption_disabled(object) {
        return Ok(object.clone());
    }
    let field = |name: &str| {
        object
            .pointer(name)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if is_encrypted_resource(object) {
        return decrypt_whole(object, keys).map_err(|source| SopsError::Resource {
            kind: field("/kind"),
            namespace: field("/metadata/namespace"),
            name: field("/metadata/name"),
            source: Box::new(source),
        });
    }
    if object.get("kind").and_then(Json::as_str) != Some("Secret") {
        return Ok(object.clone());
    }
    let mut out = object.clone();
    let Some(Json::Object(data)) = out.get_mut("data") else {
        return Ok(out);
    };
    for (key, value) in data.iter_mut() {
        let Some(encoded) = value.as_str() else {
            continue;
        };
        // Not base64: a user error kustomize or the API server will report.
        let Ok(bytes) = STANDARD.decode(encoded) else {
            continue;
        };
        let Some(input) = Format::detect(&bytes) else {
            continue;
        };
        let output = Format::for_path(key);
        let plain = decrypt_with(&bytes, input, output, keys, DecryptOptions::default()).map_err(
            |source| SopsError::SecretField {
                namespace: field("/metadata/namespace"),
                name: field("/metadata/name"),
                key: key.clone(),
                source: Box::new(source),
            },
        )?;
        *value = Json::String(STANDARD.encode(plain));
    }
    Ok(out)
}

fn decrypt_whole(object: &Json, keys: &Keys) -> Result<Json, SopsError> {
    let tree = json::from_json_value(object, 0)?;
    let mut branches = vec![tree];
    let metadata = metadata::extract(&mut branches)?;
    let branches = decrypt_document(
        stores::Document { branches, metadata },
        keys,
        DecryptOptions { verify_mac: false },
    )?;
    if let Some(path) = find_ciphertext(&branches[0], &mut Vec::new()) {
        return Err(SopsError::DecryptValue {
            path,
            reason: "value is still encrypted after decryption (the sops metadata's rules do not cover it)".into(),
        });
    }
    json::to_json_value(&branches[0])
}

/// Path of the first string that still looks like sops ciphertext.
fn find_ciphertext(value: &Value, path: &mut Vec<String>) -> Option<String> {
    match value {
        Value::Str(s) if cipher::looks_encrypted(s) => Some(path.join(".")),
        Value::Map(entries) => entries.iter().find_map(|(key, child)| {
            let MapKey::Name(name) = key else { return None };
            path.push(name.clone());
            let found = find_ciphertext(child, path);
            path.pop();
            found
        }),
        Value::List(items) => items.iter().find_map(|item| find_ciphertext(item, path)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_helpers() {
        let secret =
            serde_json::json!({"apiVersion": "v1", "kind": "Secret", "sops": {"mac": "ENC[x]"}});
        assert!(is_encrypted_resource(&secret));
        assert!(is_encrypted_secret(&secret));
        let plain = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "sops": {"mac": ""}});
        assert!(!is_encrypted_resource(&plain));
        let disabled =
            serde_json::json!({"metadata": {"annotations": {DECRYPT_ANNOTATION: "Disabled"}}});
        assert!(is_decryption_disabled(&disabled));
    }

    #[test]
    fn objects_without_sops_data_are_unchanged() {
        let keys = Keys::new();
        let cm = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}});
        assert_eq!(decrypt_resource(&cm, &keys).unwrap(), cm);
        let secret = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "data": {"a": "not base64!", "b": "aGVsbG8="}});
        assert_eq!(decrypt_resource(&secret, &keys).unwrap(), secret);
    }
}
