//! Patch mechanics of kube-apiserver as pure functions over `serde_json::Value`:
//! JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch for built-in kinds,
//! and server-side apply with `metadata.managedFields`.

mod builtin;
mod error;
mod gofmt;
mod json_patch;
mod merge_patch;
pub mod smp;
pub mod ssa;

pub use error::{PatchError, StatusInfo};
pub use json_patch::json_patch;
pub use merge_patch::merge_patch;
pub use smp::strategic_merge_patch;

/// Deepest nesting accepted (serde_json's parser stops at 128 anyway); guards recursion.
pub(crate) const MAX_DEPTH: usize = 200;

/// Nesting depth of a value, computed without recursion.
pub(crate) fn depth(v: &serde_json::Value) -> usize {
    depth_from(vec![(v, 1usize)])
}

/// Nesting depth of an object's members (the object itself counts as one level).
pub(crate) fn map_depth(m: &serde_json::Map<String, serde_json::Value>) -> usize {
    depth_from(m.values().map(|v| (v, 2usize)).collect()).max(1)
}

fn depth_from(mut stack: Vec<(&serde_json::Value, usize)>) -> usize {
    let mut max = 0;
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        match v {
            serde_json::Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            serde_json::Value::Object(m) => stack.extend(m.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    max
}
