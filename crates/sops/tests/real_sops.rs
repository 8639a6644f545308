//! Files encrypted at test time by the official sops binary (scripts/setup/sops.sh), decrypted by
//! flux-sops and by sops itself: the outputs must agree (bytes for JSON, dotenv and binary;
//! structure for YAML, whose layout sops' emitter decides).

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use age::secrecy::ExposeSecret;
use common::{sops, yaml_value};
use flux_sops::{Format, Keys, SopsError, decrypt, decrypt_resource};

struct AgeKey {
    identity: String,
    recipient: String,
    file: PathBuf,
}

fn age_key(dir: &Path, name: &str) -> AgeKey {
    let identity = age::x25519::Identity::generate();
    let text = identity.to_string().expose_secret().to_string();
    let file = dir.join(format!("{name}.agekey"));
    fs::write(&file, format!("# test key\n{text}\n")).unwrap();
    AgeKey {
        identity: text,
        recipient: identity.to_public().to_string(),
        file,
    }
}

fn keys(entries: &[(&str, &str)]) -> Keys {
    let data: BTreeMap<String, Vec<u8>> = entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    Keys::from_secret_data(&data).unwrap()
}

fn type_name(format: Format) -> &'static str {
    match format {
        Format::Yaml => "yaml",
        Format::Json => "json",
        Format::Dotenv => "dotenv",
        Format::Binary => "binary",
        Format::Ini => "ini",
    }
}

/// `sops encrypt` of `plain` with extra arguments.
fn encrypt(dir: &Path, plain: &[u8], format: Format, args: &[&str]) -> Vec<u8> {
    encrypt_with_config(dir, None, plain, format, args)
}

/// `sops --config <file> encrypt ...` when a creation rule is needed (options without flags).
fn encrypt_with_config(
    dir: &Path,
    config: Option<&Path>,
    plain: &[u8],
    format: Format,
    args: &[&str],
) -> Vec<u8> {
    let file = dir.join("plain.input");
    fs::write(&file, plain).unwrap();
    let mut all = Vec::new();
    if let Some(config) = config {
        all.extend(["--config", config.to_str().unwrap()]);
    }
    all.extend([
        "encrypt",
        "--input-type",
        type_name(format),
        "--output-type",
        type_name(format),
    ]);
    all.extend_from_slice(args);
    all.push(file.to_str().unwrap());
    sops(&[], &all)
}

/// `sops decrypt` with an age key file.
fn sops_decrypt(
    dir: &Path,
    key: &Path,
    encrypted: &[u8],
    format: Format,
) -> Result<Vec<u8>, String> {
    let file = dir.join("encrypted.input");
    fs::write(&file, encrypted).unwrap();
    let output = Command::new(common::sops_binary())
        .args([
            "decrypt",
            "--input-type",
            type_name(format),
            "--output-type",
            type_name(format),
        ])
        .arg(&file)
        .env("SOPS_AGE_KEY_FILE", key)
        .env("SOPS_DISABLE_VERSION_CHECK", "1")
        .output()
        .unwrap();
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

const YAML_DOC: &str = r#"# a comment
apiVersion: v1
kind: Secret
metadata:
    name: app
    labels:
        tier: backend
stringData:
    password: "s3cr3t: with colon"
    empty: ""
    multiline: |
        first line
        second line
    unicode: "caf\u00e9 \u2603"
numbers:
    int: 42
    negative: -7
    float: 3.25
    big: 9007199254740993
    hex: 0x1F
flags:
    on: true
    off: false
    yes_string: "yes"
nothing: null
list:
    - one
    - 2
    - nested:
        deep: [a, b]
    - - inner
emptymap: {}
emptylist: []
"#;

#[test]
fn yaml_with_every_type_matches_sops() {
    let dir = tempfile::tempdir().unwrap();
    let key = age_key(dir.path(), "main");
    let encrypted = encrypt(
        dir.path(),
        YAML_DOC.as_bytes(),
        Format::Yaml,
        &["--age", &key.recipient],
    );
    let ours = decrypt(
        &encrypted,
        Format::Yaml,
        &keys(&[("k.agekey", &key.identity)]),
    )
    .unwrap();
    let theirs = sops_decrypt(dir.path(), &key.file, &encrypted, Format::Yaml).unwrap();
    assert_eq!(
        yaml_value(&ours),
        yaml_value(&theirs),
        "ours:\n{}",
        String::from_utf8_lossy(&ours)
    );
    assert_eq!(
        yaml_value(&ours)["stringData"]["password"],
        "s3cr3t: with colon"
    );
    assert_eq!(yaml_value(&ours)["numbers"]["hex"], 31);
}

#[test]
fn multi_document_yaml_matches_sops() {
    let dir = tempfile::tempdir().unwrap();
    let key = age_key(dir.path(), "main");
    let plain = "a: 1\nb: secret\n---\nc: [x, y]\n";
    let encrypted = encrypt(
        dir.path(),
        plain.as_bytes(),
        Format::Yaml,
        &["--age", &key.recipient],
    );
    let ours = decrypt(
        &encrypted,
        Format::Yaml,
        &keys(&[("k.agekey", &key.identity)]),
    )
    .unwrap();
    let theirs = sops_decrypt(dir.path(), &key.file, &encrypted, Format::Yaml).unwrap();
    let split = |b: &[u8]| -> Vec<serde_json::Value> {
        String::from_utf8(b.to_vec())
            .unwrap()
            .split("---\n")
            .filter(|d| !d.trim().is_empty())
            .map(|d| yaml_value(d.as_bytes()))
            .collect()
    };
    assert_eq!(split(&ours), split(&theirs));
    assert_eq!(split(&ours).len(), 2);
}

#[test]
fn json_matches_sops_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let key = age_key(dir.path(), "main");
    let plain = r#"{"b": "x<y>&z", "a": [1, 2.5, true, null, {"k": "v"}], "n": -3, "f": 1e-7, "big": 1e21, "s": "line\nbreak", "e": {}, "l": []}"#;
    let encrypted = encrypt(
        dir.path(),
        plain.as_bytes(),
        Format::Json,
        &["--age", &key.recipient],
    );
    let ours = decrypt(
        &encrypted,
        Format::Json,
        &keys(&[("k.agekey", &key.identity)]),
    )
    .unwrap();
    let theirs = sops_decrypt(dir.path(), &key.file, &encrypted, Format::Json).unwrap();
    assert_eq!(
        String::from_utf8(ours).unwrap(),
        String::from_utf8(theirs).unwrap()
    );
}

#[test]
fn dotenv_matches_sops_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let key = age_key(dir.path(), "main");
    let plain = "# database\nDB_URL=postgres://u:p@h/db?x=1\nMULTI=a\\nb\nEMPTY=\nPLAIN_unencrypted=visible\n";
    let encrypted = encrypt(
        dir.path(),
        plain.as_bytes(),
        Format::Dotenv,
        &["--age", &key.recipient],
    );
    assert!(!String::from_utf8_lossy(&encrypted).contains("postgres"));
    let ours = decrypt(
        &encrypted,
        Format::Dotenv,
        &keys(&[("k.agekey", &key.identity)]),
    )
    .unwrap();
    let theirs = sops_decrypt(dir.path(), &key.file, &encrypted, Format::Dotenv).unwrap();
    assert_eq!(
        String::from_utf8(ours.clone()).unwrap(),
        String::from_utf8(theirs).unwrap()
    );
    assert_eq!(ours, plain.as_bytes());
}

#[test]
fn binary_matches_sops_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let key = age_key(dir.path(), "main");
    let plain = "-----BEGIN CERTIFICATE-----\nMIIB\u{e9}\t\"quoted\"\n\n";
    let encrypted = encrypt(
        dir.path(),
        plain.as_bytes(),
        Format::Binary,
        &["--age", &key.recipient],
    );
    let ours = decrypt(
        &encrypted,
        Format::Binary,
        &keys(&[("k.agekey", &key.identity)]),
    )
    .unwrap();
    let theirs = sops_decrypt(dir.path(), &key.file, &encrypted, Format::Binary).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(ours, plain.as_bytes());
}

const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\n    namespace: prod\ntype: Opaque\ndata:\n    password: cGFzcw==\nstringData:\n    token_plain: abc\n    user_secret: admin\n";

/// Each encryption rule, checked against sops' own decryption, and tampering with a value the
/// rule leaves in clear: sops and flux-sops must agree on whether that passes the MAC.
#[test]
fn encryption_rules_and_partial_encryption_match_sops() {
    let dir = tempfile::tempdir().unwrap();
    let key = age_key(dir.path(), "main");
    let ours_keys = keys(&[("k.agekey", &key.identity)]);
    for rule in [
        vec!["--encrypted-regex", "^(data|stringData)$"],
        vec!["--unencrypted-regex", "^(apiVersion|kind|metadata|type)$"],
        vec!["--unencrypted-suffix", "_plain"],
        vec!["--encrypted-suffix", "_secret"],
        vec!["mac_only_encrypted"],
    ] {
        let mut args = rule.clone();
        let mut config = None;
        if rule == ["mac_only_encrypted"] {
            // Only a creation rule can ask for it.
            let path = dir.path().join("mac-only.yaml");
            fs::write(
                &path,
                format!(
                    "creation_rules:\n  - encrypted_regex: ^(data|stringData)$\n    mac_only_encrypted: true\n    age: {}\n",
                    key.recipient
                ),
            )
            .unwrap();
            config = Some(path);
            args.clear();
        } else {
            args.extend(["--age", key.recipient.as_str()]);
        }
        let encrypted = encrypt_with_config(
            dir.path(),
            config.as_deref(),
            SECRET.as_bytes(),
            Format::Yaml,
            &args,
        );
        let ours = decrypt(&encrypted, Format::Yaml, &ours_keys).unwrap();
        let theirs = sops_decrypt(dir.path(), &key.file, &encrypted, Format::Yaml).unwrap();
        assert_eq!(yaml_value(&ours), yaml_value(&theirs), "{rule:?}");
        assert_eq!(yaml_value(&ours), yaml_value(SECRET.as_bytes()), "{rule:?}");

        let text = String::from_utf8(encrypted).unwrap();
        if rule == ["mac_only_encrypted"] {
            assert!(text.contains("mac_only_encrypted: true"));
        }
        if rule[0] != "--unencrypted-suffix" && rule[0] != "--encrypted-suffix" {
            assert!(
                text.contains("name: db"),
                "{rule:?}: metadata stays in clear"
            );
        }
        let tampered = text.replace("name: db", "name: other");
        if tampered == text {
            continue;
        }
        let ours = decrypt(tampered.as_bytes(), Format::Yaml, &ours_keys);
        let theirs = sops_decrypt(dir.path(), &key.file, tampered.as_bytes(), Format::Yaml);
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "{rule:?}: {ours:?} / {theirs:?}"
        );
        // Only mac_only_encrypted leaves clear values out of the MAC.
        assert_eq!(ours.is_ok(), rule == ["mac_only_encrypted"], "{rule:?}");
        if let Err(err) = ours {
            assert!(matches!(err, SopsError::MacMismatch), "{rule:?}: {err}");
        }
    }
}

#[test]
fn secret_encrypted_by_sops_decrypts_as_a_build_output_object() {
    let dir = tempfile::tempdir().unwrap();
    let key = age_key(dir.path(), "main");
    let encrypted = encrypt(
        dir.path(),
        SECRET.as_bytes(),
        Format::Yaml,
        &[
            "--encrypted-regex",
            "^(data|stringData)$",
            "--age",
            &key.recipient,
        ],
    );
    let object = yaml_value(&encrypted);
    let decrypted = decrypt_resource(&object, &keys(&[("k.agekey", &key.identity)])).unwrap();
    assert_eq!(decrypted, yaml_value(SECRET.as_bytes()));
}

#[test]
fn shamir_key_groups_need_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let first = age_key(dir.path(), "first");
    let second = age_key(dir.path(), "second");
    let third = age_key(dir.path(), "third");
    let config = dir.path().join("sops-config.yaml");
    fs::write(
        &config,
        format!(
            "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age: [{}]\n      - age: [{}]\n      - age: [{}]\n",
            first.recipient, second.recipient, third.recipient
        ),
    )
    .unwrap();
    let plain = dir.path().join("plain.yaml");
    fs::write(&plain, "secret: shared\n").unwrap();
    let encrypted = sops(
        &[],
        &[
            "--config",
            config.to_str().unwrap(),
            "encrypt",
            plain.to_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&encrypted).contains("shamir_threshold: 2"));
    let two = keys(&[("a.agekey", &first.identity), ("c.agekey", &third.identity)]);
    let out = decrypt(&encrypted, Format::Yaml, &two).unwrap();
    assert_eq!(yaml_value(&out), serde_json::json!({"secret": "shared"}));
    let one = keys(&[("b.agekey", &second.identity)]);
    let err = decrypt(&encrypted, Format::Yaml, &one).unwrap_err();
    assert!(
        err.to_string().contains("1 of 3 key groups decrypted"),
        "{err}"
    );
}

/// A throw-away GnuPG home; its agent is stopped on drop.
struct GnuPg {
    home: tempfile::TempDir,
}

impl GnuPg {
    fn new() -> Self {
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in("/tmp")
            .unwrap();
        GnuPg { home }
    }
    fn run(&self, args: &[&str]) -> Vec<u8> {
        let output = Command::new("gpg")
            .args([
                "--batch",
                "--no-tty",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
            ])
            .args(args)
            .env("GNUPGHOME", self.home.path())
            .output()
            .expect("gpg is needed for the OpenPGP tests: run scripts/setup/sops.sh");
        assert!(
            output.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }
}

impl Drop for GnuPg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "gpg-agent"])
            .env("GNUPGHOME", self.home.path())
            .status();
    }
}

#[test]
fn pgp_keys_from_gpg_decrypt_what_sops_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let gpg = GnuPg::new();
    // Curve25519 (ECDH) here; the shared fixtures cover RSA.
    gpg.run(&[
        "--quick-gen-key",
        "flux test <flux@example.com>",
        "future-default",
        "default",
        "never",
    ]);
    let listing = String::from_utf8(gpg.run(&["--with-colons", "--list-secret-keys"])).unwrap();
    let fingerprint = listing
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_string())
        .expect("fingerprint");
    let armored =
        String::from_utf8(gpg.run(&["--armor", "--export-secret-keys", &fingerprint])).unwrap();

    let plain = dir.path().join("plain.yaml");
    fs::write(&plain, SECRET).unwrap();
    let encrypted = sops(
        &[("GNUPGHOME", gpg.home.path())],
        &[
            "encrypt",
            "--encrypted-regex",
            "^(data|stringData)$",
            "--pgp",
            &fingerprint,
            plain.to_str().unwrap(),
        ],
    );
    let ours = decrypt(&encrypted, Format::Yaml, &keys(&[("flux.asc", &armored)])).unwrap();
    assert_eq!(yaml_value(&ours), yaml_value(SECRET.as_bytes()));

    // Another key pair cannot.
    let other = GnuPg::new();
    other.run(&[
        "--quick-gen-key",
        "other <o@example.com>",
        "future-default",
        "default",
        "never",
    ]);
    let other_armored = String::from_utf8(other.run(&["--armor", "--export-secret-keys"])).unwrap();
    let err = decrypt(
        &encrypted,
        Format::Yaml,
        &keys(&[("other.asc", &other_armored)]),
    )
    .unwrap_err();
    assert!(err.is_key_failure(), "{err}");
    assert!(err.to_string().contains(&fingerprint), "{err}");
}

/// Documents exercising go-yaml v3's layout and quoting choices: sops and flux-sops must write
/// the same bytes (comment-free documents: flux-sops does not write comments).
const LAYOUT_DOCS: [&str; 3] = [
    r####"top:
  - a: 1
    b: 2
    c:
      d: 3
      e: [x, y]
    f:
      - g: 1
        h: 2
  - - inner
    - - deeper
  - plain
  - "it's"
  - "tab\there"
  - " lead"
  - "trail "
  - "x: y"
  - "#c"
  - ""
  - "multi\nline"
  - "multi\nline\n"
  - "  indented\nline"
  - "true"
  - "12"
  - "null"
  - "yes"
  - "2024-01-01"
  - "café"
  - "a\u0001b"
  - 1.0
  - 1e21
  - 0.00001
  - 123456789.5
  - ~
emptymap: {}
emptylist: []
key with space: v
"key: colon": v
"####,
    r####"top:
  - k: |
      a
      b
    j: " x\ny"
    m:
      - |
        q
        r
  - - |
      s
      t
  - "\nleadbreak"
  - "x\n\n"
  - "\n"
mapkey: |
  v
  w
"####,
    r####"long: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29 word30 word31 word32 word33 word34 word35 word36 word37 word38 word39
longq: "w0: w1: w2: w3: w4: w5: w6: w7: w8: w9: w10: w11: w12: w13: w14: w15: w16: w17: w18: w19: w20: w21: w22: w23: w24: w25: w26: w27: w28: w29: w30: w31: w32: w33: w34: w35: w36: w37: w38: w39:"
lit: |
    word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24 word25 word26 word27 word28 word29 word30 word31 word32 word33 word34 word35 word36 word37 word38 word39
    second
sp: "a  \nb"
trailsp: "line \nnext"
"####,
];

#[test]
fn yaml_layout_matches_sops_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let key = age_key(dir.path(), "main");
    let ours_keys = keys(&[("k.agekey", &key.identity)]);
    for doc in LAYOUT_DOCS
        .iter()
        .chain([&YAML_DOC.replace("# a comment\n", "").as_str()])
    {
        let encrypted = encrypt(
            dir.path(),
            doc.as_bytes(),
            Format::Yaml,
            &["--age", &key.recipient],
        );
        let ours = decrypt(&encrypted, Format::Yaml, &ours_keys).unwrap();
        let theirs = sops_decrypt(dir.path(), &key.file, &encrypted, Format::Yaml).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }
}
