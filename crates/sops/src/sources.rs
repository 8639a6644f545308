//! Decrypting, in place and before the build, the files kustomize reads into Secrets and patches:
//! Flux's `DecryptSources` (secretGenerator `files` and `envs`, and `patches[].path`, in the
//! kustomization at a path and every kustomization it references through resources/components).

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::decrypt::{DecryptOptions, decrypt_with};
use crate::keys::Keys;
use crate::tree::{MapKey, Value};
use crate::{Format, SopsError, format};

/// Largest file Flux decrypts (5 MiB).
pub const MAX_FILE_SIZE: u64 = 5 << 20;
/// Bound on kustomization directories visited (the walk follows resources and components).
const MAX_KUSTOMIZATIONS: usize = 10_000;
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Decrypts, in place, every SOPS-encrypted source file of the kustomization in `path` (relative
/// to `root`, or absolute inside it) and of the kustomizations it references, as Flux does before `kustomize build`:
/// secretGenerator `files` (format from the key, or the file name), secretGenerator `envs`
/// (format from the file name, dotenv when that says binary) and local `patches[].path`.
/// Files without the SOPS marker are left alone; MACs are verified; no path may leave `root`;
/// files must be regular and at most [`MAX_FILE_SIZE`] bytes.
pub fn decrypt_sources(root: &Path, path: &Path, keys: &Keys) -> Result<(), SopsError> {
    let given_root = root;
    let root = root.canonicalize().map_err(|e| SopsError::Io {
        path: root.display().to_string(),
        reason: format!("cannot resolve root: {}", e.kind()),
    })?;
    // An absolute path is taken relative to the root it starts with, as Flux's stripRoot.
    let path = path
        .strip_prefix(given_root)
        .or_else(|_| path.strip_prefix(&root))
        .unwrap_or(path);
    let mut walk = Walk {
        root: &root,
        keys,
        visited_dirs: HashSet::new(),
        decrypted: HashSet::new(),
    };
    walk.directory(path).map_err(|e| match e {
        WalkError::Ignore(e) | WalkError::Fail(e) => e,
    })
}

enum WalkError {
    /// A resource that is not a local directory (a file or a URL): skipped by the walk.
    Ignore(SopsError),
    Fail(SopsError),
}

struct Walk<'a> {
    root: &'a Path,
    keys: &'a Keys,
    visited_dirs: HashSet<PathBuf>,
    decrypted: HashSet<PathBuf>,
}

impl Walk<'_> {
    fn directory(&mut self, path: &Path) -> Result<(), WalkError> {
        let relative = clamp(path);
        let absolute = self.secure(&relative).map_err(WalkError::Fail)?;
        if !self.visited_dirs.insert(absolute.clone()) {
            return Ok(());
        }
        if self.visited_dirs.len() > MAX_KUSTOMIZATIONS {
            return Err(WalkError::Fail(SopsError::Io {
                path: display(&relative),
                reason: "too many kustomizations".into(),
            }));
        }
        match fs::symlink_metadata(&absolute) {
            Err(e) => {
                let error = io_error(&relative, &e);
                return Err(if e.kind() == std::io::ErrorKind::NotFound {
                    WalkError::Ignore(error)
                } else {
                    WalkError::Fail(error)
                });
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(WalkError::Ignore(SopsError::Io {
                    path: display(&relative),
                    reason: "not a directory".into(),
                }));
            }
            Ok(_) => {}
        }
        let kustomization = self
            .load_kustomization(&relative)
            .map_err(WalkError::Fail)?;
        self.visit(&relative, &kustomization)
            .map_err(WalkError::Fail)?;
        for list in ["resources", "components"] {
            for resource in strings(&kustomization, list) {
                match self.directory(&relative.join(resource)) {
                    Ok(()) | Err(WalkError::Ignore(_)) => {}
                    Err(fail) => return Err(fail),
                }
            }
        }
        Ok(())
    }

    fn load_kustomization(&self, dir: &Path) -> Result<Value, SopsError> {
        let mut found = None;
        for name in KUSTOMIZATION_FILES {
            let candidate = self.secure(&dir.join(name))?;
            match fs::symlink_metadata(&candidate) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(&dir.join(name), &e)),
                Ok(meta) if !meta.is_file() => {
                    return Err(SopsError::Io {
                        path: display(&dir.join(name)),
                        reason: "expected a regular file".into(),
                    });
                }
                Ok(_) => {}
            }
            if found.is_some() {
                return Err(SopsError::Io {
                    path: display(dir),
                    reason: "found multiple kustomization files".into(),
                });
            }
            found = Some((candidate, dir.join(name)));
        }
        let (file, relative) = found.ok_or_else(|| SopsError::Io {
            path: display(dir),
            reason: "no kustomization file found".into(),
        })?;
        let data = fs::read(&file).map_err(|e| io_error(&relative, &e))?;
        let mut documents = crate::stores::yaml::load(&data).map_err(|e| SopsError::File {
            path: display(&relative),
            source: Box::new(e),
        })?;
        Ok(if documents.is_empty() {
            Value::Map(Vec::new())
        } else {
            documents.swap_remove(0)
        })
    }

    fn visit(&mut self, dir: &Path, kustomization: &Value) -> Result<(), SopsError> {
        for generator in list(kustomization, "secretGenerator") {
            for source in strings(generator, "files") {
                let (key, file) = source.split_once('=').unwrap_or((source, source));
                self.decrypt_file(dir, file, Format::for_path(key))?;
            }
            for env in strings(generator, "envs") {
                let format = match Format::for_path(env) {
                    Format::Binary => Format::Dotenv,
                    other => other,
                };
                self.decrypt_file(dir, env, format)?;
            }
        }
        for patch in list(kustomization, "patches") {
            let Some(Value::Str(path)) = field(patch, "path") else {
                continue;
            };
            if path.is_empty() || is_remote_url(path) {
                continue;
            }
            self.decrypt_file(dir, path, Format::for_path(path))?;
        }
        Ok(())
    }

    fn decrypt_file(&mut self, dir: &Path, file: &str, format: Format) -> Result<(), SopsError> {
        let relative = clamp(&dir.join(file));
        let absolute = self.secure(&relative)?;
        if self.decrypted.contains(&absolute) {
            return Ok(());
        }
        let meta = fs::symlink_metadata(&absolute).map_err(|e| io_error(&relative, &e))?;
        if !meta.is_file() {
            return Err(SopsError::Io {
                path: display(&relative),
                reason: "cannot decrypt irregular file as it has file mode type bits set".into(),
            });
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(SopsError::Io {
                path: display(&relative),
                reason: format!(
                    "cannot decrypt file with size ({} bytes) exceeding limit ({MAX_FILE_SIZE})",
                    meta.len()
                ),
            });
        }
        let data = fs::read(&absolute).map_err(|e| io_error(&relative, &e))?;
        if format::is_encrypted(&data, format) {
            let plain = decrypt_with(&data, format, format, self.keys, DecryptOptions::default())
                .map_err(|e| SopsError::File {
                path: display(&relative),
                source: Box::new(e),
            })?;
            write_private(&absolute, &plain).map_err(|e| io_error(&relative, &e))?;
        }
        self.decrypted.insert(absolute);
        Ok(())
    }

    /// The absolute path of `relative` inside the root, refusing any resolution (symlinks
    /// included) that leaves it.
    fn secure(&self, relative: &Path) -> Result<PathBuf, SopsError> {
        let joined = self.root.join(relative);
        // Resolve the longest existing prefix: symlinks in it must stay inside the root.
        let mut existing = joined.as_path();
        let mut rest = Vec::new();
        while fs::symlink_metadata(existing).is_err() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    existing = parent;
                }
                _ => break,
            }
        }
        let mut resolved = existing
            .canonicalize()
            .map_err(|e| io_error(relative, &e))?;
        if !resolved.starts_with(self.root) {
            return Err(SopsError::Io {
                path: display(relative),
                reason: "path resolves outside the source root".into(),
            });
        }
        for name in rest.into_iter().rev() {
            resolved.push(name);
        }
        Ok(resolved)
    }
}

/// Lexically normalises a path and keeps it under the root (`..` stops at the root, as
/// securejoin does; absolute paths are taken relative to the root).
fn clamp(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    out
}

fn display(path: &Path) -> String {
    let text = path.display().to_string();
    if text.is_empty() { ".".into() } else { text }
}

fn io_error(path: &Path, error: &std::io::Error) -> SopsError {
    SopsError::Io {
        path: display(path),
        reason: error.kind().to_string(),
    }
}

fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = fs::OpenOptions::new();
    options.write(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(data)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn is_remote_url(path: &str) -> bool {
    // A scheme and a host, as Flux's url.Parse check.
    match path.split_once("://") {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !rest.starts_with('/')
        }
        None => false,
    }
}

fn field<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    let Value::Map(entries) = value else {
        return None;
    };
    entries
        .iter()
        .find(|(k, _)| matches!(k, MapKey::Name(n) if n == name))
        .map(|(_, v)| v)
}

fn list<'a>(value: &'a Value, name: &str) -> &'a [Value] {
    match field(value, name) {
        Some(Value::List(items)) => items,
        _ => &[],
    }
}

fn strings<'a>(value: &'a Value, name: &str) -> impl Iterator<Item = &'a str> {
    list(value, name).iter().filter_map(|v| match v {
        Value::Str(s) => Some(s.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_paths_under_the_root() {
        assert_eq!(clamp(Path::new("a/../../b")), PathBuf::from("b"));
        assert_eq!(clamp(Path::new("/etc/passwd")), PathBuf::from("etc/passwd"));
        assert_eq!(clamp(Path::new("./x/./y")), PathBuf::from("x/y"));
    }

    #[test]
    fn remote_urls() {
        assert!(is_remote_url("https://example.com/p.yaml"));
        assert!(!is_remote_url("patch.yaml"));
        assert!(!is_remote_url("file:///x"));
    }

    #[test]
    fn absolute_paths_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app");
        fs::create_dir(&app).unwrap();
        fs::write(app.join("kustomization.yaml"), "resources: []\n").unwrap();
        decrypt_sources(dir.path(), &app, &Keys::new()).unwrap();
        decrypt_sources(dir.path(), Path::new("app"), &Keys::new()).unwrap();
        let err = decrypt_sources(dir.path(), Path::new("missing"), &Keys::new()).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }

    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        fs::create_dir(&root).unwrap();
        let outside = dir.path().join("outside.env");
        fs::write(&outside, "A=1\n").unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("link.env")).unwrap();
        fs::write(
            root.join("kustomization.yaml"),
            "secretGenerator:\n- name: s\n  envs:\n  - up/outside.env\n",
        )
        .unwrap();
        let err = decrypt_sources(&root, Path::new("."), &Keys::new()).unwrap_err();
        assert!(err.to_string().contains("outside the source root"), "{err}");
        fs::write(
            root.join("kustomization.yaml"),
            "secretGenerator:\n- name: s\n  envs:\n  - link.env\n",
        )
        .unwrap();
        let err = decrypt_sources(&root, Path::new("."), &Keys::new()).unwrap_err();
        assert!(err.to_string().contains("outside the source root"), "{err}");
    }
}
