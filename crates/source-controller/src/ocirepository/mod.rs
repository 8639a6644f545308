//! OCIRepository: an OCI artifact's layer becomes an artifact (Flux's
//! `ocirepository_controller.go`).
//!
//! The steps run in Flux's order: storage (garbage collection, is the advertised artifact still
//! there and intact), source (credentials from the pull Secrets, proxy and TLS, the reference:
//! digest, semver over the tags or tag; the revision `<tag>@<digest>` from the registry; the
//! signature when spec.verify asks and something changed; then, unless the stored artifact has
//! this revision and the same ignore rules and layer selector, the manifest and the selected
//! layer), artifact (the layer extracted and archived with the ignore rules, or copied as it
//! is, to `<digest>.tar.gz`; the manifest's annotations as the artifact's metadata).

use crate::oci::keychain::Keychain;
use crate::oci::{ConnectOptions, RegistryClient, Repository, cosign};
use crate::reconcile::{
    StorageFailures, archive_source, blocking, collect_garbage, kube_message, lock_failed, names,
    notify_artifact, record_up_to_date, remove_all_artifacts, secret_data, sibling, step_failed,
    store_artifact, stored_artifact, work_dir,
};
use crate::storage::Storage;
use flux_api::ConditionStatus;
use flux_api::meta::{Artifact, reason};
use flux_api::source::{
    OCI_LAYER_OPERATION_FAILED_REASON, OCI_PULL_FAILED_REASON, OCILayerOperation, OCIRepository,
    VerificationProvider, condition_type as source_condition, reason as source_reason,
};
use flux_runtime::artifact::{ExtractLimits, extract_tar_gz};
use flux_runtime::duration::parse_duration;
use flux_runtime::reconcile::{
    Context, Disposition, FluxObject, Outcome, ReconcileError, Reconciler,
};
use flux_runtime::secrets::{proxy_url, tls_from_secret};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Api;
use oci_client::Reference;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const KIND: &str = "OCIRepository";
/// `spec.timeout` when unset.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Helm's chart layer: its tags map `+` to `_`.
const HELM_CHART_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// Manifest annotations Flux quotes in its event.
const SOURCE_ANNOTATION: &str = "org.opencontainers.image.source";
const REVISION_ANNOTATION: &str = "org.opencontainers.image.revision";

/// Conditions that only exist while a step fails; removed once the reconcile succeeds.
const NEGATIVE_CONDITIONS: [&str; 3] = [
    source_condition::FETCH_FAILED,
    source_condition::STORAGE_OPERATION_FAILED,
    source_condition::ARTIFACT_OUTDATED,
];

fn fail(
    condition: &'static str,
    disposition: Disposition,
    reason: &str,
    message: impl Into<String>,
) -> ReconcileError {
    let status = if condition == source_condition::SOURCE_VERIFIED {
        ConditionStatus::False
    } else {
        ConditionStatus::True
    };
    step_failed(
        &NEGATIVE_CONDITIONS,
        condition,
        status,
        disposition,
        reason,
        message,
    )
}

/// The artifact step's failures, as Flux's OCIRepository reconciler reports them.
const FAILURES: StorageFailures = StorageFailures {
    storage: |reason, message| storage_failed(reason, message),
    lock: lock_failed,
};

fn fetch_failed(
    disposition: Disposition,
    reason: &str,
    message: impl Into<String>,
) -> ReconcileError {
    fail(source_condition::FETCH_FAILED, disposition, reason, message)
}

fn storage_failed(reason: &str, message: impl Into<String>) -> ReconcileError {
    fail(
        source_condition::STORAGE_OPERATION_FAILED,
        Disposition::Backoff,
        reason,
        message,
    )
}

/// Reconciles OCIRepository objects into artifacts in `storage`.
pub struct OCIRepositoryReconciler {
    storage: Arc<Storage>,
    /// Where layers are downloaded and extracted.
    work_dir: PathBuf,
}

impl OCIRepositoryReconciler {
    pub fn new(storage: Arc<Storage>, work_dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(work_dir)?;
        crate::oci::install_crypto_provider();
        Ok(OCIRepositoryReconciler {
            storage,
            work_dir: work_dir.to_path_buf(),
        })
    }
}

/// What the verification did this time.
enum Verification {
    /// spec.verify is unset: SourceVerified goes.
    Off,
    /// Nothing changed since the last verification: SourceVerified stays as it is.
    Kept,
    /// Verified now, with this message.
    Verified(String),
}

/// What the source step found.
struct Source {
    revision: String,
    reference: String,
    verification: Verification,
    /// The layer, when it had to be pulled.
    pulled: Option<Pulled>,
}

struct Pulled {
    /// Manifest annotations: the artifact's metadata.
    annotations: BTreeMap<String, String>,
    /// The extracted folder, or the copied layer file.
    content: PathBuf,
}

impl Reconciler<OCIRepository> for OCIRepositoryReconciler {
    async fn reconcile(
        &self,
        obj: Arc<OCIRepository>,
        ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let advertised = obj.status.as_ref().and_then(|s| s.artifact.as_ref());
        let current = stored_artifact(&self.storage, &ctx, obj.as_ref(), advertised).await;
        let work = work_dir(&self.work_dir, obj.as_ref(), &FAILURES)?;
        let source = self
            .reconcile_source(&obj, &ctx, current.as_ref(), work.path())
            .await
            .map_err(|e| drop_failed_verification(&obj, e))?;
        let Some(pulled) = &source.pulled else {
            let artifact = current.unwrap_or_else(|| unreachable!("pulled unless stored"));
            record_up_to_date(&ctx, obj.as_ref(), &artifact.revision).await;
            return Ok(success(&obj, artifact, &source, None));
        };
        let artifact = self.reconcile_artifact(&obj, &source, pulled).await?;
        drop(work);
        collect_garbage(&self.storage, &ctx, obj.as_ref(), &artifact).await;
        self.notify(&ctx, &obj, &artifact).await;
        let url = self
            .storage
            .url_for(&sibling(&artifact.path, "latest.tar.gz"));
        Ok(success(&obj, artifact, &source, Some(url)))
    }

    async fn cleanup(
        &self,
        obj: Arc<OCIRepository>,
        ctx: Arc<Context>,
    ) -> Result<(), ReconcileError> {
        remove_all_artifacts(&self.storage, &ctx, obj.as_ref()).await
    }
}

/// Flux deletes a failed SourceVerified before the source step: a reconcile that fails before
/// verifying again must not keep the old failure.
fn drop_failed_verification(obj: &OCIRepository, err: ReconcileError) -> ReconcileError {
    let verification_failed = obj.status_conditions().iter().any(|c| {
        c.type_ == source_condition::SOURCE_VERIFIED && c.status == ConditionStatus::False
    });
    let marks_verification = err
        .conditions
        .iter()
        .any(|(t, _)| t == source_condition::SOURCE_VERIFIED);
    if verification_failed && !marks_verification {
        err.removing(&[source_condition::SOURCE_VERIFIED])
    } else {
        err
    }
}

/// The ignore rules and layer selector differ from those the stored artifact was made with.
fn content_config_changed(obj: &OCIRepository) -> bool {
    let status = obj.status.as_ref();
    obj.spec.ignore.as_ref() != status.and_then(|s| s.observed_ignore.as_ref())
        || obj.spec.layer_selector.as_ref()
            != status.and_then(|s| s.observed_layer_selector.as_ref())
}

impl OCIRepositoryReconciler {
    async fn reconcile_source(
        &self,
        obj: &OCIRepository,
        ctx: &Context,
        current: Option<&Artifact>,
        dir: &Path,
    ) -> Result<Source, ReconcileError> {
        let spec = &obj.spec;
        let url = &spec.url;
        let repository = Repository::parse(url).map_err(|e| {
            fetch_failed(
                Disposition::Stalled,
                source_reason::URL_INVALID,
                format!("URL validation failed for '{url}': {e}"),
            )
        })?;
        let options = self.connect_options(obj, ctx, &repository).await?;
        let client = RegistryClient::new(options).map_err(|e| {
            fetch_failed(
                Disposition::Backoff,
                source_reason::AUTHENTICATION_FAILED,
                format!("failed to generate transport for '{url}': {e}"),
            )
        })?;
        let reference = artifact_reference(obj, &client, &repository).await?;
        let revision = match reference.digest() {
            Some(digest) if reference.tag().is_none() => digest.to_string(),
            _ => {
                let digest = client.digest(&reference).await.map_err(|e| {
                    fetch_failed(
                        Disposition::Backoff,
                        OCI_PULL_FAILED_REASON,
                        format!("failed to determine artifact digest: {e}"),
                    )
                })?;
                format!("{}@{digest}", reference.tag().unwrap_or("latest"))
            }
        };
        let digest = digest_of(&revision).to_string();
        let stored_revision = current.map(|a| a.revision.as_str());
        let verification = self
            .verify(
                obj,
                ctx,
                &client,
                &repository,
                &digest,
                stored_revision == Some(revision.as_str()),
                &revision,
            )
            .await?;
        if stored_revision == Some(revision.as_str()) && !content_config_changed(obj) {
            return Ok(Source {
                revision,
                reference: reference.whole(),
                verification,
                pulled: None,
            });
        }
        let digest_ref = repository.digest(&digest);
        let pull_failed = |e: crate::oci::RegistryError| {
            fetch_failed(
                Disposition::Backoff,
                OCI_PULL_FAILED_REASON,
                format!("failed to pull artifact from '{url}': {e}"),
            )
        };
        let (manifest, _) = client.manifest(&digest_ref).await.map_err(pull_failed)?;
        let layer_failed = |message: String| {
            fetch_failed(
                Disposition::Backoff,
                OCI_LAYER_OPERATION_FAILED_REASON,
                message,
            )
        };
        let wanted = spec
            .layer_selector
            .as_ref()
            .and_then(|s| s.media_type.as_deref())
            .filter(|m| !m.is_empty());
        let layer = match wanted {
            _ if manifest.layers.is_empty() => {
                return Err(layer_failed("no layers found in artifact".into()));
            }
            Some(media_type) => manifest
                .layers
                .iter()
                .find(|l| l.media_type == media_type)
                .ok_or_else(|| {
                    layer_failed(format!(
                        "failed to find layer with media type '{media_type}' in artifact"
                    ))
                })?,
            None => &manifest.layers[0],
        };
        let download = dir.join("layer.tgz");
        client
            .blob_to_file(&digest_ref, layer, &download)
            .await
            .map_err(|e| {
                layer_failed(format!(
                    "failed to extract the first layer from artifact: {e}"
                ))
            })?;
        let content = match spec.layer_operation() {
            OCILayerOperation::Copy => download,
            OCILayerOperation::Extract => {
                let out = dir.join("content");
                let archive = download.clone();
                let target = out.clone();
                blocking(move || {
                    std::fs::create_dir_all(&target)?;
                    let file = std::fs::File::open(&archive)?;
                    let limits = ExtractLimits {
                        skip_symlinks: true,
                        ..ExtractLimits::default()
                    };
                    extract_tar_gz(std::io::BufReader::new(file), &target, limits)
                        .map(|_| ())
                        .map_err(std::io::Error::other)
                })
                .await?
                .map_err(|e| {
                    layer_failed(format!(
                        "failed to extract layer contents from artifact: {e}"
                    ))
                })?;
                out
            }
        };
        Ok(Source {
            revision,
            reference: reference.whole(),
            verification,
            pulled: Some(Pulled {
                annotations: manifest.annotations.unwrap_or_default(),
                content,
            }),
        })
    }

    /// Credentials, proxy and TLS, from the Secrets the object names.
    async fn connect_options(
        &self,
        obj: &OCIRepository,
        ctx: &Context,
        repository: &Repository,
    ) -> Result<ConnectOptions, ReconcileError> {
        let spec = &obj.spec;
        let namespace = names(obj).namespace;
        let auth_failed = |message: String| {
            fetch_failed(
                Disposition::Backoff,
                source_reason::AUTHENTICATION_FAILED,
                message,
            )
        };
        let keychain = keychain(obj, ctx)
            .await
            .map_err(|e| auth_failed(format!("failed to get credential: {e}")))?;
        if spec.provider() != flux_api::source::OCIProvider::Generic && keychain.is_empty() {
            return Err(fetch_failed(
                Disposition::Stalled,
                source_reason::AUTHENTICATION_FAILED,
                format!(
                    "failed to get credential from {}: workload identity is not supported by this source-controller yet; use provider 'generic' with a secretRef",
                    provider_name(spec.provider())
                ),
            ));
        }
        let proxy = match &spec.proxy_secret_ref {
            Some(r) => {
                let secret = format!("{namespace}/{}", r.name);
                let data = secret_data(ctx, &namespace, &r.name)
                    .await
                    .map_err(|e| auth_failed(format!("failed to get proxy address: {e}")))?;
                let url = proxy_url(&secret, &data)
                    .map_err(|e| auth_failed(format!("failed to get proxy address: {e}")))?;
                Some(url.to_string())
            }
            None => None,
        };
        let transport_failed = |e: String| {
            auth_failed(format!(
                "failed to generate transport for '{}': {e}",
                spec.url
            ))
        };
        let ca_pem = match spec.cert_secret_ref.as_ref().filter(|r| !r.name.is_empty()) {
            Some(r) => {
                let secret = format!("{namespace}/{}", r.name);
                let data = secret_data(ctx, &namespace, &r.name)
                    .await
                    .map_err(transport_failed)?;
                let tls =
                    tls_from_secret(&secret, &data).map_err(|e| transport_failed(e.to_string()))?;
                if tls.cert_pair.is_some() {
                    // oci-client builds its own HTTP client and takes no client identity.
                    return Err(fetch_failed(
                        Disposition::Stalled,
                        source_reason::AUTHENTICATION_FAILED,
                        format!(
                            "failed to generate transport for '{}': client certificates (tls.crt, tls.key in secret '{secret}') are not supported for OCI registries by this source-controller yet",
                            spec.url
                        ),
                    ));
                }
                tls.ca
            }
            None => None,
        };
        let timeout = match spec.timeout.as_deref() {
            Some(t) => parse_duration(t).unwrap_or(DEFAULT_TIMEOUT),
            None => DEFAULT_TIMEOUT,
        };
        Ok(ConnectOptions {
            insecure: spec.insecure.unwrap_or(false),
            ca_pem,
            proxy,
            timeout: Some(timeout),
            credentials: keychain
                .lookup(&repository.registry, &repository.repository)
                .cloned(),
        })
    }

    /// Flux verifies when the revision or the generation changed, or the last try failed.
    #[allow(clippy::too_many_arguments)]
    async fn verify(
        &self,
        obj: &OCIRepository,
        ctx: &Context,
        client: &RegistryClient,
        repository: &Repository,
        digest: &str,
        stored: bool,
        revision: &str,
    ) -> Result<Verification, ReconcileError> {
        let Some(verify) = &obj.spec.verify else {
            return Ok(Verification::Off);
        };
        let conditions = obj.status_conditions();
        let previous = conditions
            .iter()
            .find(|c| c.type_ == source_condition::SOURCE_VERIFIED);
        let generation = obj.metadata.generation;
        if stored
            && previous.is_some_and(|c| {
                c.status == ConditionStatus::True && c.observed_generation == generation
            })
        {
            return Ok(Verification::Kept);
        }
        let keyless =
            verify.secret_ref.is_none() && verify.provider == VerificationProvider::Cosign;
        let provider = match (verify.provider, keyless) {
            (VerificationProvider::Cosign, false) => "cosign",
            (VerificationProvider::Cosign, true) => "cosign keyless",
            (VerificationProvider::Notation, _) => "notation",
        };
        let failed = |disposition: Disposition, message: String| {
            fail(
                source_condition::SOURCE_VERIFIED,
                disposition,
                source_reason::VERIFICATION_ERROR,
                format!("failed to verify the signature using provider '{provider}': {message}"),
            )
        };
        let secret_ref = match (verify.provider, &verify.secret_ref) {
            (VerificationProvider::Notation, _) => {
                return Err(failed(
                    Disposition::Stalled,
                    "notation signatures cannot be verified by this source-controller yet".into(),
                ));
            }
            (VerificationProvider::Cosign, None) => {
                return Err(failed(
                    Disposition::Stalled,
                    "keyless verification (Fulcio certificates, Rekor) is not supported by this source-controller yet; verify with public keys in spec.verify.secretRef".into(),
                ));
            }
            (VerificationProvider::Cosign, Some(r)) => r,
        };
        let namespace = names(obj).namespace;
        let data = secret_data(ctx, &namespace, &secret_ref.name)
            .await
            .map_err(|e| failed(Disposition::Backoff, e))?;
        let timeout = client.options().timeout.unwrap_or(DEFAULT_TIMEOUT);
        cosign::verify_with_secret_keys(client.options(), repository, digest, data, timeout)
            .await
            .map_err(|e| failed(Disposition::Backoff, e.to_string()))?;
        Ok(Verification::Verified(format!(
            "verified signature of revision {revision}"
        )))
    }

    async fn reconcile_artifact(
        &self,
        obj: &OCIRepository,
        source: &Source,
        pulled: &Pulled,
    ) -> Result<Artifact, ReconcileError> {
        let n = names(obj);
        let artifact = self.storage.artifact_for(
            KIND,
            &n.namespace,
            &n.name,
            &source.revision,
            &format!("{}.tar.gz", digest_of(&source.revision)),
        );
        let storage = self.storage.clone();
        let content = pulled.content.clone();
        let copy = obj.spec.layer_operation() == OCILayerOperation::Copy;
        let spec_ignore = obj.spec.ignore.clone();
        let mut artifact = blocking(move || {
            store_artifact(
                &storage,
                artifact,
                "latest.tar.gz",
                &FAILURES,
                |storage, artifact| {
                    if !copy {
                        return archive_source(
                            storage,
                            artifact,
                            &content,
                            spec_ignore.as_deref(),
                            &FAILURES,
                        );
                    }
                    storage
                        .write_with(artifact, |w| {
                            let mut file = std::fs::File::open(&content)?;
                            std::io::copy(&mut file, w).map(|_| ())
                        })
                        .map_err(|e| {
                            storage_failed(
                                source_reason::ARCHIVE_OPERATION_FAILED,
                                format!("unable to copy artifact to storage: {e}"),
                            )
                        })
                },
            )
        })
        .await??;
        if !pulled.annotations.is_empty() {
            artifact.metadata = Some(pulled.annotations.clone());
        }
        Ok(artifact)
    }

    /// Flux's `notify`: NewArtifact when the digest changed, Succeeded on recovery.
    async fn notify(&self, ctx: &Context, obj: &OCIRepository, artifact: &Artifact) {
        let mut message = format!(
            "stored artifact with revision '{}' from '{}'",
            artifact.revision, obj.spec.url
        );
        if let Some(meta) = &artifact.metadata
            && let (Some(source), Some(revision)) =
                (meta.get(SOURCE_ANNOTATION), meta.get(REVISION_ANNOTATION))
            && !source.is_empty()
            && !revision.is_empty()
        {
            message.push_str(&format!(
                ", origin source '{source}', origin revision '{revision}'"
            ));
        }
        let previous = obj.status.as_ref().and_then(|s| s.artifact.as_ref());
        notify_artifact(
            ctx,
            obj,
            previous.map(|a| a.digest.as_str()),
            artifact,
            (source_reason::NEW_ARTIFACT, reason::SUCCEEDED),
            &message,
        )
        .await;
    }
}

/// The reference to pull: spec.ref's digest, else the newest tag in its semver range, else
/// its tag, else `latest`.
async fn artifact_reference(
    obj: &OCIRepository,
    client: &RegistryClient,
    repository: &Repository,
) -> Result<Reference, ReconcileError> {
    let reference = obj.spec.reference.clone().unwrap_or_default();
    if let Some(digest) = reference.digest.as_deref().filter(|d| !d.is_empty()) {
        return Ok(repository.digest(digest));
    }
    let tag_failed = |message: String| {
        fetch_failed(
            Disposition::Backoff,
            source_reason::READ_OPERATION_FAILED,
            format!(
                "failed to determine the artifact tag for '{}': {message}",
                obj.spec.url
            ),
        )
    };
    if let Some(range) = reference.semver.as_deref().filter(|s| !s.is_empty()) {
        let tags = client
            .tags(repository)
            .await
            .map_err(|e| tag_failed(e.to_string()))?;
        let media_type = obj
            .spec
            .layer_selector
            .as_ref()
            .and_then(|s| s.media_type.as_deref())
            .unwrap_or_default();
        let tag = newest_in_range(
            &tags,
            range,
            reference.semver_filter.as_deref().unwrap_or_default(),
            media_type,
        )
        .map_err(tag_failed)?;
        return Ok(repository.tag(&tag));
    }
    match reference.tag.as_deref().filter(|t| !t.is_empty()) {
        Some(tag) => Ok(repository.tag(tag)),
        None => Ok(repository.tag("latest")),
    }
}

/// Flux's `getTagBySemver`: the tags that match `filter` (a regular expression) and parse as
/// strict semver (a leading "v" allowed), newest first within `range`.
pub fn newest_in_range(
    tags: &[String],
    range: &str,
    filter: &str,
    media_type: &str,
) -> Result<String, String> {
    use flux_helm::funcs::semver::{Version, satisfies};
    let filter = if filter.is_empty() {
        None
    } else {
        Some(regex::Regex::new(filter).map_err(|e| e.to_string())?)
    };
    let probe = Version::parse("0.0.0").unwrap_or_else(|| unreachable!("a valid version"));
    satisfies(range, &probe).map_err(|e| format!("semver '{range}' parse error: {e}"))?;
    let helm_chart = media_type == HELM_CHART_LAYER;
    let mut best: Option<Version> = None;
    for tag in tags {
        if filter.as_ref().is_some_and(|f| !f.is_match(tag)) {
            continue;
        }
        let semver_tag = if helm_chart {
            tag.replace('_', "+")
        } else {
            tag.clone()
        };
        let Some(version) = Version::parse_strict(&semver_tag) else {
            continue;
        };
        if !satisfies(range, &version).unwrap_or(false) {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| version.compare(b) == std::cmp::Ordering::Greater)
        {
            best = Some(version);
        }
    }
    let best = best.ok_or_else(|| format!("no match found for semver: {range}"))?;
    Ok(if helm_chart {
        best.original.replace('+', "_")
    } else {
        best.original
    })
}

/// The pull Secrets: spec.secretRef, then the ServiceAccount's image pull secrets.
async fn keychain(obj: &OCIRepository, ctx: &Context) -> Result<Keychain, String> {
    let namespace = names(obj).namespace;
    let mut keychain = Keychain::default();
    if let Some(r) = &obj.spec.secret_ref {
        let data = secret_data(ctx, &namespace, &r.name).await?;
        keychain
            .add_secret(&format!("{namespace}/{}", r.name), &data)
            .map_err(|e| e.to_string())?;
    }
    if let Some(sa) = obj
        .spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        let api: Api<ServiceAccount> = Api::namespaced(ctx.client.clone(), &namespace);
        let account = api.get(sa).await.map_err(|e| match &e {
            kube::Error::Api(s) if s.code == 404 => {
                format!("serviceaccount '{namespace}/{sa}' not found")
            }
            _ => format!(
                "failed to get serviceaccount '{namespace}/{sa}': {}",
                kube_message(&e)
            ),
        })?;
        for secret in account.image_pull_secrets.unwrap_or_default() {
            let data = secret_data(ctx, &namespace, &secret.name)
                .await
                .map_err(|e| {
                    format!(
                        "failed to get image pull secret for serviceaccount '{namespace}/{sa}': {e}"
                    )
                })?;
            keychain
                .add_secret(&format!("{namespace}/{}", secret.name), &data)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(keychain)
}

fn provider_name(provider: flux_api::source::OCIProvider) -> String {
    serde_json::to_value(provider)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `sha256:<hex>` of `<tag>@sha256:<hex>` or of a bare digest.
fn digest_of(revision: &str) -> &str {
    revision.rsplit_once('@').map_or(revision, |(_, d)| d)
}

fn or_null<T: serde::Serialize>(value: Option<T>) -> Value {
    value.map_or(Value::Null, |v| json!(v))
}

fn success(
    obj: &OCIRepository,
    artifact: Artifact,
    source: &Source,
    url: Option<String>,
) -> Outcome {
    let message = format!("stored artifact for digest '{}'", artifact.revision);
    let mut status = Map::new();
    if let Some(url) = url {
        status.insert("url".into(), json!(url));
    }
    status.insert("artifact".into(), json!(artifact));
    status.insert("observedIgnore".into(), or_null(obj.spec.ignore.as_ref()));
    status.insert(
        "observedLayerSelector".into(),
        or_null(obj.spec.layer_selector.as_ref()),
    );
    let mut conditions = vec![(
        source_condition::ARTIFACT_IN_STORAGE.to_string(),
        ConditionStatus::True,
        reason::SUCCEEDED.to_string(),
        message.clone(),
    )];
    let mut remove_conditions: Vec<String> =
        NEGATIVE_CONDITIONS.iter().map(|c| c.to_string()).collect();
    match &source.verification {
        Verification::Off => remove_conditions.push(source_condition::SOURCE_VERIFIED.into()),
        Verification::Kept => {}
        Verification::Verified(message) => conditions.push((
            source_condition::SOURCE_VERIFIED.into(),
            ConditionStatus::True,
            reason::SUCCEEDED.into(),
            message.clone(),
        )),
    }
    tracing::debug!(reference = %source.reference, revision = %source.revision, "reconciled");
    Outcome {
        reason: reason::SUCCEEDED.into(),
        message,
        status,
        conditions,
        remove_conditions,
        requeue_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn semver_picks_the_newest_strict_tag_in_range() {
        let all = tags(&[
            "1.0.0",
            "1.1.0",
            "v1.2.0",
            "2.0.0-rc.1",
            "1.3",
            "latest",
            "1.10.0",
        ]);
        assert_eq!(
            newest_in_range(&all, ">=1.0.0 <2.0.0", "", "").unwrap(),
            "1.10.0"
        );
        assert_eq!(newest_in_range(&all, "~1.2", "", "").unwrap(), "v1.2.0");
        assert_eq!(
            newest_in_range(&all, ">=2.0.0-0", "", "").unwrap(),
            "2.0.0-rc.1"
        );
        assert_eq!(
            newest_in_range(&all, "*", "^1\\.[01]\\.", "").unwrap(),
            "1.1.0"
        );
        assert_eq!(
            newest_in_range(&all, ">=3.0.0", "", "").unwrap_err(),
            "no match found for semver: >=3.0.0"
        );
        assert!(
            newest_in_range(&all, "not a range", "", "")
                .unwrap_err()
                .starts_with("semver 'not a range' parse error")
        );
        assert!(newest_in_range(&all, "*", "(", "").is_err());
    }

    #[test]
    fn helm_chart_tags_map_underscores_to_plus() {
        let all = tags(&["0.1.0_build.1", "0.2.0_build.2", "0.1.5"]);
        assert_eq!(
            newest_in_range(&all, "*", "", HELM_CHART_LAYER).unwrap(),
            "0.2.0_build.2"
        );
        // Without the chart media type the underscores are not semver at all.
        assert_eq!(newest_in_range(&all, "*", "", "").unwrap(), "0.1.5");
    }

    #[test]
    fn revisions_and_links() {
        assert_eq!(digest_of("latest@sha256:ab"), "sha256:ab");
        assert_eq!(digest_of("sha256:ab"), "sha256:ab");
        assert_eq!(
            sibling("ocirepository/ns/app/sha256:ab.tar.gz", "latest.tar.gz"),
            "ocirepository/ns/app/latest.tar.gz"
        );
    }
}
