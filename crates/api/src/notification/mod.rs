//! notification.toolkit.fluxcd.io: Provider and Alert (v1beta3, static objects without status)
//! route Flux events to notification targets; Receiver (v1) turns webhooks into reconcile requests.

pub mod alert;
pub mod provider;
pub mod receiver;
pub mod reference;

pub use alert::*;
pub use provider::*;
pub use receiver::*;
pub use reference::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceSubresources,
};
use kube::CustomResourceExt;

/// The CRDs of this group.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![
        without_status(Provider::crd()),
        without_status(Alert::crd()),
        Receiver::crd(),
    ]
}

/// Flux's static kinds declare an empty `subresources: {}`, where kube-derive leaves the field out
/// for kinds without a status.
fn without_status(mut crd: CustomResourceDefinition) -> CustomResourceDefinition {
    for version in &mut crd.spec.versions {
        version
            .subresources
            .get_or_insert_with(CustomResourceSubresources::default);
    }
    crd
}
