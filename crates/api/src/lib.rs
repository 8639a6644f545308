//! Flux-compatible custom resource types: every kind Flux 2.9 serves, field for field, and the CRDs
//! generated from them.
//!
//! Each API group is a module named after it; each kind is a module named after the kind. The types
//! serialise exactly as Flux's Go types do, so manifests written for Flux deserialise unchanged.

// kube-derive's `printcolumn(..)` attributes each repeat `type_ = "string"`, which clippy takes for
// duplicated attributes.
#![allow(clippy::duplicated_attributes)]

pub mod crds;
pub mod helm;
pub mod image;
pub mod kustomize;
pub mod meta;
pub mod notification;
pub mod schema;
pub mod source;
pub mod source_extensions;

pub use meta::{Artifact, Condition, ConditionStatus, HasConditions};
