//! Bucket: the objects of an S3-compatible bucket become an artifact (Flux's
//! `bucket_controller.go`, its `generic` and `aws` providers through the Apache Arrow project's
//! `object_store`).
//!
//! The steps run in Flux's order: storage (garbage collection, is the advertised artifact still
//! there and intact), source (credentials, proxy and TLS from the Secrets; the index: every
//! object under spec.prefix with its ETag, less the bucket's `.sourceignore` and spec.ignore;
//! the revision is the digest of the sorted `<key> <etag>` lines; only when it differs from the
//! stored revision are the objects downloaded, concurrently), artifact (the downloaded tree
//! archived to `<hex>.tar.gz`).

use crate::ignore::{self, IgnoreMatcher};
use crate::reconcile::{
    StorageFailures, blocking, collect_garbage, lock_failed, names, notify_artifact,
    record_up_to_date, remove_all_artifacts, secret_data, sibling, step_failed, store_artifact,
    stored_artifact, work_dir,
};
use crate::storage::{Storage, secure_join};
use flux_api::ConditionStatus;
use flux_api::meta::{Artifact, reason};
use flux_api::source::{
    BUCKET_OPERATION_FAILED_REASON, Bucket, BucketProvider, condition_type as source_condition,
    reason as source_reason,
};
use flux_runtime::duration::parse_duration;
use flux_runtime::reconcile::{Context, Disposition, Outcome, ReconcileError, Reconciler};
use flux_runtime::secrets::{proxy_url, tls_from_secret};
use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::path::Path as ObjectPath;
use object_store::{ClientOptions, GetOptions, ObjectStore, ObjectStoreExt, RetryConfig};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const KIND: &str = "Bucket";
/// `spec.timeout` when unset.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Flux's `maxConcurrentBucketFetches`.
const MAX_CONCURRENT_FETCHES: usize = 100;
/// The ignore file read from the bucket's root.
const IGNORE_FILE: &str = ".sourceignore";

/// Conditions that only exist while a step fails; removed once the reconcile succeeds.
const NEGATIVE_CONDITIONS: [&str; 3] = [
    source_condition::FETCH_FAILED,
    source_condition::STORAGE_OPERATION_FAILED,
    source_condition::ARTIFACT_OUTDATED,
];

fn fetch_failed(
    disposition: Disposition,
    reason: &str,
    message: impl Into<String>,
) -> ReconcileError {
    step_failed(
        &NEGATIVE_CONDITIONS,
        source_condition::FETCH_FAILED,
        ConditionStatus::True,
        disposition,
        reason,
        message,
    )
}

fn storage_failed(reason: &str, message: impl Into<String>) -> ReconcileError {
    step_failed(
        &NEGATIVE_CONDITIONS,
        source_condition::STORAGE_OPERATION_FAILED,
        ConditionStatus::True,
        Disposition::Backoff,
        reason,
        message,
    )
}

/// The artifact step's failures, as Flux's Bucket reconciler reports them.
const FAILURES: StorageFailures = StorageFailures {
    storage: |reason, message| storage_failed(reason, message),
    lock: lock_failed,
};

fn bucket_failed(message: impl Into<String>) -> ReconcileError {
    fetch_failed(
        Disposition::Backoff,
        BUCKET_OPERATION_FAILED_REASON,
        message,
    )
}

/// Reconciles Bucket objects into artifacts in `storage`.
pub struct BucketReconciler {
    storage: Arc<Storage>,
    /// Where objects are downloaded.
    work_dir: PathBuf,
}

impl BucketReconciler {
    pub fn new(storage: Arc<Storage>, work_dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(work_dir)?;
        flux_runtime::client::install_crypto_provider();
        Ok(BucketReconciler {
            storage,
            work_dir: work_dir.to_path_buf(),
        })
    }
}

/// Object keys and their ETags, as Flux's `index.Digester`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EtagIndex {
    entries: BTreeMap<String, String>,
}

impl EtagIndex {
    pub fn add(&mut self, key: &str, etag: &str) {
        self.entries.insert(key.to_string(), etag.to_string());
    }

    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The digest of `<key> <etag>\n` for every entry, sorted by key.
    pub fn digest(&self, algorithm: crate::storage::DigestAlgorithm) -> String {
        let mut text = String::new();
        for (key, etag) in &self.entries {
            text.push_str(key);
            text.push(' ');
            text.push_str(etag);
            text.push('\n');
        }
        algorithm.digest(text.as_bytes())
    }
}

impl Reconciler<Bucket> for BucketReconciler {
    async fn reconcile(
        &self,
        obj: Arc<Bucket>,
        ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let advertised = obj.status.as_ref().and_then(|s| s.artifact.as_ref());
        let current = stored_artifact(&self.storage, &ctx, obj.as_ref(), advertised).await;
        let work = work_dir(&self.work_dir, obj.as_ref(), &FAILURES)?;
        let timeout = obj
            .spec
            .timeout
            .as_deref()
            .and_then(|t| parse_duration(t).ok())
            .unwrap_or(DEFAULT_TIMEOUT);
        let store = self.client(&obj, &ctx, timeout).await?;
        let mut index = with_timeout(timeout, index_objects(store.as_ref(), &obj)).await?;
        let revision = index.digest(self.storage.algorithm);
        if let Some(artifact) = current.as_ref().filter(|a| a.revision == revision) {
            record_up_to_date(&ctx, obj.as_ref(), &revision).await;
            return Ok(success(&obj, artifact.clone(), None));
        }
        let content = work.path().join("content");
        std::fs::create_dir_all(&content).map_err(|e| {
            storage_failed(
                source_reason::DIR_CREATION_FAILED,
                format!("failed to create temporary working directory: {e}"),
            )
        })?;
        with_timeout(
            timeout,
            fetch_objects(store.as_ref(), &obj, &mut index, &content),
        )
        .await?;
        // Objects replaced while they were fetched are in the index with their new ETag.
        let revision = index.digest(self.storage.algorithm);
        let artifact = self.store(&obj, &revision, &content).await?;
        drop(work);
        collect_garbage(&self.storage, &ctx, obj.as_ref(), &artifact).await;
        self.notify(&ctx, &obj, &artifact, index.len()).await;
        let url = self
            .storage
            .url_for(&sibling(&artifact.path, "latest.tar.gz"));
        Ok(success(&obj, artifact, Some(url)))
    }

    async fn cleanup(&self, obj: Arc<Bucket>, ctx: Arc<Context>) -> Result<(), ReconcileError> {
        remove_all_artifacts(&self.storage, &ctx, obj.as_ref()).await
    }
}

/// Flux bounds the index and the downloads by spec.timeout.
async fn with_timeout<T>(
    timeout: Duration,
    work: impl Future<Output = Result<T, ReconcileError>>,
) -> Result<T, ReconcileError> {
    tokio::time::timeout(timeout, work)
        .await
        .unwrap_or_else(|_| {
            Err(bucket_failed(format!(
                "context deadline exceeded after {}",
                flux_runtime::duration::format_duration(timeout)
            )))
        })
}

impl BucketReconciler {
    /// The S3 client, from the provider, endpoint and Secrets.
    async fn client(
        &self,
        obj: &Bucket,
        ctx: &Context,
        timeout: Duration,
    ) -> Result<Arc<dyn ObjectStore>, ReconcileError> {
        let spec = &obj.spec;
        let namespace = names(obj).namespace;
        let auth_failed = |message: String| {
            fetch_failed(
                Disposition::Backoff,
                source_reason::AUTHENTICATION_FAILED,
                message,
            )
        };
        let provider = spec.provider();
        if provider == BucketProvider::Gcp {
            return Err(fetch_failed(
                Disposition::Stalled,
                source_reason::INVALID_PROVIDER_CONFIGURATION,
                format!(
                    "provider '{}' is not supported by this source-controller yet: use provider 'generic', 'aws' or 'azure'",
                    serde_json::to_value(provider)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
            ));
        }
        if spec.sts.is_some() {
            return Err(fetch_failed(
                Disposition::Stalled,
                source_reason::INVALID_STS_CONFIGURATION,
                "spec.sts is not supported by this source-controller yet",
            ));
        }
        let secret = match &spec.secret_ref {
            Some(r) => Some((
                r.name.clone(),
                secret_data(ctx, &namespace, &r.name)
                    .await
                    .map_err(auth_failed)?,
            )),
            None => None,
        };
        let mut options = ClientOptions::new()
            .with_allow_http(spec.insecure.unwrap_or(false))
            .with_timeout(timeout);
        if let Some(r) = &spec.proxy_secret_ref {
            let data = secret_data(ctx, &namespace, &r.name)
                .await
                .map_err(|e| auth_failed(format!("failed to get proxy URL: {e}")))?;
            let url = proxy_url(&format!("{namespace}/{}", r.name), &data)
                .map_err(|e| auth_failed(format!("failed to get proxy URL: {e}")))?;
            options = options.with_proxy_url(url.to_string());
        }
        if let Some(r) = &spec.cert_secret_ref {
            let secret = format!("{namespace}/{}", r.name);
            let tls_failed = |e: String| auth_failed(format!("failed to get TLS config: {e}"));
            let data = secret_data(ctx, &namespace, &r.name)
                .await
                .map_err(tls_failed)?;
            let tls = tls_from_secret(&secret, &data).map_err(|e| tls_failed(e.to_string()))?;
            if tls.cert_pair.is_some() {
                return Err(fetch_failed(
                    Disposition::Stalled,
                    source_reason::AUTHENTICATION_FAILED,
                    format!(
                        "failed to get TLS config: client certificates (tls.crt, tls.key in secret '{secret}') are not supported for buckets by this source-controller yet"
                    ),
                ));
            }
            if let Some(ca) = tls.ca {
                let certificate = object_store::Certificate::from_pem(&ca)
                    .map_err(|_| tls_failed("failed to parse CA certificate".into()))?;
                options = options.with_root_certificate(certificate);
            }
        }
        let scheme = if spec.insecure.unwrap_or(false) {
            "http"
        } else {
            "https"
        };
        let endpoint = if spec.endpoint.contains("://") {
            spec.endpoint.clone()
        } else {
            format!("{scheme}://{}", spec.endpoint)
        };
        // Failures surface at once; the reconcile is retried with backoff.
        let retry = RetryConfig {
            max_retries: 0,
            ..RetryConfig::default()
        };
        let insecure = spec.insecure.unwrap_or(false);
        let built = if provider == BucketProvider::Azure {
            azure_store(spec, endpoint, secret.as_ref(), options, retry).map_err(auth_failed)?
        } else {
            s3_store(spec, endpoint, secret.as_ref(), options, retry, insecure)
                .map_err(auth_failed)?
        };
        Ok(built)
    }

    async fn store(
        &self,
        obj: &Bucket,
        revision: &str,
        dir: &Path,
    ) -> Result<Artifact, ReconcileError> {
        let n = names(obj);
        let hex = revision.split_once(':').map_or(revision, |(_, h)| h);
        let artifact = self.storage.artifact_for(
            KIND,
            &n.namespace,
            &n.name,
            revision,
            &format!("{hex}.tar.gz"),
        );
        let storage = self.storage.clone();
        let dir = dir.to_path_buf();
        blocking(move || {
            store_artifact(
                &storage,
                artifact,
                "latest.tar.gz",
                &FAILURES,
                |storage, artifact| {
                    storage.archive(artifact, &dir, None).map_err(|e| {
                        storage_failed(
                            source_reason::ARCHIVE_OPERATION_FAILED,
                            format!("unable to archive artifact to storage: {e}"),
                        )
                    })
                },
            )
        })
        .await?
    }

    /// Flux's `notify`: NewArtifact when the digest changed, Succeeded on recovery.
    async fn notify(&self, ctx: &Context, obj: &Bucket, artifact: &Artifact, files: usize) {
        let message = format!(
            "stored artifact with {files} fetched files from '{}' bucket",
            obj.spec.bucket_name
        );
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

/// A Secret's name and data.
type SecretOf = (String, BTreeMap<String, Vec<u8>>);

/// Providers `generic` and `aws`: S3 with SigV4, path-style.
fn s3_store(
    spec: &flux_api::source::BucketSpec,
    endpoint: String,
    secret: Option<&SecretOf>,
    options: ClientOptions,
    retry: RetryConfig,
    insecure: bool,
) -> Result<Arc<dyn ObjectStore>, String> {
    let provider = spec.provider();
    let mut builder = match (secret, provider) {
        // The AWS chain (environment, web identity, instance metadata) when no Secret.
        (None, BucketProvider::Aws) => AmazonS3Builder::from_env(),
        _ => AmazonS3Builder::new(),
    };
    builder = builder
        .with_endpoint(endpoint)
        .with_bucket_name(&spec.bucket_name)
        .with_region(spec.region.clone().unwrap_or_else(|| "us-east-1".into()))
        .with_virtual_hosted_style_request(false)
        .with_allow_http(insecure)
        .with_client_options(options)
        .with_retry(retry);
    match secret {
        Some((name, data)) => {
            let text = |k: &str| data.get(k).map(|v| String::from_utf8_lossy(v).into_owned());
            let (Some(key), Some(secret_key)) = (text("accesskey"), text("secretkey")) else {
                return Err(format!(
                    "invalid '{name}' secret data: required fields 'accesskey' and 'secretkey'"
                ));
            };
            builder = builder
                .with_access_key_id(key)
                .with_secret_access_key(secret_key);
        }
        None if provider == BucketProvider::Generic => {
            builder = builder.with_skip_signature(true);
        }
        None => {}
    }
    builder
        .build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        .map_err(|e| flux_runtime::errors::error_chain(&e))
}

/// Provider `azure`: the endpoint is the account's URL; the Secret holds `accountKey`,
/// `sasKey`, or a service principal (`tenantId`, `clientId`, `clientSecret`); without one the
/// Azure chain (environment, workload identity, managed identity) is used.
fn azure_store(
    spec: &flux_api::source::BucketSpec,
    endpoint: String,
    secret: Option<&SecretOf>,
    options: ClientOptions,
    retry: RetryConfig,
) -> Result<Arc<dyn ObjectStore>, String> {
    let account = azure_account(&endpoint)?;
    let mut builder = match secret {
        None => MicrosoftAzureBuilder::from_env(),
        Some(_) => MicrosoftAzureBuilder::new(),
    };
    builder = builder
        .with_account(account)
        .with_container_name(&spec.bucket_name)
        .with_endpoint(endpoint.clone())
        .with_client_options(options)
        // Flux's Azure client takes the endpoint's scheme as it is.
        .with_allow_http(endpoint.starts_with("http://"))
        .with_retry(retry);
    if let Some((name, data)) = secret {
        let text = |k: &str| {
            data.get(k)
                .map(|v| String::from_utf8_lossy(v).trim().to_string())
        };
        let has = |k: &str| data.contains_key(k);
        let valid = (has("tenantId")
            && has("clientId")
            && (has("clientSecret") || has("clientCertificate")))
            || has("clientId")
            || has("accountKey")
            || has("sasKey")
            || has("authorityHost");
        if !valid {
            return Err(format!(
                "invalid '{name}' secret data: requires a 'clientId' or 'accountKey' field, a combination of 'tenantId', 'clientId' and 'clientSecret', or 'tenantId', 'clientId' and 'clientCertificate'"
            ));
        }
        if let (Some(tenant), Some(client), Some(client_secret)) =
            (text("tenantId"), text("clientId"), text("clientSecret"))
        {
            builder = builder
                .with_tenant_id(tenant)
                .with_client_id(client)
                .with_client_secret(client_secret);
        } else if has("clientCertificate") {
            return Err(format!(
                "failed to create token credential from '{name}' Secret: client certificate authentication is not supported by this source-controller yet"
            ));
        } else if let Some(key) = text("accountKey") {
            builder = builder.with_access_key(key);
        } else if let Some(sas) = text("sasKey") {
            let sas = sas.trim_start_matches('?').to_string();
            builder = builder.with_config(AzureConfigKey::SasKey, sas);
        } else if let Some(client) = text("clientId") {
            builder = builder.with_client_id(client);
        }
    }
    builder
        .build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        .map_err(|e| flux_runtime::errors::error_chain(&e))
}

/// The storage account of an endpoint: Flux's `extractAccountNameFromEndpoint` (the first label
/// of `<account>.blob.core.windows.net`), or, for an emulator's path-style URL on an address or
/// `localhost` (`http://127.0.0.1:10000/devstoreaccount1`), its first path segment.
fn azure_account(endpoint: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(endpoint)
        .map_err(|e| format!("failed to extract account name from endpoint: {e}"))?;
    let host = url.host_str().unwrap_or_default();
    let is_address =
        host == "localhost" || host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[');
    if is_address {
        return url
            .path_segments()
            .and_then(|mut s| s.next())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| {
                format!("failed to extract account name from endpoint: expected an account in the path of '{endpoint}'")
            });
    }
    let parts: Vec<&str> = host.split('.').collect();
    if parts.len() <= 2 {
        return Err(format!(
            "failed to extract account name from endpoint: expected '{host}' to be a subdomain"
        ));
    }
    Ok(parts[0].to_string())
}

/// S3 ETags come quoted; Flux's client (minio-go) strips the quotes.
fn etag(value: Option<&str>) -> String {
    value.unwrap_or_default().trim_matches('"').to_string()
}

/// Flux's `fetchEtagIndex`: the bucket's `.sourceignore` and spec.ignore, then every object
/// under spec.prefix that they do not exclude.
async fn index_objects(store: &dyn ObjectStore, obj: &Bucket) -> Result<EtagIndex, ReconcileError> {
    let bucket = &obj.spec.bucket_name;
    let mut patterns = match store.get(&ObjectPath::from(IGNORE_FILE)).await {
        Ok(found) => {
            let bytes = found.bytes().await.map_err(|e| {
                bucket_failed(format!(
                    "failed to get Etag for '{IGNORE_FILE}' object: {}",
                    sanitize(&e)
                ))
            })?;
            ignore::read_patterns(&String::from_utf8_lossy(&bytes), &[])
        }
        Err(object_store::Error::NotFound { .. }) => Vec::new(),
        Err(e) => {
            return Err(bucket_failed(not_found_or(bucket, &e, || {
                format!(
                    "failed to get Etag for '{IGNORE_FILE}' object: {}",
                    sanitize(&e)
                )
            })));
        }
    };
    if let Some(text) = &obj.spec.ignore {
        patterns.extend(ignore::read_patterns(text, &[]));
    }
    let matcher = IgnoreMatcher::new(patterns);
    let prefix = obj.spec.prefix.clone().unwrap_or_default();
    // object_store lists by whole path segments; S3 prefixes are plain string prefixes.
    let listed = prefix
        .rsplit_once('/')
        .map(|(dir, _)| ObjectPath::from(dir));
    let mut index = EtagIndex::default();
    let mut objects = store.list(listed.as_ref());
    while let Some(meta) = objects.next().await {
        let meta = meta.map_err(|e| {
            bucket_failed(not_found_or(bucket, &e, || {
                format!(
                    "indexation of objects from bucket '{bucket}' failed: listing objects from bucket '{bucket}' failed: {}",
                    sanitize(&e)
                )
            }))
        })?;
        let key = meta.location.as_ref();
        if !key.starts_with(&prefix) || key.ends_with('/') || key == IGNORE_FILE {
            continue;
        }
        let parts: Vec<&str> = key.split('/').collect();
        if matcher.is_excluded(&parts, false) {
            continue;
        }
        index.add(key, &etag(meta.e_tag.as_deref()));
    }
    Ok(index)
}

/// "bucket '<name>' not found" for a missing bucket, else `other()`.
fn not_found_or(bucket: &str, e: &object_store::Error, other: impl FnOnce() -> String) -> String {
    let text = e.to_string();
    if text.contains("NoSuchBucket") || text.contains("ContainerNotFound") {
        format!("bucket '{bucket}' not found")
    } else {
        other()
    }
}

/// The error's chain without the response body's request details.
fn sanitize(e: &object_store::Error) -> String {
    flux_runtime::errors::error_chain(e)
}

/// Flux's `fetchIndexFiles`: every indexed object into `dir`, at most 100 at a time; one that
/// disappeared since the listing leaves the index, one that changed keeps its new ETag.
async fn fetch_objects(
    store: &dyn ObjectStore,
    obj: &Bucket,
    index: &mut EtagIndex,
    dir: &Path,
) -> Result<(), ReconcileError> {
    let bucket = obj.spec.bucket_name.clone();
    let keys: Vec<(String, String)> = index
        .entries
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let results: Vec<(String, Option<String>)> = futures::stream::iter(keys)
        .map(|(key, listed)| {
            let bucket = bucket.clone();
            async move {
                let failed = |message: String| {
                    bucket_failed(format!("fetch from bucket '{bucket}' failed: {message}"))
                };
                let target = secure_join(dir, &key).map_err(|e| {
                    failed(format!("failed to resolve path for '{key}' object: {e}"))
                })?;
                let options = GetOptions {
                    if_match: (!listed.is_empty()).then(|| format!("\"{listed}\"")),
                    ..GetOptions::default()
                };
                let location = ObjectPath::from(key.as_str());
                let result = match store.get_opts(&location, options).await {
                    Ok(r) => r,
                    Err(object_store::Error::NotFound { .. }) => {
                        tracing::info!("indexed object '{key}' disappeared from '{bucket}' bucket");
                        return Ok((key, None));
                    }
                    // Replaced since the listing: fetch what is there now.
                    Err(object_store::Error::Precondition { .. }) => {
                        store.get(&location).await.map_err(|e| {
                            failed(format!("failed to get '{key}' object: {}", sanitize(&e)))
                        })?
                    }
                    Err(e) => {
                        return Err(failed(format!(
                            "failed to get '{key}' object: {}",
                            sanitize(&e)
                        )));
                    }
                };
                let fetched = etag(result.meta.e_tag.as_deref());
                if let Some(parent) = target.parent() {
                    tokio::fs::create_dir_all(parent)
                        .await
                        .map_err(|e| failed(format!("failed to get '{key}' object: {e}")))?;
                }
                let mut file = tokio::fs::File::create(&target)
                    .await
                    .map_err(|e| failed(format!("failed to get '{key}' object: {e}")))?;
                let mut stream = result.into_stream();
                while let Some(chunk) = stream.try_next().await.map_err(|e| {
                    failed(format!("failed to get '{key}' object: {}", sanitize(&e)))
                })? {
                    tokio::io::AsyncWriteExt::write_all(&mut file, &chunk)
                        .await
                        .map_err(|e| failed(format!("failed to get '{key}' object: {e}")))?;
                }
                Ok((key, Some(fetched)))
            }
        })
        .buffer_unordered(MAX_CONCURRENT_FETCHES)
        .try_collect()
        .await?;
    for (key, fetched) in results {
        match fetched {
            None => index.remove(&key),
            Some(etag) => index.add(&key, &etag),
        }
    }
    Ok(())
}

fn success(obj: &Bucket, artifact: Artifact, url: Option<String>) -> Outcome {
    let message = format!("stored artifact: revision '{}'", artifact.revision);
    let mut status = Map::new();
    if let Some(url) = url {
        status.insert("url".into(), json!(url));
    }
    status.insert("artifact".into(), json!(artifact));
    status.insert(
        "observedIgnore".into(),
        obj.spec.ignore.as_ref().map_or(Value::Null, |i| json!(i)),
    );
    Outcome {
        reason: reason::SUCCEEDED.into(),
        message: message.clone(),
        status,
        conditions: vec![(
            source_condition::ARTIFACT_IN_STORAGE.into(),
            ConditionStatus::True,
            reason::SUCCEEDED.into(),
            message,
        )],
        remove_conditions: NEGATIVE_CONDITIONS.iter().map(|c| c.to_string()).collect(),
        requeue_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::DigestAlgorithm;

    #[test]
    fn the_revision_is_the_digest_of_sorted_key_etag_lines() {
        let mut index = EtagIndex::default();
        index.add("b.yaml", "2");
        assert_eq!(
            azure_account("https://flux.blob.core.windows.net").unwrap(),
            "flux"
        );
        assert_eq!(
            azure_account("http://127.0.0.1:10000/devstoreaccount1").unwrap(),
            "devstoreaccount1"
        );
        assert!(azure_account("https://windows.net").is_err());
        index.add("a/c.yaml", "1");
        assert_eq!(
            index.digest(DigestAlgorithm::Sha256),
            DigestAlgorithm::Sha256.digest(b"a/c.yaml 1\nb.yaml 2\n")
        );
        index.remove("b.yaml");
        assert_eq!(index.len(), 1);
        assert_eq!(etag(Some("\"abc\"")), "abc");
        assert_eq!(etag(None), "");
    }
}
