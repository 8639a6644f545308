//! The reconcile runtime shared by every flux-rs controller.
//!
//! Controllers hold only their own kinds' logic; everything Flux's controllers do alike lives here.
//! A controller's `main` builds a [`manager::Manager`] from the [`flags`], adds its
//! [`reconcile::Reconciler`]s and runs; the reconcilers use [`acl`], [`dependencies`], [`client`]
//! and [`artifact`] for what Flux's controllers share. README.md lists what is done and what not.

pub mod acl;
pub mod artifact;
pub mod client;
pub mod dependencies;
pub mod duration;
pub mod errors;
pub mod events;
pub mod flags;
pub mod kinds;
pub mod leader;
pub mod logging;
pub mod manager;
pub mod metrics;
mod queue;
pub mod reconcile;
pub mod secrets;
pub mod server;
pub mod watches;
