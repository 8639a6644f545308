#![no_main]
//! Feeds arbitrary text to the --set/--set-string/--set-json parser and to the YAML values
//! loader: must never panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = flux_helm::fuzz_parse_values(&text);
});
