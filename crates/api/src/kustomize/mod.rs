//! Types of this API group land with their kinds.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    Vec::new()
}
