//! Flux's kustomization generator (fluxcd/pkg/kustomize `Generator.WriteFile`): find the
//! kustomization file in the build folder, or generate one listing every manifest below it, then
//! layer the Kustomization's own fields on it (targetNamespace, namePrefix/nameSuffix, patches,
//! components, images, buildMetadata) and write it back for the engine to build.

use flux_api::kustomize::{Image, KustomizationSpec, Patch, Selector};
use flux_kustomize::value::{Map, Value};
use flux_kustomize::yaml;
use std::path::{Component, Path, PathBuf};

/// The file names kustomize recognises, in its order.
const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Fields of kustomize's `types.Kustomization`; Flux rewrites the file through that type, so any
/// other field is dropped.
const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

const MAX_DEPTH: usize = 64;
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("failed to decode Kubernetes YAML from {path}: {message}")]
    Decode { path: String, message: String },
    #[error("failed to read {path}: {message}")]
    Kustomization { path: String, message: String },
    #[error("component path '{0}' must be local and relative")]
    RemoteComponent(String),
    #[error("more than {MAX_ENTRIES} files under {0}")]
    TooManyFiles(String),
    #[error("folders nested deeper than {MAX_DEPTH} levels under {0}")]
    TooDeep(String),
}

/// Whether the kustomization file was found or generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Unchanged,
}

/// Write the kustomization file Flux would build in `dir` (inside `root`).
pub fn write_kustomization(
    root: &Path,
    dir: &Path,
    spec: &KustomizationSpec,
) -> Result<Action, GenerateError> {
    let (mut kustomization, file, action) = find_or_generate(dir)?;
    if action == Action::Unchanged && seq_len(&kustomization, "resources") == 0 {
        // Flux's guard against kustomize's "kustomization.yaml is empty" error.
        kustomization.insert(
            "buildMetadata".into(),
            Value::Seq(vec![Value::Str("originAnnotations".into())]),
        );
    }
    layer_spec(&mut kustomization, root, dir, spec)?;
    let text = yaml::emit_document(&Value::Map(kustomization)).map_err(|e| {
        GenerateError::Kustomization {
            path: file.display().to_string(),
            message: e.to_string(),
        }
    })?;
    std::fs::write(&file, text).map_err(|source| GenerateError::Io {
        path: file.display().to_string(),
        source,
    })?;
    Ok(action)
}

fn seq_len(m: &Map, key: &str) -> usize {
    m.get(key).and_then(Value::as_seq).map_or(0, Vec::len)
}

fn type_meta() -> Map {
    let mut m = Map::new();
    m.insert(
        "apiVersion".into(),
        Value::Str("kustomize.config.k8s.io/v1beta1".into()),
    );
    m.insert("kind".into(), Value::Str("Kustomization".into()));
    m
}

fn find_or_generate(dir: &Path) -> Result<(Map, PathBuf, Action), GenerateError> {
    for name in KUSTOMIZATION_FILES {
        let path = dir.join(name);
        if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|source| GenerateError::Io {
                path: path.display().to_string(),
                source,
            })?;
            let bad = |message: String| GenerateError::Kustomization {
                path: path.display().to_string(),
                message,
            };
            // sigs.k8s.io/yaml reads the first document with YAML 1.1 rules.
            let docs = yaml::parse_documents_yaml11(&text).map_err(|e| bad(e.to_string()))?;
            let mut kustomization = type_meta();
            match docs.into_iter().next() {
                None | Some(Value::Null) => {}
                Some(Value::Map(fields)) => {
                    for (key, value) in fields {
                        if KNOWN_FIELDS.contains(&key.as_str()) && !value.is_null() {
                            kustomization.insert(key, value);
                        }
                    }
                }
                Some(other) => {
                    return Err(bad(format!(
                        "a kustomization must be a map, not {}",
                        other.type_name()
                    )));
                }
            }
            return Ok((kustomization, path, Action::Unchanged));
        }
    }
    let mut resources = Vec::new();
    let mut seen = 0;
    scan(dir, dir, 0, &mut seen, &mut resources)?;
    let mut kustomization = type_meta();
    if resources.is_empty() {
        // Flux's placeholder so that an empty folder builds to nothing instead of failing.
        kustomization.insert("namespace".into(), Value::Str("_placeholder".into()));
    } else {
        kustomization.insert(
            "resources".into(),
            Value::Seq(resources.into_iter().map(Value::Str).collect()),
        );
    }
    Ok((
        kustomization,
        dir.join(KUSTOMIZATION_FILES[0]),
        Action::Created,
    ))
}

/// Every `.yaml`/`.yml` manifest under `dir` in walk (lexical) order; a folder with its own
/// kustomization file is taken whole.
fn scan(
    base: &Path,
    dir: &Path,
    depth: usize,
    seen: &mut usize,
    out: &mut Vec<String>,
) -> Result<(), GenerateError> {
    if depth > MAX_DEPTH {
        return Err(GenerateError::TooDeep(base.display().to_string()));
    }
    let io = |path: &Path, source| GenerateError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        *seen += 1;
        if *seen > MAX_ENTRIES {
            return Err(GenerateError::TooManyFiles(base.display().to_string()));
        }
        let path = entry.path();
        let relative = format!(
            "./{}",
            path.strip_prefix(base).unwrap_or(&path).to_string_lossy()
        );
        let file_type = entry.file_type().map_err(|e| io(&path, e))?;
        if file_type.is_dir() {
            if KUSTOMIZATION_FILES.iter().any(|f| path.join(f).is_file()) {
                out.push(relative);
            } else {
                scan(base, &path, depth + 1, seen, out)?;
            }
            continue;
        }
        if !file_type.is_file() {
            continue;
        }
        let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext != "yaml" && ext != "yml" {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        check_manifests(&text).map_err(|message| GenerateError::Decode {
            path: path.display().to_string(),
            message,
        })?;
        out.push(relative);
    }
    Ok(())
}

/// The checks kustomize's resource factory makes on a manifest file.
fn check_manifests(text: &str) -> Result<(), String> {
    let docs = yaml::parse_documents(text).map_err(|e| e.to_string())?;
    for doc in docs {
        let map = match &doc {
            Value::Null => continue,
            Value::Map(m) if m.is_empty() => continue,
            Value::Map(m) => m,
            other => {
                return Err(format!(
                    "a resource must be a map, not {}",
                    other.type_name()
                ));
            }
        };
        let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
        let items: Vec<&Value> = match map.get("items") {
            Some(Value::Seq(items)) if kind.ends_with("List") => items.iter().collect(),
            _ => vec![&doc],
        };
        for item in items {
            if item.str_at(&["kind"]).is_none_or(str::is_empty) {
                return Err("missing kind in object".into());
            }
            let named = match item.at(&["metadata", "name"]) {
                Some(Value::Str(s)) => !s.is_empty(),
                Some(v) => v.scalar_string().is_some_and(|s| !s.is_empty()),
                None => false,
            };
            if !named {
                return Err("missing metadata.name in object".into());
            }
        }
    }
    Ok(())
}

fn layer_spec(
    k: &mut Map,
    root: &Path,
    dir: &Path,
    spec: &KustomizationSpec,
) -> Result<(), GenerateError> {
    let set = |k: &mut Map, key: &str, value: &Option<String>| {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            k.insert(key.into(), Value::Str(v.clone()));
        }
    };
    set(k, "namespace", &spec.target_namespace);
    set(k, "namePrefix", &spec.name_prefix);
    set(k, "nameSuffix", &spec.name_suffix);

    for patch in spec.patches.iter().flatten() {
        push(k, "patches", patch_value(patch));
    }

    let ignore_missing = spec.ignore_missing_components.unwrap_or(false);
    for component in spec.components.iter().flatten() {
        if !is_local_relative_path(component) {
            return Err(GenerateError::RemoteComponent(component.clone()));
        }
        if ignore_missing && !exists_inside(root, &dir.join(component)) {
            continue;
        }
        push(k, "components", Value::Str(component.clone()));
    }

    for image in spec.images.iter().flatten() {
        merge_image(k, image);
    }

    if let Some(metadata) = spec.build_metadata.as_ref().filter(|m| !m.is_empty()) {
        let names = metadata
            .iter()
            .map(|m| {
                Value::Str(
                    match m {
                        flux_api::kustomize::BuildMetadata::OriginAnnotations => {
                            "originAnnotations"
                        }
                        flux_api::kustomize::BuildMetadata::TransformerAnnotations => {
                            "transformerAnnotations"
                        }
                    }
                    .into(),
                )
            })
            .collect();
        k.insert("buildMetadata".into(), Value::Seq(names));
    }
    Ok(())
}

fn push(k: &mut Map, key: &str, value: Value) {
    match k.get_mut(key) {
        Some(Value::Seq(items)) => items.push(value),
        _ => {
            k.insert(key.into(), Value::Seq(vec![value]));
        }
    }
}

fn patch_value(patch: &Patch) -> Value {
    let mut m = Map::new();
    m.insert("patch".into(), Value::Str(patch.patch.clone()));
    if let Some(target) = &patch.target {
        m.insert("target".into(), Value::Map(selector_value(target)));
    }
    Value::Map(m)
}

fn selector_value(s: &Selector) -> Map {
    let mut m = Map::new();
    let fields = [
        ("group", &s.group),
        ("version", &s.version),
        ("kind", &s.kind),
        ("name", &s.name),
        ("namespace", &s.namespace),
        ("labelSelector", &s.label_selector),
        ("annotationSelector", &s.annotation_selector),
    ];
    for (key, value) in fields {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            m.insert(key.into(), Value::Str(v.clone()));
        }
    }
    m
}

/// An image override replaces the fields it sets on an entry of the same name (tag and digest as
/// one unit, since either selects the version), or is appended.
fn merge_image(k: &mut Map, image: &Image) {
    let some = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let (new_name, new_tag, digest) = (
        some(&image.new_name),
        some(&image.new_tag),
        some(&image.digest),
    );
    if let Some(Value::Seq(images)) = k.get_mut("images")
        && let Some(Value::Map(existing)) = images
            .iter_mut()
            .find(|i| i.str_at(&["name"]) == Some(image.name.as_str()))
    {
        if let Some(n) = new_name {
            existing.insert("newName".into(), Value::Str(n));
        }
        if new_tag.is_some() || digest.is_some() {
            for (key, value) in [("newTag", new_tag), ("digest", digest)] {
                match value {
                    Some(v) => existing.insert(key.into(), Value::Str(v)),
                    None => existing.remove(key),
                };
            }
        }
        return;
    }
    let mut m = Map::new();
    m.insert("name".into(), Value::Str(image.name.clone()));
    for (key, value) in [
        ("newName", new_name),
        ("newTag", new_tag),
        ("digest", digest),
    ] {
        if let Some(v) = value {
            m.insert(key.into(), Value::Str(v));
        }
    }
    push(k, "images", Value::Map(m));
}

/// kustomize's test for a local path (remote URL forms and absolute paths are not).
pub fn is_local_relative_path(path: &str) -> bool {
    const REMOTE: [&str; 8] = [
        "git::",
        "gh:",
        "ssh://",
        "https://",
        "http://",
        "git@",
        "github.com:",
        "github.com/",
    ];
    let lower = path.to_lowercase();
    if REMOTE
        .iter()
        .any(|p| p.len() < path.len() && lower.starts_with(p))
    {
        return false;
    }
    !(Path::new(path).is_absolute() || Path::new(lower.trim_start_matches("file://")).is_absolute())
}

/// Whether `path` exists without leaving `root` (Flux checks through a root-confined filesystem).
fn exists_inside(root: &Path, path: &Path) -> bool {
    let Ok(real) = path.canonicalize() else {
        return false;
    };
    let Ok(root) = root.canonicalize() else {
        return false;
    };
    real.starts_with(root)
}

/// `spec.path` resolved inside `root` the way Go's securejoin does: `..` never climbs above the
/// root, so the result always lies inside it.
pub fn secure_join(root: &Path, unsafe_path: &str) -> PathBuf {
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(unsafe_path).components() {
        match component {
            Component::Normal(p) => parts.push(p.to_str().unwrap_or_default()),
            Component::ParentDir => {
                parts.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    let mut out = root.to_path_buf();
    out.extend(parts);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> KustomizationSpec {
        KustomizationSpec {
            interval: "1m".into(),
            ..Default::default()
        }
    }

    fn read(dir: &Path) -> Value {
        let text = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
        yaml::parse_single(&text).unwrap()
    }

    #[test]
    fn generates_a_kustomization_listing_every_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("b/nested")).unwrap();
        std::fs::create_dir_all(root.join("app")).unwrap();
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
        std::fs::write(root.join("z.yaml"), cm).unwrap();
        std::fs::write(root.join("a.yml"), cm).unwrap();
        std::fs::write(root.join("notes.txt"), "not yaml").unwrap();
        std::fs::write(root.join("b/nested/c.yaml"), cm).unwrap();
        std::fs::write(root.join("app/kustomization.yaml"), "resources: []\n").unwrap();
        std::fs::write(root.join("app/ignored.yaml"), "not: k8s\n").unwrap();
        let action = write_kustomization(root, root, &spec()).unwrap();
        assert_eq!(action, Action::Created);
        let k = read(root);
        let resources: Vec<&str> = k
            .get("resources")
            .and_then(Value::as_seq)
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            resources,
            ["./a.yml", "./app", "./b/nested/c.yaml", "./z.yaml"]
        );
        assert_eq!(k.str_at(&["kind"]), Some("Kustomization"));
    }

    #[test]
    fn non_kubernetes_yaml_fails_generation() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("config.yaml"), "foo: bar\n").unwrap();
        let err = write_kustomization(tmp.path(), tmp.path(), &spec()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("failed to decode Kubernetes YAML from"),
            "{err}"
        );
    }

    #[test]
    fn an_empty_folder_gets_the_placeholder_namespace() {
        let tmp = tempfile::tempdir().unwrap();
        write_kustomization(tmp.path(), tmp.path(), &spec()).unwrap();
        assert_eq!(
            read(tmp.path()).str_at(&["namespace"]),
            Some("_placeholder")
        );
    }

    #[test]
    fn layers_the_spec_over_an_existing_kustomization() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("comp")).unwrap();
        std::fs::write(
            root.join("kustomization.yaml"),
            "resources: [cm.yaml]\nnamespace: old\nunknownField: dropped\nimages:\n- name: nginx\n  newTag: \"1.0\"\n  digest: sha256:old\n- name: redis\n  newName: r\npatches:\n- path: p.yaml\n",
        )
        .unwrap();
        let mut s = spec();
        s.target_namespace = Some("apps".into());
        s.name_prefix = Some("pre-".into());
        s.name_suffix = Some("-suf".into());
        s.components = Some(vec!["comp".into(), "missing".into()]);
        s.ignore_missing_components = Some(true);
        s.patches = Some(vec![Patch {
            patch: "- op: add\n  path: /x\n  value: y\n".into(),
            target: Some(Selector {
                kind: Some("Deployment".into()),
                label_selector: Some("app=x".into()),
                ..Default::default()
            }),
        }]);
        s.images = Some(vec![
            Image {
                name: "nginx".into(),
                new_tag: Some("2.0".into()),
                ..Default::default()
            },
            Image {
                name: "redis".into(),
                new_name: Some("r2".into()),
                ..Default::default()
            },
            Image {
                name: "busybox".into(),
                digest: Some("sha256:abc".into()),
                ..Default::default()
            },
        ]);
        assert_eq!(
            write_kustomization(root, root, &s).unwrap(),
            Action::Unchanged
        );
        let k = read(root);
        assert_eq!(k.str_at(&["namespace"]), Some("apps"));
        assert_eq!(k.str_at(&["namePrefix"]), Some("pre-"));
        assert_eq!(k.str_at(&["nameSuffix"]), Some("-suf"));
        assert!(k.get("unknownField").is_none());
        assert!(k.get("buildMetadata").is_none());
        let components = k.get("components").and_then(Value::as_seq).unwrap();
        assert_eq!(components, &vec![Value::Str("comp".into())]);
        let patches = k.get("patches").and_then(Value::as_seq).unwrap();
        assert_eq!(patches.len(), 2);
        assert_eq!(patches[1].str_at(&["target", "kind"]), Some("Deployment"));
        assert_eq!(
            patches[1].str_at(&["target", "labelSelector"]),
            Some("app=x")
        );
        let images = k.get("images").and_then(Value::as_seq).unwrap();
        assert_eq!(images[0].str_at(&["newTag"]), Some("2.0"));
        assert!(
            images[0].get("digest").is_none(),
            "tag and digest move together"
        );
        assert_eq!(images[1].str_at(&["newName"]), Some("r2"));
        assert_eq!(images[2].str_at(&["digest"]), Some("sha256:abc"));
    }

    #[test]
    fn remote_components_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = spec();
        s.components = Some(vec!["https://github.com/x/y".into()]);
        let err = write_kustomization(tmp.path(), tmp.path(), &s).unwrap_err();
        assert_eq!(
            err.to_string(),
            "component path 'https://github.com/x/y' must be local and relative"
        );
        assert!(!is_local_relative_path("/abs"));
        assert!(!is_local_relative_path("git@github.com:x/y"));
        assert!(is_local_relative_path("../components/x"));
    }

    #[test]
    fn an_existing_kustomization_without_resources_gets_origin_annotations() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("kustomization.yaml"),
            "configMapGenerator:\n- name: x\n  literals: [a=b]\n",
        )
        .unwrap();
        write_kustomization(tmp.path(), tmp.path(), &spec()).unwrap();
        let k = read(tmp.path());
        assert_eq!(
            k.get("buildMetadata").and_then(Value::as_seq).unwrap(),
            &vec![Value::Str("originAnnotations".into())]
        );
    }

    #[test]
    fn secure_join_stays_inside_the_root() {
        let root = Path::new("/tmp/root");
        assert_eq!(secure_join(root, "./apps/x"), root.join("apps/x"));
        assert_eq!(secure_join(root, "../../etc"), root.join("etc"));
        assert_eq!(secure_join(root, "/abs/../x"), root.join("x"));
        assert_eq!(secure_join(root, ""), root.to_path_buf());
    }
}
