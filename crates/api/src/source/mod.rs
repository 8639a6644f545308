//! source.toolkit.fluxcd.io/v1: the kinds that produce artifacts.

pub mod bucket;
pub mod externalartifact;
pub mod gitrepository;
pub mod helmchart;
pub mod helmrepository;
pub mod ocirepository;

pub use bucket::*;
pub use externalartifact::*;
pub use gitrepository::*;
pub use helmchart::*;
pub use helmrepository::*;
pub use ocirepository::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![
        GitRepository::crd(),
        OCIRepository::crd(),
        HelmRepository::crd(),
        HelmChart::crd(),
        Bucket::crd(),
        ExternalArtifact::crd(),
    ]
}

/// Condition types every source kind uses, besides `Ready`, `Reconciling` and `Stalled`
/// ([`crate::meta::condition_type`]).
pub mod condition_type {
    /// Positive polarity: the artifact in status exists in storage.
    pub const ARTIFACT_IN_STORAGE: &str = "ArtifactInStorage";
    /// Negative polarity: the stored artifact no longer matches the upstream revision or spec.
    pub const ARTIFACT_OUTDATED: &str = "ArtifactOutdated";
    /// Positive polarity: the source's signature was verified.
    pub const SOURCE_VERIFIED: &str = "SourceVerified";
    /// Negative polarity: fetching the upstream source failed.
    pub const FETCH_FAILED: &str = "FetchFailed";
    /// Negative polarity: building the artifact (e.g. packaging a chart) failed.
    pub const BUILD_FAILED: &str = "BuildFailed";
    /// Negative polarity: an operation on the artifact storage failed.
    pub const STORAGE_OPERATION_FAILED: &str = "StorageOperationFailed";
    /// Negative polarity (GitRepository): an included repository's artifact is not available.
    pub const INCLUDE_UNAVAILABLE: &str = "IncludeUnavailable";
}

/// Condition reasons shared by the source kinds. Kind-specific reasons live in the kind's module.
pub mod reason {
    pub const URL_INVALID: &str = "URLInvalid";
    pub const AUTHENTICATION_FAILED: &str = "AuthenticationFailed";
    pub const VERIFICATION_ERROR: &str = "VerificationError";
    pub const DIR_CREATION_FAILED: &str = "DirectoryCreationFailed";
    pub const STAT_OPERATION_FAILED: &str = "StatOperationFailed";
    pub const READ_OPERATION_FAILED: &str = "ReadOperationFailed";
    pub const ACQUIRE_LOCK_FAILED: &str = "AcquireLockFailed";
    pub const INVALID_PATH: &str = "InvalidPath";
    pub const ARCHIVE_OPERATION_FAILED: &str = "ArchiveOperationFailed";
    pub const SYMLINK_UPDATE_FAILED: &str = "SymlinkUpdateFailed";
    pub const ARTIFACT_UP_TO_DATE: &str = "ArtifactUpToDate";
    pub const CACHE_OPERATION_FAILED: &str = "CacheOperationFailed";
    pub const PATCH_OPERATION_FAILED: &str = "PatchOperationFailed";
    pub const INVALID_STS_CONFIGURATION: &str = "InvalidSTSConfiguration";
    pub const INVALID_PROVIDER_CONFIGURATION: &str = "InvalidProviderConfiguration";
    /// Reason of `ArtifactOutdated` when upstream has a new revision.
    pub const NEW_REVISION: &str = "NewRevision";
    /// Reason of `ArtifactOutdated` (HelmChart) when the chart name or version changed.
    pub const NEW_CHART: &str = "NewChart";
    /// Reason of `ArtifactOutdated` (GitRepository) when the included artifacts changed.
    pub const INCLUDE_CHANGE: &str = "IncludeChange";
    /// Event reason for a newly stored artifact.
    pub const NEW_ARTIFACT: &str = "NewArtifact";
    pub const GARBAGE_COLLECTION_SUCCEEDED: &str = "GarbageCollectionSucceeded";
    pub const GARBAGE_COLLECTION_FAILED: &str = "GarbageCollectionFailed";
}
