//! The engine's errors. Messages follow Helm's wording where Helm has one.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The chart could not be read or is invalid.
    #[error("{0}")]
    Load(String),
    /// Values files or --set arguments could not be parsed or merged.
    #[error("{0}")]
    Values(String),
    /// Values do not satisfy values.schema.json.
    #[error("{0}")]
    Schema(String),
    /// A template failed to parse or execute.
    #[error("{0}")]
    Render(String),
    /// Rendered output is not valid YAML.
    #[error("{0}")]
    Manifest(String),
}
