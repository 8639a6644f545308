//! Arbitrary bytes as a kustomization file: parsing must return Ok or Err, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = flux_kustomize::parse_kustomization(text);
    }
});
