//! Flux's remote builder over an OCI HelmRepository: the chart is the repository `<url>/<chart>`
//! in the registry, its versions are the tags (Helm writes `+` as `_`), the archive is the
//! manifest's chart layer. `spec.verify` checks the chart's cosign signature first.

use super::{Build, HelmChartReconciler, build_failed, fetch_failed};
use crate::oci::keychain::{Credentials, Keychain};
use crate::oci::{ConnectOptions, RegistryClient, Repository, cosign};
use crate::ocirepository::newest_in_range;
use crate::reconcile::{names, secret_data, step_failed};
use flux_api::ConditionStatus;
use flux_api::source::{
    HelmChart, HelmRepository, VerificationProvider, build_error_reason,
    condition_type as source_condition, reason as source_reason,
};
use flux_helm::funcs::semver::Version;
use flux_helm::repo::ChartVersion;
use flux_runtime::duration::parse_duration;
use flux_runtime::reconcile::{Context, Disposition, ReconcileError};
use flux_runtime::secrets::{basic_auth, tls_from_secret};
use std::time::Duration;

/// Helm's chart layer, and the one of charts pushed before Helm 3.8.
const CHART_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
const LEGACY_CHART_LAYER: &str = "application/tar+gzip";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The chart picked and where it is.
pub(super) struct Picked {
    pub chart: ChartVersion,
    repository: Repository,
    tag: String,
    client: RegistryClient,
}

/// Connects to the repository's registry with its credentials and picks the chart version.
pub(super) async fn pick(
    obj: &HelmChart,
    ctx: &Context,
    repo: &HelmRepository,
) -> Result<Picked, ReconcileError> {
    let url = repo.spec.url.trim_end_matches('/');
    let chart_url = format!("{url}/{}", obj.spec.chart);
    let repository = Repository::parse(&chart_url).map_err(|e| {
        fetch_failed(
            Disposition::Stalled,
            source_reason::URL_INVALID,
            format!("invalid Helm repository URL: {e}"),
        )
    })?;
    let options = connect_options(repo, ctx, &repository).await?;
    let client = RegistryClient::new(options).map_err(|e| {
        fetch_failed(
            Disposition::Backoff,
            source_reason::AUTHENTICATION_FAILED,
            format!("failed to construct Helm client: {e}"),
        )
    })?;
    let wanted = obj.spec.version();
    let wanted = if wanted.is_empty() { "*" } else { wanted };
    let reference_failed = |message: String| {
        build_failed(
            build_error_reason::CHART_REFERENCE,
            format!("failed to get chart version for remote reference: {message}"),
        )
    };
    // An exact version needs no tag list (Flux's shortcut).
    let tag = if Version::parse_strict(wanted).is_some() {
        wanted.replace('+', "_")
    } else {
        let tags = client.tags(&repository).await.map_err(|e| {
            reference_failed(format!(
                "could not get tags for \"{}\": {e}",
                obj.spec.chart
            ))
        })?;
        if tags.is_empty() {
            return Err(reference_failed(format!(
                "unable to locate any tags in provided repository: {}",
                obj.spec.chart
            )));
        }
        if let Some(exact) = tags.iter().find(|t| t.replace('_', "+") == wanted) {
            exact.clone()
        } else {
            newest_in_range(&tags, wanted, "", CHART_LAYER).map_err(reference_failed)?
        }
    };
    let chart = ChartVersion {
        name: obj
            .spec
            .chart
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        version: tag.replace('_', "+"),
        ..ChartVersion::default()
    };
    Ok(Picked {
        chart,
        repository,
        tag,
        client,
    })
}

/// Verifies, pulls and (with values files) repackages the picked chart.
pub(super) async fn build(
    reconciler: &HelmChartReconciler,
    obj: &HelmChart,
    ctx: &Context,
    picked: Picked,
    version: String,
) -> Result<(Vec<u8>, Build, Option<String>), ReconcileError> {
    let Picked {
        chart,
        repository,
        tag,
        client,
    } = picked;
    let reference = repository.tag(&tag);
    let pull_failed = |e: String| {
        fetch_failed(
            Disposition::Backoff,
            build_error_reason::CHART_PULL,
            format!("chart pull error: failed to download chart for remote reference: {e}"),
        )
    };
    let digest = client
        .digest(&reference)
        .await
        .map_err(|e| pull_failed(e.to_string()))?;
    let verified = match &obj.spec.verify {
        Some(verify) => Some(
            verify_chart(
                obj,
                ctx,
                &client,
                &repository,
                &digest,
                verify,
                &chart.version,
            )
            .await?,
        ),
        None => None,
    };
    let digest_ref = repository.digest(&digest);
    let (manifest, _) = client
        .manifest(&digest_ref)
        .await
        .map_err(|e| pull_failed(e.to_string()))?;
    let layer = manifest
        .layers
        .iter()
        .find(|l| l.media_type == CHART_LAYER || l.media_type == LEGACY_CHART_LAYER)
        .ok_or_else(|| {
            pull_failed(format!(
                "manifest of '{}' has no layer of media type '{CHART_LAYER}'",
                reference.whole()
            ))
        })?;
    if layer.size < 0 || layer.size as u64 > reconciler.chart_max_size {
        return Err(pull_failed(format!(
            "chart of {} bytes exceeds the maximum chart size of {} bytes",
            layer.size, reconciler.chart_max_size
        )));
    }
    let file = tempfile::NamedTempFile::new().map_err(|e| pull_failed(e.to_string()))?;
    client
        .blob_to_file(&digest_ref, layer, file.path())
        .await
        .map_err(|e| pull_failed(e.to_string()))?;
    let archive = std::fs::read(file.path()).map_err(|e| pull_failed(e.to_string()))?;
    let (archive, build) = super::remote_build(obj, archive, chart, version).await?;
    Ok((archive, build, verified))
}

/// The chart's cosign signature, checked with the keys of spec.verify.secretRef.
async fn verify_chart(
    obj: &HelmChart,
    ctx: &Context,
    client: &RegistryClient,
    repository: &Repository,
    digest: &str,
    verify: &flux_api::source::HelmChartVerification,
    version: &str,
) -> Result<String, ReconcileError> {
    let failed = |disposition: Disposition, message: String| {
        step_failed(
            &super::NEGATIVE_CONDITIONS,
            source_condition::SOURCE_VERIFIED,
            ConditionStatus::False,
            disposition,
            build_error_reason::CHART_VERIFICATION,
            format!(
                "chart verification error: failed to verify '{}/{}@{digest}': {message}",
                repository.registry, repository.repository
            ),
        )
    };
    let secret_ref = match (verify.provider, &verify.secret_ref) {
        (VerificationProvider::Cosign, Some(r)) => r,
        (VerificationProvider::Cosign, None) => {
            return Err(failed(
                Disposition::Stalled,
                "keyless verification is not supported by this source-controller yet; verify with public keys in spec.verify.secretRef".into(),
            ));
        }
        (VerificationProvider::Notation, _) => {
            return Err(failed(
                Disposition::Stalled,
                "notation signatures cannot be verified by this source-controller yet".into(),
            ));
        }
    };
    let namespace = names(obj).namespace;
    let data = secret_data(ctx, &namespace, &secret_ref.name)
        .await
        .map_err(|e| failed(Disposition::Backoff, e))?;
    let timeout = client.options().timeout.unwrap_or(DEFAULT_TIMEOUT);
    cosign::verify_with_secret_keys(client.options(), repository, digest, data, timeout)
        .await
        .map_err(|e| failed(Disposition::Backoff, e.to_string()))?;
    Ok(format!("verified signature of version {version}"))
}

/// Credentials (`.dockerconfigjson`, or `username`/`password`), CA and plain HTTP from the
/// HelmRepository, as Flux's registry login options.
async fn connect_options(
    repo: &HelmRepository,
    ctx: &Context,
    repository: &Repository,
) -> Result<ConnectOptions, ReconcileError> {
    let spec = &repo.spec;
    let namespace = names(repo).namespace;
    let auth_failed = |message: String| {
        fetch_failed(
            Disposition::Backoff,
            source_reason::AUTHENTICATION_FAILED,
            message,
        )
    };
    let mut credentials: Option<Credentials> = None;
    if let Some(r) = &spec.secret_ref {
        let secret = format!("{namespace}/{}", r.name);
        let data = secret_data(ctx, &namespace, &r.name).await.map_err(|e| {
            auth_failed(format!(
                "failed to get authentication secret '{secret}': {e}"
            ))
        })?;
        if data.contains_key(".dockerconfigjson") || data.contains_key(".dockercfg") {
            let mut keychain = Keychain::default();
            keychain
                .add_secret(&secret, &data)
                .map_err(|e| auth_failed(e.to_string()))?;
            credentials = keychain
                .lookup(&repository.registry, &repository.repository)
                .cloned();
        } else if let Some(basic) =
            basic_auth(&secret, &data).map_err(|e| auth_failed(e.to_string()))?
        {
            credentials = Some(Credentials {
                username: basic.username,
                password: basic.password,
            });
        }
    }
    if credentials.is_none()
        && spec.provider.unwrap_or_default() != flux_api::source::OCIProvider::Generic
    {
        return Err(fetch_failed(
            Disposition::Stalled,
            source_reason::AUTHENTICATION_FAILED,
            "workload identity for OCI HelmRepositories is not supported by this source-controller yet; use provider 'generic' with a secretRef",
        ));
    }
    let ca_pem = match &spec.cert_secret_ref {
        Some(r) => {
            let secret = format!("{namespace}/{}", r.name);
            let failed = |e: String| {
                auth_failed(format!(
                    "failed to get TLS authentication secret '{secret}': {e}"
                ))
            };
            let data = secret_data(ctx, &namespace, &r.name)
                .await
                .map_err(failed)?;
            let tls = tls_from_secret(&secret, &data).map_err(|e| failed(e.to_string()))?;
            if tls.cert_pair.is_some() {
                return Err(fetch_failed(
                    Disposition::Stalled,
                    source_reason::AUTHENTICATION_FAILED,
                    format!(
                        "client certificates (tls.crt, tls.key in secret '{secret}') are not supported for OCI registries by this source-controller yet"
                    ),
                ));
            }
            tls.ca
        }
        None => None,
    };
    Ok(ConnectOptions {
        insecure: spec.insecure.unwrap_or(false),
        ca_pem,
        proxy: None,
        timeout: Some(
            spec.timeout
                .as_deref()
                .and_then(|t| parse_duration(t).ok())
                .unwrap_or(DEFAULT_TIMEOUT),
        ),
        credentials,
    })
}
