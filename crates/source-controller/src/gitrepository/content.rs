//! Whether what shapes the artifact changed since it was built (Flux's gitContentConfigChanged):
//! ignore rules, submodules, includes (spec and their artifacts), sparse paths, verification.

use super::verify::requires_verification;
use flux_api::meta::Artifact;
use flux_api::source::GitRepository;

/// True when the artifact must be rebuilt even though the commit is the same.
pub fn content_config_changed(obj: &GitRepository, includes: &[Artifact]) -> bool {
    let spec = &obj.spec;
    let default_status = Default::default();
    let status = obj.status.as_ref().unwrap_or(&default_status);
    let spec_include = spec.include.as_deref().unwrap_or_default();
    let observed_include = status.observed_include.as_deref().unwrap_or_default();
    let observed_artifacts = status.included_artifacts.as_deref().unwrap_or_default();
    let spec_sparse = spec.sparse_checkout.as_deref().unwrap_or_default();
    let observed_sparse = status
        .observed_sparse_checkout
        .as_deref()
        .unwrap_or_default();
    if spec.ignore != status.observed_ignore
        || spec.recurse_submodules.unwrap_or(false)
            != status.observed_recurse_submodules.unwrap_or(false)
        || spec_include.len() != observed_include.len()
        || requires_verification(
            spec.verify.as_ref(),
            status.source_verification_mode.as_deref(),
        )
        || spec_sparse != observed_sparse
        || spec_include.len() != includes.len()
        || spec_include.len() != observed_artifacts.len()
    {
        return true;
    }
    spec_include
        .iter()
        .zip(observed_include)
        .zip(observed_artifacts.iter().zip(includes))
        .any(|((incl, observed), (observed_art, current_art))| {
            incl != observed
                || observed_art.revision != current_art.revision
                || observed_art.digest != current_art.digest
        })
}

/// Whether the included artifacts differ from those recorded (by revision), as Flux's
/// artifactSet.Diff.
pub fn artifact_set_differs(current: &[Artifact], recorded: Option<&[Artifact]>) -> bool {
    let recorded = recorded.unwrap_or_default();
    current.len() != recorded.len()
        || current
            .iter()
            .any(|a| !recorded.iter().any(|r| r.revision == a.revision))
}
