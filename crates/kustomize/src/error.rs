//! The engine's error type.

use crate::yaml::YamlError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Yaml(#[from] YamlError),
    #[error("{path}: {source}")]
    YamlIn { path: String, source: YamlError },
    #[error("security; file '{0}' is not in or below '{1}'")]
    OutsideRoot(String, String),
    #[error(
        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{0}'"
    )]
    NoKustomization(String),
    #[error("found multiple kustomization files under: {0}")]
    MultipleKustomizations(String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("invalid Kustomization: {0}")]
    InvalidKustomization(String),
    #[error("cycle detected: {0} is already being built")]
    Cycle(String),
    #[error("kustomization nesting deeper than {0} levels")]
    TooDeep(usize),
    #[error("{0}")]
    Resource(String),
    #[error("may not add resource with an already registered id: {0}")]
    DuplicateId(String),
    #[error("{0}")]
    Generator(String),
    #[error("{0}")]
    Patch(String),
    #[error("{0}")]
    Transform(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("remote resource '{0}' refused: remote bases are disabled")]
    RemoteRefused(String),
}
