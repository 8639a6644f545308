//! Chart repository indexes (Helm's `repo.IndexFile`), read as Flux's source-controller reads
//! them: JSON, or YAML with unknown fields refused; chart versions that fail Helm's metadata
//! validation dropped; versions sorted newest first. [`IndexFile::to_json`] writes the index as
//! Go's `json.MarshalIndent(index, "", "  ")` does, which is the artifact Flux stores.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::funcs::semver::Version;

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

/// A chart repository's index (read with [`IndexFile::from_bytes`]).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
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
    /// Chart name to its valid versions, newest first; `None` when the document has no
    /// entries.
    #[serde(default)]
    pub entries: Option<BTreeMap<String, Vec<StoredVersion>>>,
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
    entries: Option<BTreeMap<String, Option<ValidVersions>>>,
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
            serde_saphyr::from_str_with_options(text, index_options(text.len()))
                .map_err(|e| IndexError::Syntax(format!("error unmarshaling YAML: {e}")))?
        };
        let api_version = raw.api_version.unwrap_or_default();
        if api_version.is_empty() {
            return Err(IndexError::NoApiVersion);
        }
        let entries = raw.entries.map(|entries| {
            entries
                .into_iter()
                .map(|(name, versions)| (name, versions.map(|v| v.0).unwrap_or_default()))
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
        let mut out = Vec::new();
        // Writing to a Vec cannot fail, and every field serializes.
        let _ = self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Streams the index as Go's `json.MarshalIndent(index, "", "  ")` writes it, with no
    /// intermediate tree (an index may be tens of MiB).
    pub fn write_json<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        let mut ser = serde_json::Serializer::with_formatter(out, GoIndent::default());
        self.serialize(&mut ser).map_err(std::io::Error::other)
    }

    /// The versions of chart `name`, newest first.
    pub fn versions(&self, name: &str) -> Option<&[StoredVersion]> {
        self.entries.as_ref()?.get(name).map(Vec::as_slice)
    }

    /// The chart version Flux's `GetChartVersion` picks: `version` itself when the index has
    /// it, else the newest version matching `version` as a semver constraint (`*` or empty: the
    /// newest stable one); of equal versions, the one created last. Versions that are not
    /// `major.minor.patch` do not match a constraint.
    pub fn chart_version(&self, name: &str, version: &str) -> Result<ChartVersion, LookupError> {
        let versions = self
            .entries
            .as_ref()
            .and_then(|e| e.get(name))
            .ok_or(LookupError::NoChartName)?;
        if versions.is_empty() {
            return Err(LookupError::NoChartVersion);
        }
        if !version.is_empty()
            && let Some(exact) = versions.iter().find(|v| v.version() == version)
        {
            return Ok(exact.get()?);
        }
        let constraint = if version.is_empty() { "*" } else { version };
        let probe = Version::parse("0.0.0").unwrap_or_else(|| unreachable!("a valid version"));
        crate::funcs::semver::satisfies(constraint, &probe).map_err(LookupError::Constraint)?;
        // Decoded only for ties (by creation time) and for the one picked.
        let mut best: Option<(Version, &StoredVersion)> = None;
        for stored in versions {
            let Some(parsed) = parse_full_version(stored.version()) else {
                continue;
            };
            if !crate::funcs::semver::satisfies(constraint, &parsed).unwrap_or(false) {
                continue;
            }
            let better = match &best {
                None => true,
                Some((v, current)) => match parsed.compare(v) {
                    Ordering::Greater => true,
                    Ordering::Less => false,
                    Ordering::Equal => stored.get()?.created.0 > current.get()?.created.0,
                },
            };
            if better {
                best = Some((parsed, stored));
            }
        }
        match best {
            Some((_, stored)) => Ok(stored.get()?),
            None => Err(LookupError::NoMatch {
                name: name.to_string(),
                version: version.to_string(),
            }),
        }
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

/// serde_json's two-space pretty printer with Go's HTML-safe escaping: `<`, `>`, `&`, U+2028
/// and U+2029 as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029` (other escapes are the same in
/// both).
struct GoIndent(serde_json::ser::PrettyFormatter<'static>);

impl Default for GoIndent {
    fn default() -> Self {
        GoIndent(serde_json::ser::PrettyFormatter::with_indent(b"  "))
    }
}

macro_rules! delegate {
    ($($name:ident $(, $arg:ident : $ty:ty)*;)*) => {
        $(fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> std::io::Result<()> {
            serde_json::ser::Formatter::$name(&mut self.0, w $(, $arg)*)
        })*
    };
}

impl serde_json::ser::Formatter for GoIndent {
    delegate! {
        begin_array;
        end_array;
        begin_array_value, first: bool;
        end_array_value;
        begin_object;
        end_object;
        begin_object_key, first: bool;
        begin_object_value;
        end_object_value;
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(i) = rest.find(['<', '>', '&', '\u{2028}', '\u{2029}']) {
            w.write_all(&rest.as_bytes()[..i])?;
            let c = rest[i..].chars().next().unwrap_or_default();
            write!(w, "\\u{:04x}", c as u32)?;
            rest = &rest[i + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
}

/// Why [`IndexFile::chart_version`] found nothing; worded as Helm and Flux word it.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("no chart name found")]
    NoChartName,
    #[error("no chart version found")]
    NoChartVersion,
    /// The constraint does not parse (`improper constraint: ...`).
    #[error("{0}")]
    Constraint(String),
    #[error("no '{name}' chart with version matching '{version}' found")]
    NoMatch { name: String, version: String },
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// fluxcd/pkg `version.ParseVersion`: three dot-separated parts, then Masterminds' parser.
fn parse_full_version(v: &str) -> Option<Version> {
    if v.splitn(3, '.').count() != 3 {
        return None;
    }
    Version::parse(v)
}

/// A valid chart version, kept as compact JSON: parsed, a chart version costs several times
/// its text, and an index may hold tens of thousands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredVersion {
    version: String,
    json: Box<[u8]>,
}

impl StoredVersion {
    fn new(chart: &ChartVersion) -> Result<StoredVersion, serde_json::Error> {
        Ok(StoredVersion {
            version: chart.version.clone(),
            json: serde_json::to_vec(chart)?.into_boxed_slice(),
        })
    }

    /// The chart version's `version`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The whole chart version.
    pub fn get(&self) -> Result<ChartVersion, IndexError> {
        serde_json::from_slice(&self.json).map_err(|e| IndexError::Syntax(e.to_string()))
    }
}

impl Serialize for StoredVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.get().map_err(serde::ser::Error::custom)?.serialize(s)
    }
}

/// One chart's versions as Flux's `IndexFromBytes` keeps them: each defaulted to apiVersion v1,
/// dropped when Helm's validation fails (or `null`), stored compact as it is read, then sorted
/// newest first.
struct ValidVersions(Vec<StoredVersion>);

impl<'de> Deserialize<'de> for ValidVersions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ValidVersions;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of chart versions")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ValidVersions, A::Error> {
                let mut kept = Vec::new();
                while let Some(chart) = seq.next_element::<Option<ChartVersion>>()? {
                    let Some(mut chart) = chart else { continue };
                    if chart.api_version.is_empty() {
                        chart.api_version = "v1".into();
                    }
                    if chart.validate().is_ok() {
                        kept.push(StoredVersion::new(&chart).map_err(serde::de::Error::custom)?);
                    }
                }
                sort_newest_first(&mut kept);
                Ok(ValidVersions(kept))
            }
        }
        d.deserialize_seq(Visitor)
    }
}

/// The YAML parser's options for an index of `len` bytes (its size is bounded by
/// `--helm-index-max-size`).
fn index_options(len: usize) -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(crate::yaml::scaled_budget(len));
    options
}

/// Helm's `SortEntries`: by semver, newest first (versions are valid after validation).
fn sort_newest_first(versions: &mut [StoredVersion]) {
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
        let versions: Vec<&str> = demo.iter().map(|c| c.version()).collect();
        assert_eq!(demo[1].get().unwrap().app_version, "1.16.0");
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
    fn chart_versions_are_picked_as_flux_picks_them() {
        let index = IndexFile::from_bytes(
            br#"apiVersion: v1
entries:
  app:
  - {name: app, version: 1.2.0, created: "2026-01-01T00:00:00Z", description: older}
  - {name: app, version: 1.2.0+build, created: "2026-02-01T00:00:00Z", description: newer}
  - {name: app, version: 1.10.0-rc.1}
  - {name: app, version: 1.3.1}
  - {name: app, version: "2.0"}
  empty: []
"#,
        )
        .unwrap();
        let pick = |v: &str| index.chart_version("app", v).map(|c| c.version);
        // `*` and empty: the newest stable full version ("2.0" is not major.minor.patch).
        assert_eq!(pick("*").unwrap(), "1.3.1");
        assert_eq!(pick("").unwrap(), "1.3.1");
        // An exact version is taken as written, even when it is not full semver.
        assert_eq!(pick("2.0").unwrap(), "2.0");
        assert_eq!(pick("~1.2").unwrap().split('+').next(), Some("1.2.0"));
        assert_eq!(
            index.chart_version("app", "~1.2").unwrap().description,
            "newer",
            "equal versions: the one created last"
        );
        assert_eq!(pick(">=1.10.0-0").unwrap(), "1.10.0-rc.1");
        let err = |n: &str, v: &str| index.chart_version(n, v).unwrap_err().to_string();
        assert_eq!(
            err("app", ">5"),
            "no 'app' chart with version matching '>5' found"
        );
        assert_eq!(err("nope", "*"), "no chart name found");
        assert_eq!(err("empty", "*"), "no chart version found");
        assert!(
            err("app", "!!bad").starts_with("improper constraint"),
            "{}",
            err("app", "!!bad")
        );
    }

    #[test]
    fn strings_are_escaped_as_go_escapes_them() {
        let index = IndexFile::from_bytes(
            "{\"apiVersion\":\"v1\",\"annotations\":{\"a\":\"x & y\\u2028\\n\\u0001\"}}".as_bytes(),
        )
        .unwrap();
        assert!(
            index
                .to_json()
                .contains(r#""a": "x \u0026 y\u2028\n\u0001""#),
            "{}",
            index.to_json()
        );
    }

    #[test]
    fn a_large_index_is_within_the_parser_budget() {
        // 40,000 chart versions: about 1.2 million YAML nodes.
        let mut text = String::from("apiVersion: v1\nentries:\n  big:\n");
        for i in 0..40_000 {
            text.push_str(&format!(
                "  - name: big\n    version: 1.0.{i}\n    keywords: [a, b]\n    urls:\n    - big-1.0.{i}.tgz\n    annotations:\n      x: y\n"
            ));
        }
        let index = IndexFile::from_bytes(text.as_bytes()).unwrap();
        assert_eq!(index.len(), 40_000);
        assert_eq!(index.versions("big").unwrap()[0].version(), "1.0.39999");
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
