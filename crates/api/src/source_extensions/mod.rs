//! source.extensions.fluxcd.io/v1beta1: source-watcher's kinds.

pub mod artifactgenerator;

pub use artifactgenerator::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![ArtifactGenerator::crd()]
}
