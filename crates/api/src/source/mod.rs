//! source.toolkit.fluxcd.io/v1: the kinds that produce artifacts.

pub mod gitrepository;

pub use gitrepository::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![GitRepository::crd()]
}
