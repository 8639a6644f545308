//! Artifact storage under `--storage-path`, laid out as Flux's (fluxcd/pkg/artifact/storage):
//! `<kind>/<namespace>/<name>/<file>`, each file written to a temporary name and renamed, with
//! a `<file>.lock` lock file next to it, and garbage collection by age and count.
//!
//! Blocking file-system code: async callers run it on `spawn_blocking`.

use crate::ignore::IgnoreMatcher;
use flux_api::meta::Artifact;
use flux_api::meta::Time;
use flux_runtime::artifact::{ExtractLimits, extract_tar_gz};
use sha2::Digest as _;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Mode of directories inside an artifact.
pub const DIR_MODE: u32 = 0o750;
/// Mode of executable files inside an artifact.
pub const EXE_FILE_MODE: u32 = 0o700;
/// Mode of other files inside an artifact.
pub const FILE_MODE: u32 = 0o600;
/// Garbage collection looks at no more files than this per object.
pub const GARBAGE_COUNT_LIMIT: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("invalid artifact path '{0}': it must be relative and stay inside the storage")]
    InvalidPath(String),
    #[error("invalid dir path: {0}")]
    InvalidDir(String),
    #[error("{action} '{path}': {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("failed to extract artifact '{path}': {source}")]
    Extract {
        path: String,
        source: flux_runtime::artifact::ExtractError,
    },
    #[error("digest mismatch for '{path}': expected {expected}, computed {actual}")]
    DigestMismatch {
        path: String,
        expected: String,
        actual: String,
    },
    #[error("unsupported digest algorithm '{0}' (supported: sha256, sha384, sha512)")]
    UnsupportedAlgorithm(String),
    #[error("reached file walking limit, already walked over: {0}")]
    WalkLimit(usize),
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StorageError {
    let path = path.display().to_string();
    move |source| StorageError::Io {
        action,
        path,
        source,
    }
}

/// `--artifact-digest-algo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    pub fn parse(name: &str) -> Result<Self, StorageError> {
        match name {
            "sha256" => Ok(DigestAlgorithm::Sha256),
            "sha384" => Ok(DigestAlgorithm::Sha384),
            "sha512" => Ok(DigestAlgorithm::Sha512),
            other => Err(StorageError::UnsupportedAlgorithm(other.to_string())),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// The digest of `data`, `<algo>:<hex>`.
    pub fn digest(self, data: &[u8]) -> String {
        let mut hasher = self.hasher();
        hasher.update(data);
        hasher.finish()
    }

    fn hasher(self) -> Hasher {
        match self {
            DigestAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            DigestAlgorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }
}

enum Hasher {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    fn finish(self) -> String {
        match self {
            Hasher::Sha256(h) => format!("sha256:{}", hex::encode(h.finalize())),
            Hasher::Sha384(h) => format!("sha384:{}", hex::encode(h.finalize())),
            Hasher::Sha512(h) => format!("sha512:{}", hex::encode(h.finalize())),
        }
    }
}

/// Writes through to `inner`, hashing and counting the bytes.
struct DigestWriter<W: Write> {
    inner: W,
    hasher: Hasher,
    written: u64,
}

impl<W: Write> Write for DigestWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// How long and how many old artifacts are kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// `--artifact-retention-ttl`.
    pub ttl: Duration,
    /// `--artifact-retention-records`.
    pub records: usize,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            ttl: Duration::from_secs(60),
            records: 2,
        }
    }
}

/// What a file looked like when its digest was last computed: (modified, length, digest).
type VerifiedFiles = Arc<Mutex<HashMap<PathBuf, (SystemTime, u64, String)>>>;

/// The artifact store of one controller.
#[derive(Debug, Clone)]
pub struct Storage {
    base: PathBuf,
    /// Digests of files this process wrote or checked, so that an unchanged artifact is not
    /// re-read on every reconcile; a file whose time or size changed is hashed again.
    verified: VerifiedFiles,
    /// Scheme and host (and port) artifact URLs start with, e.g. `http://localhost:9090`.
    url_base: String,
    pub retention: Retention,
    pub algorithm: DigestAlgorithm,
}

/// The host artifact URLs advertise, as Flux derives it from `--storage-adv-addr` and
/// `--storage-addr`: the advertised address when given, else the listen address with an empty
/// host replaced by `localhost` and `0.0.0.0` by `$HOSTNAME`.
pub fn advertised_address(storage_addr: &str, adv_addr: &str) -> String {
    if !adv_addr.is_empty() {
        return adv_addr.to_string();
    }
    let (host, port) = match storage_addr.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (storage_addr, None),
    };
    let host = match host {
        "" => "localhost".to_string(),
        "0.0.0.0" => std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into()),
        h => h.to_string(),
    };
    match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

impl Storage {
    /// `base` is created when missing. `adv_addr` is a host[:port], or a URL prefix with a scheme.
    pub fn new(
        base: impl Into<PathBuf>,
        adv_addr: &str,
        retention: Retention,
        algorithm: DigestAlgorithm,
    ) -> Result<Storage, StorageError> {
        let base = base.into();
        std::fs::create_dir_all(&base).map_err(io_err("failed to create storage dir", &base))?;
        let url_base = if adv_addr.starts_with("http://") || adv_addr.starts_with("https://") {
            adv_addr.trim_end_matches('/').to_string()
        } else {
            format!("http://{}", adv_addr.trim_end_matches('/'))
        };
        Ok(Storage {
            base,
            verified: Default::default(),
            url_base,
            retention,
            algorithm,
        })
    }

    pub fn base(&self) -> &Path {
        &self.base
    }

    /// `<kind>/<namespace>/<name>`, the kind lower-cased.
    pub fn artifact_dir(kind: &str, namespace: &str, name: &str) -> String {
        format!("{}/{namespace}/{name}", kind.to_lowercase())
    }

    /// A new artifact record for an object; digest, size and time are set by [`Storage::archive`].
    pub fn artifact_for(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        revision: &str,
        file_name: &str,
    ) -> Artifact {
        let path = format!("{}/{file_name}", Self::artifact_dir(kind, namespace, name));
        Artifact {
            url: self.url_for(&path),
            path,
            revision: revision.to_string(),
            digest: String::new(),
            last_update_time: Time::now(),
            size: None,
            metadata: None,
        }
    }

    pub fn url_for(&self, path: &str) -> String {
        format!("{}/{}", self.url_base, path.trim_start_matches('/'))
    }

    /// Point the artifact's URL at this storage's advertised address.
    pub fn set_artifact_url(&self, artifact: &mut Artifact) {
        artifact.url = self.url_for(&artifact.path);
    }

    /// The file of a storage-relative path; refuses absolute paths and `..`.
    pub fn local_path(&self, relative: &str) -> Result<PathBuf, StorageError> {
        let path = Path::new(relative);
        if relative.is_empty()
            || path
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(StorageError::InvalidPath(relative.to_string()));
        }
        Ok(self.base.join(path))
    }

    pub fn artifact_exists(&self, artifact: &Artifact) -> bool {
        self.local_path(&artifact.path)
            .ok()
            .and_then(|p| std::fs::symlink_metadata(p).ok())
            .is_some_and(|m| m.is_file())
    }

    /// Check the stored file against the record's digest (recomputed unless this process saw
    /// the file with the same time and size and that digest before).
    pub fn verify_artifact(&self, artifact: &Artifact) -> Result<(), StorageError> {
        let path = self.local_path(&artifact.path)?;
        let algorithm = artifact
            .digest
            .split_once(':')
            .map(|(a, _)| DigestAlgorithm::parse(a))
            .unwrap_or(Ok(self.algorithm))?;
        let stamp = file_stamp(&path)?;
        let known = self
            .verified
            .lock()
            .ok()
            .and_then(|v| v.get(&path).cloned());
        if let Some((modified, len, digest)) = known
            && (modified, len) == stamp
            && digest == artifact.digest
        {
            return Ok(());
        }
        let actual = digest_file(&path, algorithm)?;
        if actual != artifact.digest {
            return Err(StorageError::DigestMismatch {
                path: artifact.path.clone(),
                expected: artifact.digest.clone(),
                actual,
            });
        }
        self.remember(path, stamp, actual);
        Ok(())
    }

    fn remember(&self, path: PathBuf, stamp: (SystemTime, u64), digest: String) {
        if let Ok(mut verified) = self.verified.lock() {
            verified.insert(path, (stamp.0, stamp.1, digest));
        }
    }

    fn forget(&self, path: &Path) {
        if let Ok(mut verified) = self.verified.lock() {
            verified.retain(|p, _| !p.starts_with(path));
        }
    }

    /// Create the artifact's directory.
    pub fn mkdir_all(&self, artifact: &Artifact) -> Result<(), StorageError> {
        let path = self.local_path(&artifact.path)?;
        let dir = path.parent().unwrap_or(&self.base);
        std::fs::create_dir_all(dir).map_err(io_err("failed to create directory", dir))
    }

    /// Take the artifact's `<file>.lock` (exclusive, across processes); released on drop.
    pub fn lock(&self, artifact: &Artifact) -> Result<ArtifactLock, StorageError> {
        let path = self.local_path(&format!("{}.lock", artifact.path))?;
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err("failed to open lock file", &path))?;
        file.lock().map_err(io_err("failed to lock", &path))?;
        Ok(ArtifactLock { _file: file })
    }

    /// Write `dir` as a deterministic tar.gz to the artifact's path (temporary file, then rename),
    /// leaving out what `matcher` excludes; sets digest, size and lastUpdateTime.
    pub fn archive(
        &self,
        artifact: &mut Artifact,
        dir: &Path,
        matcher: Option<&IgnoreMatcher>,
    ) -> Result<(), StorageError> {
        if !dir.is_dir() {
            return Err(StorageError::InvalidDir(dir.display().to_string()));
        }
        // A crash before the rename leaves only a temporary file; a torn artifact is caught by
        // the digest check of the next reconcile, so no fsync (as Flux).
        // The walk's own errors (a file that cannot be read, ...) are kept as they are.
        let mut walk_error = None;
        let written = self.write_with(artifact, |w| {
            let gz = flate2::write::GzEncoder::new(w, flate2::Compression::default());
            let mut tar = tar::Builder::new(gz);
            tar.mode(tar::HeaderMode::Deterministic);
            if let Err(e) = write_tree(&mut tar, dir, matcher) {
                walk_error = Some(e);
                return Err(std::io::Error::other("archive aborted"));
            }
            tar.into_inner()?.finish()?;
            Ok(())
        });
        match walk_error {
            Some(e) => Err(e),
            None => written,
        }
    }

    /// Stream what `write` produces to the artifact's path (temporary file, then rename),
    /// hashing it on the way, as Flux's `Storage.Copy`; sets digest, size and lastUpdateTime.
    pub fn write_with(
        &self,
        artifact: &mut Artifact,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), StorageError> {
        let dest = self.local_path(&artifact.path)?;
        let parent = dest.parent().unwrap_or(&self.base);
        let tmp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(parent)
            .map_err(io_err("failed to create temporary file in", parent))?;
        let file = tmp
            .as_file()
            .try_clone()
            .map_err(io_err("failed to open", tmp.path()))?;
        let mut writer = DigestWriter {
            inner: BufWriter::with_capacity(256 * 1024, file),
            hasher: self.algorithm.hasher(),
            written: 0,
        };
        write(&mut writer).map_err(io_err("failed to write", tmp.path()))?;
        writer
            .flush()
            .map_err(io_err("failed to write", tmp.path()))?;
        let DigestWriter {
            inner,
            hasher,
            written,
        } = writer;
        drop(
            inner
                .into_inner()
                .map_err(|e| io_err("failed to write", tmp.path())(e.into_error()))?,
        );
        set_mode(tmp.path(), 0o600)?;
        tmp.persist(&dest)
            .map_err(|e| io_err("failed to rename artifact to", &dest)(e.error))?;
        artifact.digest = hasher.finish();
        artifact.size = Some(written as i64);
        if let Ok(stamp) = file_stamp(&dest) {
            self.remember(dest, stamp, artifact.digest.clone());
        }
        artifact.last_update_time = Time::now();
        Ok(())
    }

    /// Point `<artifact dir>/<link>` at the artifact's file (replacing an older link
    /// atomically) and return the link's URL, as Flux's `Storage.Symlink`.
    pub fn symlink(&self, artifact: &Artifact, link: &str) -> Result<String, StorageError> {
        let target = self.local_path(&artifact.path)?;
        let dir = target.parent().unwrap_or(&self.base);
        let file_name = target
            .file_name()
            .ok_or_else(|| StorageError::InvalidPath(artifact.path.clone()))?;
        let link_path = dir.join(link);
        let tmp = dir.join(format!(".tmp-{link}"));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(file_name, &tmp)
            .map_err(io_err("failed to create symlink", &tmp))?;
        std::fs::rename(&tmp, &link_path)
            .map_err(io_err("failed to rename symlink", &link_path))?;
        let relative = Path::new(&artifact.path)
            .parent()
            .map(|p| p.join(link).to_string_lossy().into_owned())
            .unwrap_or_else(|| link.to_string());
        Ok(self.url_for(&relative))
    }

    /// Extract the artifact's `from_path` (a directory, its root by default) into `to_dir`,
    /// replacing what is there (spec.include).
    pub fn copy_to_path(
        &self,
        artifact: &Artifact,
        from_path: &str,
        to_dir: &Path,
    ) -> Result<(), StorageError> {
        let source = self.local_path(&artifact.path)?;
        let file = File::open(&source).map_err(io_err("failed to open artifact", &source))?;
        let unpack =
            tempfile::tempdir().map_err(io_err("failed to create temporary dir", &source))?;
        extract_tar_gz(
            std::io::BufReader::new(file),
            unpack.path(),
            ExtractLimits::default(),
        )
        .map_err(|source| StorageError::Extract {
            path: artifact.path.clone(),
            source,
        })?;
        let from = secure_join(unpack.path(), from_path)?;
        if !from.exists() {
            return Err(StorageError::InvalidPath(from_path.to_string()));
        }
        if let Some(parent) = to_dir.parent() {
            std::fs::create_dir_all(parent)
                .map_err(io_err("failed to create directory", parent))?;
        }
        if let Ok(meta) = std::fs::symlink_metadata(to_dir) {
            let removed = if meta.is_dir() {
                std::fs::remove_dir_all(to_dir)
            } else {
                std::fs::remove_file(to_dir)
            };
            removed.map_err(io_err("failed to replace", to_dir))?;
        }
        copy_tree(&from, to_dir)
    }

    /// Delete old artifacts of the object `current` belongs to: those older than the retention
    /// TTL, then the oldest until `records` remain. The current file and lock files are kept.
    pub fn garbage_collect(&self, current: &Artifact) -> Result<Vec<PathBuf>, StorageError> {
        let current_path = self.local_path(&current.path)?;
        let dir = current_path.parent().unwrap_or(&self.base).to_path_buf();
        let garbage = self.garbage_files(&current_path, &dir, SystemTime::now())?;
        let mut deleted = Vec::new();
        let mut first_error = None;
        for file in garbage {
            self.forget(&file);
            match std::fs::remove_file(&file) {
                Ok(()) => deleted.push(file.clone()),
                Err(e) => {
                    first_error.get_or_insert(io_err("failed to remove", &file)(e));
                }
            }
            let mut lock = file.into_os_string();
            lock.push(".lock");
            let _ = std::fs::remove_file(PathBuf::from(lock));
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(deleted),
        }
    }

    fn garbage_files(
        &self,
        current: &Path,
        dir: &Path,
        now: SystemTime,
    ) -> Result<Vec<PathBuf>, StorageError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err("failed to read directory", dir)(e)),
        };
        let mut files: Vec<(SystemTime, PathBuf)> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_err("failed to read directory", dir))?;
            if files.len() >= GARBAGE_COUNT_LIMIT {
                return Err(StorageError::WalkLimit(files.len()));
            }
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).map_err(io_err("failed to stat", &path))?;
            let is_lock = path.extension().is_some_and(|e| e == "lock");
            if !meta.is_file() || is_lock {
                continue;
            }
            // Temporary files of an archive in progress are not artifacts.
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".tmp-"))
            {
                continue;
            }
            let modified = meta.modified().map_err(io_err("failed to stat", &path))?;
            files.push((modified, path));
        }
        // Newest first; the current artifact always stays and counts as a kept record.
        files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
        let mut kept = 0usize;
        let mut garbage = Vec::new();
        for (modified, path) in files {
            let expired = now
                .duration_since(modified)
                .is_ok_and(|age| age > self.retention.ttl);
            if path == current {
                kept += 1;
            } else if expired || kept >= self.retention.records {
                garbage.push(path);
            } else {
                kept += 1;
            }
        }
        Ok(garbage)
    }

    /// Delete every artifact of an object (its whole directory); true when something was deleted.
    pub fn remove_all(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<bool, StorageError> {
        let dir = self.local_path(&Self::artifact_dir(kind, namespace, name))?;
        self.forget(&dir);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err("failed to remove", &dir)(e)),
        }
    }

    /// Delete one artifact file.
    pub fn remove(&self, artifact: &Artifact) -> Result<(), StorageError> {
        let path = self.local_path(&artifact.path)?;
        self.forget(&path);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err("failed to remove", &path)(e)),
        }
    }
}

/// Held while an artifact is written; the lock is released when dropped.
#[derive(Debug)]
pub struct ArtifactLock {
    _file: File,
}

/// (modified time, length) of a file.
fn file_stamp(path: &Path) -> Result<(SystemTime, u64), StorageError> {
    let meta = std::fs::metadata(path).map_err(io_err("failed to stat", path))?;
    let modified = meta.modified().map_err(io_err("failed to stat", path))?;
    Ok((modified, meta.len()))
}

/// The digest of a file, `<algo>:<hex>`.
pub fn digest_file(path: &Path, algorithm: DigestAlgorithm) -> Result<String, StorageError> {
    let mut file = File::open(path).map_err(io_err("failed to open", path))?;
    let mut hasher = algorithm.hasher();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(io_err("failed to read", path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}

/// `root` joined with a relative path from user input; `..` and absolute paths are refused.
pub fn secure_join(root: &Path, relative: &str) -> Result<PathBuf, StorageError> {
    let mut out = root.to_path_buf();
    for c in Path::new(relative).components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir | Component::RootDir => {}
            _ => return Err(StorageError::InvalidPath(relative.to_string())),
        }
    }
    Ok(out)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), StorageError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(io_err("failed to chmod", path))
}

/// Walk `root` in Go's `filepath.Walk` order (lexical, parents first, the root itself as `.`),
/// writing directories and regular files with normalised headers; symlinks and special files
/// are left out.
fn write_tree<W: Write>(
    tar: &mut tar::Builder<W>,
    root: &Path,
    matcher: Option<&IgnoreMatcher>,
) -> Result<(), StorageError> {
    // Without negations nothing below an excluded directory can come back, so it is not walked.
    let prune = matcher.is_none_or(|m| m.can_prune_excluded_dirs());
    append_dir(tar, Path::new("."))?;
    let top = read_children(root, &[], matcher)?;
    emit_in_order(tar, top, prune, matcher)
}

struct Entry {
    path: PathBuf,
    parts: Vec<String>,
    meta: std::fs::Metadata,
    excluded: bool,
}

/// Lexical pre-order (a directory's subtree right after it), with an explicit stack.
fn emit_in_order<W: Write>(
    tar: &mut tar::Builder<W>,
    first: Vec<Entry>,
    prune: bool,
    matcher: Option<&IgnoreMatcher>,
) -> Result<(), StorageError> {
    // Each frame is the remaining entries of one directory, in reverse so pop() yields the next.
    let mut frames: Vec<Vec<Entry>> = vec![first.into_iter().rev().collect()];
    while let Some(frame) = frames.last_mut() {
        let Some(entry) = frame.pop() else {
            frames.pop();
            continue;
        };
        let rel: PathBuf = entry.parts.iter().collect();
        if !entry.excluded {
            if entry.meta.is_dir() {
                append_dir(tar, &rel)?;
            } else {
                append_file(tar, &entry.path, &rel, &entry.meta)?;
            }
        }
        if entry.meta.is_dir() && !(entry.excluded && prune) {
            let children = read_children(&entry.path, &entry.parts, matcher)?;
            frames.push(children.into_iter().rev().collect());
        }
    }
    Ok(())
}

fn read_children(
    dir: &Path,
    rel: &[String],
    matcher: Option<&IgnoreMatcher>,
) -> Result<Vec<Entry>, StorageError> {
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(dir)
        .map_err(io_err("failed to read directory", dir))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(io_err("failed to read directory", dir))?;
    names.sort();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let path = dir.join(&name);
        let meta = std::fs::symlink_metadata(&path).map_err(io_err("failed to stat", &path))?;
        if !(meta.is_file() || meta.is_dir()) {
            continue;
        }
        let mut parts = rel.to_vec();
        parts.push(name.to_string_lossy().into_owned());
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let excluded = matcher.is_some_and(|m| m.is_excluded(&refs, meta.is_dir()));
        out.push(Entry {
            path,
            parts,
            meta,
            excluded,
        });
    }
    Ok(out)
}

fn base_header(mode: u32, size: u64, kind: tar::EntryType) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(size);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header
}

fn append_dir<W: Write>(tar: &mut tar::Builder<W>, rel: &Path) -> Result<(), StorageError> {
    let mut header = base_header(DIR_MODE, 0, tar::EntryType::Directory);
    tar.append_data(&mut header, rel, std::io::empty())
        .map_err(io_err("failed to write tar entry", rel))
}

fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &Path,
    rel: &Path,
    meta: &std::fs::Metadata,
) -> Result<(), StorageError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if meta.permissions().mode() & 0o111 != 0 {
        EXE_FILE_MODE
    } else {
        FILE_MODE
    };
    let mut header = base_header(mode, meta.len(), tar::EntryType::Regular);
    let file = File::open(path).map_err(io_err("failed to open", path))?;
    // The header records the size from stat; read exactly that much so a file growing meanwhile
    // cannot corrupt the stream.
    tar.append_data(&mut header, rel, file.take(meta.len()))
        .map_err(io_err("failed to write tar entry", rel))
}

/// Copy a directory tree (or one file) from `from` to `to`; symlinks are not followed.
fn copy_tree(from: &Path, to: &Path) -> Result<(), StorageError> {
    let meta = std::fs::symlink_metadata(from).map_err(io_err("failed to stat", from))?;
    if meta.is_file() {
        std::fs::copy(from, to).map_err(io_err("failed to copy", from))?;
        return Ok(());
    }
    let mut stack = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((src, dst)) = stack.pop() {
        std::fs::create_dir_all(&dst).map_err(io_err("failed to create directory", &dst))?;
        for entry in std::fs::read_dir(&src).map_err(io_err("failed to read directory", &src))? {
            let entry = entry.map_err(io_err("failed to read directory", &src))?;
            let kind = entry
                .file_type()
                .map_err(io_err("failed to stat", &entry.path()))?;
            let target = dst.join(entry.file_name());
            if kind.is_dir() {
                stack.push((entry.path(), target));
            } else if kind.is_file() {
                std::fs::copy(entry.path(), &target).map_err(io_err("failed to copy", &target))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn storage(dir: &Path, retention: Retention) -> Storage {
        Storage::new(dir, "localhost:9090", retention, DigestAlgorithm::Sha256).unwrap()
    }

    fn tree(root: &Path) {
        std::fs::create_dir_all(root.join("deploy/nested")).unwrap();
        std::fs::write(root.join("deploy/app.yaml"), "kind: ConfigMap\n").unwrap();
        std::fs::write(root.join("deploy/nested/b.yaml"), "b\n").unwrap();
        std::fs::write(root.join("run.sh"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        std::fs::write(root.join("logo.png"), [0u8; 10]).unwrap();
        std::os::unix::fs::symlink("deploy/app.yaml", root.join("link.yaml")).unwrap();
    }

    fn entries(path: &Path) -> Vec<(String, u32, u64, u64, tar::EntryType)> {
        let file = File::open(path).unwrap();
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().display().to_string(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                    h.uid().unwrap(),
                    h.entry_type(),
                )
            })
            .collect()
    }

    #[test]
    fn written_files_are_hashed_and_linked() {
        let store_dir = tempfile::tempdir().unwrap();
        let storage = storage(store_dir.path(), Retention::default());
        let mut first =
            storage.artifact_for("HelmRepository", "ns", "repo", "sha256:aa", "index-aa.yaml");
        storage.mkdir_all(&first).unwrap();
        storage
            .write_with(&mut first, |w| w.write_all(b"{}"))
            .unwrap();
        assert_eq!(first.digest, DigestAlgorithm::Sha256.digest(b"{}"));
        assert_eq!(first.size, Some(2));
        storage.verify_artifact(&first).unwrap();
        let url = storage.symlink(&first, "index.yaml").unwrap();
        assert_eq!(
            url,
            "http://localhost:9090/helmrepository/ns/repo/index.yaml"
        );
        let link = store_dir.path().join("helmrepository/ns/repo/index.yaml");
        assert_eq!(std::fs::read(&link).unwrap(), b"{}");
        // A newer artifact moves the link; the link itself is never garbage.
        let mut second =
            storage.artifact_for("HelmRepository", "ns", "repo", "sha256:bb", "index-bb.yaml");
        storage
            .write_with(&mut second, |w| w.write_all(b"[]"))
            .unwrap();
        storage.symlink(&second, "index.yaml").unwrap();
        assert_eq!(std::fs::read(&link).unwrap(), b"[]");
        let garbage = storage.garbage_collect(&second).unwrap();
        assert!(garbage.iter().all(|p| !p.ends_with("index.yaml")));
        assert!(std::fs::symlink_metadata(&link).is_ok());
        // A failing writer leaves no artifact behind.
        let mut failed =
            storage.artifact_for("HelmRepository", "ns", "repo", "sha256:cc", "index-cc.yaml");
        assert!(
            storage
                .write_with(&mut failed, |_| Err(std::io::Error::other("boom")))
                .is_err()
        );
        assert!(!storage.artifact_exists(&failed));
    }

    #[test]
    fn archives_are_deterministic_and_normalised() {
        let store_dir = tempfile::tempdir().unwrap();
        let storage = storage(store_dir.path(), Retention::default());
        let src_a = tempfile::tempdir().unwrap();
        let src_b = tempfile::tempdir().unwrap();
        tree(src_a.path());
        tree(src_b.path());
        // Same content, different file times.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(src_b.path().join("deploy/app.yaml"), "kind: ConfigMap\n").unwrap();
        let matcher = IgnoreMatcher::for_source(Vec::new());
        let mut a = storage.artifact_for("GitRepository", "ns", "a", "main@sha1:1", "1.tar.gz");
        let mut b = storage.artifact_for("GitRepository", "ns", "b", "main@sha1:1", "1.tar.gz");
        storage.mkdir_all(&a).unwrap();
        storage.mkdir_all(&b).unwrap();
        storage
            .archive(&mut a, src_a.path(), Some(&matcher))
            .unwrap();
        storage
            .archive(&mut b, src_b.path(), Some(&matcher))
            .unwrap();
        assert_eq!(a.digest, b.digest);
        assert!(a.digest.starts_with("sha256:") && a.digest.len() == 7 + 64);
        let path = storage.local_path(&a.path).unwrap();
        assert_eq!(a.size, Some(std::fs::metadata(&path).unwrap().len() as i64));
        assert_eq!(
            digest_file(&path, DigestAlgorithm::Sha256).unwrap(),
            a.digest
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(a.url, "http://localhost:9090/gitrepository/ns/a/1.tar.gz");
        let list = entries(&path);
        let names: Vec<&str> = list.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            [
                ".",
                "deploy",
                "deploy/app.yaml",
                "deploy/nested",
                "deploy/nested/b.yaml",
                "run.sh"
            ]
        );
        for (name, mode, mtime, uid, kind) in &list {
            assert_eq!((*mtime, *uid), (0, 0), "{name}");
            let want = match (kind.is_dir(), name.as_str()) {
                (true, _) => 0o750,
                (false, "run.sh") => 0o700,
                _ => 0o600,
            };
            assert_eq!(*mode, want, "{name}");
        }
        storage.verify_artifact(&a).unwrap();
    }

    #[test]
    fn paths_stay_inside_the_storage() {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(dir.path(), Retention::default());
        assert!(storage.local_path("../etc/passwd").is_err());
        assert!(storage.local_path("/etc/passwd").is_err());
        assert!(storage.local_path("").is_err());
        assert!(storage.local_path("gitrepository/a/b/c.tar.gz").is_ok());
        assert!(secure_join(dir.path(), "a/../../x").is_err());
        assert_eq!(
            secure_join(dir.path(), "/a/./b").unwrap(),
            dir.path().join("a/b")
        );
    }

    #[test]
    fn tampered_artifacts_fail_verification() {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(dir.path(), Retention::default());
        let src = tempfile::tempdir().unwrap();
        tree(src.path());
        let mut a = storage.artifact_for("GitRepository", "ns", "a", "r", "1.tar.gz");
        storage.mkdir_all(&a).unwrap();
        storage.archive(&mut a, src.path(), None).unwrap();
        std::fs::write(storage.local_path(&a.path).unwrap(), b"garbage").unwrap();
        assert!(matches!(
            storage.verify_artifact(&a),
            Err(StorageError::DigestMismatch { .. })
        ));
    }

    fn touch(path: &Path, age: Duration) {
        std::fs::write(path, b"x").unwrap();
        let when = SystemTime::now() - age;
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    #[test]
    fn garbage_collection_keeps_the_newest_records_within_ttl() {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(
            dir.path(),
            Retention {
                ttl: Duration::from_secs(60),
                records: 2,
            },
        );
        let current = storage.artifact_for("GitRepository", "ns", "a", "r", "d.tar.gz");
        storage.mkdir_all(&current).unwrap();
        let obj_dir = dir.path().join("gitrepository/ns/a");
        touch(&obj_dir.join("a.tar.gz"), Duration::from_secs(10));
        touch(&obj_dir.join("b.tar.gz"), Duration::from_secs(5));
        touch(&obj_dir.join("c.tar.gz"), Duration::from_secs(3));
        touch(&obj_dir.join("old.tar.gz"), Duration::from_secs(3600));
        touch(&obj_dir.join("d.tar.gz"), Duration::from_secs(0));
        touch(&obj_dir.join("d.tar.gz.lock"), Duration::from_secs(7200));
        touch(&obj_dir.join("a.tar.gz.lock"), Duration::from_secs(10));
        let mut deleted = storage.garbage_collect(&current).unwrap();
        deleted.sort();
        let names: Vec<String> = deleted
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.tar.gz", "b.tar.gz", "old.tar.gz"]);
        assert!(obj_dir.join("c.tar.gz").exists());
        assert!(obj_dir.join("d.tar.gz").exists());
        assert!(obj_dir.join("d.tar.gz.lock").exists());
        assert!(!obj_dir.join("a.tar.gz.lock").exists());
    }

    #[test]
    fn the_current_artifact_survives_even_when_expired() {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(
            dir.path(),
            Retention {
                ttl: Duration::ZERO,
                records: 1,
            },
        );
        let current = storage.artifact_for("GitRepository", "ns", "a", "r", "cur.tar.gz");
        storage.mkdir_all(&current).unwrap();
        let obj_dir = dir.path().join("gitrepository/ns/a");
        touch(&obj_dir.join("cur.tar.gz"), Duration::from_secs(100));
        touch(&obj_dir.join("new.tar.gz"), Duration::from_secs(1));
        let deleted = storage.garbage_collect(&current).unwrap();
        assert_eq!(deleted, [obj_dir.join("new.tar.gz")]);
        assert!(obj_dir.join("cur.tar.gz").exists());
        assert!(storage.remove_all("GitRepository", "ns", "a").unwrap());
        assert!(!obj_dir.exists());
        assert!(!storage.remove_all("GitRepository", "ns", "a").unwrap());
    }

    #[test]
    fn locks_exclude_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(dir.path(), Retention::default());
        let a = storage.artifact_for("GitRepository", "ns", "a", "r", "x.tar.gz");
        storage.mkdir_all(&a).unwrap();
        let held = storage.lock(&a).unwrap();
        let path = storage.local_path(&format!("{}.lock", a.path)).unwrap();
        let other = File::options().write(true).open(&path).unwrap();
        assert!(other.try_lock().is_err());
        drop(held);
        assert!(other.try_lock().is_ok());
    }

    #[test]
    fn include_copies_a_sub_path() {
        let dir = tempfile::tempdir().unwrap();
        let storage = storage(dir.path(), Retention::default());
        let src = tempfile::tempdir().unwrap();
        tree(src.path());
        let mut a = storage.artifact_for("GitRepository", "ns", "a", "r", "1.tar.gz");
        storage.mkdir_all(&a).unwrap();
        storage.archive(&mut a, src.path(), None).unwrap();
        let dest = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dest.path().join("vendor/x")).unwrap();
        std::fs::write(dest.path().join("vendor/x/stale"), "old").unwrap();
        storage
            .copy_to_path(&a, "deploy", &dest.path().join("vendor/x"))
            .unwrap();
        assert!(dest.path().join("vendor/x/app.yaml").is_file());
        assert!(dest.path().join("vendor/x/nested/b.yaml").is_file());
        assert!(!dest.path().join("vendor/x/stale").exists());
        assert!(
            storage
                .copy_to_path(&a, "missing", &dest.path().join("y"))
                .is_err()
        );
        assert!(
            storage
                .copy_to_path(&a, "../..", &dest.path().join("y"))
                .is_err()
        );
    }

    #[test]
    fn advertised_addresses() {
        assert_eq!(advertised_address(":9090", ""), "localhost:9090");
        assert_eq!(
            advertised_address(":9090", "sc.flux-system.svc"),
            "sc.flux-system.svc"
        );
        assert_eq!(advertised_address("127.0.0.1:80", ""), "127.0.0.1:80");
        let dir = tempfile::tempdir().unwrap();
        let s = Storage::new(
            dir.path(),
            "https://cdn.example.com/",
            Retention::default(),
            DigestAlgorithm::Sha256,
        )
        .unwrap();
        assert_eq!(
            s.url_for("a/b.tar.gz"),
            "https://cdn.example.com/a/b.tar.gz"
        );
    }
}
