//! Consuming source artifacts: download over HTTP, digest verification, safe extraction.

mod extract;
mod fetch;

pub use extract::{ExtractError, ExtractLimits, ExtractStats, extract_tar_gz};
pub use fetch::{ArtifactFetcher, FetchError, FetchOptions};
