//! The reconcile runtime shared by every flux-rs controller.
//!
//! Controllers hold only their own kinds' logic; everything Flux's controllers do alike lives here.
//! Present today: the common flags and the artifact fetcher. The controller harness, status writer,
//! events, metrics and leader election are being built (see README.md).

pub mod artifact;
pub mod client;
pub mod duration;
pub mod events;
pub mod flags;
pub mod kinds;
pub mod leader;
pub mod logging;
pub mod manager;
pub mod metrics;
pub mod reconcile;
pub mod server;
