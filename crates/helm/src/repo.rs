//! Chart repository indexes (Helm's `repo.IndexFile`), read as Flux's source-controller reads
//! them: JSON, or YAML with unknown fields refused; chart versions that fail Helm's metadata
//! validation dropped; versions sorted newest first. [`IndexFile::to_json`] writes the index as
//! Go's `json.MarshalIndent(index, "", "  ")` does, which is the artifact Flux stores.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::funcs::semver::Version;
use crate::yaml::{J, write_json};

/// Why an index could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The document is empty.
    #[error("empty index.yaml file")]
    Empty,
    /// The document has no `apiVersion`.
    #[error("no API version specified")]
    NoApiVersion,
    /// The document is not an index (syntax, unknown field, wrong type).
    #[error("{0}")]
    Syntax(String),
}

/// A Go `time.Time` as JSON carries it: RFC 3339, the zero time when absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoTime(pub Option<DateTime<FixedOffset>>);

impl GoTime {
    /// Go's `time.RFC3339Nano` layout: trailing zeros of the fraction dropped, `Z` for UTC.
    pub fn rfc3339_nano(&self) -> String {
        let Some(t) = self.0 else {
            return "0001-01-01T00:00:00Z".into();
        };
        let mut out = t.format("%Y-%m-%dT%H:%M:%S").to_string();
        let nanos = t.nanosecond() % 1_000_000_000;
        if nanos > 0 {
            let digits = format!("{nanos:09}");
            out.push('.');
            out.push_str(digits.trim_end_matches('0'));
        }
        if t.offset().local_minus_utc() == 0 {
            out.push('Z');
        } else {
            out.push_str(&t.format("%:z").to_string());
        }
        out
    }
}

impl Serialize for GoTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339_nano())
    }
}

impl<'de> Deserialize<'de> for GoTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text {
            None => Ok(GoTime(None)),
            Some(t) => DateTime::parse_from_rfc3339(&t)
                .map(|t| GoTime(Some(t)))
                .map_err(|_| {
                    serde::de::Error::custom(format!(
                        "parsing time {t:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse"
                    ))
                }),
        }
    }
}

/// A chart maintainer.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Maintainer {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// A dependency as Chart.yaml (and the index) declares it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IndexDependency {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default)]
    pub repository: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub enabled: bool,
    #[serde(
        rename = "import-values",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub import_values: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alias: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One chart version of an index: the chart's metadata, then where to download it. The field
/// order is Go's (the embedded metadata first).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChartVersion {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub home: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Option<Maintainer>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub icon: String,
    #[serde(
        rename = "apiVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub api_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tags: String,
    #[serde(
        rename = "appVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub app_version: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(
        rename = "kubeVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub kube_version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Option<IndexDependency>>,
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub chart_type: String,
    /// Where the chart archive is, absolute or relative to the repository URL.
    #[serde(default)]
    pub urls: Option<Vec<String>>,
    #[serde(default)]
    pub created: GoTime,
    #[serde(default, skip_serializing_if = "is_false")]
    pub removed: bool,
    /// `sha256` hex of the chart archive.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
    // Deprecated fields Helm keeps so that strict parsing accepts old indexes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub checksum: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub engine: String,
    #[serde(
        rename = "tillerVersion",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub tiller_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
}

/// A chart repository's index.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IndexFile {
    #[serde(
        rename = "serverInfo",
        default,
        skip_serializing_if = "serde_json::Map::is_empty"
    )]
    pub server_info: serde_json::Map<String, serde_json::Value>,
    #[serde(rename = "apiVersion", default)]
    pub api_version: String,
    #[serde(default)]
    pub generated: GoTime,
    /// Chart name to its versions, newest first; `None` when the document has no entries.
    #[serde(default)]
    pub entries: Option<BTreeMap<String, Vec<ChartVersion>>>,
    #[serde(rename = "publicKeys", default, skip_serializing_if = "Vec::is_empty")]
    pub public_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// The document as parsed, before chart versions are checked (a `null` version is kept to be
/// dropped, where Helm would keep a nil pointer).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    #[serde(rename = "serverInfo", default)]
    server_info: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(default)]
    generated: GoTime,
    #[serde(default)]
    entries: Option<BTreeMap<String, Option<Vec<Option<ChartVersion>>>>>,
    #[serde(rename = "publicKeys", default)]
    public_keys: Option<Vec<String>>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

impl IndexFile {
    /// Parses an index as Flux's `IndexFromBytes`: JSON when the bytes are valid JSON, strict
    /// YAML otherwise; `apiVersion` required; each chart version defaulted to apiVersion v1,
    /// dropped when Helm's metadata validation fails; versions sorted newest first.
    pub fn from_bytes(data: &[u8]) -> Result<IndexFile, IndexError> {
        if data.is_empty() {
            return Err(IndexError::Empty);
        }
        let raw: RawIndex = if serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok() {
            serde_json::from_slice(data).map_err(|e| IndexError::Syntax(e.to_string()))?
        } else {
            let text = std::str::from_utf8(data)
                .map_err(|e| IndexError::Syntax(format!("index is not UTF-8: {e}")))?;
            serde_saphyr::from_str(text)
                .map_err(|e| IndexError::Syntax(format!("error unmarshaling YAML: {e}")))?
        };
        let api_version = raw.api_version.unwrap_or_default();
        if api_version.is_empty() {
            return Err(IndexError::NoApiVersion);
        }
        let entries = raw.entries.map(|entries| {
            entries
                .into_iter()
                .map(|(name, versions)| {
                    let mut versions: Vec<ChartVersion> = versions
                        .unwrap_or_default()
                        .into_iter()
                        .flatten()
                        .filter_map(|mut cv| {
                            if cv.api_version.is_empty() {
                                cv.api_version = "v1".into();
                            }
                            cv.validate().ok().map(|()| cv)
                        })
                        .collect();
                    sort_newest_first(&mut versions);
                    (name, versions)
                })
                .collect()
        });
        Ok(IndexFile {
            server_info: raw.server_info.unwrap_or_default(),
            api_version,
            generated: raw.generated,
            entries,
            public_keys: raw.public_keys.unwrap_or_default(),
            annotations: raw.annotations.unwrap_or_default(),
        })
    }

    /// The index as Go's `json.MarshalIndent(index, "", "  ")` writes it.
    pub fn to_json(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let mut out = String::new();
        write_json(&mut out, &J::from_serde(&value), true, Some("  "), 0);
        out
    }

    /// The versions of chart `name`, newest first.
    pub fn versions(&self, name: &str) -> Option<&[ChartVersion]> {
        self.entries.as_ref()?.get(name).map(Vec::as_slice)
    }

    /// How many chart versions the index holds.
    pub fn len(&self) -> usize {
        self.entries
            .iter()
            .flat_map(|e| e.values())
            .map(Vec::len)
            .sum()
    }

    /// True when the index holds no chart version.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Helm's `SortEntries`: by semver, newest first (versions are valid after validation).
fn sort_newest_first(versions: &mut [ChartVersion]) {
    versions.sort_by(
        |a, b| match (Version::parse(&a.version), Version::parse(&b.version)) {
            (Some(x), Some(y)) => y.compare(&x),
            (None, _) => Ordering::Greater,
            (_, None) => Ordering::Less,
        },
    );
}

/// Helm's chart metadata validation failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("validation: {0}")]
pub struct ValidationError(pub String);

impl ChartVersion {
    /// Helm's `Metadata.Validate` (strings sanitised first), except that a repeated dependency
    /// name or alias is tolerated, as Flux tolerates it in indexes.
    pub fn validate(&mut self) -> Result<(), ValidationError> {
        let invalid = |m: String| Err(ValidationError(m));
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return invalid("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return invalid("chart.metadata.name is required".into());
        }
        if self.name == "." || self.name == ".." {
            return invalid(format!(
                "chart.metadata.name {:?} is not allowed",
                self.name
            ));
        }
        if self.name.contains('/') {
            return invalid(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return invalid("chart.metadata.version is required".into());
        }
        if Version::parse(&self.version).is_none() {
            return invalid(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return invalid("chart.metadata.type must be application or library".into());
        }
        for m in &mut self.maintainers {
            let Some(m) = m else {
                return invalid("maintainers must not contain empty or null nodes".into());
            };
            for s in [&mut m.name, &mut m.email, &mut m.url] {
                *s = sanitize(s);
            }
        }
        for d in &mut self.dependencies {
            let Some(d) = d else {
                return invalid("dependencies must not contain empty or null nodes".into());
            };
            for s in [
                &mut d.name,
                &mut d.version,
                &mut d.repository,
                &mut d.condition,
            ] {
                *s = sanitize(s);
            }
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            if !d.alias.is_empty() && !valid_alias(&d.alias) {
                return invalid(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
        }
        Ok(())
    }
}

/// Helm's alias rule: letters, digits, `-` and `_`.
fn valid_alias(alias: &str) -> bool {
    alias
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Go's `sanitizeString`: whitespace becomes a space, other non-printable characters go.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"apiVersion: v1
entries:
  demo:
  - apiVersion: v2
    appVersion: 1.16.0
    created: "2026-12-07T10:00:00.123400+00:00"
    description: A demo <chart>
    digest: aa
    name: demo
    type: application
    urls:
    - demo-0.1.0.tgz
    version: 0.1.0
  - apiVersion: v2
    created: "2026-12-07T11:00:00Z"
    name: demo
    urls:
    - demo-0.10.0.tgz
    version: 0.10.0
  - name: demo
    version: not-semver
  broken:
  - name: a/b
    version: 1.0.0
generated: "2026-12-07T12:00:00Z"
"#;

    #[test]
    fn reads_validates_and_sorts_as_flux() {
        let index = IndexFile::from_bytes(INDEX.as_bytes()).unwrap();
        let demo = index.versions("demo").unwrap();
        let versions: Vec<&str> = demo.iter().map(|c| c.version.as_str()).collect();
        assert_eq!(versions, ["0.10.0", "0.1.0"]);
        assert_eq!(index.versions("broken").unwrap().len(), 0);
        assert_eq!(index.len(), 2);
    }

    #[test]
    fn writes_go_json() {
        let index = IndexFile::from_bytes(INDEX.as_bytes()).unwrap();
        let json = index.to_json();
        let expected = r#"{
  "apiVersion": "v1",
  "generated": "2026-12-07T12:00:00Z",
  "entries": {
    "broken": [],
    "demo": [
      {
        "name": "demo",
        "version": "0.10.0",
        "apiVersion": "v2",
        "urls": [
          "demo-0.10.0.tgz"
        ],
        "created": "2026-12-07T11:00:00Z"
      },
      {
        "name": "demo",
        "version": "0.1.0",
        "description": "A demo \u003cchart\u003e",
        "apiVersion": "v2",
        "appVersion": "1.16.0",
        "type": "application",
        "urls": [
          "demo-0.1.0.tgz"
        ],
        "created": "2026-12-07T10:00:00.1234Z",
        "digest": "aa"
      }
    ]
  }
}"#;
        assert_eq!(json, expected);
        // The stored JSON reads back to the same index.
        assert_eq!(IndexFile::from_bytes(json.as_bytes()).unwrap(), index);
    }

    #[test]
    fn refuses_what_helm_refuses() {
        let err = |s: &str| IndexFile::from_bytes(s.as_bytes()).unwrap_err().to_string();
        assert_eq!(err(""), "empty index.yaml file");
        assert_eq!(err("entries: {}\n"), "no API version specified");
        assert!(err("apiVersion: v1\nunknown: 1\n").contains("unknown"));
        assert!(err("apiVersion: v1\ngenerated: yesterday\n").contains("parsing time"));
    }
}
