//! Recovering the document's data key from its master keys (age, OpenPGP), combining Shamir
//! shares when the document has several key groups.

use std::io::{Cursor, Read};

use pgp::composed::Message;
use pgp::types::Password;
use zeroize::Zeroizing;

use crate::keys::Keys;
use crate::metadata::{MasterKey, Metadata};
use crate::{SopsError, shamir};

/// A wrapped data key is 32 bytes (33 for a Shamir share); anything much longer is not one.
const MAX_UNWRAPPED: u64 = 1024;

pub(crate) fn data_key(metadata: &Metadata, keys: &Keys) -> Result<Zeroizing<Vec<u8>>, SopsError> {
    let mut parts = Vec::new();
    let mut failures = Vec::new();
    for (index, group) in metadata.key_groups.iter().enumerate() {
        match group_part(group, keys) {
            Ok(part) => parts.push(part),
            Err(reasons) => {
                let prefix = if metadata.key_groups.len() > 1 {
                    format!("key group {index}: ")
                } else {
                    String::new()
                };
                failures.push(format!("{prefix}{}", reasons.join("; ")));
            }
        }
    }
    let key = if metadata.key_groups.len() > 1 {
        if parts.len() < metadata.shamir_threshold.max(1) || parts.len() < 2 {
            return Err(SopsError::NoDataKey(format!(
                "{} of {} key groups decrypted, {} needed: {}",
                parts.len(),
                metadata.key_groups.len(),
                metadata.shamir_threshold.max(2),
                failures.join("; ")
            )));
        }
        shamir::combine(&parts).map_err(|reason| {
            SopsError::NoDataKey(format!("could not combine Shamir parts: {reason}"))
        })?
    } else {
        match parts.pop() {
            Some(part) => part,
            None => return Err(SopsError::NoDataKey(no_key_message(&failures, keys))),
        }
    };
    if key.len() != 32 {
        return Err(SopsError::NoDataKey(
            "the decrypted data key is not 32 bytes".into(),
        ));
    }
    Ok(key)
}

fn no_key_message(failures: &[String], keys: &Keys) -> String {
    let mut message = failures.join("; ");
    if message.is_empty() {
        message = "the document has no master keys".into();
    }
    for (name, kind) in &keys.unusable_age {
        message.push_str(&format!(
            "; '{name}' holds a {kind}, which flux-sops does not support"
        ));
    }
    message
}

fn group_part(group: &[MasterKey], keys: &Keys) -> Result<Zeroizing<Vec<u8>>, Vec<String>> {
    let mut reasons = Vec::new();
    for key in group {
        let attempt = match key {
            MasterKey::Age { recipient, enc } => {
                unwrap_age(enc, keys).map_err(|e| format!("age recipient {recipient}: {e}"))
            }
            MasterKey::Pgp { fingerprint, enc } => {
                unwrap_pgp(enc, keys).map_err(|e| format!("PGP key {fingerprint}: {e}"))
            }
            MasterKey::Unsupported { provider, id } => Err(format!(
                "{provider} key {id}: {provider} is not supported by flux-sops{}",
                credential_hint(provider, keys)
            )),
        };
        match attempt {
            Ok(part) => return Ok(part),
            Err(reason) => reasons.push(reason),
        }
    }
    if reasons.is_empty() {
        reasons.push("empty key group".into());
    }
    Err(reasons)
}

fn credential_hint(provider: &str, keys: &Keys) -> &'static str {
    use crate::keys::ProviderCredential as P;
    let wanted = match provider {
        "AWS KMS" => P::AwsKms,
        "GCP KMS" => P::GcpKms,
        "Azure Key Vault" => P::AzureKeyVault,
        "HashiCorp Vault / OpenBao" => P::VaultToken,
        _ => return "",
    };
    if keys.providers.contains(&wanted) {
        " (the decryption Secret's credentials for it are ignored)"
    } else {
        ""
    }
}

fn unwrap_age(enc: &str, keys: &Keys) -> Result<Zeroizing<Vec<u8>>, String> {
    if keys.age.is_empty() {
        return Err("no age identity available".into());
    }
    let reader = age::armor::ArmoredReader::new(Cursor::new(enc.as_bytes()));
    let decryptor =
        age::Decryptor::new(reader).map_err(|e| format!("malformed age ciphertext: {e}"))?;
    let identities = keys.age.iter().map(|i| i as &dyn age::Identity);
    let mut stream = decryptor.decrypt(identities).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys => "no matching age identity".to_string(),
        other => format!("age decryption failed: {other}"),
    })?;
    let mut out = Zeroizing::new(Vec::new());
    (&mut stream)
        .take(MAX_UNWRAPPED)
        .read_to_end(&mut out)
        .map_err(|e| format!("age decryption failed: {e}"))?;
    Ok(out)
}

fn unwrap_pgp(enc: &str, keys: &Keys) -> Result<Zeroizing<Vec<u8>>, String> {
    if keys.pgp.is_empty() {
        return Err("no OpenPGP private key available".into());
    }
    let (message, _) = Message::from_armor(Cursor::new(enc.as_bytes()))
        .map_err(|e| format!("malformed OpenPGP message: {e}"))?;
    let empty = Password::empty();
    let passwords = keys.pgp.iter().map(|_| &empty).collect();
    let mut message = message
        .decrypt_with_keys(passwords, keys.pgp.iter().collect())
        .map_err(|e| match e {
            pgp::errors::Error::MissingKey => "no matching OpenPGP private key".to_string(),
            other => format!("OpenPGP decryption failed: {other}"),
        })?;
    if message.is_compressed() {
        message = message
            .decompress()
            .map_err(|e| format!("OpenPGP decompression failed: {e}"))?;
    }
    let mut out = Zeroizing::new(Vec::new());
    (&mut message)
        .take(MAX_UNWRAPPED)
        .read_to_end(&mut out)
        .map_err(|e| format!("OpenPGP decryption failed: {e}"))?;
    Ok(out)
}
