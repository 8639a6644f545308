//! What re-queues a Kustomization besides its own changes: a new artifact revision of the source
//! it builds from, and changes of the labelled Secrets/ConfigMaps it substitutes from.

use flux_api::kustomize::{Kustomization, SourceKind, ValuesReferenceKind};
use flux_api::source::{Bucket, ExternalArtifact, GitRepository, OCIRepository};
use flux_runtime::watches::{ConfigKind, ConfigRef, RelatedWatch};
use kube::Resource;

fn refers_to<R: Resource>(ks: &Kustomization, kind: SourceKind, source: &R) -> bool {
    let r = &ks.spec.source_ref;
    let namespace = r
        .namespace
        .as_deref()
        .filter(|n| !n.is_empty())
        .or(ks.metadata.namespace.as_deref());
    r.kind == kind
        && Some(r.name.as_str()) == source.meta().name.as_deref()
        && namespace == source.meta().namespace.as_deref()
}

/// The watches of the controller; `configs_selector` is `--watch-configs-label-selector` (empty,
/// or the DisableConfigWatchers gate, turns the config watches off).
pub fn related(
    external_artifact: bool,
    configs_selector: Option<&str>,
) -> Vec<RelatedWatch<Kustomization>> {
    let mut watches = vec![
        RelatedWatch::source_revision::<GitRepository>(|ks, s| {
            refers_to(ks, SourceKind::GitRepository, s)
        }),
        RelatedWatch::source_revision::<OCIRepository>(|ks, s| {
            refers_to(ks, SourceKind::OCIRepository, s)
        }),
        RelatedWatch::source_revision::<Bucket>(|ks, s| refers_to(ks, SourceKind::Bucket, s)),
    ];
    if external_artifact {
        watches.push(RelatedWatch::source_revision::<ExternalArtifact>(
            |ks, s| refers_to(ks, SourceKind::ExternalArtifact, s),
        ));
    }
    if let Some(selector) = configs_selector.filter(|s| !s.is_empty()) {
        watches.extend(RelatedWatch::configs(selector, |ks: &Kustomization| {
            ks.spec
                .post_build
                .iter()
                .flat_map(|p| p.substitute_from.iter().flatten())
                .map(|s| ConfigRef {
                    kind: match s.kind {
                        ValuesReferenceKind::Secret => ConfigKind::Secret,
                        ValuesReferenceKind::ConfigMap => ConfigKind::ConfigMap,
                    },
                    name: s.name.clone(),
                })
                .collect()
        }));
    }
    watches
}
