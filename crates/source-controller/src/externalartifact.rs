//! ExternalArtifact: artifacts that another producer writes into this controller's storage under
//! `externalartifact/<namespace>/<name>/` and advertises in the object's status, as RFC-0012
//! describes. The producer owns the object's status; source-controller serves the files (the
//! file server serves the whole storage) and keeps the folder tidy with the retention rules
//! it applies to its own kinds: older files of an object go past `--artifact-retention-ttl`
//! and `--artifact-retention-records`, and the folder of an object that no longer exists goes
//! once nothing in it is younger than the TTL (a producer may write before it creates the
//! object).

use crate::storage::{Storage, StorageError};
use flux_api::source::ExternalArtifact;
use kube::Api;
use kube::api::ListParams;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const KIND: &str = "ExternalArtifact";

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Old files of existing objects, deleted.
    pub collected: usize,
    /// `<namespace>/<name>` folders of objects that are gone, deleted.
    pub orphans_removed: Vec<String>,
}

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("failed to list ExternalArtifacts: {0}")]
    List(#[from] kube::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("failed to read the storage: {0}")]
    Io(#[from] std::io::Error),
}

/// Keeps ExternalArtifact folders in `storage` to the retention rules.
pub struct ExternalArtifactCollector {
    storage: Arc<Storage>,
    client: kube::Client,
    retention_ttl: Duration,
}

impl ExternalArtifactCollector {
    pub fn new(storage: Arc<Storage>, client: kube::Client, retention_ttl: Duration) -> Self {
        ExternalArtifactCollector {
            storage,
            client,
            retention_ttl,
        }
    }

    /// Sweeps every `every` until `shutdown` completes.
    pub async fn run(self, every: Duration, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            match self.sweep().await {
                Ok(sweep) if sweep != Sweep::default() => {
                    tracing::info!(collected = sweep.collected, orphans = ?sweep.orphans_removed, "garbage collected ExternalArtifact storage");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "ExternalArtifact garbage collection failed"),
            }
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(every) => {}
            }
        }
    }

    /// One pass over the objects and the folders.
    pub async fn sweep(&self) -> Result<Sweep, SweepError> {
        let api: Api<ExternalArtifact> = Api::all(self.client.clone());
        let objects = api.list(&ListParams::default()).await?;
        let mut sweep = Sweep::default();
        let mut known = BTreeSet::new();
        for obj in objects.items {
            let namespace = obj.metadata.namespace.clone().unwrap_or_default();
            let name = obj.metadata.name.clone().unwrap_or_default();
            let dir = Storage::artifact_dir(KIND, &namespace, &name);
            known.insert(format!("{namespace}/{name}"));
            let Some(artifact) = obj.status.as_ref().and_then(|s| s.artifact.as_ref()) else {
                continue;
            };
            // Only what the producer put in this storage, in the object's own folder.
            if !artifact.path.starts_with(&format!("{dir}/")) {
                continue;
            }
            let storage = self.storage.clone();
            let current = artifact.clone();
            let deleted = tokio::task::spawn_blocking(move || storage.garbage_collect(&current))
                .await
                .map_err(std::io::Error::other)??;
            sweep.collected += deleted.len();
        }
        let storage = self.storage.clone();
        let ttl = self.retention_ttl;
        let orphans = tokio::task::spawn_blocking(move || remove_orphans(&storage, &known, ttl))
            .await
            .map_err(std::io::Error::other)??;
        sweep.orphans_removed = orphans;
        Ok(sweep)
    }
}

fn remove_orphans(
    storage: &Storage,
    known: &BTreeSet<String>,
    ttl: Duration,
) -> Result<Vec<String>, SweepError> {
    let root = storage.base().join(KIND.to_lowercase());
    let mut removed = Vec::new();
    let namespaces = match std::fs::read_dir(&root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(removed),
        Err(e) => return Err(e.into()),
    };
    let now = SystemTime::now();
    for namespace in namespaces {
        let namespace = namespace?;
        if !namespace.file_type()?.is_dir() {
            continue;
        }
        for object in std::fs::read_dir(namespace.path())? {
            let object = object?;
            let key = format!(
                "{}/{}",
                namespace.file_name().to_string_lossy(),
                object.file_name().to_string_lossy()
            );
            if known.contains(&key) || !object.file_type()?.is_dir() {
                continue;
            }
            let newest = newest_modification(&object.path())?;
            if newest.is_some_and(|t| now.duration_since(t).unwrap_or_default() <= ttl) {
                continue;
            }
            let (ns, name) = key.split_once('/').unwrap_or_default();
            storage.remove_all(KIND, ns, name)?;
            removed.push(key);
        }
    }
    Ok(removed)
}

fn newest_modification(dir: &Path) -> std::io::Result<Option<SystemTime>> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir)? {
        let modified = std::fs::symlink_metadata(entry?.path())?.modified()?;
        if newest.is_none_or(|n| modified > n) {
            newest = Some(modified);
        }
    }
    Ok(newest)
}
