//! A native kustomize engine: [`build`] renders a kustomization the way
//! `kubectl kustomize` (kustomize v5.5) does, byte for byte. See README.md.

mod build;
mod crds;
mod error;
mod fieldspec;
mod flux_generate;
mod generator;
mod json6902;
mod kustomization;
mod loader;
mod nameref;
mod plugins;
mod replacements;
mod resource;
mod select;
mod smp;
mod sort;
mod transformers;
pub mod value;
mod vars;
pub mod yaml;

pub use build::{BuildOptions, build, build_resources};
pub use error::Error;
pub use kustomization::Kustomization;
pub use loader::LoadRestrictions;
pub use resource::Resource;

/// Parses a kustomization file's text (used by the fuzz target).
pub fn parse_kustomization(text: &str) -> Result<Kustomization, Error> {
    let doc = yaml::parse_single(text)?;
    Kustomization::parse(&doc)
}

/// Applies a strategic merge or JSON 6902 patch text to a resource's YAML (fuzzing aid).
pub fn apply_patch_text(resource_yaml: &str, patch: &str) -> Result<String, Error> {
    let mut obj = yaml::parse_single(resource_yaml)?;
    let p = yaml::parse_single(patch)?;
    match &p {
        value::Value::Seq(_) => json6902::apply(&mut obj, &json6902::parse_ops(&p)?)?,
        _ => smp::apply(&mut obj, &p, smp::Schema::Builtin(true))?,
    }
    Ok(yaml::emit_document(&obj)?)
}
