//! Flux-compatible custom resource types.
