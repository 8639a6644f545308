//! sops' document tree (ordered maps that may hold comments, typed scalars) and the decryption
//! walk: which leaves are encrypted, their additional data, and the MAC over the cleartext.

use regex::Regex;
use sha2::{Digest, Sha512};

use crate::SopsError;
use crate::cipher;

/// A node of a sops tree. Maps keep their order and duplicates, as sops does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Map(Vec<(MapKey, Value)>),
    List(Vec<Value>),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Bytes(Vec<u8>),
    /// A timestamp kept as its RFC 3339 text.
    Time(String),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MapKey {
    Name(String),
    /// A comment line (dotenv `#...`): a map entry without a value.
    Comment(String),
}

/// Prefix sops writes into the MAC hash when only encrypted values are authenticated.
const MAC_ONLY_ENCRYPTED_INIT: [u8; 32] = [
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
];

/// Depth bound for walking trees (the loaders enforce the same bound).
pub(crate) const MAX_DEPTH: usize = 200;

/// Which leaves are encrypted: sops' `shouldBeEncrypted` for the key-based rules.
pub(crate) struct CryptRules {
    pub unencrypted_suffix: Option<String>,
    pub encrypted_suffix: Option<String>,
    pub unencrypted_regex: Option<Regex>,
    pub encrypted_regex: Option<Regex>,
    pub mac_only_encrypted: bool,
}

impl CryptRules {
    fn should_be_encrypted(&self, path: &[String]) -> bool {
        let mut encrypted = true;
        if let Some(suffix) = &self.unencrypted_suffix
            && path.iter().any(|p| p.ends_with(suffix.as_str()))
        {
            encrypted = false;
        }
        if let Some(suffix) = &self.encrypted_suffix {
            encrypted = path.iter().any(|p| p.ends_with(suffix.as_str()));
        }
        if let Some(re) = &self.unencrypted_regex
            && path.iter().any(|p| re.is_match(p))
        {
            encrypted = false;
        }
        if let Some(re) = &self.encrypted_regex {
            encrypted = path.iter().any(|p| re.is_match(p));
        }
        encrypted
    }
}

/// Decrypts every branch in place and returns the MAC of the cleartext (upper-case hex SHA-512),
/// as sops' `Tree.Decrypt`.
pub(crate) fn decrypt_branches(
    branches: &mut [Value],
    rules: &CryptRules,
    key: &[u8],
) -> Result<String, SopsError> {
    let mut walker = Walker {
        rules,
        key,
        hash: Sha512::new(),
        path: Vec::new(),
    };
    if rules.mac_only_encrypted {
        walker.hash.update(MAC_ONLY_ENCRYPTED_INIT);
    }
    for branch in branches.iter_mut() {
        walker.walk(branch, 0)?;
    }
    Ok(hex::encode_upper(walker.hash.finalize()))
}

struct Walker<'a> {
    rules: &'a CryptRules,
    key: &'a [u8],
    hash: Sha512,
    path: Vec<String>,
}

impl Walker<'_> {
    fn walk(&mut self, value: &mut Value, depth: usize) -> Result<(), SopsError> {
        if depth > MAX_DEPTH {
            return Err(SopsError::InvalidMetadata(format!(
                "document nested deeper than {MAX_DEPTH} levels"
            )));
        }
        match value {
            Value::Map(entries) => {
                for (key, child) in entries.iter_mut() {
                    match key {
                        MapKey::Comment(text) => self.comment(text),
                        MapKey::Name(name) => {
                            self.path.push(name.clone());
                            let result = self.walk(child, depth + 1);
                            self.path.pop();
                            result?;
                        }
                    }
                }
                Ok(())
            }
            // List items share the list's path, as in sops.
            Value::List(items) => items
                .iter_mut()
                .try_for_each(|item| self.walk(item, depth + 1)),
            Value::Null => Ok(()),
            leaf => self.leaf(leaf),
        }
    }

    fn additional_data(&self) -> String {
        let mut ad = self.path.join(":");
        ad.push(':');
        ad
    }

    fn leaf(&mut self, value: &mut Value) -> Result<(), SopsError> {
        let encrypted = self.rules.should_be_encrypted(&self.path);
        if encrypted {
            let Value::Str(ciphertext) = &*value else {
                return Err(SopsError::DecryptValue {
                    path: self.path.join("."),
                    reason: "expected an encrypted string, found a plain value".into(),
                });
            };
            *value = cipher::decrypt_value(ciphertext, self.key, &self.additional_data()).map_err(
                |e| SopsError::DecryptValue {
                    path: self.path.join("."),
                    reason: e.0,
                },
            )?;
        }
        if !self.rules.mac_only_encrypted || encrypted {
            self.hash.update(to_bytes(value));
        }
        Ok(())
    }

    // Comments are decrypted when the rules say so; one that does not decrypt is kept, as sops
    // does for files written by older versions. Comments are not part of the MAC.
    fn comment(&mut self, text: &mut String) {
        if self.rules.should_be_encrypted(&self.path)
            && let Ok(plain) = cipher::decrypt_string(text, self.key, &self.additional_data())
        {
            *text = plain;
        }
    }
}

/// sops' `ToBytes`: the bytes a leaf contributes to the MAC.
fn to_bytes(value: &Value) -> Vec<u8> {
    match value {
        Value::Str(s) | Value::Time(s) => s.as_bytes().to_vec(),
        Value::Int(i) => i.to_string().into_bytes(),
        Value::Float(f) => format_go_float(*f).into_bytes(),
        Value::Bool(true) => b"True".to_vec(),
        Value::Bool(false) => b"False".to_vec(),
        Value::Bytes(b) => b.clone(),
        Value::Map(_) | Value::List(_) | Value::Null => Vec::new(),
    }
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, no exponent.
pub(crate) fn format_go_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        // Rust's Display is shortest round-trip and never uses an exponent.
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cipher::tests::encrypt;

    fn rules() -> CryptRules {
        CryptRules {
            unencrypted_suffix: Some("_unencrypted".into()),
            encrypted_suffix: None,
            unencrypted_regex: None,
            encrypted_regex: None,
            mac_only_encrypted: false,
        }
    }

    #[test]
    fn go_float_formatting() {
        assert_eq!(format_go_float(1.0), "1");
        assert_eq!(format_go_float(1.5), "1.5");
        assert_eq!(format_go_float(1e21), "1000000000000000000000");
        assert_eq!(format_go_float(0.000001), "0.000001");
        assert_eq!(format_go_float(f64::INFINITY), "+Inf");
    }

    #[test]
    fn walk_decrypts_by_path_and_hashes_in_order() {
        let key = [3u8; 32];
        let mut tree = Value::Map(vec![
            (
                MapKey::Name("a".into()),
                Value::Str(encrypt(b"x", "str", &key, "a:")),
            ),
            (MapKey::Name("b_unencrypted".into()), Value::Int(5)),
            (
                MapKey::Name("list".into()),
                Value::List(vec![Value::Str(encrypt(b"7", "int", &key, "list:"))]),
            ),
        ]);
        let mac = decrypt_branches(std::slice::from_mut(&mut tree), &rules(), &key).unwrap();
        let expected = hex::encode_upper(Sha512::digest(b"x57"));
        assert_eq!(mac, expected);
        let Value::Map(entries) = tree else { panic!() };
        assert_eq!(entries[0].1, Value::Str("x".into()));
        assert_eq!(entries[2].1, Value::List(vec![Value::Int(7)]));
    }

    #[test]
    fn plain_value_where_ciphertext_is_expected_is_an_error() {
        let mut tree = Value::Map(vec![(MapKey::Name("a".into()), Value::Int(1))]);
        let err = decrypt_branches(std::slice::from_mut(&mut tree), &rules(), &[0u8; 32]);
        assert!(matches!(err, Err(SopsError::DecryptValue { .. })));
    }
}
