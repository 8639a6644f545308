//! source.extensions.fluxcd.io/v1beta1: source-watcher's kinds.

// kube's `printcolumn(..)` attributes repeat `type_ = "string"`, which clippy takes for duplicated
// attributes.
#![allow(clippy::duplicated_attributes)]

pub mod artifactgenerator;

pub use artifactgenerator::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![ArtifactGenerator::crd()]
}
