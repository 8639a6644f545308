//! Flux's source-controller: GitRepository, OCIRepository, HelmRepository and HelmChart reconciliation, and the
//! artifact storage and server.

pub mod bucket;
pub mod externalartifact;
pub mod gitrepository;
pub mod helm;
pub mod helmchart;
pub mod helmrepository;
pub mod ignore;
pub mod oci;
pub mod ocirepository;
pub mod reconcile;
pub mod server;
pub mod storage;
