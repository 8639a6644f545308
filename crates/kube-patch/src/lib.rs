//! Patch mechanics of kube-apiserver as pure functions over `serde_json::Value`:
//! JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch for built-in kinds,
//! and server-side apply with `metadata.managedFields`.

mod error;
mod json_patch;
mod merge_patch;
pub mod smp;
pub mod ssa;

pub use error::{PatchError, StatusInfo};
pub use json_patch::json_patch;
pub use merge_patch::merge_patch;
pub use smp::strategic_merge_patch;
