//! File access confined to a build root, with kustomize's per-kustomization restriction.

use crate::error::Error;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadRestrictions {
    /// kustomize's default: files must sit in or below the kustomization's own folder.
    #[default]
    RootOnly,
    /// Any file inside the build root (Flux's kustomize-controller).
    None,
}

#[derive(Debug, Clone)]
pub struct Loader {
    /// Nothing outside this folder may be read, symlinks included.
    pub build_root: PathBuf,
    pub restrictions: LoadRestrictions,
    /// A custom OpenAPI document (`openapi: path:`); once set it replaces the built-in
    /// schema for strategic merges for the rest of the build, as in kustomize.
    pub openapi: Option<std::sync::Arc<crate::value::Value>>,
}

pub const KUSTOMIZATION_FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

impl Loader {
    /// Resolves `rel` against `dir`, following symlinks, and checks it stays in bounds.
    pub fn resolve(&self, dir: &Path, rel: &str) -> Result<PathBuf, Error> {
        let joined = if Path::new(rel).is_absolute() {
            PathBuf::from(rel)
        } else {
            dir.join(rel)
        };
        let real = std::fs::canonicalize(&joined)
            .map_err(|e| Error::Io(joined.display().to_string(), e))?;
        if !real.starts_with(&self.build_root) {
            return Err(Error::OutsideRoot(
                real.display().to_string(),
                self.build_root.display().to_string(),
            ));
        }
        Ok(real)
    }

    /// Reads a file referenced by a kustomization in `dir`.
    pub fn read_file(&self, dir: &Path, rel: &str) -> Result<Vec<u8>, Error> {
        let real = self.resolve(dir, rel)?;
        if self.restrictions == LoadRestrictions::RootOnly && !real.starts_with(dir) {
            return Err(Error::OutsideRoot(
                real.display().to_string(),
                dir.display().to_string(),
            ));
        }
        if real.is_dir() {
            return Err(Error::Resource(format!(
                "'{}' is a directory",
                real.display()
            )));
        }
        std::fs::read(&real).map_err(|e| Error::Io(real.display().to_string(), e))
    }

    pub fn read_string(&self, dir: &Path, rel: &str) -> Result<String, Error> {
        let bytes = self.read_file(dir, rel)?;
        String::from_utf8(bytes)
            .map_err(|_| Error::Resource(format!("{rel}: file is not valid UTF-8")))
    }
}

/// Finds the kustomization file of a folder; None when there is none.
pub fn find_kustomization_file(dir: &Path) -> Result<Option<PathBuf>, Error> {
    let mut found = Vec::new();
    for name in KUSTOMIZATION_FILE_NAMES {
        let p = dir.join(name);
        if p.is_file() {
            found.push(p);
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(Error::MultipleKustomizations(dir.display().to_string())),
    }
}

pub fn is_remote(target: &str) -> bool {
    target.starts_with("https://")
        || target.starts_with("http://")
        || target.starts_with("git@")
        || target.starts_with("ssh://")
        || target.starts_with("git::")
        || target.starts_with("github.com/")
        || target.starts_with("gitlab.com/")
        || target.starts_with("bitbucket.org/")
}
