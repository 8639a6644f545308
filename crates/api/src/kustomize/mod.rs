//! kustomize.toolkit.fluxcd.io/v1: Kustomization, and the types the appliers share.

pub mod common;
pub mod kustomization;

pub use common::*;
pub use kustomization::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![Kustomization::crd()]
}
