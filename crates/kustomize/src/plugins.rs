//! The `transformers:` and `generators:` fields: kustomize's builtin plugins configured
//! by YAML (apiVersion `builtin`). Other plugins (exec, Go, KRM functions) are refused.

use crate::build::Accumulator;
use crate::error::Error;
use crate::kustomization::{
    Image, as_str, as_str_map, parse_fieldspecs, parse_generator, parse_patch,
};
use crate::loader::Loader;
use crate::value::{Map, Value};
use crate::yaml::parse_documents;
use std::path::Path;

/// A builtin plugin config: its kind and body.
pub struct PluginConfig {
    pub kind: String,
    pub body: Map,
}

/// Reads the entries of a `transformers:`/`generators:` list (file paths or inline YAML).
pub fn load(loader: &Loader, dir: &Path, entries: &[String]) -> Result<Vec<PluginConfig>, Error> {
    let mut out = Vec::new();
    for e in entries {
        let text = if e.contains('\n') {
            e.clone()
        } else {
            loader.read_string(dir, e)?
        };
        for doc in parse_documents(&text)? {
            let Value::Map(m) = doc else { continue };
            let api = m.get("apiVersion").and_then(Value::as_str).unwrap_or("");
            let kind = m
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if api != "builtin" {
                return Err(Error::Unsupported(format!(
                    "plugin {api}/{kind} refused: only kustomize's builtin plugins (apiVersion: builtin) are supported; exec, Go and KRM function plugins are disabled"
                )));
            }
            out.push(PluginConfig { kind, body: m });
        }
    }
    Ok(out)
}

fn field<'a>(m: &'a Map, k: &str) -> &'a Value {
    m.get(k).unwrap_or(&Value::Null)
}

pub fn transform(
    loader: &Loader,
    dir: &Path,
    cfg: &PluginConfig,
    acc: &mut Accumulator,
) -> Result<(), Error> {
    use crate::transformers as t;
    let m = &cfg.body;
    let specs = || parse_fieldspecs(field(m, "fieldSpecs"));
    match cfg.kind.as_str() {
        "PrefixTransformer" | "SuffixTransformer" | "PrefixSuffixTransformer" => {
            let specs = specs()?;
            let prefix = as_str(field(m, "prefix"), "prefix")?;
            let suffix = as_str(field(m, "suffix"), "suffix")?;
            if cfg.kind != "SuffixTransformer" {
                t::prefix_suffix(&mut acc.resources, &prefix, &specs, true)?;
            }
            if cfg.kind != "PrefixTransformer" {
                t::prefix_suffix(&mut acc.resources, &suffix, &specs, false)?;
            }
        }
        "LabelTransformer" => {
            t::set_map_entries(
                &mut acc.resources,
                &as_str_map(field(m, "labels"), "labels")?,
                &specs()?,
            )?;
        }
        "AnnotationsTransformer" => {
            let pairs = as_str_map(field(m, "annotations"), "annotations")?;
            t::set_map_entries(&mut acc.resources, &pairs, &specs()?)?;
        }
        "NamespaceTransformer" => {
            let ns = m
                .get("metadata")
                .and_then(|x| x.get("namespace"))
                .and_then(Value::as_str)
                .unwrap_or("");
            t::namespace(&mut acc.resources, ns, &specs()?)?;
        }
        "ImageTagTransformer" => {
            let it = field(m, "imageTag");
            let s = |k: &str| {
                it.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .filter(|s| !s.is_empty())
            };
            let img = Image {
                name: s("name").unwrap_or_default(),
                new_name: s("newName"),
                new_tag: s("newTag"),
                digest: s("digest"),
                tag_suffix: None,
            };
            t::images(&mut acc.resources, &[img], &specs()?)?;
        }
        "ReplicaCountTransformer" => {
            let r = field(m, "replica");
            let name = r
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let count = r.get("count").cloned().unwrap_or(Value::Int(0));
            t::replicas(&mut acc.resources, &[(name, count)], &specs()?)?;
        }
        "PatchTransformer" => {
            let mut pm = m.clone();
            for k in ["apiVersion", "kind", "metadata"] {
                pm.remove(k);
            }
            let p = parse_patch(&Value::Map(pm), false)?;
            crate::build::apply_patch_with(loader, dir, &p, acc)?;
        }
        "PatchJson6902Transformer" => {
            let mut pm = Map::new();
            pm.insert("target".into(), field(m, "target").clone());
            if let Some(p) = m.get("path") {
                pm.insert("path".into(), p.clone());
            }
            if let Some(op) = m.get("jsonOp") {
                pm.insert("patch".into(), op.clone());
            }
            let p = parse_patch(&Value::Map(pm), true)?;
            crate::build::apply_patch_with(loader, dir, &p, acc)?;
        }
        "PatchStrategicMergeTransformer" => {
            let mut texts = Vec::new();
            for p in field(m, "paths").as_seq().map(Vec::as_slice).unwrap_or(&[]) {
                texts.push(loader.read_string(dir, &as_str(p, "paths")?)?);
            }
            if let Some(Value::Str(s)) = m.get("patches") {
                texts.push(s.clone());
            }
            for text in texts {
                let p = crate::kustomization::Patch {
                    patch: Some(text),
                    ..Default::default()
                };
                crate::build::apply_patch_with(loader, dir, &p, acc)?;
            }
        }
        "ReplacementTransformer" => {
            let reps = field(m, "replacements")
                .as_seq()
                .cloned()
                .unwrap_or_default();
            crate::replacements::apply(loader, dir, &mut acc.resources, &reps)?;
        }
        other => {
            return Err(Error::Unsupported(format!(
                "builtin transformer {other} is not supported"
            )));
        }
    }
    Ok(())
}

pub fn generate(
    loader: &Loader,
    dir: &Path,
    cfg: &PluginConfig,
    acc: &mut Accumulator,
) -> Result<(), Error> {
    let secret = match cfg.kind.as_str() {
        "ConfigMapGenerator" => false,
        "SecretGenerator" => true,
        other => {
            return Err(Error::Unsupported(format!(
                "builtin generator {other} is not supported"
            )));
        }
    };
    let mut m = cfg.body.clone();
    let meta = m.remove("metadata").unwrap_or(Value::Null);
    for k in ["apiVersion", "kind"] {
        m.remove(k);
    }
    for k in ["name", "namespace"] {
        if let Some(v) = meta.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    let args = parse_generator(&Value::Map(m), secret)?;
    let r = crate::generator::generate(loader, dir, &args, None, secret)?;
    crate::build::absorb(acc, r)
}
