//! helm.toolkit.fluxcd.io/v2: HelmRelease.

pub mod helmrelease;

pub use helmrelease::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![HelmRelease::crd()]
}
