//! Field specs: which fields of which kinds a transformer touches, and the walk to them.

use crate::error::Error;
use crate::resource::Gvk;
use crate::value::{Map, Value};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub gvk: Gvk,
    pub path: String,
    pub create: bool,
}

impl FieldSpec {
    pub fn new(path: &str, create: bool) -> FieldSpec {
        FieldSpec {
            gvk: Gvk::default(),
            path: path.to_string(),
            create,
        }
    }
    pub fn segments(&self) -> Vec<String> {
        split_path(&self.path)
    }
}

/// Splits `a/b\/c/d[]` into segments, honouring `\/` escapes.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'/') {
            cur.push('/');
            chars.next();
        } else if c == '/' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.retain(|s| !s.is_empty());
    out
}

/// Calls `set` on every node the path reaches. Missing map fields are created when
/// `create` is set (the last one as `Null`, for the setter to fill); sequences fan out.
pub fn walk(
    node: &mut Value,
    path: &[String],
    create: bool,
    set: &mut dyn FnMut(&mut Value) -> Result<(), Error>,
) -> Result<(), Error> {
    if path.is_empty() {
        return set(node);
    }
    match node {
        Value::Seq(items) => {
            for it in items.iter_mut() {
                walk(it, path, create, set)?;
            }
            Ok(())
        }
        Value::Map(m) => {
            let (field, is_seq) = match path[0].strip_suffix("[]") {
                Some(f) => (f, true),
                None => (path[0].as_str(), false),
            };
            let exists = m.get(field).is_some_and(|v| !v.is_null());
            if !exists {
                if !create {
                    return Ok(());
                }
                let fresh = if path.len() == 1 {
                    Value::Null
                } else if is_seq {
                    Value::Seq(Vec::new())
                } else {
                    Value::Map(Map::new())
                };
                m.insert(field.to_string(), fresh);
            }
            match m.get_mut(field) {
                Some(child) => walk(child, &path[1..], create, set),
                None => Ok(()),
            }
        }
        Value::Null => Ok(()),
        _ => Err(Error::Transform(format!(
            "expected sequence or mapping node at path element {:?}",
            path[0]
        ))),
    }
}

pub struct Defaults {
    pub common_annotations: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub name_prefix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
    pub var_reference: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackRef>,
}

#[derive(Debug, Clone)]
pub struct NameBackRef {
    pub referral: Gvk,
    pub specs: Vec<FieldSpec>,
}

fn parse_gvk(g: &str, v: &str, k: &str) -> Gvk {
    Gvk {
        group: g.to_string(),
        version: v.to_string(),
        kind: k.to_string(),
    }
}

pub fn parse_spec_line(line: &str) -> Option<FieldSpec> {
    let p: Vec<&str> = line.split('|').collect();
    if p.len() != 5 {
        return None;
    }
    Some(FieldSpec {
        gvk: parse_gvk(p[0], p[1], p[2]),
        path: p[3].to_string(),
        create: p[4] == "c",
    })
}

pub fn defaults() -> &'static Defaults {
    static D: OnceLock<Defaults> = OnceLock::new();
    D.get_or_init(|| {
        let text = include_str!("default_fieldspecs.txt");
        let mut sections: std::collections::HashMap<&str, Vec<FieldSpec>> = Default::default();
        let mut backrefs = Vec::new();
        let mut section = "";
        for line in text.lines() {
            if let Some(s) = line.strip_prefix("## ") {
                section = s;
                continue;
            }
            if let Some(r) = line.strip_prefix("> ") {
                let p: Vec<&str> = r.split('|').collect();
                if p.len() == 3 {
                    backrefs.push(NameBackRef {
                        referral: parse_gvk(p[0], p[1], p[2]),
                        specs: Vec::new(),
                    });
                }
                continue;
            }
            let Some(fs) = parse_spec_line(line) else {
                continue;
            };
            if section == "namereference" {
                if let Some(b) = backrefs.last_mut() {
                    b.specs.push(fs);
                }
            } else {
                sections.entry(section).or_default().push(fs);
            }
        }
        let mut take = |k: &str| sections.remove(k).unwrap_or_default();
        Defaults {
            common_annotations: take("commonannotations"),
            common_labels: take("commonlabels"),
            template_labels: take("metadatalabels"),
            name_prefix: take("nameprefix"),
            namespace: take("namespace"),
            images: take("images"),
            replicas: take("replicas"),
            var_reference: take("varreference"),
            name_reference: backrefs,
        }
    })
}
