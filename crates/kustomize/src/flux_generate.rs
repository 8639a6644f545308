//! Flux's rule for a folder without a kustomization file: every `.yaml`/`.yml` manifest
//! below it becomes a resource, and a sub-folder holding a kustomization file is taken
//! whole (its contents are not scanned). Files that are not Kubernetes YAML are errors.

use crate::build::load_resources;
use crate::error::Error;
use crate::kustomization::Kustomization;
use crate::loader::{Loader, find_kustomization_file};
use std::path::Path;

const MAX_DEPTH: usize = 64;
const MAX_ENTRIES: usize = 100_000;

pub fn generate(loader: &Loader, dir: &Path) -> Result<Kustomization, Error> {
    let mut resources = Vec::new();
    let mut seen = 0usize;
    scan(loader, dir, dir, 0, &mut seen, &mut resources)?;
    let mut k = Kustomization {
        kind: "Kustomization".into(),
        ..Default::default()
    };
    k.resources = resources;
    Ok(k)
}

fn scan(
    loader: &Loader,
    base: &Path,
    dir: &Path,
    depth: usize,
    seen: &mut usize,
    out: &mut Vec<String>,
) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::TooDeep(MAX_DEPTH));
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::Io(dir.display().to_string(), e))?
        .filter_map(Result::ok)
        .collect();
    // filepath.Walk visits entries in lexical order.
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        *seen += 1;
        if *seen > MAX_ENTRIES {
            return Err(Error::Resource(format!(
                "more than {MAX_ENTRIES} files under {}",
                base.display()
            )));
        }
        let path = e.path();
        let rel = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .to_string_lossy()
            .to_string();
        let ft = e
            .file_type()
            .map_err(|err| Error::Io(path.display().to_string(), err))?;
        // Walk does not follow symlinked folders.
        if ft.is_dir() {
            if find_kustomization_file(&path)?.is_some() {
                out.push(format!("./{rel}"));
                continue;
            }
            scan(loader, base, &path, depth + 1, seen, out)?;
            continue;
        }
        let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext != "yaml" && ext != "yml" {
            continue;
        }
        let text = loader.read_string(base, &rel)?;
        load_resources(&text, &rel).map_err(|err| {
            Error::Resource(format!(
                "failed to decode Kubernetes YAML from {}: {err}",
                path.display()
            ))
        })?;
        out.push(format!("./{rel}"));
    }
    Ok(())
}
