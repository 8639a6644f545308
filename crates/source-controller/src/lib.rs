//! Flux's source-controller: GitRepository reconciliation and the artifact storage and server.

pub mod gitrepository;
pub mod helm;
pub mod helmrepository;
pub mod ignore;
pub mod reconcile;
pub mod server;
pub mod storage;
