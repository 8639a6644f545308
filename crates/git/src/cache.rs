//! The fetch cache: one bare repository per remote URL (and per history depth), reused between
//! checkouts so a changed remote costs an incremental fetch and an unchanged one only an
//! ls-remote. Access to one cache repository is serialized within the process.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::Digest;

use crate::GitError;
use crate::error::redact_url;

pub(crate) struct Cache {
    root: PathBuf,
    locks: Mutex<HashMap<PathBuf, Arc<Mutex<()>>>>,
}

/// Whether the cache repository holds shallow (depth 1) or complete histories; kept apart so a
/// commit checkout never finds a truncated history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    Shallow,
    Full,
}

impl Cache {
    pub fn new(root: &Path) -> Result<Cache, GitError> {
        std::fs::create_dir_all(root)
            .map_err(|e| GitError::Cache(format!("cannot create {}: {e}", root.display())))?;
        Ok(Cache {
            root: root.to_path_buf(),
            locks: Mutex::new(HashMap::new()),
        })
    }

    pub fn dir_for(&self, url: &str, depth: Depth) -> PathBuf {
        let digest = sha2::Sha256::digest(redact_url(url).as_bytes());
        let suffix = match depth {
            Depth::Shallow => "shallow",
            Depth::Full => "full",
        };
        self.root
            .join(format!("{}-{suffix}.git", hex::encode(&digest[..16])))
    }

    pub fn lock(&self, dir: &Path) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(dir.to_path_buf()).or_default().clone()
    }

    /// Open the bare repository at `dir`, creating it (or re-creating it when unreadable).
    pub fn open(dir: &Path) -> Result<gix::Repository, GitError> {
        // gix has no gc: every fetch adds a pack. Past a bound, start over (a shallow re-fetch
        // costs about one clone) so the cache cannot grow without limit.
        if pack_count(dir) > MAX_PACKS {
            std::fs::remove_dir_all(dir)
                .map_err(|e| GitError::Cache(format!("cannot reset {}: {e}", dir.display())))?;
        }
        if dir.exists() {
            match gix::open_opts(dir, open_options()) {
                Ok(repo) => return Ok(repo),
                Err(_) => {
                    std::fs::remove_dir_all(dir).map_err(|e| {
                        GitError::Cache(format!("cannot reset {}: {e}", dir.display()))
                    })?;
                }
            }
        }
        gix::ThreadSafeRepository::init_opts(
            dir,
            gix::create::Kind::Bare,
            gix::create::Options::default(),
            open_options(),
        )
        .map(|r| r.to_thread_local())
        .map_err(|e| GitError::Cache(format!("cannot create {}: {e}", dir.display())))
    }
}

/// Packs kept in one cache repository before it is re-created.
const MAX_PACKS: usize = 32;

fn pack_count(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("objects/pack"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
                .count()
        })
        .unwrap_or(0)
}

pub(crate) fn lock_guard(lock: &Mutex<()>) -> MutexGuard<'_, ()> {
    lock.lock().unwrap_or_else(|p| p.into_inner())
}

/// Ignore the user's and the system's git configuration: behaviour must not depend on the host.
pub(crate) fn open_options() -> gix::open::Options {
    gix::open::Options::isolated().config_overrides([
        "user.name=flux",
        "user.email=flux@localhost",
        "core.logAllRefUpdates=false",
    ])
}
