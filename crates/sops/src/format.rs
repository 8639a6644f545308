//! The document formats sops reads and writes, chosen from file names or detected from content
//! the way Flux's decryptor does.

use std::fmt;

/// A SOPS document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Yaml,
    Json,
    Dotenv,
    /// INI files: recognised (Flux detects them) but not decrypted by flux-sops.
    Ini,
    /// Any file: encrypted as a JSON envelope `{"data": "ENC[...]", "sops": {...}}`.
    Binary,
}

impl Format {
    /// sops' `FormatForPath`, plus Flux's rule that `*.dockerconfigjson` is JSON:
    /// `.yaml`/`.yml` YAML, `.json` JSON, `.env` dotenv, `.ini` INI, anything else binary.
    pub fn for_path(path: &str) -> Format {
        if path.ends_with(".dockerconfigjson") || path.ends_with(".json") {
            Format::Json
        } else if path.ends_with(".yaml") || path.ends_with(".yml") {
            Format::Yaml
        } else if path.ends_with(".env") {
            Format::Dotenv
        } else if path.ends_with(".ini") {
            Format::Ini
        } else {
            Format::Binary
        }
    }

    /// The byte marker Flux looks for to decide that data of this format is SOPS-encrypted.
    pub fn marker(self) -> &'static [u8] {
        match self {
            Format::Binary | Format::Json => b"\"mac\": \"ENC[",
            Format::Dotenv => b"sops_mac=ENC[",
            Format::Ini => b"[sops]",
            Format::Yaml => b"mac: ENC[",
        }
    }

    /// Flux's `detectFormatFromMarkerBytes`: the format whose marker the data contains, if any.
    /// JSON and binary share a marker and load identically; JSON is returned for both.
    pub fn detect(data: &[u8]) -> Option<Format> {
        [Format::Dotenv, Format::Json, Format::Yaml, Format::Ini]
            .into_iter()
            .find(|format| contains(data, format.marker()))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Yaml => "YAML",
            Format::Json => "JSON",
            Format::Dotenv => "dotenv",
            Format::Ini => "INI",
            Format::Binary => "binary",
        })
    }
}

/// True when `data` carries the SOPS marker of `format` (Flux's cheap pre-check before decrypting).
pub fn is_encrypted(data: &[u8], format: Format) -> bool {
    contains(data, format.marker())
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_file_names() {
        assert_eq!(Format::for_path("a/secret.yaml"), Format::Yaml);
        assert_eq!(Format::for_path("x.yml"), Format::Yaml);
        assert_eq!(Format::for_path("x.json"), Format::Json);
        assert_eq!(Format::for_path(".dockerconfigjson"), Format::Json);
        assert_eq!(Format::for_path("app.env"), Format::Dotenv);
        assert_eq!(Format::for_path("app.ini"), Format::Ini);
        assert_eq!(Format::for_path("key"), Format::Binary);
        assert_eq!(Format::for_path("file.txt"), Format::Binary);
    }

    #[test]
    fn markers_detect_formats() {
        assert_eq!(Format::detect(b"a=b\nsops_mac=ENC[x"), Some(Format::Dotenv));
        assert_eq!(
            Format::detect(b"{\"sops\": {\"mac\": \"ENC[x"),
            Some(Format::Json)
        );
        assert_eq!(Format::detect(b"sops:\n  mac: ENC[x"), Some(Format::Yaml));
        assert_eq!(Format::detect(b"[sops]\nmac = x"), Some(Format::Ini));
        assert_eq!(Format::detect(b"plain: value"), None);
    }
}
