//! sops' value cipher: `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>]`, AES-256-GCM with
//! the value's tree path as additional data.

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::{U12, U16, U32};
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::aes::Aes256;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::tree::Value;

/// The fields of `ENC[AES256_GCM,data:<d>,iv:<i>,tag:<t>,type:<y>]`, split as sops' pattern
/// `^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]` does (greedy groups, anything
/// after the last `]` ignored), without a regex engine on the hot path.
fn split_fields(value: &str) -> Option<[&str; 4]> {
    let rest = value.strip_prefix("ENC[AES256_GCM,data:")?;
    let body = &rest[..rest.rfind(']')?];
    let (before_type, datatype) = body.rsplit_once(",type:")?;
    let (before_tag, tag) = before_type.rsplit_once(",tag:")?;
    let (data, iv) = before_tag.rsplit_once(",iv:")?;
    [data, iv, tag, datatype]
        .iter()
        .all(|field| !field.is_empty())
        .then_some([data, iv, tag, datatype])
}

/// True when the string looks like a sops-encrypted value.
pub(crate) fn looks_encrypted(value: &str) -> bool {
    value.starts_with("ENC[AES256_GCM,")
}

/// Why one value could not be decrypted. Never carries the value itself.
#[derive(Debug)]
pub(crate) struct CipherError(pub String);

/// Decrypts one sops value. The empty string is sops' "not encrypted" empty value.
pub(crate) fn decrypt_value(
    ciphertext: &str,
    key: &[u8],
    additional_data: &str,
) -> Result<Value, CipherError> {
    if ciphertext.is_empty() {
        return Ok(Value::Str(String::new()));
    }
    let plaintext = open(ciphertext, key, additional_data)?;
    let (plaintext, datatype) = plaintext;
    let text = || {
        String::from_utf8(plaintext.to_vec())
            .map_err(|_| CipherError("decrypted value is not UTF-8".into()))
    };
    match datatype.as_str() {
        "str" | "comment" => Ok(Value::Str(text()?)),
        "int" => text()?
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| CipherError("decrypted value is not an int".into())),
        "float" => parse_go_float(&text()?)
            .map(Value::Float)
            .ok_or_else(|| CipherError("decrypted value is not a float".into())),
        "bool" => parse_go_bool(&text()?)
            .map(Value::Bool)
            .ok_or_else(|| CipherError("decrypted value is not a bool".into())),
        "bytes" => Ok(Value::Bytes(plaintext.to_vec())),
        "time" => Ok(Value::Time(text()?)),
        other => Err(CipherError(format!("unknown datatype: {other}"))),
    }
}

/// Decrypts a value that must be a string (the MAC, comments).
pub(crate) fn decrypt_string(
    ciphertext: &str,
    key: &[u8],
    additional_data: &str,
) -> Result<String, CipherError> {
    match decrypt_value(ciphertext, key, additional_data)? {
        Value::Str(s) => Ok(s),
        _ => Err(CipherError("expected a string value".into())),
    }
}

fn open(
    ciphertext: &str,
    key: &[u8],
    additional_data: &str,
) -> Result<(Zeroizing<Vec<u8>>, String), CipherError> {
    let [data, iv, tag, datatype] = split_fields(ciphertext)
        .ok_or_else(|| CipherError("value does not match sops' data format".into()))?;
    let decode = |field: &str, what: &str| {
        STANDARD
            .decode(field)
            .map_err(|_| CipherError(format!("error base64-decoding {what}")))
    };
    let data = decode(data, "data")?;
    let iv = decode(iv, "iv")?;
    let tag = decode(tag, "tag")?;
    let datatype = datatype.to_string();
    if key.len() != 32 {
        return Err(CipherError("data key is not 32 bytes".into()));
    }
    if tag.len() != 16 {
        return Err(CipherError("tag is not 16 bytes".into()));
    }
    let mut buffer = Zeroizing::new(data);
    let tag = GenericArray::from_slice(&tag);
    let key = GenericArray::from_slice(key);
    let aad = additional_data.as_bytes();
    let result = match iv.len() {
        32 => AesGcm::<Aes256, U32>::new(key).decrypt_in_place_detached(
            GenericArray::from_slice(&iv),
            aad,
            &mut buffer,
            tag,
        ),
        16 => AesGcm::<Aes256, U16>::new(key).decrypt_in_place_detached(
            GenericArray::from_slice(&iv),
            aad,
            &mut buffer,
            tag,
        ),
        12 => AesGcm::<Aes256, U12>::new(key).decrypt_in_place_detached(
            GenericArray::from_slice(&iv),
            aad,
            &mut buffer,
            tag,
        ),
        n => return Err(CipherError(format!("unsupported iv length {n}"))),
    };
    result.map_err(|_| {
        CipherError(
            "AES-GCM authentication failed (wrong data key, or the value or its path was modified)"
                .into(),
        )
    })?;
    Ok((buffer, datatype))
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseFloat` for what sops writes (decimal, exponent, Inf, NaN).
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    match lower.trim_start_matches(['+', '-']) {
        "inf" | "infinity" => {
            return Some(if lower.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use aes_gcm::aead::Aead;

    /// Test-only encryption, the way sops writes values (32-byte IV).
    pub(crate) fn encrypt(plaintext: &[u8], datatype: &str, key: &[u8], aad: &str) -> String {
        let iv = [7u8; 32];
        let cipher = AesGcm::<Aes256, U32>::new(GenericArray::from_slice(key));
        let out = cipher
            .encrypt(
                GenericArray::from_slice(&iv),
                aes_gcm::aead::Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap();
        let (data, tag) = out.split_at(out.len() - 16);
        format!(
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:{datatype}]",
            STANDARD.encode(data),
            STANDARD.encode(iv),
            STANDARD.encode(tag)
        )
    }

    #[test]
    fn round_trips_typed_values() {
        let key = [1u8; 32];
        let enc = encrypt(b"42", "int", &key, "a:b:");
        assert_eq!(decrypt_value(&enc, &key, "a:b:").unwrap(), Value::Int(42));
        let enc = encrypt(b"True", "bool", &key, "x:");
        assert_eq!(decrypt_value(&enc, &key, "x:").unwrap(), Value::Bool(true));
        let enc = encrypt(b"1.5", "float", &key, "x:");
        assert_eq!(decrypt_value(&enc, &key, "x:").unwrap(), Value::Float(1.5));
        assert_eq!(
            decrypt_value("", &key, "x:").unwrap(),
            Value::Str(String::new())
        );
    }

    #[test]
    fn wrong_path_or_key_fails_authentication() {
        let key = [1u8; 32];
        let enc = encrypt(b"secret", "str", &key, "a:");
        let err = decrypt_value(&enc, &key, "b:").unwrap_err();
        assert!(err.0.contains("authentication failed"));
        assert!(decrypt_value(&enc, &[2u8; 32], "a:").is_err());
        assert!(!err.0.contains("secret"));
    }

    #[test]
    fn fields_split_like_the_sops_pattern() {
        assert_eq!(
            split_fields("ENC[AES256_GCM,data:AA==,iv:BB==,tag:CC==,type:str]"),
            Some(["AA==", "BB==", "CC==", "str"])
        );
        assert_eq!(
            split_fields("ENC[AES256_GCM,data:A,iv:B,tag:C,type:str]trailing"),
            Some(["A", "B", "C", "str"])
        );
        assert_eq!(
            split_fields("ENC[AES256_GCM,data:,iv:B,tag:C,type:str]"),
            None
        );
        assert_eq!(
            split_fields("ENC[AES256_GCM,data:A,iv:B,tag:C,type:str"),
            None
        );
        assert_eq!(split_fields("ENC[AES256_GCM,iv:B,tag:C,type:str]"), None);
    }

    #[test]
    fn malformed_values_are_errors() {
        let key = [1u8; 32];
        assert!(
            decrypt_value(
                "ENC[AES256_GCM,data:!!,iv:AA==,tag:AA==,type:str]",
                &key,
                ""
            )
            .is_err()
        );
        assert!(decrypt_value("plain", &key, "").is_err());
    }
}
