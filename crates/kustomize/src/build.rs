//! The build pipeline, in kustomize's order: resources, configurations, generators,
//! components, then the builtin transformers; at the top, hashes, name references, sort.

use crate::error::Error;
use crate::fieldspec::{FieldSpec, NameBackRef, defaults, parse_spec_line};
use crate::generator::{content_hash, generate};
use crate::kustomization::{Kustomization, Patch, parse_fieldspecs};
use crate::loader::{LoadRestrictions, Loader, find_kustomization_file, is_remote};
use crate::resource::{Behavior, Gvk, ResId, Resource};
use crate::select::select;
use crate::value::Value;
use crate::yaml::parse_documents;
use crate::{json6902, nameref, smp, sort, transformers};
use std::path::{Path, PathBuf};

const MAX_NESTING: usize = 64;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Nothing outside this folder is read. Defaults to the filesystem root.
    pub root: Option<PathBuf>,
    pub load_restrictions: LoadRestrictions,
    /// Refuse remote resources and bases (Flux's --no-remote-bases).
    pub no_remote: bool,
    /// When the folder has no kustomization file, build one listing every manifest
    /// under it, as Flux's kustomize-controller does (instead of failing like kubectl).
    pub generate_missing: bool,
}

#[derive(Debug, Clone)]
pub struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
    pub var_reference: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackRef>,
}

impl Default for TransformerConfig {
    fn default() -> Self {
        let d = defaults();
        TransformerConfig {
            name_prefix: d.name_prefix.clone(),
            name_suffix: d.name_prefix.clone(),
            namespace: d.namespace.clone(),
            common_labels: d.common_labels.clone(),
            template_labels: d.template_labels.clone(),
            labels: Vec::new(),
            common_annotations: d.common_annotations.clone(),
            images: d.images.clone(),
            replicas: d.replicas.clone(),
            var_reference: d.var_reference.clone(),
            name_reference: d.name_reference.clone(),
        }
    }
}

fn merge_specs(into: &mut Vec<FieldSpec>, more: &[FieldSpec]) {
    for fs in more {
        if !into.contains(fs) {
            into.push(fs.clone());
        }
    }
}

impl TransformerConfig {
    fn merge(&mut self, o: &TransformerConfig) {
        merge_specs(&mut self.name_prefix, &o.name_prefix);
        merge_specs(&mut self.name_suffix, &o.name_suffix);
        merge_specs(&mut self.namespace, &o.namespace);
        merge_specs(&mut self.common_labels, &o.common_labels);
        merge_specs(&mut self.template_labels, &o.template_labels);
        merge_specs(&mut self.labels, &o.labels);
        merge_specs(&mut self.common_annotations, &o.common_annotations);
        merge_specs(&mut self.images, &o.images);
        merge_specs(&mut self.replicas, &o.replicas);
        merge_specs(&mut self.var_reference, &o.var_reference);
        for br in &o.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|b| b.referral == br.referral)
            {
                Some(b) => merge_specs(&mut b.specs, &br.specs),
                None => self.name_reference.push(br.clone()),
            }
        }
    }
}

#[derive(Default)]
pub struct Accumulator {
    pub resources: Vec<Resource>,
    pub config: TransformerConfig,
    pub vars: Vec<Value>,
}

impl Accumulator {
    /// Appends resources, refusing ids already present (one pass with a set).
    fn append_all(&mut self, rs: Vec<Resource>) -> Result<(), Error> {
        let key = |id: ResId| {
            let ns = id.effective_namespace().to_string();
            (id.gvk, id.name, ns)
        };
        let mut seen: std::collections::HashSet<_> =
            self.resources.iter().map(|r| key(r.cur_id())).collect();
        for r in rs {
            let id = r.cur_id();
            if !seen.insert(key(id.clone())) {
                return Err(Error::DuplicateId(id.display()));
            }
            self.resources.push(r);
        }
        Ok(())
    }

    fn append(&mut self, r: Resource) -> Result<(), Error> {
        let id = r.cur_id();
        if self
            .resources
            .iter()
            .any(|o| o.cur_id() == id || ids_equal(&o.cur_id(), &id))
        {
            return Err(Error::DuplicateId(id.display()));
        }
        self.resources.push(r);
        Ok(())
    }
}

fn ids_equal(a: &ResId, b: &ResId) -> bool {
    a.gvk == b.gvk && a.name == b.name && a.ns_equals(b)
}

struct Ctx {
    loader: Loader,
    opts: BuildOptions,
    stack: Vec<PathBuf>,
}

/// Builds the kustomization in `dir` and returns kustomize's YAML output.
pub fn build(dir: &Path, opts: &BuildOptions) -> Result<String, Error> {
    let resources = build_resources(dir, opts)?;
    let docs: Vec<Value> = resources
        .into_iter()
        .map(|mut r| {
            if let Some(typed) = r.typed_name.take()
                && typed.scalar_string().as_deref() == Some(r.name())
            {
                r.obj
                    .ensure_map_at(&["metadata"])
                    .map(|m| m.insert("name".into(), typed));
            }
            r.obj
        })
        .collect();
    Ok(crate::yaml::emit_documents(&docs)?)
}

/// Builds and returns the resources in output order.
pub fn build_resources(dir: &Path, opts: &BuildOptions) -> Result<Vec<Resource>, Error> {
    let root = match &opts.root {
        Some(r) => std::fs::canonicalize(r).map_err(|e| Error::Io(r.display().to_string(), e))?,
        None => PathBuf::from("/"),
    };
    let real_dir =
        std::fs::canonicalize(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
    if !real_dir.starts_with(&root) {
        return Err(Error::OutsideRoot(
            real_dir.display().to_string(),
            root.display().to_string(),
        ));
    }
    let mut ctx = Ctx {
        loader: Loader {
            build_root: root,
            restrictions: opts.load_restrictions,
            openapi: None,
        },
        opts: opts.clone(),
        stack: Vec::new(),
    };
    let kust = if opts.generate_missing && find_kustomization_file(&real_dir)?.is_none() {
        crate::flux_generate::generate(&ctx.loader, &real_dir)?
    } else {
        load_kustomization(&ctx, &real_dir)?
    };
    use_openapi(&mut ctx, &real_dir, &kust)?;
    let mut acc = Accumulator::default();
    ctx.stack.push(real_dir.clone());
    accumulate_target(&mut ctx, &real_dir, &kust, &mut acc)?;
    // Hashes, then references to the new names, then variables, then order.
    for r in acc.resources.iter_mut() {
        if r.needs_hash() {
            let h = content_hash(r);
            r.store_previous_id();
            let name = format!("{}-{}", r.name(), h);
            r.set_name(&name);
        }
    }
    nameref::fix(&mut acc.resources, &acc.config.name_reference)?;
    crate::vars::resolve(&mut acc.resources, &acc.vars, &acc.config.var_reference)?;
    let mut out = acc.resources;
    // Resources marked local-config never leave the build.
    out.retain(|r| {
        r.obj.str_at(&[
            "metadata",
            "annotations",
            "config.kubernetes.io/local-config",
        ]) != Some("true")
    });
    sort::apply(&mut out, kust.sort_options.as_ref())?;
    // kustomize rewrites annotations when removing its own, dropping an empty map.
    for r in out.iter_mut() {
        if let Some(meta) = r.obj.get_mut("metadata").and_then(Value::as_map_mut)
            && meta
                .get("annotations")
                .is_some_and(|a| a.as_map().is_none_or(|m| m.is_empty()))
        {
            meta.remove("annotations");
        }
    }
    if kust.build_metadata.iter().any(|b| b == "managedByLabel") {
        for r in out.iter_mut() {
            if let Some(m) = r.obj.ensure_map_at(&["metadata", "labels"]) {
                m.insert(
                    "app.kubernetes.io/managed-by".into(),
                    Value::Str("kustomize-(devel)".into()),
                );
            }
        }
    }
    Ok(out)
}

/// `openapi: path:` loads a custom schema for the rest of the build.
fn use_openapi(ctx: &mut Ctx, dir: &Path, k: &Kustomization) -> Result<(), Error> {
    let Some(path) = k
        .openapi
        .as_ref()
        .and_then(|o| o.get("path"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    let text = ctx.loader.read_string(dir, path)?;
    let doc = crate::yaml::parse_single(&text)?;
    if doc.get("definitions").is_none_or(|d| d.as_map().is_none()) {
        return Err(Error::InvalidKustomization(format!(
            "openapi schema {path} has no definitions"
        )));
    }
    ctx.loader.openapi = Some(std::sync::Arc::new(doc));
    Ok(())
}

fn load_kustomization(ctx: &Ctx, dir: &Path) -> Result<Kustomization, Error> {
    let Some(file) = find_kustomization_file(dir)? else {
        return Err(Error::NoKustomization(dir.display().to_string()));
    };
    let text =
        std::fs::read_to_string(&file).map_err(|e| Error::Io(file.display().to_string(), e))?;
    let _ = ctx;
    // kustomize decodes its own file with YAML 1.1 rules (`on`, `yes`, `y` are booleans).
    let docs = crate::yaml::parse_documents_yaml11(&text).map_err(|e| Error::YamlIn {
        path: file.display().to_string(),
        source: e,
    })?;
    let doc = docs
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or(Value::Null);
    if doc.is_null() || doc.as_map().is_some_and(|m| m.is_empty()) {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        return Err(Error::InvalidKustomization(format!("{name} is empty")));
    }
    let k = Kustomization::parse(&doc)?;
    if k.has_helm {
        return Err(Error::Unsupported(
            "helmCharts are not supported: Helm chart inflation is refused (as Flux does); render charts with a HelmRelease".into(),
        ));
    }
    if !k.validators.is_empty() {
        // Only builtin generator configs would be safe; plugins (exec/KRM) are refused.
        return Err(Error::Unsupported(
            "the validators field is not supported: validator plugins (exec and KRM functions) are refused".into(),
        ));
    }
    Ok(k)
}

fn accumulate_target(
    ctx: &mut Ctx,
    dir: &Path,
    k: &Kustomization,
    acc: &mut Accumulator,
) -> Result<(), Error> {
    for path in &k.resources {
        accumulate_resource(ctx, dir, path, acc)?;
    }
    for cfg in &k.configurations {
        let text = ctx.loader.read_string(dir, cfg)?;
        let tc = parse_config(&text)?;
        acc.config.merge(&tc);
    }
    for crd in &k.crds {
        let text = ctx.loader.read_string(dir, crd)?;
        let doc = crate::yaml::parse_single(&text)?;
        let ok = doc
            .as_map()
            .is_some_and(|m| m.values().all(|d| matches!(d, Value::Map(_))));
        if !ok {
            return Err(Error::InvalidKustomization(format!(
                "loading CRDs [{crd}]: unable to parse open API definition from '{crd}'"
            )));
        }
        let tc = crate::crds::config_from_definitions(&doc);
        acc.config.merge(&tc);
    }
    run_generators(ctx, dir, k, acc)?;
    for comp in &k.components {
        accumulate_component(ctx, dir, comp, acc)?;
    }
    run_transformers(ctx, dir, k, acc)?;
    acc.vars.extend(k.vars.iter().cloned());
    Ok(())
}

fn enter(ctx: &mut Ctx, dir: &Path, path: &str) -> Result<PathBuf, Error> {
    if is_remote(path) {
        if ctx.opts.no_remote {
            return Err(Error::RemoteRefused(path.to_string()));
        }
        return Err(Error::Unsupported(format!(
            "remote resource '{path}': fetching remote bases is not supported by this engine yet"
        )));
    }
    let sub = ctx.loader.resolve(dir, path)?;
    if ctx.stack.contains(&sub) {
        return Err(Error::Cycle(sub.display().to_string()));
    }
    if ctx.stack.len() >= MAX_NESTING {
        return Err(Error::TooDeep(MAX_NESTING));
    }
    Ok(sub)
}

fn accumulate_resource(
    ctx: &mut Ctx,
    dir: &Path,
    path: &str,
    acc: &mut Accumulator,
) -> Result<(), Error> {
    if !is_remote(path) {
        let candidate = dir.join(path);
        if candidate.is_file() {
            let text = ctx.loader.read_string(dir, path)?;
            return acc.append_all(load_resources(&text, path)?);
        }
    }
    let sub = enter(ctx, dir, path)?;
    if !sub.is_dir() {
        return Err(Error::Resource(format!(
            "accumulating resources: '{path}' is not a file or directory"
        )));
    }
    let kust = load_kustomization(ctx, &sub)?;
    use_openapi(ctx, &sub, &kust)?;
    if kust.kind == "Component" {
        return Err(Error::InvalidKustomization(format!(
            "expected kind != 'Component' for path '{}'",
            sub.display()
        )));
    }
    let mut sub_acc = Accumulator::default();
    ctx.stack.push(sub.clone());
    let res = accumulate_target(ctx, &sub, &kust, &mut sub_acc);
    ctx.stack.pop();
    res?;
    acc.append_all(sub_acc.resources)?;
    acc.config.merge(&sub_acc.config);
    acc.vars.extend(sub_acc.vars);
    Ok(())
}

fn accumulate_component(
    ctx: &mut Ctx,
    dir: &Path,
    path: &str,
    acc: &mut Accumulator,
) -> Result<(), Error> {
    let sub = enter(ctx, dir, path)?;
    let kust = load_kustomization(ctx, &sub)?;
    use_openapi(ctx, &sub, &kust)?;
    if kust.kind != "Component" {
        return Err(Error::InvalidKustomization(format!(
            "expected kind 'Component' for path '{}' but got '{}'",
            sub.display(),
            if kust.kind.is_empty() {
                "Kustomization"
            } else {
                &kust.kind
            }
        )));
    }
    ctx.stack.push(sub.clone());
    let res = accumulate_target(ctx, &sub, &kust, acc);
    ctx.stack.pop();
    res
}

/// Splits a manifest file into resources, expanding `kind: List`.
pub fn load_resources(text: &str, origin: &str) -> Result<Vec<Resource>, Error> {
    let docs = parse_documents(text).map_err(|e| Error::YamlIn {
        path: origin.to_string(),
        source: e,
    })?;
    let mut out = Vec::new();
    for d in docs {
        match d {
            Value::Null => {}
            Value::Map(ref m) if m.is_empty() => {}
            Value::Map(ref m) => {
                let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
                if kind.ends_with("List") && m.contains_key("items") {
                    if let Some(Value::Seq(items)) = m.get("items") {
                        for it in items {
                            out.push(check_resource(it.clone(), origin)?);
                        }
                    }
                    continue;
                }
                out.push(check_resource(d, origin)?);
            }
            _ => {
                return Err(Error::Resource(format!(
                    "{origin}: a resource must be a map"
                )));
            }
        }
    }
    Ok(out)
}

pub(crate) fn check_resource(v: Value, origin: &str) -> Result<Resource, Error> {
    let mut r = Resource::new(v);
    // kustomize reads a non-string name (`name: true`) as its text; keep the typed value
    // to print it unchanged if nothing renames the resource.
    if let Some(meta) = r.obj.get_mut("metadata").and_then(Value::as_map_mut)
        && let Some(name) = meta.get_mut("name")
        && matches!(
            name,
            Value::Bool(_) | Value::Int(_) | Value::UInt(_) | Value::Float(_)
        )
    {
        let text = name.scalar_string().unwrap_or_default();
        r.typed_name = Some(std::mem::replace(name, Value::Str(text)));
    }
    if r.obj
        .get("kind")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(Error::Resource(format!("{origin}: missing kind in object")));
    }
    if r.name().is_empty() {
        return Err(Error::Resource(format!(
            "{origin}: missing metadata.name in object of kind {}",
            r.kind()
        )));
    }
    Ok(r)
}

pub(crate) fn empty_config() -> TransformerConfig {
    TransformerConfig {
        name_prefix: vec![],
        name_suffix: vec![],
        namespace: vec![],
        common_labels: vec![],
        template_labels: vec![],
        labels: vec![],
        common_annotations: vec![],
        images: vec![],
        replicas: vec![],
        var_reference: vec![],
        name_reference: vec![],
    }
}

fn parse_config(text: &str) -> Result<TransformerConfig, Error> {
    let doc = crate::yaml::parse_single(text)?;
    let mut tc = empty_config();
    let Value::Map(m) = doc else { return Ok(tc) };
    for (k, v) in &m {
        let specs = if k == "nameReference" {
            Vec::new()
        } else {
            parse_fieldspecs(v)?
        };
        match k.as_str() {
            "namePrefix" => tc.name_prefix = specs,
            "nameSuffix" => tc.name_suffix = specs,
            "namespace" => tc.namespace = specs,
            "commonLabels" => tc.common_labels = specs,
            "templateLabels" => tc.template_labels = specs,
            "labels" => tc.labels = specs,
            "commonAnnotations" => tc.common_annotations = specs,
            "images" => tc.images = specs,
            "replicas" => tc.replicas = specs,
            "varReference" => tc.var_reference = specs,
            "nameReference" => {
                for br in v.as_seq().map(Vec::as_slice).unwrap_or(&[]) {
                    let g = |f: &str| br.get(f).and_then(Value::as_str).unwrap_or("").to_string();
                    let referral = Gvk {
                        group: g("group"),
                        version: g("version"),
                        kind: g("kind"),
                    };
                    let specs = parse_fieldspecs(br.get("fieldSpecs").unwrap_or(&Value::Null))?;
                    tc.name_reference.push(NameBackRef { referral, specs });
                }
            }
            other => {
                return Err(Error::InvalidKustomization(format!(
                    "unknown transformer configuration field {other:?}"
                )));
            }
        }
    }
    let _ = parse_spec_line;
    Ok(tc)
}

fn run_generators(
    ctx: &mut Ctx,
    dir: &Path,
    k: &Kustomization,
    acc: &mut Accumulator,
) -> Result<(), Error> {
    let gens = k
        .config_map_generator
        .iter()
        .map(|g| (g, false))
        .chain(k.secret_generator.iter().map(|g| (g, true)));
    for (args, secret) in gens {
        let r = generate(&ctx.loader, dir, args, k.generator_options.as_ref(), secret)?;
        absorb(acc, r)?;
    }
    for cfg in crate::plugins::load(&ctx.loader, dir, &k.generators)? {
        crate::plugins::generate(&ctx.loader, dir, &cfg, acc)?;
    }
    Ok(())
}

pub(crate) fn absorb(acc: &mut Accumulator, mut r: Resource) -> Result<(), Error> {
    let behavior = r.generated.as_ref().map(|g| g.behavior).unwrap_or_default();
    let id = r.cur_id();
    let matches: Vec<usize> = acc
        .resources
        .iter()
        .enumerate()
        .filter(|(_, o)| o.name() == id.name || o.prev_ids.iter().any(|p| p.name == id.name))
        .filter(|(_, o)| {
            ids_equal(&o.cur_id(), &id)
                || o.prev_ids
                    .iter()
                    .any(|p| p.gvk == id.gvk && p.name == id.name && p.ns_equals(&id))
        })
        .map(|(i, _)| i)
        .collect();
    match (matches.len(), behavior) {
        (0, Behavior::Merge | Behavior::Replace) => Err(Error::Generator(format!(
            "id {} does not exist; cannot merge or replace",
            id.display()
        ))),
        (0, Behavior::Create) => acc.append(r),
        (1, Behavior::Create) => Err(Error::Generator(format!(
            "id {} exists; behavior must be merge or replace",
            id.display()
        ))),
        (1, b) => {
            let i = matches[0];
            let old = acc.resources[i].clone();
            merge_meta(&mut r, &old);
            if b == Behavior::Merge {
                for field in ["data", "binaryData"] {
                    let mut merged = old
                        .obj
                        .get(field)
                        .and_then(Value::as_map)
                        .cloned()
                        .unwrap_or_default();
                    if let Some(Value::Map(new)) = r.obj.get(field) {
                        for (k, v) in new {
                            merged.insert(k.clone(), v.clone());
                        }
                    }
                    if let Some(m) = r.obj.as_map_mut()
                        && !merged.is_empty()
                    {
                        m.insert(field.into(), Value::Map(merged));
                    }
                }
            }
            r.prev_ids = old.prev_ids.clone();
            r.prefixes = old.prefixes.clone();
            r.suffixes = old.suffixes.clone();
            let mut info = old.generated.clone().unwrap_or_default();
            info.behavior = Behavior::Create;
            if let Some(g) = &r.generated
                && !g.needs_hash
            {
                info.needs_hash = false;
            }
            r.generated = Some(info);
            acc.resources[i] = r;
            Ok(())
        }
        _ => Err(Error::Generator(format!(
            "multiple matches for {}",
            id.display()
        ))),
    }
}

fn merge_meta(r: &mut Resource, old: &Resource) {
    for field in ["labels", "annotations"] {
        let mut merged = old
            .obj
            .at(&["metadata", field])
            .and_then(Value::as_map)
            .cloned()
            .unwrap_or_default();
        if let Some(Value::Map(new)) = r.obj.at(&["metadata", field]) {
            for (k, v) in new {
                merged.insert(k.clone(), v.clone());
            }
        }
        if let Some(m) = r.obj.ensure_map_at(&["metadata"]) {
            if merged.is_empty() {
                m.remove(field);
            } else {
                m.insert(field.into(), Value::Map(merged));
            }
        }
    }
    r.set_name(old.name());
    let ns = old.namespace().to_string();
    if let Some(m) = r.obj.ensure_map_at(&["metadata"]) {
        if ns.is_empty() {
            m.remove("namespace");
        } else {
            m.insert("namespace".into(), Value::Str(ns));
        }
    }
}

fn load_patch_text(loader: &Loader, dir: &Path, p: &Patch) -> Result<String, Error> {
    match (&p.path, &p.patch) {
        (Some(_), Some(_)) => Err(Error::Patch(
            "patch and path can't be set at the same time".into(),
        )),
        (Some(path), None) => loader.read_string(dir, path),
        (None, Some(text)) => Ok(text.clone()),
        (None, None) => Err(Error::Patch(
            "must specify one of patch and path in patches".into(),
        )),
    }
}

fn is_json_patch(docs: &[Value]) -> bool {
    docs.len() == 1 && matches!(docs[0], Value::Seq(_))
}

fn apply_smp_to(
    r: &mut Resource,
    patch: &Value,
    allow_name: bool,
    allow_kind: bool,
    openapi: Option<&Value>,
) -> Result<(), Error> {
    let (name, ns, kind) = (
        r.name().to_string(),
        r.namespace().to_string(),
        r.kind().to_string(),
    );
    if allow_name || allow_kind {
        r.store_previous_id();
    }
    let gvk = r.gvk();
    let schema = match openapi {
        Some(doc) => smp::Schema::custom(doc, &gvk.group, &gvk.version, &gvk.kind),
        None => smp::Schema::Builtin(smp::is_builtin_api_version(r.api_version())),
    };
    smp::apply(&mut r.obj, patch, schema)?;
    if r.obj.is_null() {
        return Ok(());
    }
    if !allow_name && r.name() != name {
        r.set_name(&name);
    }
    if !allow_kind
        && r.kind() != kind
        && let Some(m) = r.obj.as_map_mut()
    {
        m.insert("kind".into(), Value::Str(kind));
    }
    if r.namespace() != ns && !allow_name {
        if ns.is_empty() {
            if let Some(m) = r.obj.get_mut("metadata").and_then(Value::as_map_mut) {
                m.remove("namespace");
            }
        } else {
            r.set_namespace(&ns);
        }
    }
    Ok(())
}

fn find_by_any_id(res: &[Resource], patch: &Value) -> Result<usize, Error> {
    let p = Resource::new(patch.clone());
    let id = p.cur_id();
    let matches: Vec<usize> = res
        .iter()
        .enumerate()
        // Cheap name test first: building ids allocates.
        .filter(|(_, r)| r.name() == id.name || r.prev_ids.iter().any(|p| p.name == id.name))
        .filter(|(_, r)| {
            ids_equal(&r.cur_id(), &id)
                || r.prev_ids
                    .iter()
                    .any(|pid| pid.gvk == id.gvk && pid.name == id.name && pid.ns_equals(&id))
        })
        .map(|(i, _)| i)
        .collect();
    match matches.len() {
        1 => Ok(matches[0]),
        0 => Err(Error::Patch(format!(
            "no resource matches strategic merge patch \"{}\"",
            id.display()
        ))),
        _ => Err(Error::Patch(format!(
            "multiple resources match strategic merge patch \"{}\"",
            id.display()
        ))),
    }
}

fn drop_deleted(acc: &mut Accumulator) {
    acc.resources.retain(|r| !r.obj.is_null());
}

fn apply_patch(ctx: &Ctx, dir: &Path, p: &Patch, acc: &mut Accumulator) -> Result<(), Error> {
    apply_patch_with(&ctx.loader, dir, p, acc)
}

pub(crate) fn apply_patch_with(
    loader: &Loader,
    dir: &Path,
    p: &Patch,
    acc: &mut Accumulator,
) -> Result<(), Error> {
    let text = load_patch_text(loader, dir, p)?;
    let docs: Vec<Value> = parse_documents(&text)?
        .into_iter()
        .filter(|d| !d.is_null())
        .collect();
    if docs.is_empty() {
        return Err(Error::Patch("patch is empty".into()));
    }
    if is_json_patch(&docs) {
        let Some(target) = &p.target else {
            return Err(Error::Patch("must specify a target for JSON patch".into()));
        };
        // JSON patches are decoded by go-yaml v2 (YAML 1.1 scalars).
        let ops11 = crate::yaml::parse_documents_yaml11(&text)?;
        let ops = json6902::parse_ops(ops11.iter().find(|d| !d.is_null()).unwrap_or(&docs[0]))?;
        for i in select(&acc.resources, target)? {
            // JSON patches may rename; references then follow the new name.
            acc.resources[i].store_previous_id();
            json6902::apply(&mut acc.resources[i].obj, &ops)?;
        }
        return Ok(());
    }
    match &p.target {
        None => {
            for d in &docs {
                let i = find_by_any_id(&acc.resources, d)?;
                apply_smp_to(
                    &mut acc.resources[i],
                    d,
                    p.allow_name_change,
                    p.allow_kind_change,
                    loader.openapi.as_deref(),
                )?;
            }
        }
        Some(target) => {
            for i in select(&acc.resources, target)? {
                for d in &docs {
                    let mut d = d.clone();
                    let r = &acc.resources[i];
                    let (name, ns, av, kind) = (
                        r.name().to_string(),
                        r.namespace().to_string(),
                        r.api_version().to_string(),
                        r.kind().to_string(),
                    );
                    if let Value::Map(m) = &mut d {
                        if !p.allow_kind_change {
                            m.insert("kind".into(), Value::Str(kind));
                            m.insert("apiVersion".into(), Value::Str(av));
                        }
                        if !p.allow_name_change
                            && let Some(meta) = d.ensure_map_at(&["metadata"])
                        {
                            meta.insert("name".into(), Value::Str(name));
                            if ns.is_empty() {
                                meta.remove("namespace");
                            } else {
                                meta.insert("namespace".into(), Value::Str(ns));
                            }
                        }
                    }
                    apply_smp_to(
                        &mut acc.resources[i],
                        &d,
                        p.allow_name_change,
                        p.allow_kind_change,
                        loader.openapi.as_deref(),
                    )?;
                }
            }
        }
    }
    drop_deleted(acc);
    Ok(())
}

fn run_transformers(
    ctx: &mut Ctx,
    dir: &Path,
    k: &Kustomization,
    acc: &mut Accumulator,
) -> Result<(), Error> {
    for path in &k.patches_strategic_merge {
        let text = if path.contains('\n')
            || !Path::new(path)
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
                && !dir.join(path).is_file()
        {
            path.clone()
        } else {
            ctx.loader.read_string(dir, path)?
        };
        let p = Patch {
            patch: Some(text),
            ..Default::default()
        };
        let docs: Vec<Value> = parse_documents(p.patch.as_deref().unwrap_or(""))?
            .into_iter()
            .filter(|d| !d.is_null())
            .collect();
        for d in &docs {
            let i = find_by_any_id(&acc.resources, d)?;
            apply_smp_to(
                &mut acc.resources[i],
                d,
                false,
                false,
                ctx.loader.openapi.as_deref(),
            )?;
        }
        drop_deleted(acc);
    }
    for p in &k.patches {
        apply_patch(ctx, dir, p, acc)?;
    }
    let cfg = acc.config.clone();
    transformers::namespace(&mut acc.resources, &k.namespace, &cfg.namespace)?;
    if !k.name_prefix.is_empty() || k.name_suffix.is_empty() && !k.name_prefix.is_empty() {
        transformers::prefix_suffix(&mut acc.resources, &k.name_prefix, &cfg.name_prefix, true)?;
    }
    if !k.name_suffix.is_empty() {
        transformers::prefix_suffix(&mut acc.resources, &k.name_suffix, &cfg.name_suffix, false)?;
    }
    for l in &k.labels {
        let mut specs = l.fields.clone();
        merge_specs(&mut specs, &cfg.labels);
        if l.include_selectors {
            merge_specs(&mut specs, &cfg.common_labels);
        } else {
            if l.include_templates {
                merge_specs(&mut specs, &cfg.template_labels);
            }
            merge_specs(&mut specs, &[FieldSpec::new("metadata/labels", true)]);
        }
        transformers::set_map_entries(&mut acc.resources, &l.pairs, &specs)?;
    }
    transformers::set_map_entries(&mut acc.resources, &k.common_labels, &cfg.common_labels)?;
    transformers::set_map_entries(
        &mut acc.resources,
        &k.common_annotations,
        &cfg.common_annotations,
    )?;
    for p in &k.patches_json6902 {
        let text = load_patch_text(&ctx.loader, dir, p)?;
        let doc = crate::yaml::parse_documents_yaml11(&text)?
            .into_iter()
            .find(|d| !d.is_null())
            .unwrap_or(Value::Null);
        let ops = json6902::parse_ops(&doc)?;
        let Some(target) = &p.target else { continue };
        let idx = select(&acc.resources, target)?;
        if idx.is_empty() {
            return Err(Error::Patch(format!(
                "patchesJson6902 target {:?} matched no resource",
                target.name
            )));
        }
        for i in idx {
            json6902::apply(&mut acc.resources[i].obj, &ops)?;
        }
    }
    transformers::replicas(&mut acc.resources, &k.replicas, &cfg.replicas)?;
    transformers::images(&mut acc.resources, &k.images, &cfg.images)?;
    crate::replacements::apply(&ctx.loader, dir, &mut acc.resources, &k.replacements)?;
    for cfg in crate::plugins::load(&ctx.loader, dir, &k.transformers)? {
        crate::plugins::transform(&ctx.loader, dir, &cfg, acc)?;
    }
    Ok(())
}
