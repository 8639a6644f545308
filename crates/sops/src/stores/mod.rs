//! Reading encrypted documents and writing decrypted ones, one module per sops store.

pub(crate) mod dotenv;
pub(crate) mod flatten;
pub(crate) mod json;
pub(crate) mod yaml;

use crate::metadata::{self, Metadata};
use crate::tree::{MapKey, Value};
use crate::{Format, SopsError};

/// An encrypted document: its branches (YAML documents; one for other formats) without the
/// metadata, and the metadata.
pub(crate) struct Document {
    pub branches: Vec<Value>,
    pub metadata: Metadata,
}

pub(crate) fn load_encrypted(data: &[u8], format: Format) -> Result<Document, SopsError> {
    let mut branches = match format {
        Format::Yaml => yaml::load(data)?,
        Format::Json | Format::Binary => vec![json::load(data, format)?],
        Format::Dotenv => vec![dotenv::load(data)?],
        Format::Ini => return Err(SopsError::Unsupported("the INI format".into())),
    };
    let metadata = match format {
        Format::Dotenv => metadata::extract_flat(&mut branches[0])?,
        _ => metadata::extract(&mut branches)?,
    };
    Ok(Document { branches, metadata })
}

pub(crate) fn emit_plain(branches: &[Value], format: Format) -> Result<Vec<u8>, SopsError> {
    match format {
        Format::Yaml => yaml::emit(branches),
        Format::Json => json::emit(single(branches, format)?),
        Format::Dotenv => dotenv::emit(single(branches, format)?),
        Format::Binary => {
            let Value::Map(entries) = single(branches, format)? else {
                return Err(SopsError::emit(format, "document is not a mapping"));
            };
            match entries
                .iter()
                .find(|(k, _)| matches!(k, MapKey::Name(n) if n == "data"))
            {
                Some((_, Value::Str(data))) => Ok(data.clone().into_bytes()),
                Some(_) => Err(SopsError::emit(
                    format,
                    "'data' key in tree does not have a string value",
                )),
                None => Err(SopsError::emit(format, "no binary data found in tree")),
            }
        }
        Format::Ini => Err(SopsError::Unsupported("the INI format".into())),
    }
}

fn single(branches: &[Value], format: Format) -> Result<&Value, SopsError> {
    match branches {
        [branch] => Ok(branch),
        _ => Err(SopsError::emit(
            format,
            "there must be exactly one document",
        )),
    }
}
