//! Files encrypted by the real sops (Flux's decryption test data in ../shared/fixtures/sops).

mod common;

use std::path::Path;

use common::{fixtures, keys_from, read, yaml_value};
use flux_sops::{DecryptOptions, Format, Keys, SopsError, decrypt, decrypt_with};

fn age_keys(dir: &Path) -> Keys {
    keys_from(dir, &[("age.agekey", "keys/age.txt")])
}

fn pgp_keys(dir: &Path) -> Keys {
    keys_from(dir, &[("pgp.asc", "keys/pgp.asc")])
}

#[test]
fn age_yaml_secret() {
    let Some(dir) = fixtures() else { return };
    let out = decrypt(
        &read(&dir, "algorithms/age.yaml"),
        Format::Yaml,
        &age_keys(&dir),
    )
    .unwrap();
    assert_eq!(
        yaml_value(&out),
        serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "age"}, "stringData": {"key": "value"}})
    );
}

#[test]
fn pgp_yaml_secret() {
    let Some(dir) = fixtures() else { return };
    let keys = pgp_keys(&dir);
    assert_eq!(keys.pgp_key_count(), 1);
    let out = decrypt(&read(&dir, "algorithms/pgp.yaml"), Format::Yaml, &keys).unwrap();
    let value = yaml_value(&out);
    assert_eq!(value["stringData"]["key"], "value");
    assert!(value.get("sops").is_none());
}

#[test]
fn both_key_kinds_in_one_secret() {
    let Some(dir) = fixtures() else { return };
    let keys = keys_from(
        &dir,
        &[
            ("age.agekey", "keys/age.txt"),
            ("pgp.asc", "decryptor/pgp.asc"),
            ("global.agekey", "keys/age-global.txt"),
        ],
    );
    for file in [
        "algorithms/age.yaml",
        "algorithms/pgp.yaml",
        "global/secret.yaml",
    ] {
        let out = decrypt(&read(&dir, file), Format::Yaml, &keys).unwrap();
        assert!(yaml_value(&out)["stringData"]["key"].is_string(), "{file}");
    }
}

#[test]
fn dotenv_json_and_binary() {
    let Some(dir) = fixtures() else { return };
    let keys = age_keys(&dir);
    let env = decrypt(&read(&dir, "envs/env.env"), Format::Dotenv, &keys).unwrap();
    assert_eq!(env, b"key=value\n");
    let file = read(&dir, "files/file.txt");
    let json = decrypt(&file, Format::Json, &keys).unwrap();
    assert_eq!(json, b"{\n\t\"data\": \"value\"\n}\n");
    let binary = decrypt(&file, Format::Binary, &keys).unwrap();
    assert_eq!(binary, b"value");
    let converted = decrypt_with(
        &file,
        Format::Json,
        Format::Yaml,
        &keys,
        DecryptOptions::default(),
    )
    .unwrap();
    assert_eq!(yaml_value(&converted), serde_json::json!({"data": "value"}));
}

#[test]
fn wrong_keys_fail_with_a_key_error() {
    let Some(dir) = fixtures() else { return };
    let global = keys_from(&dir, &[("global.agekey", "keys/age-global.txt")]);
    let err = decrypt(&read(&dir, "algorithms/age.yaml"), Format::Yaml, &global).unwrap_err();
    assert!(err.is_key_failure(), "{err}");
    let message = err.to_string();
    assert!(message.contains("no matching age identity"), "{message}");
    assert!(message.contains("age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29"));

    let err = decrypt(
        &read(&dir, "algorithms/pgp.yaml"),
        Format::Yaml,
        &age_keys(&dir),
    )
    .unwrap_err();
    assert!(err.is_key_failure(), "{err}");
    assert!(
        err.to_string()
            .contains("35C1A64CD7FC0AB6EB66756B2445463C3234ECE1"),
        "{err}"
    );

    let err = decrypt(
        &read(&dir, "algorithms/age.yaml"),
        Format::Yaml,
        &Keys::new(),
    )
    .unwrap_err();
    assert!(matches!(err, SopsError::NoDataKey(_)), "{err}");
}

#[test]
fn post_quantum_age_is_reported_unsupported() {
    let Some(dir) = fixtures() else { return };
    let keys = keys_from(&dir, &[("pq.agekey", "keys/age-pq.txt")]);
    let err = decrypt(&read(&dir, "algorithms/age-pq.yaml"), Format::Yaml, &keys).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("post-quantum"), "{message}");
    assert!(!message.contains("AGE-SECRET-KEY"), "{message}");
}

/// Every base64 character of every ciphertext, IV, tag and of the MAC, changed one at a time:
/// decryption must fail each time, never return a document.
#[test]
fn any_changed_byte_of_ciphertext_or_mac_fails() {
    let Some(dir) = fixtures() else { return };
    let keys = age_keys(&dir);
    let original = String::from_utf8(read(&dir, "algorithms/age.yaml")).unwrap();
    let mut positions = Vec::new();
    for (start, _) in original.match_indices("ENC[AES256_GCM,") {
        let end = start + original[start..].find(']').unwrap();
        for (offset, c) in original[start..end].char_indices() {
            let absolute = start + offset;
            let in_field = ["data:", "iv:", "tag:"].iter().any(|field| {
                original[start..absolute]
                    .rfind(field)
                    .is_some_and(|f| !original[start + f..absolute].contains(','))
            });
            if in_field && (c.is_ascii_alphanumeric() || c == '+' || c == '/') {
                positions.push(absolute);
            }
        }
    }
    assert!(positions.len() > 300, "{} positions", positions.len());
    for position in positions {
        let mut bytes = original.clone().into_bytes();
        bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
        let result = decrypt(&bytes, Format::Yaml, &keys);
        let err = result.expect_err("a changed ciphertext byte must not decrypt");
        assert!(err.is_integrity_failure(), "position {position}: {err}");
    }
}

#[test]
fn changed_plain_fields_and_metadata_fail_the_mac() {
    let Some(dir) = fixtures() else { return };
    let keys = age_keys(&dir);
    let original = String::from_utf8(read(&dir, "algorithms/age.yaml")).unwrap();
    for (from, to) in [
        ("name: age", "name: other"),
        ("kind: Secret", "kind: ConfigMap"),
        (
            "lastmodified: \"2024-11-12T13:33:42Z\"",
            "lastmodified: \"2024-11-12T13:33:43Z\"",
        ),
    ] {
        let changed = original.replace(from, to);
        assert_ne!(changed, original);
        let err = decrypt(changed.as_bytes(), Format::Yaml, &keys).unwrap_err();
        assert!(matches!(err, SopsError::MacMismatch), "{from}: {err}");
    }
    // A changed encryption rule makes the ciphertext a plain value: the MAC catches it.
    let changed = original.replace(
        "encrypted_regex: ^(data|stringData)$",
        "encrypted_regex: ^nothing$",
    );
    let err = decrypt(changed.as_bytes(), Format::Yaml, &keys).unwrap_err();
    assert!(matches!(err, SopsError::MacMismatch), "{err}");
    // Without the MAC check, the same value decrypts (this is what kustomize output needs).
    let relaxed = decrypt_with(
        original
            .replace("name: age", "name: sops-algo-age")
            .as_bytes(),
        Format::Yaml,
        Format::Yaml,
        &keys,
        DecryptOptions { verify_mac: false },
    )
    .unwrap();
    assert_eq!(yaml_value(&relaxed)["metadata"]["name"], "sops-algo-age");
}

#[test]
fn dotenv_tampering_fails() {
    let Some(dir) = fixtures() else { return };
    let keys = age_keys(&dir);
    let original = String::from_utf8(read(&dir, "envs/env.env")).unwrap();
    let changed = original.replace(
        "sops_lastmodified=2024-11-12T13:33:42Z",
        "sops_lastmodified=2024-11-12T13:33:40Z",
    );
    assert_ne!(changed, original);
    let err = decrypt(changed.as_bytes(), Format::Dotenv, &keys).unwrap_err();
    assert!(matches!(err, SopsError::MacMismatch), "{err}");
    let added = format!("extra_unencrypted=1\n{original}");
    let err = decrypt(added.as_bytes(), Format::Dotenv, &keys).unwrap_err();
    assert!(matches!(err, SopsError::MacMismatch), "{err}");
}

#[test]
fn plain_documents_are_not_sops_documents() {
    let Some(dir) = fixtures() else { return };
    let err = decrypt(
        &read(&dir, "kustomization.yaml"),
        Format::Yaml,
        &age_keys(&dir),
    )
    .unwrap_err();
    assert!(matches!(err, SopsError::MetadataNotFound), "{err}");
}
