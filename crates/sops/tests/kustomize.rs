//! What the kustomize controller calls: build-output objects and on-disk sources, with the
//! Flux fixtures encrypted by the real sops.

mod common;

use std::fs;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{fixtures, keys_from, read, yaml_value};
use flux_sops::{
    Keys, SopsError, decrypt_resource, decrypt_sources, is_encrypted_resource, is_encrypted_secret,
};

fn age_keys(dir: &Path) -> Keys {
    keys_from(dir, &[("age.agekey", "keys/age.txt")])
}

#[test]
fn whole_secret_from_a_build_output_with_a_name_prefix() {
    let Some(dir) = fixtures() else { return };
    let mut object = yaml_value(&read(&dir, "algorithms/age.yaml"));
    // As kustomize leaves it: renamed (the MAC no longer matches, as in Flux).
    object["metadata"]["name"] = "sops-algo-age".into();
    object["metadata"]["labels"] = serde_json::json!({"app": "x"});
    assert!(is_encrypted_resource(&object));
    assert!(is_encrypted_secret(&object));
    let decrypted = decrypt_resource(&object, &age_keys(&dir)).unwrap();
    assert_eq!(
        decrypted,
        serde_json::json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "sops-algo-age", "labels": {"app": "x"}},
            "stringData": {"key": "value"}
        })
    );
    assert!(!is_encrypted_secret(&decrypted));
}

#[test]
fn whole_secret_with_pgp() {
    let Some(dir) = fixtures() else { return };
    let object = yaml_value(&read(&dir, "algorithms/pgp.yaml"));
    let keys = keys_from(&dir, &[("pgp.asc", "keys/pgp.asc")]);
    let decrypted = decrypt_resource(&object, &keys).unwrap();
    assert_eq!(decrypted["stringData"]["key"], "value");
}

#[test]
fn tampered_or_undecryptable_objects_fail_naming_the_object() {
    let Some(dir) = fixtures() else { return };
    let mut object = yaml_value(&read(&dir, "algorithms/age.yaml"));
    let key = object["stringData"]["key"]
        .as_str()
        .unwrap()
        .replacen("data:m", "data:n", 1);
    object["stringData"]["key"] = key.into();
    let err = decrypt_resource(&object, &age_keys(&dir)).unwrap_err();
    assert!(err.is_integrity_failure(), "{err}");
    assert!(err.to_string().contains("'/age' Secret"), "{err}");

    let object = yaml_value(&read(&dir, "algorithms/age.yaml"));
    let err = decrypt_resource(&object, &Keys::new()).unwrap_err();
    assert!(err.is_key_failure(), "{err}");

    // Rules changed so the ciphertext would pass through as plain: refused, not applied.
    let mut object = yaml_value(&read(&dir, "algorithms/age.yaml"));
    object["sops"]["encrypted_regex"] = "^nothing$".into();
    let err = decrypt_resource(&object, &age_keys(&dir)).unwrap_err();
    assert!(err.to_string().contains("still encrypted"), "{err}");
}

#[test]
fn secret_data_holding_an_encrypted_file() {
    let Some(dir) = fixtures() else { return };
    let object = yaml_value(&read(&dir, "inside/secret.yaml"));
    assert!(!is_encrypted_resource(&object));
    let decrypted = decrypt_resource(&object, &age_keys(&dir)).unwrap();
    let value = STANDARD
        .decode(decrypted["data"]["key"].as_str().unwrap())
        .unwrap();
    // Data key "key" has no extension: binary output, the original file bytes.
    assert_eq!(value, b"value");

    // Same envelope under a .json key: JSON output; under .yaml: YAML.
    let encoded = object["data"]["key"].clone();
    let secret = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns"},
        "data": {"a.json": encoded, "b.yaml": encoded, "plain": "aGVsbG8="}});
    let decrypted = decrypt_resource(&secret, &age_keys(&dir)).unwrap();
    let field = |k: &str| {
        STANDARD
            .decode(decrypted["data"][k].as_str().unwrap())
            .unwrap()
    };
    assert_eq!(field("a.json"), b"{\n\t\"data\": \"value\"\n}\n");
    assert_eq!(
        yaml_value(&field("b.yaml")),
        serde_json::json!({"data": "value"})
    );
    assert_eq!(field("plain"), b"hello");

    let err = decrypt_resource(&secret, &Keys::new()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("failed to decrypt and format 'ns/s' Secret field"),
        "{err}"
    );
}

#[test]
fn secret_data_holding_an_encrypted_dotenv_file() {
    let Some(dir) = fixtures() else { return };
    let env = STANDARD.encode(read(&dir, "envs/env.env"));
    let secret = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "e"},
        "data": {"app.env": env}});
    let decrypted = decrypt_resource(&secret, &age_keys(&dir)).unwrap();
    let value = STANDARD
        .decode(decrypted["data"]["app.env"].as_str().unwrap())
        .unwrap();
    assert_eq!(value, b"key=value\n");
    // Read as dotenv, written as binary (no extension): a dotenv tree has no `data` entry, which
    // sops refuses too.
    let secret = serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "e"},
        "data": {"raw": env}});
    let err = decrypt_resource(&secret, &age_keys(&dir)).unwrap_err();
    assert!(err.to_string().contains("no binary data found"), "{err}");
}

#[test]
fn decryption_disabled_leaves_the_object_alone() {
    let Some(dir) = fixtures() else { return };
    let mut object = yaml_value(&read(&dir, "algorithms/age.yaml"));
    object["metadata"]["annotations"] =
        serde_json::json!({"kustomize.toolkit.fluxcd.io/decrypt": "disabled"});
    assert_eq!(decrypt_resource(&object, &Keys::new()).unwrap(), object);
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::write(&target, fs::read(entry.path()).unwrap()).unwrap();
        }
    }
}

#[test]
fn sources_of_the_flux_fixture_tree_are_decrypted_in_place() {
    let Some(dir) = fixtures() else { return };
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("artifact");
    copy_tree(&dir, &root);
    decrypt_sources(&root, Path::new("."), &age_keys(&dir)).unwrap();
    let text = |p: &str| String::from_utf8(fs::read(root.join(p)).unwrap()).unwrap();
    assert_eq!(text("envs/env.env"), "key=value\n");
    assert_eq!(text("component/env.env"), "key=value\n");
    assert_eq!(text("remote/env.env"), "key=value\n");
    assert_eq!(text("files/file.txt"), "value");
    assert_eq!(
        yaml_value(text("patches/merge1.yaml").as_bytes())["stringData"]["key"],
        "merge1"
    );
    assert_eq!(
        yaml_value(text("patches/merge2.yaml").as_bytes())["stringData"]["merge2"],
        "merge2"
    );
    // Resources are objects, not sources: left for decrypt_resource.
    assert_eq!(
        text("algorithms/age.yaml"),
        String::from_utf8(read(&dir, "algorithms/age.yaml")).unwrap()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(root.join("envs/env.env"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second pass finds nothing left to decrypt.
    decrypt_sources(&root, Path::new("."), &Keys::new()).unwrap();
}

#[test]
fn sources_with_a_wrong_key_fail_naming_the_file() {
    let Some(dir) = fixtures() else { return };
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("artifact");
    copy_tree(&dir, &root);
    let err = decrypt_sources(&root, Path::new("envs"), &Keys::new()).unwrap_err();
    assert!(matches!(err, SopsError::File { .. }), "{err}");
    assert!(err.to_string().contains("envs/env.env"), "{err}");
    assert!(err.is_key_failure());
    // Untouched on failure.
    assert_eq!(
        fs::read(root.join("envs/env.env")).unwrap(),
        read(&dir, "envs/env.env")
    );
}
