//! Loading charts from a directory or a .tgz, as Helm's loader does: Chart.yaml, values.yaml,
//! values.schema.json, templates/, charts/ (directories and archives), .helmignore and Files.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::error::Error;
use crate::value::{Map, Value};
use crate::yaml::parse_yaml;

/// Limits on what a chart may hold, to bound memory on hostile archives.
const MAX_FILES: usize = 10_000;
const MAX_TOTAL_BYTES: u64 = 200 << 20;
const MAX_DEPTH: usize = 20;

#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Default)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub import_values: Vec<Value>,
    pub alias: String,
}

#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<(String, String, String)>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: String,
    pub dependencies: Vec<Dependency>,
    pub chart_type: String,
}

#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub metadata: Metadata,
    /// values.yaml as a map (empty when absent).
    pub values: Value,
    pub schema: Option<Vec<u8>>,
    pub templates: Vec<File>,
    pub files: Vec<File>,
    pub dependencies: Vec<Chart>,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn is_library(&self) -> bool {
        self.metadata.chart_type.eq_ignore_ascii_case("library")
    }

    /// `.Chart`: the metadata as a map with Go field names.
    pub fn metadata_map(&self, is_root: bool) -> Value {
        let md = &self.metadata;
        let s = |v: &str| Value::str(v);
        let list = |v: &[String]| {
            Value::from(v.iter().map(|x| Value::str(x.as_str())).collect::<Vec<_>>())
        };
        let mut m = Map::new();
        m.insert("Name".into(), s(&md.name));
        m.insert("Home".into(), s(&md.home));
        m.insert("Sources".into(), list(&md.sources));
        m.insert("Version".into(), s(&md.version));
        m.insert("Description".into(), s(&md.description));
        m.insert("Keywords".into(), list(&md.keywords));
        let maint: Vec<Value> = md
            .maintainers
            .iter()
            .map(|(n, e, u)| {
                let mut mm = Map::new();
                mm.insert("Name".into(), s(n));
                mm.insert("Email".into(), s(e));
                mm.insert("URL".into(), s(u));
                Value::from(mm)
            })
            .collect();
        m.insert("Maintainers".into(), Value::from(maint));
        m.insert("Icon".into(), s(&md.icon));
        m.insert("APIVersion".into(), s(&md.api_version));
        m.insert("Condition".into(), s(&md.condition));
        m.insert("Tags".into(), s(&md.tags));
        m.insert("AppVersion".into(), s(&md.app_version));
        m.insert("Deprecated".into(), Value::Bool(md.deprecated));
        let ann: Map = md
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), s(v)))
            .collect();
        m.insert("Annotations".into(), Value::from(ann));
        m.insert("KubeVersion".into(), s(&md.kube_version));
        let deps: Vec<Value> = md
            .dependencies
            .iter()
            .map(|d| {
                let mut dm = Map::new();
                dm.insert("Name".into(), s(&d.name));
                dm.insert("Version".into(), s(&d.version));
                dm.insert("Repository".into(), s(&d.repository));
                dm.insert("Condition".into(), s(&d.condition));
                dm.insert("Tags".into(), list(&d.tags));
                dm.insert("Enabled".into(), Value::Bool(d.enabled));
                dm.insert("ImportValues".into(), Value::from(d.import_values.clone()));
                dm.insert("Alias".into(), s(&d.alias));
                Value::from(dm)
            })
            .collect();
        m.insert("Dependencies".into(), Value::from(deps));
        m.insert("Type".into(), s(&md.chart_type));
        m.insert("IsRoot".into(), Value::Bool(is_root));
        Value::from(m)
    }

    /// The CRD files under crds/ (at this chart's level).
    pub fn crds(&self) -> impl Iterator<Item = &File> {
        self.files.iter().filter(|f| f.name.starts_with("crds/"))
    }
}

/// Loads a chart from a directory or a .tgz archive.
pub fn load(path: &Path) -> Result<Chart, Error> {
    if path.is_dir() {
        return load_dir(path);
    }
    let data = std::fs::read(path).map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
    load_archive(&data)
}

pub fn load_dir(dir: &Path) -> Result<Chart, Error> {
    load_files(dir_files(dir)?, 0)
}

/// The files of a chart folder that its `.helmignore` keeps, as `helm package` reads them.
pub fn dir_files(dir: &Path) -> Result<Vec<File>, Error> {
    let rules = match std::fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => Ignore::parse(&text)?,
        Err(_) => Ignore::parse("")?,
    };
    let mut files = Vec::new();
    let mut total = 0u64;
    walk(dir, "", &rules, &mut files, &mut total, 0)?;
    Ok(files)
}

fn walk(
    root: &Path,
    rel: &str,
    rules: &Ignore,
    out: &mut Vec<File>,
    total: &mut u64,
    depth: usize,
) -> Result<(), Error> {
    if depth > 64 {
        return Err(Error::Load(format!("{rel}: directory tree too deep")));
    }
    let dir = if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    };
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| Error::Load(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let child = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let meta =
            std::fs::metadata(e.path()).map_err(|err| Error::Load(format!("{child}: {err}")))?;
        if meta.is_dir() {
            if rules.ignored(&child, true) {
                continue;
            }
            walk(root, &child, rules, out, total, depth + 1)?;
        } else {
            if rules.ignored(&child, false) {
                continue;
            }
            *total += meta.len();
            if *total > MAX_TOTAL_BYTES || out.len() >= MAX_FILES {
                return Err(Error::Load("chart is too large".into()));
            }
            let data =
                std::fs::read(e.path()).map_err(|err| Error::Load(format!("{child}: {err}")))?;
            out.push(File { name: child, data });
        }
    }
    Ok(())
}

/// Loads a gzipped tar whose entries sit under one top-level directory.
pub fn load_archive(data: &[u8]) -> Result<Chart, Error> {
    load_archive_depth(data, 0)
}

fn load_archive_depth(data: &[u8], depth: usize) -> Result<Chart, Error> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut ar = tar::Archive::new(gz.take(MAX_TOTAL_BYTES + 1));
    let mut files = Vec::new();
    let mut total = 0u64;
    let entries = ar
        .entries()
        .map_err(|e| Error::Load(format!("reading chart archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| Error::Load(format!("reading chart archive: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| Error::Load(format!("reading chart archive: {e}")))?
            .to_string_lossy()
            .replace('\\', "/");
        let parts: Vec<&str> = path.splitn(2, '/').collect();
        if parts.len() < 2 || parts[1].is_empty() {
            continue;
        }
        let name = crate::funcs::misc::clean(parts[1]);
        if name.starts_with("../") || name == ".." || name.starts_with('/') {
            return Err(Error::Load(format!(
                "chart illegally references parent directory: {path}"
            )));
        }
        let mut buf = Vec::new();
        entry
            .read_to_end(&mut buf)
            .map_err(|e| Error::Load(format!("reading chart archive: {e}")))?;
        total += buf.len() as u64;
        if total > MAX_TOTAL_BYTES || files.len() >= MAX_FILES {
            return Err(Error::Load("chart archive is too large".into()));
        }
        files.push(File { name, data: buf });
    }
    if files.is_empty() {
        return Err(Error::Load("no files in chart archive".into()));
    }
    // .helmignore applies to archives too
    let rules = match files.iter().find(|f| f.name == ".helmignore") {
        Some(f) => Ignore::parse(&String::from_utf8_lossy(&f.data))?,
        None => Ignore::parse("")?,
    };
    files.retain(|f| !rules.ignored(&f.name, false));
    load_files(files, depth)
}

fn str_field(m: &Map, k: &str) -> String {
    match m.get(k) {
        Some(Value::Str(s)) => s.to_string(),
        Some(Value::Nil) | None => String::new(),
        Some(other) => other.to_go_string(),
    }
}

fn str_list(m: &Map, k: &str) -> Vec<String> {
    match m.get(k) {
        Some(Value::List(l)) => l.iter().map(crate::funcs::to_string).collect(),
        _ => Vec::new(),
    }
}

fn parse_metadata(data: &[u8]) -> Result<Metadata, Error> {
    let text = String::from_utf8_lossy(data);
    let v = parse_yaml(&text).map_err(|e| {
        Error::Load(format!(
            "cannot load Chart.yaml: error converting YAML to JSON: {e}"
        ))
    })?;
    let m = match &v {
        Value::Map(m) => m.borrow().clone(),
        Value::Nil => Map::new(),
        _ => return Err(Error::Load("cannot load Chart.yaml: not a mapping".into())),
    };
    for k in ["version", "appVersion", "name"] {
        if let Some(Value::Float(_) | Value::Int(_) | Value::Bool(_)) = m.get(k) {
            return Err(Error::Load(format!(
                "cannot load Chart.yaml: error unmarshaling JSON: json: cannot unmarshal number into Go struct field Metadata.{k} of type string"
            )));
        }
    }
    let mut md = Metadata {
        name: str_field(&m, "name"),
        home: str_field(&m, "home"),
        sources: str_list(&m, "sources"),
        version: str_field(&m, "version"),
        description: str_field(&m, "description"),
        keywords: str_list(&m, "keywords"),
        icon: str_field(&m, "icon"),
        api_version: str_field(&m, "apiVersion"),
        condition: str_field(&m, "condition"),
        tags: str_field(&m, "tags"),
        app_version: str_field(&m, "appVersion"),
        deprecated: matches!(m.get("deprecated"), Some(Value::Bool(true))),
        kube_version: str_field(&m, "kubeVersion"),
        chart_type: str_field(&m, "type"),
        ..Default::default()
    };
    if let Some(Value::List(l)) = m.get("maintainers") {
        for e in l.iter() {
            if let Some(mm) = e.as_map() {
                md.maintainers.push((
                    str_field(&mm, "name"),
                    str_field(&mm, "email"),
                    str_field(&mm, "url"),
                ));
            }
        }
    }
    if let Some(Value::Map(a)) = m.get("annotations") {
        for (k, v) in a.borrow().iter() {
            md.annotations.insert(k.clone(), crate::funcs::to_string(v));
        }
    }
    if let Some(Value::List(l)) = m.get("dependencies") {
        for e in l.iter() {
            if let Some(dm) = e.as_map() {
                md.dependencies.push(Dependency {
                    name: str_field(&dm, "name"),
                    version: str_field(&dm, "version"),
                    repository: str_field(&dm, "repository"),
                    condition: str_field(&dm, "condition"),
                    tags: str_list(&dm, "tags"),
                    enabled: matches!(dm.get("enabled"), Some(Value::Bool(true))),
                    import_values: dm
                        .get("import-values")
                        .and_then(|v| v.as_list().map(|l| l.to_vec()))
                        .unwrap_or_default(),
                    alias: str_field(&dm, "alias"),
                });
            }
        }
    }
    if md.api_version.is_empty() {
        md.api_version = "v1".into();
    }
    Ok(md)
}

fn validate(md: &Metadata) -> Result<(), Error> {
    if md.name.is_empty() {
        return Err(Error::Load(
            "validation: chart.metadata.name is required".into(),
        ));
    }
    if md.name.contains(['/', '\\']) || md.name == "." || md.name == ".." {
        return Err(Error::Load(format!(
            "validation: chart.metadata.name {:?} is invalid",
            md.name
        )));
    }
    if md.version.is_empty() {
        return Err(Error::Load(
            "validation: chart.metadata.version is required".into(),
        ));
    }
    if crate::funcs::semver::Version::parse(&md.version).is_none() {
        return Err(Error::Load(format!(
            "validation: chart.metadata.version {:?} is invalid",
            md.version
        )));
    }
    if !matches!(
        md.chart_type.to_ascii_lowercase().as_str(),
        "" | "application" | "library"
    ) {
        return Err(Error::Load(
            "validation: chart.metadata.type must be application or library".into(),
        ));
    }
    Ok(())
}

/// Helm's LoadFiles: sorts files into their roles and loads subcharts under charts/.
pub fn load_files(files: Vec<File>, depth: usize) -> Result<Chart, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::Load("subcharts nested too deeply".into()));
    }
    let mut chart = Chart {
        values: Value::empty_map(),
        ..Default::default()
    };
    let mut metadata = None;
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => metadata = Some(parse_metadata(&f.data)?),
            "Chart.lock" | "requirements.lock" => {}
            "values.yaml" => {
                let text = String::from_utf8_lossy(&f.data);
                let v = parse_yaml(&text).map_err(|e| {
                    Error::Load(format!(
                        "cannot load values.yaml: error converting YAML to JSON: {e}"
                    ))
                })?;
                chart.values = match v {
                    Value::Map(_) => v,
                    Value::Nil => Value::empty_map(),
                    _ => {
                        return Err(Error::Load(
                            "cannot load values.yaml: error unmarshaling JSON: json: cannot unmarshal into map".into(),
                        ));
                    }
                };
            }
            "values.schema.json" => chart.schema = Some(f.data),
            "requirements.yaml" => {}
            n if n.starts_with("templates/") => chart.templates.push(f),
            n if n.starts_with("charts/") => {
                if n.ends_with(".prov") {
                    chart.files.push(f);
                    continue;
                }
                let rest = &n["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or("").to_string();
                subcharts.entry(cname).or_default().push(File {
                    name: rest.to_string(),
                    data: f.data,
                });
            }
            _ => chart.files.push(f),
        }
    }
    chart.metadata = metadata.ok_or_else(|| Error::Load("Chart.yaml file is missing".into()))?;
    validate(&chart.metadata)?;
    for (n, files) in subcharts {
        if n.starts_with(['_', '.']) {
            continue;
        }
        let sub = if n.ends_with(".tgz") {
            let Some(f) = files.iter().find(|f| f.name == n) else {
                continue;
            };
            load_archive_depth(&f.data, depth + 1)
        } else {
            let inner: Vec<File> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(File {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            if inner.is_empty() {
                continue;
            }
            load_files(inner, depth + 1)
        };
        let sub = sub.map_err(|e| {
            Error::Load(format!(
                "error unpacking subchart {n} in {}: {e}",
                chart.name()
            ))
        })?;
        chart.dependencies.push(sub);
    }
    Ok(chart)
}

/// .helmignore rules (Helm's subset of .gitignore: no `**`).
pub struct Ignore {
    rules: Vec<Rule>,
}

struct Rule {
    pattern: String,
    negate: bool,
    dir_only: bool,
    /// Patterns with a '/' match the whole path, others the base name.
    full_path: bool,
}

impl Ignore {
    pub fn parse(text: &str) -> Result<Ignore, Error> {
        let mut rules = vec![Rule {
            pattern: "templates/.?*".into(),
            negate: false,
            dir_only: false,
            full_path: true,
        }];
        for line in text.lines() {
            let mut l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if l.contains("**") {
                return Err(Error::Load(
                    "double-star (**) syntax is not supported".into(),
                ));
            }
            let negate = l.starts_with('!');
            if negate {
                l = &l[1..];
            }
            let dir_only = l.ends_with('/');
            let l = l.trim_end_matches('/');
            let l = l.strip_prefix('/').unwrap_or(l);
            if l.is_empty() {
                continue;
            }
            rules.push(Rule {
                pattern: l.to_string(),
                negate,
                dir_only,
                full_path: l.contains('/'),
            });
        }
        Ok(Ignore { rules })
    }

    pub fn ignored(&self, path: &str, is_dir: bool) -> bool {
        if path == "." || path.is_empty() {
            return false;
        }
        let base = path.rsplit('/').next().unwrap_or(path);
        let mut ignored = false;
        for r in &self.rules {
            if r.dir_only && !is_dir {
                continue;
            }
            let target = if r.full_path { path } else { base };
            if fn_match(r.pattern.as_bytes(), target.as_bytes(), &mut 0) {
                ignored = !r.negate;
            }
        }
        ignored
    }
}

/// Go's filepath.Match.
fn fn_match(p: &[u8], s: &[u8], steps: &mut usize) -> bool {
    *steps += 1;
    if *steps > 200_000 {
        return false;
    }
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len())
            .take_while(|i| *i == 0 || s[i - 1] != b'/')
            .any(|i| fn_match(&p[1..], &s[i..], steps)),
        Some(b'?') => !s.is_empty() && s[0] != b'/' && fn_match(&p[1..], &s[1..], steps),
        Some(b'[') => {
            let Some(end) = p.iter().position(|c| *c == b']') else {
                return false;
            };
            if s.is_empty() {
                return false;
            }
            let class = &p[1..end];
            let (neg, class) = if class.first() == Some(&b'^') {
                (true, &class[1..])
            } else {
                (false, class)
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    hit |= class[i] <= s[0] && s[0] <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == s[0];
                    i += 1;
                }
            }
            hit != neg && fn_match(&p[end + 1..], &s[1..], steps)
        }
        Some(b'\\') if p.len() > 1 => {
            !s.is_empty() && s[0] == p[1] && fn_match(&p[2..], &s[1..], steps)
        }
        Some(c) => !s.is_empty() && s[0] == *c && fn_match(&p[1..], &s[1..], steps),
    }
}
