//! Talking to the cluster: the CRDs, the flux-system objects bootstrap would create, and the
//! status of every Flux object for the progress display.

use anyhow::{Context as _, bail};
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

/// The field manager of everything `flux local up` writes.
const FIELD_MANAGER: &str = "flux";
/// The namespace and name bootstrap gives the fleet's GitRepository and Kustomization.
pub const FLUX_SYSTEM: &str = "flux-system";

/// The kinds the progress display follows, in display order.
pub const WATCHED: &[(&str, &str, &str, &str)] = &[
    (
        "source.toolkit.fluxcd.io",
        "v1",
        "GitRepository",
        "gitrepositories",
    ),
    (
        "kustomize.toolkit.fluxcd.io",
        "v1",
        "Kustomization",
        "kustomizations",
    ),
    (
        "helm.toolkit.fluxcd.io",
        "v2",
        "HelmRelease",
        "helmreleases",
    ),
];

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// A client for the kubeconfig at `path`.
pub async fn client(path: &Path) -> anyhow::Result<kube::Client> {
    let kubeconfig =
        Kubeconfig::read_from(path).with_context(|| format!("reading {}", path.display()))?;
    let config =
        kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?;
    // A build that also compiles aws-lc-rs in leaves rustls without a default provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Ok(kube::Client::try_from(config)?)
}

/// Server-side apply every CRD in `dir` (YAML files) and wait until each is Established.
pub async fn install_crds(client: &kube::Client, dir: &Path) -> anyhow::Result<usize> {
    let api: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &resource(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
        ),
    );
    let mut names = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading the CRDs in {} (pass --crds DIR)", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .with_context(|| format!("parsing {}", file.display()))?;
        for doc in docs
            .into_iter()
            .filter(|d| d["kind"] == "CustomResourceDefinition")
        {
            let name = doc["metadata"]["name"]
                .as_str()
                .with_context(|| format!("a CRD in {} has no name", file.display()))?
                .to_string();
            apply(&api, &name, &doc).await?;
            names.push(name);
        }
    }
    if names.is_empty() {
        bail!("no CustomResourceDefinition in {}", dir.display());
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    for name in &names {
        loop {
            let crd = api.get(name).await?;
            let established = crd.data["status"]["conditions"]
                .as_array()
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c["type"] == "Established" && c["status"] == "True")
                });
            if established {
                break;
            }
            if Instant::now() > deadline {
                bail!("CRD {name} was not Established within 60s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(names.len())
}

/// The namespace, GitRepository and Kustomization `flux bootstrap` creates, pointing at `url`.
pub async fn bootstrap(
    client: &kube::Client,
    url: &str,
    branch: &str,
    path: &str,
    interval: &str,
) -> anyhow::Result<()> {
    let namespaces: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &resource("", "v1", "Namespace", "namespaces"),
    );
    let namespace =
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": FLUX_SYSTEM}});
    apply(&namespaces, FLUX_SYSTEM, &namespace).await?;

    let (g, v, k, p) = WATCHED[0];
    let repositories: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), FLUX_SYSTEM, &resource(g, v, k, p));
    let repository = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": FLUX_SYSTEM, "namespace": FLUX_SYSTEM},
        "spec": {"interval": interval, "ref": {"branch": branch}, "url": url},
    });
    apply(&repositories, FLUX_SYSTEM, &repository).await?;

    let (g, v, k, p) = WATCHED[1];
    let kustomizations: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), FLUX_SYSTEM, &resource(g, v, k, p));
    let kustomization = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": FLUX_SYSTEM, "namespace": FLUX_SYSTEM},
        "spec": {
            "interval": "1m",
            "path": path,
            "prune": true,
            "sourceRef": {"kind": "GitRepository", "name": FLUX_SYSTEM},
        },
    });
    apply(&kustomizations, FLUX_SYSTEM, &kustomization).await?;
    Ok(())
}

async fn apply(api: &Api<DynamicObject>, name: &str, object: &Value) -> anyhow::Result<()> {
    let params = PatchParams::apply(FIELD_MANAGER).force();
    api.patch(name, &params, &Patch::Apply(object))
        .await
        .with_context(|| {
            format!(
                "applying {} {name}",
                object["kind"].as_str().unwrap_or("object")
            )
        })?;
    Ok(())
}

/// One Flux object as the progress display shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectState {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    /// The Ready condition's status ("True", "False", "Unknown"), "-" before the first status.
    pub ready: String,
    /// Ready=True for the current generation.
    pub is_ready: bool,
    pub revision: String,
    pub message: String,
}

/// Every GitRepository, Kustomization and HelmRelease, in display order.
pub async fn states(client: &kube::Client) -> anyhow::Result<Vec<ObjectState>> {
    let mut out = Vec::new();
    for &(group, version, kind, plural) in WATCHED {
        let api: Api<DynamicObject> =
            Api::all_with(client.clone(), &resource(group, version, kind, plural));
        let mut list = api.list(&ListParams::default()).await?.items;
        list.sort_by_key(|o| (o.metadata.namespace.clone(), o.metadata.name.clone()));
        out.extend(list.iter().map(|o| state_of(kind, o)));
    }
    Ok(out)
}

fn state_of(kind: &'static str, object: &DynamicObject) -> ObjectState {
    let status = &object.data["status"];
    let ready = status["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"));
    let observed = status["observedGeneration"].as_i64() == object.metadata.generation;
    let revision = match kind {
        "GitRepository" => &status["artifact"]["revision"],
        "Kustomization" => &status["lastAppliedRevision"],
        _ => &status["lastAttemptedRevision"],
    };
    ObjectState {
        kind,
        namespace: object.metadata.namespace.clone().unwrap_or_default(),
        name: object.metadata.name.clone().unwrap_or_default(),
        ready: ready
            .and_then(|c| c["status"].as_str())
            .unwrap_or("-")
            .to_string(),
        is_ready: observed && ready.is_some_and(|c| c["status"] == "True"),
        revision: revision.as_str().unwrap_or("").to_string(),
        message: ready
            .and_then(|c| c["message"].as_str())
            .unwrap_or("")
            .to_string(),
    }
}
