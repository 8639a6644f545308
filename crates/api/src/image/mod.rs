//! image.toolkit.fluxcd.io/v1: ImageRepository and ImagePolicy (image-reflector-controller) scan
//! registries and pick the latest images; ImageUpdateAutomation (image-automation-controller)
//! writes them to Git.

pub mod imagepolicy;
pub mod imagerepository;
pub mod imageupdateautomation;

pub use imagepolicy::*;
pub use imagerepository::*;
pub use imageupdateautomation::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![
        ImageRepository::crd(),
        ImagePolicy::crd(),
        ImageUpdateAutomation::crd(),
    ]
}

/// Go's `int`: controller-gen writes `type: integer` without a format.
fn untyped_integer(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "integer" })
}
