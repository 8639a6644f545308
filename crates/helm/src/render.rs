//! Helm's engine: parses every template of a chart tree into one set, renders each with its
//! chart's scoped values, and reports errors as Helm words them.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use crate::chart::Chart;
use crate::error::Error;
use crate::files::Files;
use crate::funcs::func_map;
use crate::template::ast::Tree;
use crate::template::parse::parse;
use crate::template::{Exec, Templates};
use crate::value::{Map, Object, Value};

/// Cluster facts templates see as `.Capabilities`.
#[derive(Debug, Clone)]
pub struct Capabilities {
    /// e.g. "v1.31.0"
    pub kube_version: String,
    pub api_versions: Vec<String>,
    pub helm_version: String,
}

impl Capabilities {
    pub fn to_value(&self) -> Value {
        let v = self.kube_version.trim_start_matches('v');
        let mut parts = v.split(['.', '-', '+']);
        let major = parts.next().unwrap_or("0").to_string();
        let minor = parts.next().unwrap_or("0").to_string();
        let patch = parts.next().unwrap_or("0").to_string();
        let git = format!("v{v}");
        let normalized = format!("v{}.{}.{}", major, minor, patch);
        let mut kf = Map::new();
        kf.insert("Version".into(), Value::from(git.clone()));
        kf.insert("Major".into(), Value::from(major));
        kf.insert("Minor".into(), Value::from(minor));
        let kube = Value::Object(Rc::new(Object::Struct {
            type_name: "common.KubeVersion",
            fields: kf,
            display: Some(normalized),
        }));
        let mut hf = Map::new();
        hf.insert("Version".into(), Value::from(self.helm_version.clone()));
        hf.insert("GitCommit".into(), Value::str(""));
        hf.insert("GitTreeState".into(), Value::str(""));
        hf.insert("GoVersion".into(), Value::str("go1.27.2"));
        hf.insert("KubeClientVersion".into(), Value::str("v1.37"));
        let helm = Value::Object(Rc::new(Object::Struct {
            type_name: "version.BuildInfo",
            fields: hf,
            display: None,
        }));
        let mut cf = Map::new();
        cf.insert("KubeVersion".into(), kube);
        cf.insert(
            "APIVersions".into(),
            Value::Object(Rc::new(Object::ApiVersions(self.api_versions.clone()))),
        );
        cf.insert("HelmVersion".into(), helm);
        Value::Object(Rc::new(Object::Struct {
            type_name: "*common.Capabilities",
            fields: cf,
            display: None,
        }))
    }
}

/// What `.Release` holds.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_upgrade: bool,
}

impl ReleaseInfo {
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Name".into(), Value::from(self.name.clone()));
        m.insert("Namespace".into(), Value::from(self.namespace.clone()));
        m.insert("IsUpgrade".into(), Value::Bool(self.is_upgrade));
        m.insert("IsInstall".into(), Value::Bool(!self.is_upgrade));
        m.insert("Revision".into(), Value::Int(self.revision));
        m.insert("Service".into(), Value::str("Helm"));
        Value::from(m)
    }
}

struct Renderable {
    src: Rc<str>,
    vals: Value,
    base_path: String,
}

/// Collects every template of the chart tree with the values in its scope (recAllTpls).
fn all_templates(
    chart: &Chart,
    parent_path: Option<&str>,
    values: &Value,
    top: &TopValues,
    out: &mut BTreeMap<String, Renderable>,
    depth: usize,
) -> Result<Value, Error> {
    if depth > 20 {
        return Err(Error::Render("subcharts nested too deeply".into()));
    }
    let is_root = parent_path.is_none();
    let full_path = match parent_path {
        None => chart.name().to_string(),
        Some(p) => format!("{p}/charts/{}", chart.name()),
    };
    let subcharts = Value::empty_map();
    let chart_values = if is_root {
        values.clone()
    } else {
        match values.as_map().and_then(|m| m.get(chart.name()).cloned()) {
            Some(v @ Value::Map(_)) => v,
            _ => Value::empty_map(),
        }
    };
    let files: BTreeMap<String, Vec<u8>> = chart
        .files
        .iter()
        .map(|f| (f.name.clone(), f.data.clone()))
        .collect();
    let mut next = Map::new();
    next.insert("Chart".into(), chart.metadata_map(is_root));
    next.insert(
        "Files".into(),
        Value::Object(Rc::new(Object::Files(Files::new(files)))),
    );
    next.insert("Release".into(), top.release.clone());
    next.insert("Capabilities".into(), top.capabilities.clone());
    next.insert("Values".into(), chart_values.clone());
    next.insert("Subcharts".into(), subcharts.clone());
    let next = Value::from(next);
    for child in &chart.dependencies {
        let sub = all_templates(child, Some(&full_path), &chart_values, top, out, depth + 1)?;
        if let Value::Map(m) = &subcharts {
            m.borrow_mut().insert(child.name().to_string(), sub);
        }
    }
    for t in &chart.templates {
        if chart.is_library() && !crate::funcs::misc::base(&t.name).starts_with('_') {
            continue;
        }
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                src: Rc::from(String::from_utf8_lossy(&t.data).into_owned()),
                vals: next.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    Ok(next)
}

struct TopValues {
    release: Value,
    capabilities: Value,
}

/// Helm's byPathLen ordering, reversed: deepest paths first, then reverse lexical order.
fn sort_templates(keys: &mut [String]) {
    keys.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// Renders every template; returns file name -> output (partials excluded).
pub fn render_templates(
    chart: &Chart,
    values: &Value,
    release: &ReleaseInfo,
    caps: &Capabilities,
    max_output: usize,
) -> Result<BTreeMap<String, String>, Error> {
    let top = TopValues {
        release: release.to_value(),
        capabilities: caps.to_value(),
    };
    let mut tpls = BTreeMap::new();
    all_templates(chart, None, values, &top, &mut tpls, 0)?;
    let mut keys: Vec<String> = tpls.keys().cloned().collect();
    sort_templates(&mut keys);
    let funcs = func_map();
    let is_func = |n: &str| funcs.contains_key(n);
    let mut set: Templates = HashMap::new();
    for k in &keys {
        let r = &tpls[k];
        let parsed = parse(k, &r.src, &is_func)
            .map_err(|e| Error::Render(parse_error_message(k, &e.to_string())))?;
        for d in parsed.defines {
            set.insert(d.name.clone(), Rc::new(d));
        }
        set.insert(k.clone(), Rc::new(parsed.main));
    }
    let set = Rc::new(set);
    let mut ex = Exec::new(set.clone(), funcs, max_output);
    let mut rendered = BTreeMap::new();
    for k in &keys {
        if crate::funcs::misc::base(k).starts_with('_') {
            continue;
        }
        let r = &tpls[k];
        if let Value::Map(m) = &r.vals {
            let mut t = Map::new();
            t.insert("Name".into(), Value::from(k.clone()));
            t.insert("BasePath".into(), Value::from(r.base_path.clone()));
            m.borrow_mut().insert("Template".into(), Value::from(t));
        }
        let tree: Rc<Tree> = set
            .get(k)
            .cloned()
            .ok_or_else(|| Error::Render(format!("template {k} vanished")))?;
        ex.out.clear();
        if let Err(e) = ex.execute_tree(tree, k, r.vals.clone()) {
            return Err(Error::Render(e.helm_message(k)));
        }
        rendered.insert(k.clone(), ex.out.replace("<no value>", ""));
    }
    Ok(rendered)
}

/// Helm's cleanupParseError.
fn parse_error_message(filename: &str, err: &str) -> String {
    let tokens: Vec<&str> = err.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {err}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}
