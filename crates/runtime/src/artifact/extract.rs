//! Safe extraction of artifact tarballs (gzip-compressed tar).
//!
//! An artifact comes from another process over the network, so every entry is treated as hostile:
//! absolute paths, `..`, links leading outside the target, special files, and archives that expand
//! beyond the configured limits are refused with an error naming the entry.

use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Bounds on what one artifact may expand to, and what to leave out.
#[derive(Debug, Clone, Copy)]
pub struct ExtractLimits {
    /// Total bytes of file contents.
    pub max_bytes: u64,
    /// Number of entries (files, directories and links).
    pub max_entries: u64,
    /// Leave symbolic links out (as Flux's `tar.WithSkipSymlinks` for OCI layers).
    pub skip_symlinks: bool,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        // Generous for any real repository, small enough that a gzip bomb cannot fill a disk.
        ExtractLimits {
            max_bytes: 2 << 30,
            max_entries: 200_000,
            skip_symlinks: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("artifact is not a valid tar.gz archive: {0}")]
    Corrupt(#[source] std::io::Error),
    #[error("refusing archive entry '{entry}': absolute paths are not allowed")]
    AbsolutePath { entry: String },
    #[error("refusing archive entry '{entry}': it leads outside the extraction directory")]
    PathTraversal { entry: String },
    #[error(
        "refusing archive entry '{entry}': link to '{target}' leads outside the extraction directory"
    )]
    LinkEscape { entry: String, target: String },
    #[error("refusing archive entry '{entry}': {kind} entries are not allowed")]
    UnsupportedEntry { entry: String, kind: String },
    #[error("artifact expands to more than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("artifact has more than {limit} entries")]
    TooManyEntries { limit: u64 },
    #[error("cannot write '{path}': {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Extract `archive` (tar.gz bytes) into `dest`, which must exist. On error, `dest` may hold a partial
/// extraction: callers extract into a fresh temporary directory and drop it on failure.
pub fn extract_tar_gz(
    archive: impl Read,
    dest: &Path,
    limits: ExtractLimits,
) -> Result<ExtractStats, ExtractError> {
    let root = dest.canonicalize().map_err(|source| ExtractError::Io {
        path: dest.into(),
        source,
    })?;
    let mut tar = tar::Archive::new(GzDecoder::new(archive));
    let mut stats = ExtractStats::default();
    let mut links = Vec::new();
    for entry in tar.entries().map_err(ExtractError::Corrupt)? {
        let mut entry = entry.map_err(ExtractError::Corrupt)?;
        stats.entries += 1;
        if stats.entries > limits.max_entries {
            return Err(ExtractError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(relative) = safe_relative_path(&raw_name)? else {
            continue;
        };
        let target = root.join(&relative);
        ensure_no_link_in_parents(&root, &relative, &raw_name)?;
        let kind = entry.header().entry_type();
        match kind {
            tar::EntryType::Directory => {
                mkdir_all(&target)?;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let size = entry.header().size().map_err(ExtractError::Corrupt)?;
                if stats.bytes.saturating_add(size) > limits.max_bytes {
                    return Err(ExtractError::TooLarge {
                        limit: limits.max_bytes,
                    });
                }
                if let Some(parent) = target.parent() {
                    mkdir_all(parent)?;
                }
                let mut file =
                    std::fs::File::create(&target).map_err(|source| ExtractError::Io {
                        path: target.clone(),
                        source,
                    })?;
                // Count what is actually written, not what the header claims.
                let written =
                    std::io::copy(&mut (&mut entry).take(size), &mut file).map_err(|source| {
                        ExtractError::Io {
                            path: target.clone(),
                            source,
                        }
                    })?;
                stats.bytes += written;
                stats.files += 1;
                set_mode(&target, entry.header().mode().unwrap_or(0o644));
            }
            tar::EntryType::Symlink if limits.skip_symlinks => {}
            tar::EntryType::Symlink | tar::EntryType::Link => {
                let link_target = entry
                    .link_name()
                    .map_err(ExtractError::Corrupt)?
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                check_link(
                    &raw_name,
                    &relative,
                    &link_target,
                    kind == tar::EntryType::Link,
                )?;
                if let Some(parent) = target.parent() {
                    mkdir_all(parent)?;
                }
                if kind == tar::EntryType::Link {
                    // Hard links name another archive member; copy it so nothing is shared outside.
                    let source_path = root.join(Path::new(&link_target));
                    std::fs::copy(&source_path, &target).map_err(|source| ExtractError::Io {
                        path: target.clone(),
                        source,
                    })?;
                    stats.files += 1;
                } else {
                    symlink(&link_target, &target)?;
                    links.push((raw_name, target));
                }
            }
            tar::EntryType::XGlobalHeader
            | tar::EntryType::XHeader
            | tar::EntryType::GNULongName
            | tar::EntryType::GNULongLink => {}
            other => {
                return Err(ExtractError::UnsupportedEntry {
                    entry: raw_name,
                    kind: format!("{other:?}"),
                });
            }
        }
    }
    // A link that is harmless on its own can still escape through another link; resolve each one
    // physically now that every entry exists.
    for (entry, path) in links {
        let relative = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
        if !resolves_inside(&root, &relative) {
            let target = std::fs::read_link(&path)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            return Err(ExtractError::LinkEscape { entry, target });
        }
    }
    Ok(stats)
}

/// What an extraction produced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExtractStats {
    pub entries: u64,
    pub files: u64,
    pub bytes: u64,
}

/// Follow `relative` component by component from `root`, expanding symlinks as the kernel would
/// (whether or not the final target exists), and report whether it stays inside `root`.
fn resolves_inside(root: &Path, relative: &Path) -> bool {
    const MAX_LINK_HOPS: usize = 40;
    let mut pending: Vec<std::ffi::OsString> = relative
        .components()
        .rev()
        .map(|c| c.as_os_str().to_os_string())
        .collect();
    let mut resolved: Vec<std::ffi::OsString> = Vec::new();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        match Path::new(&part).components().next() {
            Some(Component::CurDir) | None => continue,
            Some(Component::ParentDir) => {
                if resolved.pop().is_none() {
                    return false;
                }
                continue;
            }
            Some(Component::RootDir | Component::Prefix(_)) => return false,
            Some(Component::Normal(_)) => {}
        }
        resolved.push(part);
        let current: PathBuf = resolved.iter().fold(root.to_path_buf(), |p, c| p.join(c));
        if let Ok(target) = std::fs::read_link(&current) {
            hops += 1;
            if hops > MAX_LINK_HOPS || target.is_absolute() {
                return false;
            }
            resolved.pop();
            pending.extend(
                target
                    .components()
                    .rev()
                    .map(|c| c.as_os_str().to_os_string()),
            );
        }
    }
    true
}

/// The entry's path relative to the root, or None for the root itself (`.`).
fn safe_relative_path(name: &str) -> Result<Option<PathBuf>, ExtractError> {
    let path = Path::new(name);
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err(ExtractError::PathTraversal { entry: name.into() }),
            Component::RootDir | Component::Prefix(_) => {
                return Err(ExtractError::AbsolutePath { entry: name.into() });
            }
        }
    }
    Ok((!out.as_os_str().is_empty()).then_some(out))
}

/// Refuse writing through a symlink extracted earlier: the link could point anywhere.
fn ensure_no_link_in_parents(
    root: &Path,
    relative: &Path,
    entry: &str,
) -> Result<(), ExtractError> {
    let mut current = root.to_path_buf();
    let components: Vec<_> = relative.components().collect();
    for component in components.iter().take(components.len().saturating_sub(1)) {
        current.push(component);
        if let Ok(meta) = std::fs::symlink_metadata(&current)
            && meta.file_type().is_symlink()
        {
            return Err(ExtractError::LinkEscape {
                entry: entry.into(),
                target: current
                    .strip_prefix(root)
                    .unwrap_or(&current)
                    .display()
                    .to_string(),
            });
        }
    }
    Ok(())
}

/// A link must stay inside the root: symlink targets are relative to the link's folder, hard link
/// targets are archive paths.
fn check_link(entry: &str, relative: &Path, target: &str, hard: bool) -> Result<(), ExtractError> {
    let escape = || ExtractError::LinkEscape {
        entry: entry.into(),
        target: target.into(),
    };
    let target_path = Path::new(target);
    if target.is_empty() || target_path.is_absolute() {
        return Err(escape());
    }
    let base = if hard {
        PathBuf::new()
    } else {
        relative.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let mut depth: Vec<&std::ffi::OsStr> = base.iter().collect();
    for component in target_path.components() {
        match component {
            Component::Normal(part) => depth.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if depth.pop().is_none() {
                    return Err(escape());
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(escape()),
        }
    }
    Ok(())
}

fn mkdir_all(path: &Path) -> Result<(), ExtractError> {
    std::fs::create_dir_all(path).map_err(|source| ExtractError::Io {
        path: path.into(),
        source,
    })
}

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> Result<(), ExtractError> {
    std::os::unix::fs::symlink(target, link).map_err(|source| ExtractError::Io {
        path: link.into(),
        source,
    })
}

#[cfg(not(unix))]
fn symlink(_target: &str, link: &Path) -> Result<(), ExtractError> {
    Err(ExtractError::UnsupportedEntry {
        entry: link.display().to_string(),
        kind: "symlink".into(),
    })
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    // Keep only the permission bits a reader needs; never setuid/setgid/sticky.
    let _ = std::fs::set_permissions(
        path,
        std::fs::Permissions::from_mode((mode & 0o777) | 0o600),
    );
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}
