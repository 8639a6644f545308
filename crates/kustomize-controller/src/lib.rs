//! Flux's kustomize-controller: reconciles Kustomizations (kustomize.toolkit.fluxcd.io/v1) by
//! fetching a source artifact, building it with the native kustomize engine, decrypting and
//! substituting, then applying it to the cluster with server-side apply, pruning, and waiting for
//! health. See README.md.

pub mod build;
pub mod convert;
pub mod decrypt;
pub mod generator;
pub mod kustomization;
pub mod postbuild;
pub mod source;
pub mod status;
pub mod watches;
