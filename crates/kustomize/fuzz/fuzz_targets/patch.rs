//! Arbitrary resource and patch text (split at the first NUL): applying a strategic merge
//! or JSON 6902 patch and emitting the result must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (resource, patch) = text.split_once('\0').unwrap_or((text, "{}"));
    let _ = flux_kustomize::apply_patch_text(resource, patch);
});
