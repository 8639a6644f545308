//! The reconcile runtime shared by every flux-rs controller.
//!
//! Today it holds the command-line flags every Flux controller accepts; the controller harness,
//! status writer, events, metrics and leader election land with the runtime issue.

pub mod flags;
