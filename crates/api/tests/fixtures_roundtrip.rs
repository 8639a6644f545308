//! Every example manifest under tests/fixtures/api/ (examples from Flux's documentation, written in our
//! own words) deserialises into our types and serialises back to the same JSON.

use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Deserialise into `T` and serialise back.
fn through<T: DeserializeOwned + Serialize>(doc: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(doc.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

fn source_kinds(kind: &str, doc: &Value) -> Option<Result<Value, String>> {
    use flux_api::source::*;
    Some(match kind {
        "GitRepository" => through::<GitRepository>(doc),
        "OCIRepository" => through::<OCIRepository>(doc),
        "HelmRepository" => through::<HelmRepository>(doc),
        "HelmChart" => through::<HelmChart>(doc),
        "Bucket" => through::<Bucket>(doc),
        "ExternalArtifact" => through::<ExternalArtifact>(doc),
        _ => return None,
    })
}

fn source_extensions_kinds(kind: &str, doc: &Value) -> Option<Result<Value, String>> {
    use flux_api::source_extensions::*;
    Some(match kind {
        "ArtifactGenerator" => through::<ArtifactGenerator>(doc),
        _ => return None,
    })
}

fn kustomize_kinds(kind: &str, doc: &Value) -> Option<Result<Value, String>> {
    use flux_api::kustomize::*;
    Some(match kind {
        "Kustomization" => through::<Kustomization>(doc),
        _ => return None,
    })
}

fn helm_kinds(kind: &str, doc: &Value) -> Option<Result<Value, String>> {
    use flux_api::helm::*;
    Some(match kind {
        "HelmRelease" => through::<HelmRelease>(doc),
        _ => return None,
    })
}

fn notification_kinds(kind: &str, doc: &Value) -> Option<Result<Value, String>> {
    use flux_api::notification::*;
    Some(match kind {
        "Provider" => through::<Provider>(doc),
        "Alert" => through::<Alert>(doc),
        "Receiver" => through::<Receiver>(doc),
        _ => return None,
    })
}

fn image_kinds(kind: &str, doc: &Value) -> Option<Result<Value, String>> {
    use flux_api::image::*;
    Some(match kind {
        "ImageRepository" => through::<ImageRepository>(doc),
        "ImagePolicy" => through::<ImagePolicy>(doc),
        "ImageUpdateAutomation" => through::<ImageUpdateAutomation>(doc),
        _ => return None,
    })
}

fn roundtrip(doc: &Value) -> Result<Value, String> {
    let api_version = doc["apiVersion"].as_str().unwrap_or_default();
    let kind = doc["kind"].as_str().unwrap_or_default();
    let group = api_version.split('/').next().unwrap_or_default();
    let result = match group {
        "source.toolkit.fluxcd.io" => source_kinds(kind, doc),
        "source.extensions.fluxcd.io" => source_extensions_kinds(kind, doc),
        "kustomize.toolkit.fluxcd.io" => kustomize_kinds(kind, doc),
        "helm.toolkit.fluxcd.io" => helm_kinds(kind, doc),
        "notification.toolkit.fluxcd.io" => notification_kinds(kind, doc),
        "image.toolkit.fluxcd.io" => image_kinds(kind, doc),
        _ => None,
    };
    result.unwrap_or_else(|| Err(format!("no type for {api_version} {kind}")))
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read fixtures dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

#[test]
fn documented_examples_round_trip() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/api");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read fixture");
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .unwrap_or_else(|e| panic!("{}: invalid YAML: {e}", file.display()));
        for doc in docs.into_iter().filter(|d| !d.is_null()) {
            count += 1;
            let name = format!(
                "{} ({} {})",
                file.display(),
                doc["kind"],
                doc["metadata"]["name"]
            );
            match roundtrip(&doc) {
                Ok(back) if back == doc => {}
                Ok(back) => failures.push(format!(
                    "{name}: changed in a round trip\n  in:  {doc}\n  out: {back}"
                )),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    println!("{count} documented examples round-trip");
    assert!(count > 0, "no fixtures found under {}", root.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
