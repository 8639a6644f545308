//! GitRepository: a Git repository's checkout becomes a versioned tar.gz artifact.
//!
//! The steps run in Flux's order: storage (garbage collection, is the advertised artifact still
//! there and intact), source (proxy and auth Secrets, included repositories, checkout — one
//! ls-remote when the remote has not moved —, sparse paths, signature verification), include
//! (copy other GitRepositories' artifacts into sub-paths), artifact (archive with the ignore
//! rules, record the observations). Messages and reasons are Flux's.

mod content;
pub mod verify;

use crate::reconcile::{
    StorageFailures, archive_source, blocking, collect_garbage, kube_message, lock_failed, names,
    record, record_up_to_date, remove_all_artifacts, secret_data, sibling, step_failed,
    store_artifact, stored_artifact, was_failing, work_dir,
};
use crate::storage::{Storage, secure_join};
use content::{artifact_set_differs, content_config_changed};
use flux_api::meta::Artifact;
use flux_api::source::{
    GIT_OPERATION_FAILED_REASON, GIT_OPERATION_SUCCEEDED_REASON, GitProvider, GitRepository,
    condition_type as source_condition, reason as source_reason,
};
use flux_api::{ConditionStatus, meta::reason};
use flux_git::{CheckoutOutcome, CheckoutRequest, Commit, GitClient, GitError, Reference};
use flux_runtime::duration::parse_duration;
use flux_runtime::events::Severity;
use flux_runtime::reconcile::{
    Context, Disposition, FluxObject, Outcome, ReconcileError, Reconciler,
};
use kube::Api;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const KIND: &str = "GitRepository";
/// `spec.timeout` when unset.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The negative condition Flux marks for a failure, set next to Ready=False.
#[derive(Debug, Clone, Copy)]
enum Marks {
    FetchFailed,
    IncludeUnavailable,
    StorageOperationFailed,
    SourceVerifiedFalse,
}

impl Marks {
    fn condition(self) -> &'static str {
        match self {
            Marks::FetchFailed => source_condition::FETCH_FAILED,
            Marks::IncludeUnavailable => source_condition::INCLUDE_UNAVAILABLE,
            Marks::StorageOperationFailed => source_condition::STORAGE_OPERATION_FAILED,
            Marks::SourceVerifiedFalse => source_condition::SOURCE_VERIFIED,
        }
    }
}

fn fail(
    marks: Marks,
    disposition: Disposition,
    reason: &str,
    message: impl Into<String>,
) -> ReconcileError {
    let status = match marks {
        Marks::SourceVerifiedFalse => ConditionStatus::False,
        _ => ConditionStatus::True,
    };
    step_failed(
        &NEGATIVE_CONDITIONS,
        marks.condition(),
        status,
        disposition,
        reason,
        message,
    )
}

/// The artifact step's failures, as Flux's GitRepository reconciler reports them.
const FAILURES: StorageFailures = StorageFailures {
    storage: |reason, message| {
        fail(
            Marks::StorageOperationFailed,
            Disposition::Backoff,
            reason,
            message,
        )
    },
    lock: lock_failed,
};

/// Conditions that only exist while a step fails; removed once the reconcile succeeds.
const NEGATIVE_CONDITIONS: [&str; 3] = [
    source_condition::FETCH_FAILED,
    source_condition::INCLUDE_UNAVAILABLE,
    source_condition::STORAGE_OPERATION_FAILED,
];

/// What a successful reconcile removes: the negative conditions, and SourceVerified when the
/// object no longer asks for verification.
fn resolved_conditions(verified: bool) -> Vec<String> {
    let mut resolved: Vec<String> = NEGATIVE_CONDITIONS.iter().map(|c| c.to_string()).collect();
    if !verified {
        resolved.push(source_condition::SOURCE_VERIFIED.into());
    }
    resolved
}

/// Reconciles GitRepository objects into artifacts in `storage`.
pub struct GitRepositoryReconciler {
    storage: Arc<Storage>,
    git: Arc<GitClient>,
    /// Where temporary checkouts are made.
    work_dir: PathBuf,
}

impl GitRepositoryReconciler {
    /// `git_cache_dir` keeps fetched objects between reconciles; `work_dir` holds temporary
    /// checkouts. Neither may be inside the storage (which is served over HTTP).
    pub fn new(
        storage: Arc<Storage>,
        git_cache_dir: &Path,
        work_dir: &Path,
    ) -> Result<Self, GitError> {
        std::fs::create_dir_all(work_dir)?;
        Ok(GitRepositoryReconciler {
            storage,
            git: Arc::new(GitClient::new(git_cache_dir)?),
            work_dir: work_dir.to_path_buf(),
        })
    }
}

/// What reconcile_source found.
struct Source {
    commit: Commit,
    includes: Vec<Artifact>,
    /// (mode, SourceVerified message) when spec.verify is set.
    verification: Option<(&'static str, String)>,
}

impl Reconciler<GitRepository> for GitRepositoryReconciler {
    async fn reconcile(
        &self,
        obj: Arc<GitRepository>,
        ctx: Arc<Context>,
    ) -> Result<Outcome, ReconcileError> {
        let current = self.reconcile_storage(&obj, &ctx).await;
        let checkout_dir = work_dir(&self.work_dir, obj.as_ref(), &FAILURES)?;
        let source = match self
            .reconcile_source(&obj, &ctx, current.as_ref(), checkout_dir.path())
            .await?
        {
            SourceResult::Unchanged { artifact } => return Ok(unchanged_outcome(artifact)),
            SourceResult::Checked(source) => source,
        };
        let revision = source.commit.revision().to_string();
        if let Some(artifact) = &current
            && artifact.revision == revision
            && !artifact_set_differs(
                &source.includes,
                obj.status
                    .as_ref()
                    .and_then(|s| s.included_artifacts.as_deref()),
            )
            && !content_config_changed(&obj, &source.includes)
        {
            record_up_to_date(&ctx, obj.as_ref(), &revision).await;
            return Ok(success_outcome(&obj, artifact.clone(), &source));
        }
        let artifact = self
            .reconcile_artifact(&obj, &source, checkout_dir.path())
            .await?;
        drop(checkout_dir);
        collect_garbage(&self.storage, &ctx, obj.as_ref(), &artifact).await;
        let message = format!(
            "stored artifact for commit '{}'",
            source.commit.short_message()
        );
        tracing::info!(namespace = %names(obj.as_ref()).namespace, name = %names(obj.as_ref()).name, revision = %artifact.revision, "{message}");
        let metadata = BTreeMap::from([
            ("revision".to_string(), artifact.revision.clone()),
            ("digest".to_string(), artifact.digest.clone()),
        ]);
        let previous_digest = obj
            .status
            .as_ref()
            .and_then(|s| s.artifact.as_ref())
            .map(|a| a.digest.as_str());
        if previous_digest != Some(artifact.digest.as_str()) {
            record(
                &ctx,
                obj.as_ref(),
                Severity::Info,
                source_reason::NEW_ARTIFACT,
                &message,
                &metadata,
            )
            .await;
        } else if was_failing(&obj.status_conditions()) {
            record(
                &ctx,
                obj.as_ref(),
                Severity::Info,
                reason::SUCCEEDED,
                &message,
                &metadata,
            )
            .await;
        }
        Ok(success_outcome(&obj, artifact, &source))
    }

    async fn cleanup(
        &self,
        obj: Arc<GitRepository>,
        ctx: Arc<Context>,
    ) -> Result<(), ReconcileError> {
        remove_all_artifacts(&self.storage, &ctx, obj.as_ref()).await
    }
}

enum SourceResult {
    /// The remote has not moved and nothing that shapes the artifact changed.
    Unchanged {
        artifact: Artifact,
    },
    Checked(Box<Source>),
}

fn stored_message(revision: &str) -> String {
    format!("stored artifact for revision '{revision}'")
}

fn unchanged_outcome(artifact: Artifact) -> Outcome {
    let message = stored_message(&artifact.revision);
    let mut status = Map::new();
    status.insert("url".into(), json!(sibling(&artifact.url, "latest.tar.gz")));
    status.insert("artifact".into(), json!(artifact));
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
        // Verification of an unchanged revision was recorded when it was stored.
        remove_conditions: NEGATIVE_CONDITIONS.iter().map(|c| c.to_string()).collect(),
        requeue_after: None,
    }
}

fn or_null<T: serde::Serialize>(value: Option<T>) -> Value {
    value.map_or(Value::Null, |v| json!(v))
}

fn success_outcome(obj: &GitRepository, artifact: Artifact, source: &Source) -> Outcome {
    let spec = &obj.spec;
    let message = stored_message(&artifact.revision);
    let mut status = Map::new();
    status.insert("url".into(), json!(sibling(&artifact.url, "latest.tar.gz")));
    status.insert("artifact".into(), json!(artifact));
    status.insert(
        "includedArtifacts".into(),
        or_null((!source.includes.is_empty()).then_some(&source.includes)),
    );
    status.insert("observedIgnore".into(), or_null(spec.ignore.as_ref()));
    status.insert(
        "observedRecurseSubmodules".into(),
        or_null(spec.recurse_submodules.filter(|r| *r)),
    );
    status.insert(
        "observedInclude".into(),
        or_null(spec.include.as_ref().filter(|i| !i.is_empty())),
    );
    status.insert(
        "observedSparseCheckout".into(),
        or_null(spec.sparse_checkout.as_ref().filter(|s| !s.is_empty())),
    );
    status.insert(
        "sourceVerificationMode".into(),
        or_null(source.verification.as_ref().map(|(mode, _)| *mode)),
    );
    let mut conditions = vec![(
        source_condition::ARTIFACT_IN_STORAGE.to_string(),
        ConditionStatus::True,
        reason::SUCCEEDED.to_string(),
        message.clone(),
    )];
    if let Some((_, verified)) = &source.verification {
        conditions.push((
            source_condition::SOURCE_VERIFIED.into(),
            ConditionStatus::True,
            reason::SUCCEEDED.into(),
            verified.clone(),
        ));
    }
    Outcome {
        reason: reason::SUCCEEDED.into(),
        message,
        status,
        conditions,
        remove_conditions: resolved_conditions(source.verification.is_some()),
        requeue_after: None,
    }
}

impl GitRepositoryReconciler {
    async fn reconcile_storage(&self, obj: &GitRepository, ctx: &Context) -> Option<Artifact> {
        let advertised = obj.status.as_ref().and_then(|s| s.artifact.as_ref());
        stored_artifact(&self.storage, ctx, obj, advertised).await
    }

    async fn reconcile_source(
        &self,
        obj: &GitRepository,
        ctx: &Context,
        current: Option<&Artifact>,
        dir: &Path,
    ) -> Result<SourceResult, ReconcileError> {
        let request = self.checkout_request(obj, ctx).await?;
        let includes = fetch_includes(obj, ctx).await?;
        let last_observed = current.map(|a| a.revision.clone());
        let outcome = self.checkout(request.clone(), last_observed, dir).await?;
        let commit = match outcome {
            CheckoutOutcome::Checked(commit) => *commit,
            CheckoutOutcome::Unchanged { revision } => {
                let artifact = current.cloned().filter(|a| a.revision == revision);
                match artifact {
                    Some(artifact)
                        if !content_config_changed(obj, &includes)
                            && !artifact_set_differs(
                                &includes,
                                obj.status
                                    .as_ref()
                                    .and_then(|s| s.included_artifacts.as_deref()),
                            ) =>
                    {
                        tracing::info!(
                            namespace = %names(obj).namespace,
                            name = %names(obj).name,
                            reason = GIT_OPERATION_SUCCEEDED_REASON,
                            "no changes since last reconcilation: observed revision '{revision}'"
                        );
                        return Ok(SourceResult::Unchanged { artifact });
                    }
                    _ => match self.checkout(request, None, dir).await? {
                        CheckoutOutcome::Checked(commit) => *commit,
                        CheckoutOutcome::Unchanged { revision } => {
                            return Err(fail(
                                Marks::FetchFailed,
                                Disposition::Backoff,
                                GIT_OPERATION_FAILED_REASON,
                                format!(
                                    "failed to checkout and determine revision: remote at '{revision}' was not fetched"
                                ),
                            ));
                        }
                    },
                }
            }
        };
        validate_sparse_paths(obj, dir)?;
        let verification = verify_signature(obj, ctx, &commit).await?;
        Ok(SourceResult::Checked(Box::new(Source {
            commit,
            includes,
            verification,
        })))
    }

    /// URL, reference, proxy and credentials for the checkout, from the spec and its Secrets.
    async fn checkout_request(
        &self,
        obj: &GitRepository,
        ctx: &Context,
    ) -> Result<CheckoutRequest, ReconcileError> {
        let spec = &obj.spec;
        let namespace = names(obj).namespace;
        let auth_failed = |message: String| {
            fail(
                Marks::FetchFailed,
                Disposition::Backoff,
                source_reason::AUTHENTICATION_FAILED,
                message,
            )
        };
        let proxy = match &spec.proxy_secret_ref {
            Some(r) => {
                let data = secret_data(ctx, &namespace, &r.name)
                    .await
                    .map_err(|e| auth_failed(format!("failed to configure proxy options: {e}")))?;
                Some(
                    flux_git::ProxyOptions::from_secret_data(&data).map_err(|e| {
                        auth_failed(format!("failed to configure proxy options: {e}"))
                    })?,
                )
            }
            None => None,
        };
        let data = match &spec.secret_ref {
            Some(r) => Some(
                secret_data(ctx, &namespace, &r.name)
                    .await
                    .map_err(auth_failed)?,
            ),
            None => None,
        };
        check_provider(obj, data.as_ref())?;
        let mut transport = flux_git::TransportOptions::from_secret_data(&spec.url, data.as_ref())
            .map_err(|e| match e {
                GitError::InvalidUrl { .. } => fail(
                    Marks::FetchFailed,
                    Disposition::Stalled,
                    source_reason::URL_INVALID,
                    format!("failed to parse url '{}': {e}", spec.url),
                ),
                e => auth_failed(format!("failed to configure authentication options: {e}")),
            })?;
        transport.proxy = proxy;
        transport.timeout = Some(
            spec.timeout
                .as_deref()
                .and_then(|t| parse_duration(t).ok())
                .unwrap_or(DEFAULT_TIMEOUT),
        );
        let reference = Reference::from_spec(spec.reference.as_ref()).map_err(|e| {
            fail(
                Marks::FetchFailed,
                Disposition::Stalled,
                GIT_OPERATION_FAILED_REASON,
                format!("failed to checkout and determine revision: {e}"),
            )
        })?;
        let mut request = CheckoutRequest::new(spec.url.clone(), reference);
        request.transport = transport;
        request.recurse_submodules = spec.recurse_submodules.unwrap_or(false);
        request.sparse_paths = spec
            .sparse_checkout
            .iter()
            .flatten()
            .map(|p| p.trim_start_matches("./").to_string())
            .collect();
        Ok(request)
    }

    async fn checkout(
        &self,
        mut request: CheckoutRequest,
        last_observed: Option<String>,
        dir: &Path,
    ) -> Result<CheckoutOutcome, ReconcileError> {
        request.last_observed_revision = last_observed;
        let git = self.git.clone();
        let dest = dir.to_path_buf();
        blocking(move || git.checkout(&request, &dest))
            .await?
            .map_err(|e| {
                fail(
                    Marks::FetchFailed,
                    Disposition::Backoff,
                    GIT_OPERATION_FAILED_REASON,
                    format!("failed to checkout and determine revision: {e}"),
                )
            })
    }

    /// Copy the includes into the checkout, then archive it with the ignore rules.
    async fn reconcile_artifact(
        &self,
        obj: &GitRepository,
        source: &Source,
        dir: &Path,
    ) -> Result<Artifact, ReconcileError> {
        let n = names(obj);
        let artifact = self.storage.artifact_for(
            KIND,
            &n.namespace,
            &n.name,
            source.commit.revision(),
            &format!("{}.tar.gz", source.commit.hash),
        );
        let storage = self.storage.clone();
        let includes: Vec<(String, String, String, Artifact)> = obj
            .spec
            .include
            .iter()
            .flatten()
            .zip(&source.includes)
            .map(|(incl, art)| {
                (
                    incl.repository.name.clone(),
                    incl.from_path.clone().unwrap_or_default(),
                    incl.to_path
                        .clone()
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| incl.repository.name.clone()),
                    art.clone(),
                )
            })
            .collect();
        let spec_ignore = obj.spec.ignore.clone();
        let dir = dir.to_path_buf();
        blocking(move || {
            for (name, from, to, included) in &includes {
                let to_path = secure_join(&dir, to).map_err(|e| {
                    fail(
                        Marks::StorageOperationFailed,
                        Disposition::Backoff,
                        "IllegalPath",
                        format!("path calculation for include '{name}' failed: {e}"),
                    )
                })?;
                storage
                    .copy_to_path(included, from, &to_path)
                    .map_err(|e| {
                        fail(
                            Marks::StorageOperationFailed,
                            Disposition::Backoff,
                            "CopyFailure",
                            format!("failed to copy '{name}' include from {from} to {to}: {e}"),
                        )
                    })?;
            }
            let storage_failed = |reason: &str, message: String| {
                fail(
                    Marks::StorageOperationFailed,
                    Disposition::Backoff,
                    reason,
                    message,
                )
            };
            match std::fs::metadata(&dir) {
                Err(e) => {
                    return Err(storage_failed(
                        source_reason::STAT_OPERATION_FAILED,
                        format!("failed to stat target artifact path: {e}"),
                    ));
                }
                Ok(m) if !m.is_dir() => {
                    return Err(storage_failed(
                        source_reason::INVALID_PATH,
                        format!(
                            "invalid target path: '{}' is not a directory",
                            dir.display()
                        ),
                    ));
                }
                Ok(_) => {}
            }
            let spec_ignore = spec_ignore.as_deref();
            store_artifact(
                &storage,
                artifact,
                "latest.tar.gz",
                &FAILURES,
                |storage, artifact| archive_source(storage, artifact, &dir, spec_ignore, &FAILURES),
            )
        })
        .await?
    }
}

/// Flux's provider checks; workload-identity and GitHub App authentication are not implemented.
fn check_provider(
    obj: &GitRepository,
    data: Option<&BTreeMap<String, Vec<u8>>>,
) -> Result<(), ReconcileError> {
    let invalid = |disposition, message: String| {
        fail(
            Marks::FetchFailed,
            disposition,
            source_reason::INVALID_PROVIDER_CONFIGURATION,
            message,
        )
    };
    match obj.spec.provider {
        None | Some(GitProvider::Generic) => {
            if data.is_some_and(|d| d.get("githubAppID").is_some_and(|v| !v.is_empty())) {
                let secret = obj.spec.secret_ref.as_ref().map(|r| r.name.as_str());
                return Err(invalid(
                    Disposition::Backoff,
                    format!(
                        "secretRef '{}/{}' has github app data but provider is not set to github",
                        names(obj).namespace,
                        secret.unwrap_or_default()
                    ),
                ));
            }
            Ok(())
        }
        Some(GitProvider::Github) if data.is_none() => Err(invalid(
            Disposition::Stalled,
            "secretRef with github app data must be specified when provider is set to github"
                .into(),
        )),
        Some(provider) => Err(invalid(
            Disposition::Stalled,
            format!(
                "provider '{}' is not supported by this source-controller: use provider 'generic' with a secretRef",
                serde_json::to_value(provider)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            ),
        )),
    }
}

/// The artifacts of the included GitRepositories, in spec order; waits while one is missing
/// or has no artifact yet.
async fn fetch_includes(
    obj: &GitRepository,
    ctx: &Context,
) -> Result<Vec<Artifact>, ReconcileError> {
    let n = names(obj);
    let api: Api<GitRepository> = Api::namespaced(ctx.client.clone(), &n.namespace);
    let mut artifacts = Vec::new();
    for include in obj.spec.include.iter().flatten() {
        let name = &include.repository.name;
        let dep = api.get(name).await.map_err(|e| {
            fail(
                Marks::IncludeUnavailable,
                Disposition::Waiting,
                "NotFound",
                format!(
                    "could not get resource for include '{name}': {}",
                    kube_message(&e)
                ),
            )
        })?;
        let artifact = dep.status.and_then(|s| s.artifact).ok_or_else(|| {
            fail(
                Marks::IncludeUnavailable,
                Disposition::Waiting,
                "NoArtifact",
                format!("no artifact available for include '{name}'"),
            )
        })?;
        artifacts.push(artifact);
    }
    Ok(artifacts)
}

fn validate_sparse_paths(obj: &GitRepository, dir: &Path) -> Result<(), ReconcileError> {
    for path in obj.spec.sparse_checkout.iter().flatten() {
        let full = secure_join(dir, path).map_err(|e| e.to_string());
        let missing = match &full {
            Ok(p) => std::fs::symlink_metadata(p).err().map(|e| e.to_string()),
            Err(e) => Some(e.clone()),
        };
        if let Some(e) = missing {
            return Err(fail(
                Marks::FetchFailed,
                Disposition::Backoff,
                GIT_OPERATION_FAILED_REASON,
                format!(
                    "failed to sparse checkout directories : sparse checkout dir '{path}' does not exist in repository: {e}"
                ),
            ));
        }
    }
    Ok(())
}

async fn verify_signature(
    obj: &GitRepository,
    ctx: &Context,
    commit: &Commit,
) -> Result<Option<(&'static str, String)>, ReconcileError> {
    let Some(spec) = &obj.spec.verify else {
        return Ok(None);
    };
    let n = names(obj);
    let data = secret_data(ctx, &n.namespace, &spec.secret_ref.name)
        .await
        .map_err(|e| {
            fail(
                Marks::SourceVerifiedFalse,
                Disposition::Backoff,
                source_reason::VERIFICATION_ERROR,
                format!("PGP public keys secret error: {e}"),
            )
        })?;
    let values: Vec<&[u8]> = data.values().map(Vec::as_slice).collect();
    let mode = verify::mode_name(spec);
    match verify::verify_commit(mode, commit, &values) {
        Ok(message) => {
            record(
                ctx,
                obj,
                Severity::Trace,
                reason::SUCCEEDED,
                &message,
                &BTreeMap::new(),
            )
            .await;
            Ok(Some((mode, message)))
        }
        Err(f) => Err(fail(
            Marks::SourceVerifiedFalse,
            f.disposition,
            f.reason,
            f.message,
        )),
    }
}
