//! Decrypting a whole document: load, unwrap the data key, decrypt the tree, check the MAC, emit.

use crate::keys::Keys;
use crate::stores::{self, Document};
use crate::tree::{self, Value};
use crate::{Format, SopsError, cipher, datakey};

/// How a document is decrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecryptOptions {
    /// Recompute the MAC over the cleartext and compare it with the document's (as `sops -d`
    /// does). Off only for documents another tool has legitimately rewritten (kustomize output).
    pub verify_mac: bool,
}

impl Default for DecryptOptions {
    fn default() -> Self {
        DecryptOptions { verify_mac: true }
    }
}

/// Decrypts a SOPS document and writes it back in the same format, like `sops -d`; the MAC is
/// verified. Binary documents yield the original file bytes.
pub fn decrypt(data: &[u8], format: Format, keys: &Keys) -> Result<Vec<u8>, SopsError> {
    decrypt_with(data, format, format, keys, DecryptOptions::default())
}

/// Decrypts a SOPS document read as `input` and writes it as `output` (Flux's
/// `SopsDecryptWithFormat`): e.g. a JSON envelope read as JSON and written as binary.
pub fn decrypt_with(
    data: &[u8],
    input: Format,
    output: Format,
    keys: &Keys,
    options: DecryptOptions,
) -> Result<Vec<u8>, SopsError> {
    let document = stores::load_encrypted(data, input)?;
    let branches = decrypt_document(document, keys, options)?;
    stores::emit_plain(&branches, output)
}

pub(crate) fn decrypt_document(
    document: Document,
    keys: &Keys,
    options: DecryptOptions,
) -> Result<Vec<Value>, SopsError> {
    let Document {
        mut branches,
        metadata,
    } = document;
    let data_key = datakey::data_key(&metadata, keys)?;
    let mac = tree::decrypt_branches(&mut branches, &metadata.rules, &data_key)?;
    if options.verify_mac {
        let stored = cipher::decrypt_string(&metadata.mac, &data_key, &metadata.last_modified)
            // A MAC that no longer decrypts (changed MAC or lastmodified) is tampering too.
            .map_err(|_| SopsError::MacMismatch)?;
        if stored != mac {
            return Err(SopsError::MacMismatch);
        }
    }
    Ok(branches)
}
