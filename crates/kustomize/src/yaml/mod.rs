//! YAML in and out, matching what kustomize does: documents are decoded the way
//! yaml.v3 decodes into `interface{}`, and encoded the way sigs.k8s.io/yaml encodes
//! (JSON round trip, then go-yaml v2 with sorted keys).

mod emit;
mod number;
mod parse;
mod resolve;
mod sort;

pub use emit::{emit_document, emit_documents};
pub use number::format_go_float;
pub use parse::{parse_documents, parse_documents_yaml11, parse_single};
pub use resolve::resolve_plain_v3 as resolve_plain;
pub use sort::go_yaml_key_less;

#[derive(Debug, thiserror::Error)]
pub enum YamlError {
    #[error("yaml: {0}")]
    Syntax(String),
    #[error("yaml: unknown anchor referenced by an alias")]
    UnknownAnchor,
    #[error("yaml: mapping key {0:?} already defined")]
    DuplicateKey(String),
    #[error("yaml: nesting deeper than {0} levels")]
    TooDeep(usize),
    #[error("yaml: document expands to too many nodes (alias bomb?)")]
    TooLarge,
    #[error("json: unsupported value: {0}")]
    UnsupportedValue(String),
    #[error("yaml: {0}")]
    Invalid(String),
}
