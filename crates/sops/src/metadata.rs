//! The `sops` metadata of a document: master keys (key groups), encryption rules, MAC and
//! modification time, read with sops' weak typing.

use chrono::{DateTime, Offset};
use regex::Regex;

use crate::SopsError;
use crate::tree::{CryptRules, MapKey, Value};

pub(crate) const METADATA_KEY: &str = "sops";
const DOTENV_PREFIX: &str = "sops_";
const DEFAULT_UNENCRYPTED_SUFFIX: &str = "_unencrypted";

/// A master key: one wrapping of the data key (or of a Shamir share of it).
#[derive(Debug, Clone)]
pub(crate) enum MasterKey {
    Age {
        recipient: String,
        enc: String,
    },
    Pgp {
        fingerprint: String,
        enc: String,
    },
    /// A key service flux-sops cannot use (cloud KMS, Vault): `provider` names it, `id` is its
    /// public identifier (ARN, URL, ...).
    Unsupported {
        provider: &'static str,
        id: String,
    },
}

pub(crate) struct Metadata {
    /// `lastmodified` re-formatted as Go's `time.RFC3339`: the MAC's additional data.
    pub last_modified: String,
    pub mac: String,
    pub rules: CryptRules,
    pub key_groups: Vec<Vec<MasterKey>>,
    pub shamir_threshold: usize,
}

/// Removes the `sops` entry from every document and reads it from the first (YAML, JSON).
pub(crate) fn extract(branches: &mut [Value]) -> Result<Metadata, SopsError> {
    let mut found: Option<Value> = None;
    for (index, branch) in branches.iter_mut().enumerate() {
        let Value::Map(entries) = branch else {
            continue;
        };
        let mut i = 0;
        while i < entries.len() {
            if matches!(&entries[i].0, MapKey::Name(k) if k == METADATA_KEY) {
                let (_, value) = entries.remove(i);
                if index == 0 {
                    if found.is_some() {
                        return Err(SopsError::InvalidMetadata(
                            "found duplicate sops entry".into(),
                        ));
                    }
                    if !matches!(value, Value::Map(_)) {
                        return Err(SopsError::InvalidMetadata(
                            "found sops entry that is not a mapping".into(),
                        ));
                    }
                    found = Some(value);
                }
            } else {
                i += 1;
            }
        }
    }
    from_tree(&found.ok_or(SopsError::MetadataNotFound)?)
}

/// Removes the `sops_*` entries of a dotenv document and reads them, un-flattened.
pub(crate) fn extract_flat(branch: &mut Value) -> Result<Metadata, SopsError> {
    let Value::Map(entries) = branch else {
        return Err(SopsError::MetadataNotFound);
    };
    let mut flat = Vec::new();
    entries.retain(|(key, value)| match key {
        MapKey::Name(name) if name.starts_with(DOTENV_PREFIX) => {
            flat.push((name[DOTENV_PREFIX.len()..].to_string(), value.clone()));
            false
        }
        _ => true,
    });
    if flat.is_empty() {
        return Err(SopsError::MetadataNotFound);
    }
    from_tree(&crate::stores::flatten::unflatten(flat)?)
}

fn from_tree(tree: &Value) -> Result<Metadata, SopsError> {
    let Value::Map(entries) = tree else {
        return Err(SopsError::InvalidMetadata("not a mapping".into()));
    };
    let get = |name: &str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| matches!(k, MapKey::Name(n) if n == name))
            .map(|(_, v)| v)
    };
    let text = |name: &str| -> Result<Option<String>, SopsError> {
        match get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => weak_string(v)
                .map(Some)
                .ok_or_else(|| SopsError::InvalidMetadata(format!("'{name}' must be a string"))),
        }
    };
    let nonempty = |name: &str| -> Result<Option<String>, SopsError> {
        Ok(text(name)?.filter(|s| !s.is_empty()))
    };

    let last_modified = text("lastmodified")?.unwrap_or_default();
    let last_modified = go_rfc3339(&last_modified).ok_or_else(|| {
        SopsError::InvalidMetadata("'lastmodified' is not an RFC 3339 time".into())
    })?;
    let mac = text("mac")?.unwrap_or_default();

    let unencrypted_suffix = nonempty("unencrypted_suffix")?;
    let encrypted_suffix = nonempty("encrypted_suffix")?;
    let unencrypted_regex = nonempty("unencrypted_regex")?;
    let encrypted_regex = nonempty("encrypted_regex")?;
    let unencrypted_comment_regex = nonempty("unencrypted_comment_regex")?;
    let encrypted_comment_regex = nonempty("encrypted_comment_regex")?;
    let rule_count = [
        &unencrypted_suffix,
        &encrypted_suffix,
        &unencrypted_regex,
        &encrypted_regex,
        &unencrypted_comment_regex,
        &encrypted_comment_regex,
    ]
    .iter()
    .filter(|r| r.is_some())
    .count();
    if rule_count > 1 {
        return Err(SopsError::InvalidMetadata(
            "cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, \
             unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex in the same file"
                .into(),
        ));
    }
    if unencrypted_comment_regex.is_some() || encrypted_comment_regex.is_some() {
        return Err(SopsError::Unsupported(
            "a document using encrypted_comment_regex or unencrypted_comment_regex".into(),
        ));
    }
    let compile = |name: &str, pattern: Option<String>| -> Result<Option<Regex>, SopsError> {
        pattern
            .map(|p| {
                Regex::new(&p).map_err(|_| {
                    SopsError::InvalidMetadata(format!(
                        "'{name}' is not a valid regular expression"
                    ))
                })
            })
            .transpose()
    };
    let rules = CryptRules {
        unencrypted_suffix: if rule_count == 0 {
            Some(DEFAULT_UNENCRYPTED_SUFFIX.to_string())
        } else {
            unencrypted_suffix
        },
        encrypted_suffix,
        unencrypted_regex: compile("unencrypted_regex", unencrypted_regex)?,
        encrypted_regex: compile("encrypted_regex", encrypted_regex)?,
        mac_only_encrypted: match get("mac_only_encrypted") {
            None | Some(Value::Null) => false,
            Some(v) => weak_bool(v).ok_or_else(|| {
                SopsError::InvalidMetadata("'mac_only_encrypted' must be a boolean".into())
            })?,
        },
    };
    let shamir_threshold = match get("shamir_threshold") {
        None | Some(Value::Null) => 0,
        Some(v) => weak_uint(v).ok_or_else(|| {
            SopsError::InvalidMetadata("'shamir_threshold' must be a number".into())
        })?,
    };

    let key_groups = if has_keys(tree) {
        vec![group(tree)?]
    } else {
        match get("key_groups") {
            Some(Value::List(groups)) if !groups.is_empty() => {
                groups.iter().map(group).collect::<Result<Vec<_>, _>>()?
            }
            _ => return Err(SopsError::InvalidMetadata("no keys found in file".into())),
        }
    };
    Ok(Metadata {
        last_modified,
        mac,
        rules,
        key_groups,
        shamir_threshold,
    })
}

const KEY_LISTS: [&str; 7] = [
    "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "pgp", "age",
];

fn has_keys(tree: &Value) -> bool {
    KEY_LISTS
        .iter()
        .any(|name| matches!(field(tree, name), Some(Value::List(l)) if !l.is_empty()))
}

fn field<'a>(tree: &'a Value, name: &str) -> Option<&'a Value> {
    let Value::Map(entries) = tree else {
        return None;
    };
    entries
        .iter()
        .rev()
        .find(|(k, _)| matches!(k, MapKey::Name(n) if n == name))
        .map(|(_, v)| v)
}

fn field_text(tree: &Value, name: &str) -> String {
    field(tree, name).and_then(weak_string).unwrap_or_default()
}

/// One key group, in sops' decryption order: age first, then PGP, then the other services in
/// the order sops loads them.
fn group(tree: &Value) -> Result<Vec<MasterKey>, SopsError> {
    if !matches!(tree, Value::Map(_)) {
        return Err(SopsError::InvalidMetadata(
            "key group is not a mapping".into(),
        ));
    }
    let list = |name: &str| -> Result<Vec<&Value>, SopsError> {
        match field(tree, name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::List(items)) => Ok(items.iter().collect()),
            Some(_) => Err(SopsError::InvalidMetadata(format!(
                "'{name}' must be a list"
            ))),
        }
    };
    let mut keys = Vec::new();
    for item in list("age")? {
        keys.push(MasterKey::Age {
            recipient: field_text(item, "recipient"),
            enc: field_text(item, "enc"),
        });
    }
    for item in list("pgp")? {
        keys.push(MasterKey::Pgp {
            fingerprint: field_text(item, "fp"),
            enc: field_text(item, "enc"),
        });
    }
    let others: [(&str, &'static str, &str); 5] = [
        ("kms", "AWS KMS", "arn"),
        ("gcp_kms", "GCP KMS", "resource_id"),
        ("hckms", "HuaweiCloud KMS", "key_id"),
        ("azure_kv", "Azure Key Vault", "vault_url"),
        ("hc_vault", "HashiCorp Vault / OpenBao", "vault_address"),
    ];
    for (name, provider, id_field) in others {
        for item in list(name)? {
            keys.push(MasterKey::Unsupported {
                provider,
                id: field_text(item, id_field),
            });
        }
    }
    Ok(keys)
}

/// mapstructure's weak string conversion.
fn weak_string(value: &Value) -> Option<String> {
    match value {
        Value::Str(s) | Value::Time(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(crate::tree::format_go_float(*f)),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.into()),
        Value::Bytes(b) => String::from_utf8(b.clone()).ok(),
        _ => None,
    }
}

fn weak_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Int(i) => Some(*i != 0),
        Value::Float(f) => Some(*f != 0.0),
        Value::Str(s) if s.is_empty() => Some(false),
        Value::Str(s) => match s.as_str() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn weak_uint(value: &Value) -> Option<usize> {
    match value {
        Value::Int(i) => usize::try_from(*i).ok(),
        Value::Bool(b) => Some(usize::from(*b)),
        Value::Str(s) if s.is_empty() => Some(0),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

/// Parses RFC 3339 and formats it back as Go's `time.RFC3339` (no fraction, `Z` for UTC).
fn go_rfc3339(text: &str) -> Option<String> {
    let time = DateTime::parse_from_rfc3339(text).ok()?;
    let offset = time.offset().fix().local_minus_utc();
    let base = time.format("%Y-%m-%dT%H:%M:%S").to_string();
    if offset == 0 {
        Some(format!("{base}Z"))
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let abs = offset.unsigned_abs();
        Some(format!(
            "{base}{sign}{:02}:{:02}",
            abs / 3600,
            (abs % 3600) / 60
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_as_go_formats_it() {
        assert_eq!(
            go_rfc3339("2024-11-12T13:33:42Z").unwrap(),
            "2024-11-12T13:33:42Z"
        );
        assert_eq!(
            go_rfc3339("2024-11-12T13:33:42.123456Z").unwrap(),
            "2024-11-12T13:33:42Z"
        );
        assert_eq!(
            go_rfc3339("2024-11-12T13:33:42+02:00").unwrap(),
            "2024-11-12T13:33:42+02:00"
        );
        assert_eq!(
            go_rfc3339("2024-11-12T13:33:42+00:00").unwrap(),
            "2024-11-12T13:33:42Z"
        );
        assert!(go_rfc3339("yesterday").is_none());
    }
}
