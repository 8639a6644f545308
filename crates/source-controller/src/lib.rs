//! Flux's source-controller: GitRepository, HelmRepository and HelmChart reconciliation, and the
//! artifact storage and server.

pub mod gitrepository;
pub mod helm;
pub mod helmchart;
pub mod helmrepository;
pub mod ignore;
pub mod reconcile;
pub mod server;
pub mod storage;
