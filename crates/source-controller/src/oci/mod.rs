//! OCI registry access for the source kinds that pull from registries: Flux's URL rules,
//! credentials from pull Secrets, TLS and proxy settings, and the registry calls (through the
//! ORAS project's `oci-client`). Signature verification is in [`cosign`].

pub mod cosign;
pub mod keychain;

use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::manifest::{OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use std::path::Path;
use std::time::Duration;

/// The scheme of OCI URLs.
pub const PREFIX: &str = "oci://";
/// Docker Hub, when a URL names no registry.
const DEFAULT_REGISTRY: &str = "index.docker.io";
/// go-containerregistry's `repositoryChars`.
const REPOSITORY_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789_-./";

/// A repository in a registry, as go-containerregistry's `name.Repository` splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// `host[:port]`.
    pub registry: String,
    /// The path inside the registry, `library/`-prefixed for single names on Docker Hub.
    pub repository: String,
}

impl Repository {
    /// Flux's `parseRepository`: `oci://<registry>/<repository>`, no tag or digest.
    pub fn parse(url: &str) -> Result<Repository, String> {
        let rest = url
            .strip_prefix(PREFIX)
            .ok_or_else(|| "URL must be in format 'oci://<domain>/<org>/<repo>'".to_string())?;
        if rest.is_empty() {
            return Err("a repository name must be specified".into());
        }
        let (registry, repository) = match rest.split_once('/') {
            Some((first, path)) if first.contains('.') || first.contains(':') => {
                (first.to_string(), path.to_string())
            }
            _ => (String::new(), rest.to_string()),
        };
        let runes = repository.chars().count();
        if !(2..=255).contains(&runes) {
            return Err(format!(
                "repository must be between 2 and 255 characters in length: {repository}"
            ));
        }
        if repository.chars().any(|c| !REPOSITORY_CHARS.contains(c)) {
            return Err(format!(
                "repository can only contain the characters `{REPOSITORY_CHARS}`: {repository}"
            ));
        }
        let registry = if registry.is_empty() {
            DEFAULT_REGISTRY.to_string()
        } else {
            if registry.contains(['/', '?', '#', '@', ' ']) {
                return Err(format!(
                    "registries must be valid RFC 3986 URI authorities: {registry}"
                ));
            }
            registry
        };
        let repository = if registry == DEFAULT_REGISTRY && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        Ok(Repository {
            registry,
            repository,
        })
    }

    pub fn tag(&self, tag: &str) -> Reference {
        Reference::with_tag(
            self.registry.clone(),
            self.repository.clone(),
            tag.to_string(),
        )
    }

    pub fn digest(&self, digest: &str) -> Reference {
        Reference::with_digest(
            self.registry.clone(),
            self.repository.clone(),
            digest.to_string(),
        )
    }
}

/// How to reach a registry.
#[derive(Clone, Default)]
pub struct ConnectOptions {
    /// Plain HTTP.
    pub insecure: bool,
    /// Extra CA certificates (PEM), trusted beside the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Proxy URL, credentials included.
    pub proxy: Option<String>,
    /// Bound on connecting and on each read.
    pub timeout: Option<Duration>,
    pub credentials: Option<keychain::Credentials>,
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("insecure", &self.insecure)
            .field("ca_pem", &self.ca_pem.is_some())
            .field("proxy", &self.proxy.is_some())
            .field("timeout", &self.timeout)
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// Why a registry call failed. The client's messages carry the URL and the registry's error
/// codes; no credentials.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{}", flux_runtime::errors::error_chain(.0))]
    Client(#[from] oci_client::errors::OciDistributionError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("failed to configure the registry client: {0}")]
    Config(String),
}

/// Two rustls providers are compiled in (ring for the workspace, aws-lc-rs for sigstore), so
/// rustls must be told which one to use before any client is built.
pub use flux_runtime::client::install_crypto_provider;

/// A client for one registry with its credentials.
pub struct RegistryClient {
    client: Client,
    auth: RegistryAuth,
    options: ConnectOptions,
}

impl RegistryClient {
    pub fn new(options: ConnectOptions) -> Result<RegistryClient, RegistryError> {
        install_crypto_provider();
        let client = Client::try_from(client_config(&options))
            .map_err(|e| RegistryError::Config(e.to_string()))?;
        let auth = match &options.credentials {
            Some(c) => RegistryAuth::Basic(c.username.clone(), c.password.clone()),
            None => RegistryAuth::Anonymous,
        };
        Ok(RegistryClient {
            client,
            auth,
            options,
        })
    }

    pub fn options(&self) -> &ConnectOptions {
        &self.options
    }

    /// The manifest digest a reference points at (HEAD, then GET when HEAD is refused).
    pub async fn digest(&self, reference: &Reference) -> Result<String, RegistryError> {
        Ok(self
            .client
            .fetch_manifest_digest(reference, &self.auth)
            .await?)
    }

    /// The repository's tags.
    pub async fn tags(&self, repository: &Repository) -> Result<Vec<String>, RegistryError> {
        let reference = repository.tag("latest");
        Ok(self
            .client
            .list_tags(&reference, &self.auth, None, None)
            .await?
            .tags)
    }

    /// The image manifest at `reference` (a platform's manifest for an index).
    pub async fn manifest(
        &self,
        reference: &Reference,
    ) -> Result<(OciImageManifest, String), RegistryError> {
        Ok(self
            .client
            .pull_image_manifest(reference, &self.auth)
            .await?)
    }

    /// Streams a blob to `path`; its digest is checked on the way.
    pub async fn blob_to_file(
        &self,
        reference: &Reference,
        layer: &OciDescriptor,
        path: &Path,
    ) -> Result<(), RegistryError> {
        let file = tokio::fs::File::create(path).await?;
        let mut writer = tokio::io::BufWriter::new(file);
        self.client.pull_blob(reference, layer, &mut writer).await?;
        tokio::io::AsyncWriteExt::flush(&mut writer).await?;
        Ok(())
    }
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
        read_timeout: options.timeout,
        connect_timeout: options.timeout,
        https_proxy: options.proxy.clone(),
        http_proxy: options.proxy.clone(),
        user_agent: "flux-source-controller",
        ..ClientConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_as_go_containerregistry_splits_them() {
        let r = Repository::parse("oci://127.0.0.1:5000/demo/app").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("127.0.0.1:5000", "demo/app")
        );
        let r = Repository::parse("oci://ghcr.io/stefanprodan/manifests/podinfo").unwrap();
        assert_eq!(r.registry, "ghcr.io");
        let r = Repository::parse("oci://nginx").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("index.docker.io", "library/nginx")
        );
        let r = Repository::parse("oci://localhost/app").unwrap();
        assert_eq!(r.repository, "localhost/app");
    }

    #[test]
    fn bad_urls_are_refused_with_flux_messages() {
        assert_eq!(
            Repository::parse("https://ghcr.io/app").unwrap_err(),
            "URL must be in format 'oci://<domain>/<org>/<repo>'"
        );
        assert_eq!(
            Repository::parse("oci://ghcr.io/org/app:1.0").unwrap_err(),
            "repository can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: org/app:1.0"
        );
        assert!(
            Repository::parse("oci://ghcr.io/Org/App")
                .unwrap_err()
                .contains("can only contain")
        );
        assert!(
            Repository::parse("oci://ghcr.io/a")
                .unwrap_err()
                .contains("between 2 and 255")
        );
    }

    #[test]
    fn debug_hides_credentials_and_proxy() {
        let options = ConnectOptions {
            proxy: Some("http://u:topsecret@proxy:3128".into()),
            credentials: Some(keychain::Credentials {
                username: "flux".into(),
                password: "hunter2".into(),
            }),
            ..ConnectOptions::default()
        };
        let text = format!("{options:?}");
        assert!(
            !text.contains("topsecret") && !text.contains("hunter2"),
            "{text}"
        );
    }
}
