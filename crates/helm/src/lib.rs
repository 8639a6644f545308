//! Native Helm chart rendering: chart loading, values, a Go text/template engine with Sprig and
//! Helm's functions, and output ordered as `helm template` prints it. See README.md.

pub mod chart;
pub mod error;
pub mod files;
pub mod funcs;
pub mod manifest;
pub mod package;
pub mod render;
pub mod repo;
pub mod schema;
pub mod strvals;
pub mod template;
pub mod toml;
pub mod value;
pub mod values;
pub mod yaml;

use std::path::PathBuf;

pub use error::Error;
pub use render::{Capabilities, ReleaseInfo};
pub use value::Value;

/// Default bound on rendered bytes (all templates of one release together).
pub const DEFAULT_MAX_OUTPUT: usize = 256 << 20;

/// Stack for the rendering thread: deep but bounded template recursion needs room.
const RENDER_STACK: usize = 512 << 20;

/// One source of user values, applied in order (later ones win), as Helm's flags are.
#[derive(Debug, Clone)]
pub enum ValuesSource {
    /// The contents of a `-f` values file (YAML or JSON).
    File { name: String, content: String },
    /// `--set a=b,c.d=e`
    Set(String),
    /// `--set-string a=b`
    SetString(String),
    /// `--set-json a={"b":1}`
    SetJson(String),
    /// Values given as JSON (numbers become float64, as Helm's SDK does with a JSON document).
    Json(serde_json::Value),
}

/// Everything `helm template` takes besides the chart.
#[derive(Debug, Clone)]
pub struct TemplateOptions {
    pub release_name: String,
    pub namespace: String,
    pub values: Vec<ValuesSource>,
    /// e.g. "v1.31.0"
    pub kube_version: String,
    pub api_versions: Vec<String>,
    pub include_crds: bool,
    pub is_upgrade: bool,
    pub skip_schema_validation: bool,
    pub max_output: usize,
    /// `--skip-tests`: leave out hooks for the `test` event.
    pub skip_tests: bool,
    /// `--no-hooks`: leave out all hooks.
    pub no_hooks: bool,
    /// `--show-only`: print only manifests from these template paths (globs allowed).
    pub show_only: Vec<String>,
}

impl Default for TemplateOptions {
    fn default() -> Self {
        TemplateOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            values: Vec::new(),
            kube_version: DEFAULT_KUBE_VERSION.into(),
            api_versions: default_api_versions(),
            include_crds: false,
            is_upgrade: false,
            skip_schema_validation: false,
            max_output: DEFAULT_MAX_OUTPUT,
            skip_tests: false,
            no_hooks: false,
            show_only: Vec::new(),
        }
    }
}

/// What `helm template` assumes without a cluster: Kubernetes 1.(client-go minor).0.
pub const DEFAULT_KUBE_VERSION: &str = "v1.37.0";

/// The built-in API group versions Helm's default capabilities list (client-go's scheme).
pub fn default_api_versions() -> Vec<String> {
    [
        "v1",
        "admissionregistration.k8s.io/v1",
        "admissionregistration.k8s.io/v1alpha1",
        "admissionregistration.k8s.io/v1beta1",
        "internal.apiserver.k8s.io/v1alpha1",
        "apps/v1",
        "apps/v1beta1",
        "apps/v1beta2",
        "authentication.k8s.io/v1",
        "authentication.k8s.io/v1alpha1",
        "authentication.k8s.io/v1beta1",
        "authorization.k8s.io/v1",
        "authorization.k8s.io/v1beta1",
        "autoscaling/v1",
        "autoscaling/v2",
        "autoscaling/v2beta1",
        "autoscaling/v2beta2",
        "batch/v1",
        "batch/v1beta1",
        "certificates.k8s.io/v1",
        "certificates.k8s.io/v1beta1",
        "certificates.k8s.io/v1alpha1",
        "coordination.k8s.io/v1alpha2",
        "coordination.k8s.io/v1beta1",
        "coordination.k8s.io/v1",
        "discovery.k8s.io/v1",
        "discovery.k8s.io/v1beta1",
        "events.k8s.io/v1",
        "events.k8s.io/v1beta1",
        "extensions/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1",
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "networking.k8s.io/v1",
        "networking.k8s.io/v1alpha1",
        "networking.k8s.io/v1beta1",
        "node.k8s.io/v1",
        "node.k8s.io/v1alpha1",
        "node.k8s.io/v1beta1",
        "policy/v1",
        "policy/v1beta1",
        "rbac.authorization.k8s.io/v1",
        "rbac.authorization.k8s.io/v1beta1",
        "rbac.authorization.k8s.io/v1alpha1",
        "resource.k8s.io/v1",
        "resource.k8s.io/v1beta2",
        "resource.k8s.io/v1beta1",
        "resource.k8s.io/v1alpha3",
        "scheduling.k8s.io/v1alpha1",
        "scheduling.k8s.io/v1beta1",
        "scheduling.k8s.io/v1",
        "storage.k8s.io/v1beta1",
        "storage.k8s.io/v1",
        "storage.k8s.io/v1alpha1",
        "storagemigration.k8s.io/v1alpha1",
        "apiextensions.k8s.io/v1",
        "apiextensions.k8s.io/v1beta1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The result of rendering a release.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Ordered manifests as (template path, content).
    pub manifests: Vec<manifest::Manifest>,
    pub hooks: Vec<manifest::Hook>,
    /// CRDs from crds/ directories as (path, content).
    pub crds: Vec<(String, String)>,
    pub notes: String,
}

impl Rendered {
    /// The text `helm template` prints for these options.
    pub fn to_helm_output(&self, opts: &TemplateOptions) -> Result<String, Error> {
        let mut docs: Vec<(&str, &str)> = Vec::new();
        if opts.include_crds {
            docs.extend(self.crds.iter().map(|(p, c)| (p.as_str(), c.as_str())));
        }
        docs.extend(
            self.manifests
                .iter()
                .map(|m| (m.path.as_str(), m.content.as_str())),
        );
        if !opts.no_hooks {
            for h in &self.hooks {
                if opts.skip_tests && h.events.iter().any(|e| e == "test" || e == "test-success") {
                    continue;
                }
                docs.push((h.manifest.path.as_str(), h.manifest.content.as_str()));
            }
        }
        let mut out = String::new();
        if opts.show_only.is_empty() {
            for (path, content) in docs {
                out.push_str(&format!("---\n# Source: {path}\n{content}\n"));
            }
            return Ok(out);
        }
        // --show-only names templates relative to the chart ("templates/x.yaml") or in full
        let chart_prefix = docs
            .first()
            .and_then(|(p, _)| p.split('/').next())
            .unwrap_or("")
            .to_string();
        for wanted in &opts.show_only {
            let wanted = funcs::misc::clean(wanted);
            let mut found = false;
            for (path, content) in &docs {
                let rel = path
                    .strip_prefix(&format!("{chart_prefix}/"))
                    .unwrap_or(path);
                if *path == wanted
                    || rel == wanted
                    || files::Files::glob_matches(&wanted, path)
                    || files::Files::glob_matches(&wanted, rel)
                {
                    found = true;
                    out.push_str(&format!("---\n# Source: {path}\n{content}\n"));
                }
            }
            if !found {
                return Err(Error::Render(format!(
                    "could not find template {wanted} in chart"
                )));
            }
        }
        Ok(out)
    }
}

/// Loads the chart at `chart` and renders it as `helm template` does; returns the printed text.
/// Runs on its own thread with a large stack, so deep (bounded) template recursion is safe.
pub fn template(chart: PathBuf, opts: TemplateOptions) -> Result<String, Error> {
    let handle = std::thread::Builder::new()
        .name("helm-render".into())
        .stack_size(RENDER_STACK)
        .spawn(move || {
            let c = chart::load(&chart)?;
            render_release(c, &opts)?.to_helm_output(&opts)
        })
        .map_err(|e| Error::Render(format!("cannot start rendering thread: {e}")))?;
    handle
        .join()
        .map_err(|_| Error::Render("rendering thread panicked".into()))?
}

/// Merges the user's values sources as Helm does: -f files (and JSON documents) in order, then
/// every --set-json, then --set, then --set-string.
pub fn user_values(sources: &[ValuesSource]) -> Result<Value, Error> {
    let base = Value::empty_map();
    for s in sources {
        match s {
            ValuesSource::File { name, content } => {
                let v = yaml::parse_yaml(content)
                    .map_err(|e| Error::Values(format!("failed to parse {name}: {e}")))?;
                let v = match v {
                    Value::Nil => Value::empty_map(),
                    v @ Value::Map(_) => v,
                    _ => return Err(Error::Values(format!("failed to parse {name}: not a map"))),
                };
                merge_maps(&base, &v);
            }
            ValuesSource::Json(j) => {
                let v = yaml::from_json(j.clone());
                if let Value::Map(_) = v {
                    merge_maps(&base, &v);
                }
            }
            _ => {}
        }
    }
    for (wanted, mode) in [
        (2u8, strvals::Mode::Json),
        (0, strvals::Mode::Typed),
        (1, strvals::Mode::String),
    ] {
        for s in sources {
            let (kind, text) = match s {
                ValuesSource::Set(t) => (0u8, t),
                ValuesSource::SetString(t) => (1, t),
                ValuesSource::SetJson(t) => (2, t),
                _ => continue,
            };
            if kind != wanted {
                continue;
            }
            if let Value::Map(m) = &base {
                let mut owned = m.borrow().clone();
                let r = strvals::parse_into(text, &mut owned, mode);
                *m.borrow_mut() = owned;
                r.map_err(|e| Error::Values(format!("failed parsing --set data: {e}")))?;
            }
        }
    }
    Ok(base)
}

/// Helm's mergeMaps for -f files: maps merge recursively, everything else is replaced.
pub(crate) fn merge_maps(dst: &Value, src: &Value) {
    let (Value::Map(d), Value::Map(s)) = (dst, src) else {
        return;
    };
    let entries: Vec<(String, Value)> = s
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in entries {
        let existing = d.borrow().get(&k).cloned();
        match (&existing, &v) {
            (Some(e @ Value::Map(_)), Value::Map(_)) => merge_maps(e, &v),
            _ => {
                d.borrow_mut().insert(k, v);
            }
        }
    }
}

/// Renders a loaded chart: dependencies, values, schema, templates, then Helm's ordering.
/// Template recursion is bounded (1500 levels) but deep: call this from a thread with a large
/// stack (64 MiB or more), as [`template`] does, not from an async runtime's worker directly.
pub fn render_release(mut c: chart::Chart, opts: &TemplateOptions) -> Result<Rendered, Error> {
    let user = user_values(&opts.values)?;
    values::process_dependencies(&mut c, &user)?;
    if !c.metadata.kube_version.is_empty() {
        let kv = funcs::semver::Version::parse(&opts.kube_version).ok_or_else(|| {
            Error::Values(format!("invalid kube version {:?}", opts.kube_version))
        })?;
        let ok = funcs::semver::satisfies(&c.metadata.kube_version, &kv).unwrap_or(false);
        if !ok {
            return Err(Error::Load(format!(
                "chart requires kubeVersion: {} which is incompatible with Kubernetes {}",
                c.metadata.kube_version, opts.kube_version
            )));
        }
    }
    let vals = values::coalesce_values(&c, &user, false)?;
    if !opts.skip_schema_validation {
        schema::validate_chart(&c, &vals)?;
    }
    let release = ReleaseInfo {
        name: opts.release_name.clone(),
        namespace: opts.namespace.clone(),
        revision: 1,
        is_upgrade: opts.is_upgrade,
    };
    let caps = Capabilities {
        kube_version: opts.kube_version.clone(),
        api_versions: opts.api_versions.clone(),
        helm_version: "v4.3.0".into(),
    };
    let mut files = render::render_templates(&c, &vals, &release, &caps, opts.max_output)?;
    let mut notes = String::new();
    let top_notes = format!("{}/templates/NOTES.txt", c.name());
    let note_keys: Vec<String> = files
        .keys()
        .filter(|k| k.ends_with("NOTES.txt"))
        .cloned()
        .collect();
    for k in note_keys {
        if let Some(v) = files.remove(&k)
            && k == top_notes
        {
            notes.push_str(&v);
        }
    }
    let (hooks, manifests) = manifest::sort_manifests(&files)?;
    let mut crds = Vec::new();
    collect_crds(&c, None, &mut crds);
    Ok(Rendered {
        manifests,
        hooks,
        crds,
        notes,
    })
}

fn collect_crds(c: &chart::Chart, parent: Option<&str>, out: &mut Vec<(String, String)>) {
    let path = match parent {
        None => c.name().to_string(),
        Some(p) => format!("{p}/charts/{}", c.name()),
    };
    for f in c.crds() {
        out.push((
            format!("{path}/{}", f.name),
            String::from_utf8_lossy(&f.data).into_owned(),
        ));
    }
    for d in &c.dependencies {
        collect_crds(d, Some(&path), out);
    }
}

/// The API versions the Helm oracle's fake API server advertises (group/version and
/// group/version/Kind), for conformance runs against it.
pub fn oracle_api_versions() -> Vec<String> {
    let groups: &[(&str, &[&str])] = &[
        (
            "v1",
            &[
                "ConfigMap",
                "Secret",
                "Service",
                "Pod",
                "ServiceAccount",
                "Namespace",
                "PersistentVolumeClaim",
            ],
        ),
        ("apps/v1", &["Deployment", "StatefulSet", "DaemonSet"]),
        ("batch/v1", &["Job", "CronJob"]),
        ("networking.k8s.io/v1", &["Ingress", "NetworkPolicy"]),
        (
            "rbac.authorization.k8s.io/v1",
            &["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
        ),
        ("policy/v1", &["PodDisruptionBudget"]),
        ("autoscaling/v2", &["HorizontalPodAutoscaler"]),
        ("apiextensions.k8s.io/v1", &["CustomResourceDefinition"]),
    ];
    let mut out = Vec::new();
    for (gv, kinds) in groups {
        out.push(gv.to_string());
        for k in *kinds {
            out.push(format!("{gv}/{k}"));
        }
    }
    out
}

/// Entry point for the template fuzz target: parses `text` as a chart template and renders it
/// against small fixed values, with `max_output` bytes allowed, on a thread with a large stack.
pub fn fuzz_render_template(text: &str, max_output: usize) -> Result<String, Error> {
    let text = text.to_string();
    std::thread::Builder::new()
        .stack_size(RENDER_STACK)
        .spawn(move || render_template_text(&text, max_output))
        .map_err(|e| Error::Render(format!("cannot start rendering thread: {e}")))?
        .join()
        .map_err(|_| Error::Render("rendering thread panicked".into()))?
}

fn render_template_text(text: &str, max_output: usize) -> Result<String, Error> {
    use std::rc::Rc;
    let funcs = funcs::func_map();
    let src: Rc<str> = Rc::from(text);
    let parsed = template::parse::parse("fuzz/templates/t.yaml", &src, &|n| funcs.contains_key(n))
        .map_err(|e| Error::Render(e.to_string()))?;
    let mut set = template::Templates::new();
    for d in parsed.defines {
        set.insert(d.name.clone(), Rc::new(d));
    }
    let main = Rc::new(parsed.main);
    set.insert("fuzz/templates/t.yaml".into(), main.clone());
    let vals = yaml::parse_yaml("Values: {a: 1, b: [x, y], c: {d: true}}\nRelease: {Name: r}")
        .map_err(Error::Values)?;
    let mut ex = template::Exec::new(Rc::new(set), funcs, max_output);
    ex.execute_tree(main, "fuzz/templates/t.yaml", vals)
        .map_err(|e| Error::Render(e.helm_message("fuzz/templates/t.yaml")))?;
    Ok(ex.out)
}

/// Entry point for the values fuzz target: every --set flavour and the YAML loader.
pub fn fuzz_parse_values(text: &str) -> Result<(), Error> {
    for mode in [
        strvals::Mode::Typed,
        strvals::Mode::String,
        strvals::Mode::Json,
    ] {
        let mut m = value::Map::new();
        let _ = strvals::parse_into(text, &mut m, mode);
    }
    let _ = yaml::parse_yaml(text);
    let v = user_values(&[ValuesSource::Set(text.to_string())])?;
    let _ = yaml::to_yaml(&v);
    Ok(())
}
