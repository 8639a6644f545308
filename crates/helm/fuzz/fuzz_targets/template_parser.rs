#![no_main]
//! Parses and executes arbitrary template text: must never panic, hang or grow without bound.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = flux_helm::fuzz_render_template(&text, 64 << 10);
});
