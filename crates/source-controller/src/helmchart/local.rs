//! Flux's local chart builder: a chart inside a GitRepository's or a Bucket's artifact.
//!
//! The source artifact is unpacked from storage; `spec.chart` is a path in it (a chart folder,
//! or a packaged `.tgz`). The version gets Flux's build metadata (`<first 12 hex of the source
//! revision>` with reconcileStrategy Revision, `.<generation>` when values files are merged,
//! which are paths from the source's root). A folder's missing dependencies are added:
//! `file://` ones from the source, others from their chart repository (the HelmRepository in
//! the namespace with that URL, with its credentials, or the URL anonymously). The chart is
//! then packaged as `helm package` does.

use super::{Build, HelmChartReconciler, build_failed, fetch_failed, with_build_metadata};
use crate::helm::repository::{client_for, normalize_url};
use crate::reconcile::{blocking, kube_message, names};
use flux_api::meta::Artifact;
use flux_api::source::{
    Bucket, GitRepository, HelmChart, HelmChartSourceKind, HelmRepository,
    NO_SOURCE_ARTIFACT_REASON, ReconcileStrategy, SOURCE_UNAVAILABLE_REASON, build_error_reason,
    condition_type as source_condition,
};
use flux_helm::repo::IndexFile;
use flux_runtime::reconcile::{Context, Disposition, ReconcileError};
use kube::Api;
use std::path::{Path, PathBuf};

/// The source object's artifact, which must be in storage.
pub(super) async fn source_artifact(
    reconciler: &HelmChartReconciler,
    obj: &HelmChart,
    ctx: &Context,
) -> Result<Artifact, ReconcileError> {
    let source_ref = &obj.spec.source_ref;
    let namespace = names(obj).namespace;
    let unavailable = |e: kube::Error| {
        fetch_failed(
            Disposition::Backoff,
            SOURCE_UNAVAILABLE_REASON,
            format!("failed to get source: {}", kube_message(&e)),
        )
    };
    let (kind, artifact) = match source_ref.kind {
        HelmChartSourceKind::GitRepository => {
            let api: Api<GitRepository> = Api::namespaced(ctx.client.clone(), &namespace);
            let repo = api.get(&source_ref.name).await.map_err(unavailable)?;
            ("GitRepository", repo.status.and_then(|s| s.artifact))
        }
        HelmChartSourceKind::Bucket => {
            let api: Api<Bucket> = Api::namespaced(ctx.client.clone(), &namespace);
            let bucket = api.get(&source_ref.name).await.map_err(unavailable)?;
            ("Bucket", bucket.status.and_then(|s| s.artifact))
        }
        HelmChartSourceKind::HelmRepository => unreachable!("built by the remote builder"),
    };
    let no_artifact = || {
        super::fail(
            source_condition::FETCH_FAILED,
            Disposition::Waiting,
            NO_SOURCE_ARTIFACT_REASON,
            format!(
                "no artifact available for {kind} source '{}'",
                source_ref.name
            ),
        )
    };
    let artifact = artifact.ok_or_else(no_artifact)?;
    if !reconciler.storage.artifact_exists(&artifact) {
        return Err(no_artifact());
    }
    Ok(artifact)
}

/// Flux's version metadata for a local build.
pub(super) fn version_metadata(obj: &HelmChart, source: &Artifact) -> String {
    let mut metadata = String::new();
    if obj.spec.reconcile_strategy() == ReconcileStrategy::Revision {
        // `<ref>@sha1:<hex>` for Git, `sha256:<hex>` for a Bucket: the hex, shortened so that
        // label values made from the version stay within 63 characters.
        let hex = source
            .revision
            .rsplit_once(':')
            .map_or(source.revision.as_str(), |(_, h)| h);
        metadata = hex.chars().take(12).collect();
    }
    if obj
        .spec
        .values_files
        .as_ref()
        .is_some_and(|v| !v.is_empty())
    {
        if !metadata.is_empty() {
            metadata.push('.');
        }
        metadata.push_str(&obj.metadata.generation.unwrap_or(0).to_string());
    }
    metadata
}

/// What was unpacked: the source's root and the chart in it.
pub(super) struct Unpacked {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub chart: PathBuf,
    pub name: String,
    pub version: String,
    /// Dependencies of Chart.yaml that the chart's `charts/` lacks.
    missing: Vec<DependencyRef>,
}

/// A dependency as Chart.yaml names it.
#[derive(Clone)]
struct DependencyRef {
    name: String,
    version: String,
    repository: String,
}

/// Unpacks the source artifact and reads the chart's metadata at `spec.chart`.
pub(super) async fn unpack(
    reconciler: &HelmChartReconciler,
    obj: &HelmChart,
    source: &Artifact,
    metadata: &str,
) -> Result<Unpacked, ReconcileError> {
    let storage = reconciler.storage.clone();
    let source = source.clone();
    let chart_path = obj.spec.chart.clone();
    let (dir, root, chart, meta) = blocking(move || {
        let dir = tempfile::Builder::new()
            .prefix("helmchart-source-")
            .tempdir()
            .map_err(|e| {
                fetch_failed(
                    Disposition::Backoff,
                    flux_api::source::reason::DIR_CREATION_FAILED,
                    format!("failed to create temporary working directory: {e}"),
                )
            })?;
        let root = dir.path().join("source");
        storage.copy_to_path(&source, "", &root).map_err(|e| {
            ReconcileError::new(
                Disposition::Backoff,
                flux_api::meta::reason::FAILED,
                format!("artifact untar error: {e}"),
            )
        })?;
        let chart = confined_join(&root, Path::new(&chart_path));
        if !chart.exists() {
            return Err(build_failed(
                build_error_reason::CHART_REFERENCE,
                format!("path '{chart_path}' does not exist"),
            ));
        }
        let loaded = flux_helm::chart::load(&chart)
            .map_err(|e| build_failed(build_error_reason::CHART_REFERENCE, e))?;
        let present: Vec<&str> = loaded.dependencies.iter().map(|d| d.name()).collect();
        let missing: Vec<DependencyRef> = loaded
            .metadata
            .dependencies
            .iter()
            .filter(|d| !present.contains(&d.name.as_str()))
            .map(|d| DependencyRef {
                name: d.name.clone(),
                version: d.version.clone(),
                repository: d.repository.clone(),
            })
            .collect();
        let meta = (
            loaded.metadata.name.clone(),
            loaded.metadata.version.clone(),
            missing,
        );
        Ok((dir, root, chart, meta))
    })
    .await??;
    let (name, chart_version, missing) = meta;
    let version = if metadata.is_empty() {
        chart_version
    } else {
        with_build_metadata(&chart_version, metadata)?
    };
    Ok(Unpacked {
        _dir: dir,
        root,
        chart,
        name,
        version,
        missing,
    })
}

/// Packages the unpacked chart: values merged, missing dependencies added.
pub(super) async fn build(
    reconciler: &HelmChartReconciler,
    obj: &HelmChart,
    ctx: &Context,
    unpacked: &Unpacked,
    metadata: &str,
) -> Result<(Vec<u8>, Build), ReconcileError> {
    let values_files = obj.spec.values_files.clone().unwrap_or_default();
    let is_dir = unpacked.chart.is_dir();
    let requires_packaging = is_dir || !metadata.is_empty() || !values_files.is_empty();
    let chart_path = unpacked.chart.clone();
    if !requires_packaging {
        let archive = std::fs::read(&chart_path)
            .map_err(|e| build_failed(build_error_reason::CHART_PULL, e))?;
        return Ok((
            archive,
            Build {
                name: unpacked.name.clone(),
                version: unpacked.version.clone(),
                packaged: false,
                values_files: Vec::new(),
            },
        ));
    }
    let ignore_missing = obj.spec.ignore_missing_values_files.unwrap_or(false);
    let mut dependencies = Vec::new();
    if is_dir {
        for dep in &unpacked.missing {
            dependencies.push(dependency(reconciler, obj, ctx, unpacked, dep).await?);
        }
    }
    let version = unpacked.version.clone();
    let root = unpacked.root.clone();
    // Values are not Send: merging and packaging run together off the async threads.
    let (archive, used) = blocking(move || -> Result<(Vec<u8>, Vec<String>), ReconcileError> {
        let merged = if values_files.is_empty() {
            None
        } else {
            Some(
                flux_helm::package::merge_values_from_dir(&root, &values_files, ignore_missing)
                    .map_err(|e| build_failed(build_error_reason::VALUES_FILES_MERGE, e))?,
            )
        };
        let values = merged.as_ref().map(|(v, _)| v);
        // The chart's own values.yaml, read once, to tell whether the merge changed it.
        let (archive, own_values) = if is_dir {
            (
                flux_helm::package::package_dir(&chart_path, &version, values, &dependencies),
                std::fs::read_to_string(chart_path.join("values.yaml")).ok(),
            )
        } else {
            let original = std::fs::read(&chart_path)
                .map_err(|e| build_failed(build_error_reason::CHART_PACKAGE, e))?;
            (
                flux_helm::package::repackage(&original, &version, values),
                flux_helm::package::values_yaml_of(&original),
            )
        };
        let archive = archive.map_err(|e| build_failed(build_error_reason::CHART_PACKAGE, e))?;
        // As the remote builder: values files are reported when they changed the values.
        let used = match merged {
            Some((values, used)) => {
                let merged_yaml = flux_helm::yaml::to_yaml(&values)
                    .map_err(|e| build_failed(build_error_reason::VALUES_FILES_MERGE, e))?;
                if own_values.as_deref() == Some(merged_yaml.as_str()) {
                    Vec::new()
                } else {
                    used
                }
            }
            None => Vec::new(),
        };
        Ok((archive, used))
    })
    .await??;
    Ok((
        archive,
        Build {
            name: unpacked.name.clone(),
            version: unpacked.version.clone(),
            packaged: true,
            values_files: used,
        },
    ))
}

/// One missing dependency as `(charts/<name>-<version>.tgz, archive)`: `file://` (or
/// repository-less) ones from the source, others from their chart repository (Flux's
/// `DependencyManager`).
async fn dependency(
    reconciler: &HelmChartReconciler,
    obj: &HelmChart,
    ctx: &Context,
    unpacked: &Unpacked,
    dep: &DependencyRef,
) -> Result<(String, Vec<u8>), ReconcileError> {
    let failed = |e: String| {
        build_failed(
            build_error_reason::DEPENDENCY_BUILD,
            format!("failed to add dependency '{}': {e}", dep.name),
        )
    };
    let archive = if dep.repository.is_empty() || dep.repository.starts_with("file://") {
        let (root, chart, dep) = (unpacked.root.clone(), unpacked.chart.clone(), dep.clone());
        blocking(move || local_dependency(&root, &chart, &dep))
            .await?
            .map_err(failed)?
    } else {
        remote_dependency(reconciler, obj, ctx, dep)
            .await
            .map_err(failed)?
    };
    let (name, version) = blocking({
        let archive = archive.clone();
        move || {
            flux_helm::chart::load_archive(&archive)
                .map(|c| (c.metadata.name.clone(), c.metadata.version.clone()))
                .map_err(|e| e.to_string())
        }
    })
    .await?
    .map_err(failed)?;
    Ok((format!("charts/{name}-{version}.tgz"), archive))
}

/// A `file://` (or repository-less) dependency: a chart folder or archive inside the source.
fn local_dependency(root: &Path, chart_dir: &Path, dep: &DependencyRef) -> Result<Vec<u8>, String> {
    let relative_chart = chart_dir
        .strip_prefix(root)
        .map_err(|_| "the chart is outside the source".to_string())?;
    let reference = dep
        .repository
        .strip_prefix("file://")
        .unwrap_or(&dep.repository);
    let path = confined_join(root, &relative_chart.join(reference));
    if !path.exists() {
        return Err(format!(
            "no chart found at '/{}' (reference '{}')",
            path.strip_prefix(root).unwrap_or(&path).display(),
            dep.repository
        ));
    }
    let loaded = flux_helm::chart::load(&path).map_err(|e| e.to_string())?;
    check_constraint(dep, &loaded.metadata.version)?;
    if path.is_dir() {
        flux_helm::package::package_dir(&path, &loaded.metadata.version, None, &[])
            .map_err(|e| e.to_string())
    } else {
        std::fs::read(&path).map_err(|e| e.to_string())
    }
}

/// `root/relative` with `..` resolved lexically and never above `root`, as securejoin does.
fn confined_join(root: &Path, relative: &Path) -> PathBuf {
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for component in relative.components() {
        match component {
            std::path::Component::Normal(p) => parts.push(p.to_os_string()),
            std::path::Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    parts
        .iter()
        .fold(root.to_path_buf(), |path, p| path.join(p))
}

fn check_constraint(dep: &DependencyRef, version: &str) -> Result<(), String> {
    use flux_helm::funcs::semver::{Version, satisfies};
    let constraint = if dep.version.is_empty() {
        "*"
    } else {
        &dep.version
    };
    let parsed = Version::parse(version).ok_or_else(|| format!("invalid version '{version}'"))?;
    match satisfies(constraint, &parsed) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!(
            "can't get a valid version for constraint '{}'",
            dep.version
        )),
        Err(e) => Err(format!(
            "invalid version/constraint format '{}': {e}",
            dep.version
        )),
    }
}

/// A dependency from a chart repository: the HelmRepository of the namespace with that URL
/// (for its credentials), else the URL without any.
async fn remote_dependency(
    reconciler: &HelmChartReconciler,
    obj: &HelmChart,
    ctx: &Context,
    dep: &DependencyRef,
) -> Result<Vec<u8>, String> {
    if dep.repository.starts_with("oci://") {
        return Err(
            "dependencies from OCI registries are not supported by this source-controller yet"
                .into(),
        );
    }
    let wanted = normalize_url(&dep.repository)?;
    let api: Api<HelmRepository> = Api::namespaced(ctx.client.clone(), &names(obj).namespace);
    let repositories = api
        .list(&Default::default())
        .await
        .map_err(|e| kube_message(&e))?;
    let repository = repositories
        .items
        .into_iter()
        .find(|r| normalize_url(&r.spec.url).is_ok_and(|u| u == wanted))
        .unwrap_or_else(|| {
            let mut anonymous = HelmRepository::new(
                "dependency",
                flux_api::source::HelmRepositorySpec {
                    url: dep.repository.clone(),
                    ..Default::default()
                },
            );
            anonymous.metadata.namespace = obj.metadata.namespace.clone();
            anonymous
        });
    let client = client_for(&repository, ctx).await.map_err(|e| e.message)?;
    let index = client
        .download_index(reconciler.index_max_size)
        .await
        .map_err(|e| e.to_string())?;
    let index = IndexFile::from_bytes(&index).map_err(|e| e.to_string())?;
    let version = index
        .chart_version(&dep.name, &dep.version)
        .map_err(|e| e.to_string())?;
    client
        .download_chart(&version, reconciler.chart_max_size)
        .await
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_inside_the_root() {
        let root = Path::new("/src");
        assert_eq!(
            confined_join(root, Path::new("charts/app/../lib")),
            Path::new("/src/charts/lib")
        );
        assert_eq!(
            confined_join(root, Path::new("../../etc/passwd")),
            Path::new("/src/etc/passwd")
        );
        assert_eq!(
            confined_join(root, Path::new("./charts/app")),
            Path::new("/src/charts/app")
        );
    }
}
