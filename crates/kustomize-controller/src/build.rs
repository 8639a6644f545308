//! The `build` step, in Flux's order: write the kustomization file (generator), decrypt the
//! generator inputs on disk, `kustomize build` with the native engine (root-confined, remote bases
//! refused under --no-remote-bases), then per object: check apiVersion/kind/name, SOPS-decrypt,
//! postBuild-substitute. The result is the list of objects to apply and the digest of the build.

use crate::convert;
use crate::postbuild::Substitution;
use flux_api::kustomize::{Kustomization, reason};
use flux_kustomize::value::Value;
use flux_kustomize::{BuildOptions, LoadRestrictions, Resource};
use flux_runtime::reconcile::{Disposition, ReconcileError};
use serde_json::Value as Json;
use sha2::Digest;
use std::path::PathBuf;
use std::sync::Arc;

/// The output of a build.
#[derive(Debug, Clone)]
pub struct Built {
    pub objects: Vec<Json>,
    /// `sha256:<hex>` of the built manifests (the history entry's key).
    pub digest: String,
}

/// Controller-wide build settings.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildSettings {
    pub no_remote_bases: bool,
    /// The StrictPostBuildSubstitutions feature gate.
    pub strict_substitutions: bool,
}

fn failed(message: impl Into<String>) -> ReconcileError {
    ReconcileError::new(Disposition::Retry, reason::BUILD_FAILED, message)
}

/// kustomize's `Gvk.String()` (`Kind.version.group`, `[noGrp]` for the core group), as Flux's
/// messages print it.
pub fn gvk_string(object: &Value) -> String {
    let api_version = object.str_at(&["apiVersion"]).unwrap_or("");
    let (group, version) = match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}.{}.{}",
        or(object.str_at(&["kind"]).unwrap_or(""), "[noKind]"),
        or(version, "[noVer]"),
        or(group, "[noGrp]")
    )
}

fn name_of(object: &Value) -> &str {
    object.str_at(&["metadata", "name"]).unwrap_or("")
}

/// Generate and build on a blocking thread; then decrypt and substitute.
pub async fn build(
    client: &kube::Client,
    ks: &Kustomization,
    root: PathBuf,
    dir: PathBuf,
    settings: BuildSettings,
    keys: Option<Arc<flux_sops::Keys>>,
) -> Result<Built, ReconcileError> {
    let spec = ks.spec.clone();
    let sources_keys = keys.clone();
    let resources = tokio::task::spawn_blocking(move || -> Result<Vec<Value>, ReconcileError> {
        crate::generator::write_kustomization(&root, &dir, &spec)
            .map_err(|e| failed(e.to_string()))?;
        if let Some(keys) = &sources_keys {
            let relative = dir.strip_prefix(&root).unwrap_or(&dir).to_path_buf();
            flux_sops::decrypt_sources(&root, &relative, keys)
                .map_err(|e| failed(format!("error decrypting sources: {e}")))?;
        }
        let options = BuildOptions {
            root: Some(root.clone()),
            load_restrictions: LoadRestrictions::None,
            no_remote: settings.no_remote_bases,
            generate_missing: false,
        };
        let resources = flux_kustomize::build_resources(&dir, &options)
            .map_err(|e| failed(format!("kustomize build failed: {e}")))?;
        let mut out = Vec::with_capacity(resources.len());
        for resource in resources {
            let object = into_object(resource);
            check_identity(&object)?;
            out.push(match &sources_keys {
                Some(keys) => decrypt(object, keys)?,
                None => object,
            });
        }
        Ok(out)
    })
    .await
    .map_err(|e| failed(format!("kustomize build failed: {e}")))??;

    let resources = match &ks.spec.post_build {
        Some(post_build) if resources.iter().any(|r| !crate::postbuild::is_disabled(r)) => {
            let namespace = ks.metadata.namespace.clone().unwrap_or_default();
            let substitution = Substitution::load(
                client,
                &namespace,
                post_build,
                settings.strict_substitutions,
            )
            .await
            .map_err(|e| {
                // Flux loads the variables per object, so the error names the first object.
                let first = resources
                    .iter()
                    .find(|r| !crate::postbuild::is_disabled(r))
                    .map(|r| format!("'{}/{}'", gvk_string(r), name_of(r)))
                    .unwrap_or_default();
                failed(format!("post build failed for {first}: {e}"))
            })?;
            tokio::task::spawn_blocking(move || substitute_all(resources, &substitution))
                .await
                .map_err(|e| failed(format!("post build failed: {e}")))??
        }
        _ => resources,
    };

    tokio::task::spawn_blocking(move || finish(resources))
        .await
        .map_err(|e| failed(format!("kustomize build failed: {e}")))?
}

/// The object kustomize prints for a resource (a non-string name kept as written).
fn into_object(mut resource: Resource) -> Value {
    if let Some(typed) = resource.typed_name.take()
        && typed.scalar_string().as_deref() == Some(resource.name())
        && let Some(meta) = resource.obj.ensure_map_at(&["metadata"])
    {
        meta.insert("name".into(), typed);
    }
    resource.obj
}

fn check_identity(object: &Value) -> Result<(), ReconcileError> {
    let present = |path: &[&str]| object.str_at(path).is_some_and(|s| !s.is_empty());
    if present(&["apiVersion"]) && present(&["kind"]) && present(&["metadata", "name"]) {
        return Ok(());
    }
    let text = convert::to_json(object)
        .map(|j| j.to_string())
        .unwrap_or_default();
    Err(failed(format!(
        "failed to decode Kubernetes apiVersion, kind and name from: {text}"
    )))
}

fn decrypt(object: Value, keys: &flux_sops::Keys) -> Result<Value, ReconcileError> {
    let json = convert::to_json(&object).map_err(|e| failed(e.to_string()))?;
    let wrap = |e: String| {
        // Flux names the object by its name alone here.
        failed(format!("decryption failed for '{}': {e}", name_of(&object)))
    };
    if !flux_sops::is_encrypted_resource(&json) && !is_secret(&json) {
        return Ok(object);
    }
    let decrypted = flux_sops::decrypt_resource(&json, keys).map_err(|e| wrap(e.to_string()))?;
    Ok(convert::from_json(&decrypted))
}

fn is_secret(json: &Json) -> bool {
    json.get("kind").and_then(Json::as_str) == Some("Secret")
}

fn substitute_all(
    resources: Vec<Value>,
    substitution: &Substitution,
) -> Result<Vec<Value>, ReconcileError> {
    resources
        .into_iter()
        .map(|object| match substitution.apply(&object) {
            Ok(Some(changed)) => Ok(changed),
            Ok(None) => Ok(object),
            Err(e) => Err(failed(format!(
                "post build failed for '{}/{}': {e}",
                gvk_string(&object),
                name_of(&object)
            ))),
        })
        .collect()
}

fn finish(resources: Vec<Value>) -> Result<Built, ReconcileError> {
    let text = flux_kustomize::yaml::emit_documents(&resources)
        .map_err(|e| failed(format!("kustomize build failed: {e}")))?;
    let digest = format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(text.as_bytes()))
    );
    let objects = resources
        .iter()
        .map(convert::to_json)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| failed(format!("kustomize build failed: {e}")))?;
    Ok(Built { objects, digest })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gvk_strings_match_kustomize() {
        let v = flux_kustomize::yaml::parse_single(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        )
        .unwrap();
        assert_eq!(gvk_string(&v), "ConfigMap.v1.[noGrp]");
        let v = flux_kustomize::yaml::parse_single(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n",
        )
        .unwrap();
        assert_eq!(gvk_string(&v), "Deployment.v1.apps");
    }
}
