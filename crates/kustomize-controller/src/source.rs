//! The `source` step: resolve `spec.sourceRef` (GitRepository, OCIRepository, Bucket, or
//! ExternalArtifact behind its feature gate), read its `status.artifact`, then download, verify and
//! unpack it and locate `spec.path` inside it, with Flux's reasons and messages at each failure.

use flux_api::Artifact;
use flux_api::kustomize::{Kustomization, SourceKind, reason};
use flux_runtime::acl::{CrossNamespacePolicy, access_denied};
use flux_runtime::artifact::{ArtifactFetcher, FetchError};
use flux_runtime::duration::format_duration;
use flux_runtime::reconcile::{Disposition, ReconcileError};
use kube::api::{Api, ApiResource, DynamicObject};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The OCI annotation carrying the revision an artifact was built from.
pub const ORIGIN_REVISION_ANNOTATION: &str = "org.opencontainers.image.revision";

/// The resolved source and its artifact.
#[derive(Debug, Clone)]
pub struct Source {
    pub kind: SourceKind,
    pub namespace: String,
    pub name: String,
    pub artifact: Artifact,
}

impl Source {
    pub fn revision(&self) -> &str {
        &self.artifact.revision
    }

    /// `org.opencontainers.image.revision` from the artifact metadata, or empty.
    pub fn origin_revision(&self) -> String {
        self.artifact
            .metadata
            .as_ref()
            .and_then(|m| m.get(ORIGIN_REVISION_ANNOTATION))
            .cloned()
            .unwrap_or_default()
    }
}

/// How sources may be referenced.
#[derive(Debug, Clone, Copy, Default)]
pub struct SourcePolicy {
    pub cross_namespace: CrossNamespacePolicy,
    /// The ExternalArtifact feature gate.
    pub allow_external_artifact: bool,
    /// `--requeue-dependency`, quoted in the waiting messages.
    pub requeue_dependency: Duration,
}

pub fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::GitRepository => "GitRepository",
        SourceKind::OCIRepository => "OCIRepository",
        SourceKind::Bucket => "Bucket",
        SourceKind::ExternalArtifact => "ExternalArtifact",
    }
}

fn api_resource(kind: SourceKind) -> ApiResource {
    match kind {
        SourceKind::GitRepository => ApiResource::erase::<flux_api::source::GitRepository>(&()),
        SourceKind::OCIRepository => ApiResource::erase::<flux_api::source::OCIRepository>(&()),
        SourceKind::Bucket => ApiResource::erase::<flux_api::source::Bucket>(&()),
        SourceKind::ExternalArtifact => {
            ApiResource::erase::<flux_api::source::ExternalArtifact>(&())
        }
    }
}

/// Resolve the source of `ks` and its artifact.
pub async fn resolve(
    client: &kube::Client,
    ks: &Kustomization,
    policy: &SourcePolicy,
) -> Result<Source, ReconcileError> {
    let own_namespace = ks.metadata.namespace.clone().unwrap_or_default();
    let source_ref = &ks.spec.source_ref;
    let kind = kind_name(source_ref.kind);
    let namespace = source_ref
        .namespace
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| own_namespace.clone());
    policy
        .cross_namespace
        .check(&own_namespace, kind, Some(&namespace), &source_ref.name)?;
    if source_ref.kind == SourceKind::ExternalArtifact && !policy.allow_external_artifact {
        return Err(access_denied(format!(
            "can't access '{kind}/{namespace}/{}', ExternalArtifact feature gate is disabled",
            source_ref.name
        )));
    }
    let resource = api_resource(source_ref.kind);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &namespace, &resource);
    let object = match api.get(&source_ref.name).await {
        Ok(object) => object,
        Err(kube::Error::Api(status)) if status.code == 404 => {
            // Flux retries a missing source at the retry interval, quoting the API's message.
            return Err(ReconcileError::new(
                Disposition::Retry,
                reason::ARTIFACT_FAILED,
                status.message,
            ));
        }
        Err(err) => {
            return Err(ReconcileError::new(
                Disposition::Backoff,
                reason::ARTIFACT_FAILED,
                format!(
                    "unable to get source '{namespace}/{}': {}",
                    source_ref.name,
                    api_error_message(&err)
                ),
            ));
        }
    };
    let artifact = object
        .data
        .get("status")
        .and_then(|s| s.get("artifact"))
        .filter(|a| !a.is_null())
        .map(|a| serde_json::from_value::<Artifact>(a.clone()));
    match artifact {
        Some(Ok(artifact)) => Ok(Source {
            kind: source_ref.kind,
            namespace,
            name: source_ref.name.clone(),
            artifact,
        }),
        Some(Err(err)) => Err(ReconcileError::new(
            Disposition::Retry,
            reason::ARTIFACT_FAILED,
            format!(
                "invalid artifact in the status of '{kind}/{namespace}/{}': {err}",
                source_ref.name
            ),
        )),
        None => Err(ReconcileError::new(
            Disposition::Waiting,
            reason::ARTIFACT_FAILED,
            format!(
                "Source artifact not found, retrying in {}",
                format_duration(policy.requeue_dependency)
            ),
        )),
    }
}

/// The message of an API error without kube-rs's decoration.
pub fn api_error_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

/// Download and unpack the artifact into `dest`, then locate `spec.path` inside it.
pub async fn fetch(
    fetcher: &ArtifactFetcher,
    source: &Source,
    dest: &Path,
    path: Option<&str>,
    requeue_dependency: Duration,
) -> Result<PathBuf, ReconcileError> {
    if let Err(err) = fetcher
        .fetch(&source.artifact.url, &source.artifact.digest, dest)
        .await
    {
        return Err(match err {
            FetchError::NotFound { .. } => ReconcileError::new(
                Disposition::Waiting,
                reason::ARTIFACT_FAILED,
                format!(
                    "Source is not ready, artifact not found, retrying in {}",
                    format_duration(requeue_dependency)
                ),
            ),
            other => ReconcileError::new(
                Disposition::Retry,
                reason::ARTIFACT_FAILED,
                other.to_string(),
            ),
        });
    }
    let dir = crate::generator::secure_join(dest, path.unwrap_or(""));
    if let Err(err) = std::fs::metadata(&dir) {
        return Err(ReconcileError::new(
            Disposition::Retry,
            reason::ARTIFACT_FAILED,
            format!(
                "kustomization path not found: stat {}: {}",
                dir.display(),
                go_io_error(&err)
            ),
        ));
    }
    Ok(dir)
}

/// io errors worded as Go's syscall errors are.
fn go_io_error(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => err.to_string(),
    }
}
