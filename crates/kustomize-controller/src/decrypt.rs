//! Decryption keys for `spec.decryption` (provider sops), as Flux's `ImportKeys`: age identities
//! of the controller-wide `--sops-age-secret` first, then every `*.agekey` and `*.asc` value of
//! `spec.decryption.secretRef` in the Kustomization's namespace. Messages name the Secret and the
//! data key, never the key material.

use flux_api::kustomize::{Kustomization, reason};
use flux_runtime::reconcile::{Disposition, ReconcileError};
use flux_sops::{Keys, SopsError};
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use std::collections::BTreeMap;

fn failed(message: String) -> ReconcileError {
    ReconcileError::new(Disposition::Retry, reason::BUILD_FAILED, message)
}

async fn secret_data(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    match api.get(name).await {
        Ok(secret) => Ok(secret
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect()),
        Err(kube::Error::Api(status)) => Err(status.message),
        Err(e) => Err(e.to_string()),
    }
}

/// Flux's wording: "failed to import '<key>' data from sops decryption Secret '<ns/name>': ...".
fn import_error(err: SopsError, what: &str, secret: &str) -> ReconcileError {
    match err {
        SopsError::InvalidKey { name, reason } => failed(format!(
            "failed to import '{name}' data from sops {what} '{secret}': {reason}"
        )),
        other => failed(format!("{other} (sops {what} '{secret}')")),
    }
}

/// The keys for one reconcile of `ks`.
pub async fn load_keys(
    client: &kube::Client,
    ks: &Kustomization,
    global_age_secret: Option<&(String, String)>,
) -> Result<Keys, ReconcileError> {
    let global = match global_age_secret {
        Some((namespace, name)) => {
            let id = format!("{namespace}/{name}");
            let data = secret_data(client, namespace, name).await.map_err(|e| {
                failed(format!(
                    "cannot get sops SOPS age decryption Secret '{id}': {e}"
                ))
            })?;
            Some((id, data))
        }
        None => None,
    };
    let secret_name = ks
        .spec
        .decryption
        .as_ref()
        .and_then(|d| d.secret_ref.as_ref())
        .map(|r| r.name.clone())
        .filter(|n| !n.is_empty());
    let mut keys = match secret_name {
        Some(name) => {
            let namespace = ks.metadata.namespace.clone().unwrap_or_default();
            let id = format!("{namespace}/{name}");
            let data = secret_data(client, &namespace, &name)
                .await
                .map_err(|e| failed(format!("cannot get sops decryption Secret '{id}': {e}")))?;
            Keys::from_secret_data(&data).map_err(|e| import_error(e, "decryption Secret", &id))?
        }
        None => Keys::new(),
    };
    // Only the age identities of the controller-wide Secret are used.
    for (id, data) in global.iter() {
        for (key, value) in data {
            if key.ends_with(".agekey") {
                keys.import_age(key, &String::from_utf8_lossy(value))
                    .map_err(|e| import_error(e, "SOPS age decryption Secret", id))?;
            }
        }
    }
    Ok(keys)
}
