//! Cosign signature verification with public keys, through the sigstore project's Rust crate.
//!
//! As Flux's verifier with a key: offline, no transparency log. Signatures are found under the
//! `sha256-<hex>.sig` tag (cosign v2 simple signing) and through the referrers of the digest
//! (cosign v3 bundles); a signature counts when its payload names the artifact's digest and
//! one of the keys verifies it.

use super::{ConnectOptions, Repository};
use sigstore::cosign::verification_constraint::{PublicKeyVerifier, VerificationConstraintVec};
use sigstore::cosign::{ClientBuilder, CosignCapabilities};
use sigstore::registry::{
    Auth, Certificate, CertificateEncoding, ClientConfig, ClientProtocol, OciReference,
};
use sigstore::trust::ManualTrustRoot;

/// Why a verification did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CosignError {
    #[error("no matching signatures were found for '{0}'")]
    NoMatch(String),
    #[error("failed to load public key '{key}': {message}")]
    Key { key: String, message: String },
    #[error("failed to configure the cosign client: {0}")]
    Client(String),
    #[error("failed to fetch the signatures of '{reference}': {message}")]
    Fetch { reference: String, message: String },
    #[error("context deadline exceeded after {0:?}")]
    Timeout(std::time::Duration),
}

/// Flux's use of a verification Secret: every `*.pub` value is a key to try, within `timeout`;
/// a Secret without one verifies nothing.
pub async fn verify_with_secret_keys(
    options: &ConnectOptions,
    repository: &Repository,
    digest: &str,
    data: std::collections::BTreeMap<String, Vec<u8>>,
    timeout: std::time::Duration,
) -> Result<(), CosignError> {
    let keys: Vec<(String, Vec<u8>)> = data
        .into_iter()
        .filter(|(k, _)| k.ends_with(".pub"))
        .collect();
    if keys.is_empty() {
        return Err(CosignError::NoMatch(format!(
            "{}/{}@{digest}",
            repository.registry, repository.repository
        )));
    }
    tokio::time::timeout(
        timeout,
        verify_with_keys(options, repository, digest, &keys),
    )
    .await
    .map_err(|_| CosignError::Timeout(timeout))?
}

/// Verifies `repository@digest` with any of `keys` (name, PEM), as Flux tries each `*.pub`
/// key of the Secret in turn.
pub async fn verify_with_keys(
    options: &ConnectOptions,
    repository: &Repository,
    digest: &str,
    keys: &[(String, Vec<u8>)],
) -> Result<(), CosignError> {
    super::install_crypto_provider();
    let display = format!("{}/{}@{digest}", repository.registry, repository.repository);
    let mut verifiers = Vec::with_capacity(keys.len());
    for (name, pem) in keys {
        let verifier =
            PublicKeyVerifier::try_from(pem.as_slice()).map_err(|e| CosignError::Key {
                key: name.clone(),
                message: e.to_string(),
            })?;
        verifiers.push(verifier);
    }
    let trust = ManualTrustRoot::default();
    let mut client = ClientBuilder::default()
        .with_oci_client_config(client_config(options))
        .with_trust_repository(&trust)
        .map_err(|e| CosignError::Client(e.to_string()))?
        .build()
        .map_err(|e| CosignError::Client(e.to_string()))?;
    let auth = match &options.credentials {
        Some(c) => Auth::Basic(c.username.clone(), c.password.clone()),
        None => Auth::Anonymous,
    };
    let image = OciReference::with_digest(
        repository.registry.clone(),
        repository.repository.clone(),
        digest.to_string(),
    );
    let layers = client
        .trusted_signature_layers(&auth, &image)
        .await
        .map_err(|e| CosignError::Fetch {
            reference: display.clone(),
            message: e.to_string(),
        })?;
    for verifier in verifiers {
        let constraints: VerificationConstraintVec = vec![Box::new(verifier)];
        if sigstore::cosign::verify_constraints(&layers, constraints.iter()).is_ok() {
            return Ok(());
        }
    }
    Err(CosignError::NoMatch(display))
}

fn client_config(options: &ConnectOptions) -> ClientConfig {
    ClientConfig {
        protocol: if options.insecure {
            ClientProtocol::Http
        } else {
            ClientProtocol::Https
        },
        extra_root_certificates: options
            .ca_pem
            .iter()
            .map(|pem| Certificate {
                encoding: CertificateEncoding::Pem,
                data: pem.clone(),
            })
            .collect(),
        https_proxy: options.proxy.clone(),
        http_proxy: options.proxy.clone(),
        ..ClientConfig::default()
    }
}
