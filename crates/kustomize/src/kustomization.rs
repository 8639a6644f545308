//! The kustomization file, decoded strictly (unknown fields are errors, as in kustomize).

use crate::error::Error;
use crate::fieldspec::FieldSpec;
use crate::resource::Gvk;
use crate::value::{Map, Value};

#[derive(Debug, Clone, Default)]
pub struct GeneratorOptions {
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    pub disable_name_suffix_hash: Option<bool>,
    pub immutable: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct GeneratorArgs {
    pub name: String,
    pub namespace: String,
    pub behavior: String,
    pub literals: Vec<String>,
    pub files: Vec<String>,
    pub envs: Vec<String>,
    pub options: Option<GeneratorOptions>,
    pub secret_type: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
    pub label_selector: String,
    pub annotation_selector: String,
}

#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub path: Option<String>,
    pub patch: Option<String>,
    pub target: Option<Selector>,
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Image {
    pub name: String,
    pub new_name: Option<String>,
    pub new_tag: Option<String>,
    pub digest: Option<String>,
    pub tag_suffix: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Label {
    pub pairs: Vec<(String, String)>,
    pub include_selectors: bool,
    pub include_templates: bool,
    pub fields: Vec<FieldSpec>,
}

#[derive(Debug, Clone, Default)]
pub struct Kustomization {
    pub kind: String,
    pub resources: Vec<String>,
    pub components: Vec<String>,
    pub crds: Vec<String>,
    pub namespace: String,
    pub name_prefix: String,
    pub name_suffix: String,
    pub common_labels: Vec<(String, String)>,
    pub labels: Vec<Label>,
    pub common_annotations: Vec<(String, String)>,
    pub patches: Vec<Patch>,
    pub patches_strategic_merge: Vec<String>,
    pub patches_json6902: Vec<Patch>,
    pub images: Vec<Image>,
    pub replicas: Vec<(String, Value)>,
    pub config_map_generator: Vec<GeneratorArgs>,
    pub secret_generator: Vec<GeneratorArgs>,
    pub generator_options: Option<GeneratorOptions>,
    pub replacements: Vec<Value>,
    pub vars: Vec<Value>,
    pub configurations: Vec<String>,
    pub sort_options: Option<Value>,
    pub build_metadata: Vec<String>,
    pub openapi: Option<Value>,
    pub transformers: Vec<String>,
    pub generators: Vec<String>,
    pub validators: Vec<String>,
    pub has_helm: bool,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::InvalidKustomization(msg.into())
}

pub(crate) fn as_str(v: &Value, field: &str) -> Result<String, Error> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Err(bad(format!(
            "json: cannot unmarshal {} into Go struct field {field} of type string",
            go_json_type(other)
        ))),
    }
}

fn go_json_type(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::UInt(_) | Value::Float(_) => "number",
        Value::Str(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
        Value::Null => "null",
    }
}

fn as_bool(v: &Value, field: &str) -> Result<bool, Error> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        other => Err(bad(format!(
            "json: cannot unmarshal {} into Go struct field {field} of type bool",
            go_json_type(other)
        ))),
    }
}

fn as_str_list(v: &Value, field: &str) -> Result<Vec<String>, Error> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Seq(items) => items.iter().map(|i| as_str(i, field)).collect(),
        other => Err(bad(format!(
            "json: cannot unmarshal {} into Go struct field {field} of type []string",
            go_json_type(other)
        ))),
    }
}

pub(crate) fn as_str_map(v: &Value, field: &str) -> Result<Vec<(String, String)>, Error> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Map(m) => m
            .iter()
            .map(|(k, v)| Ok((k.clone(), as_str(v, field)?)))
            .collect(),
        other => Err(bad(format!(
            "json: cannot unmarshal {} into Go struct field {field} of type map[string]string",
            go_json_type(other)
        ))),
    }
}

fn as_map<'a>(v: &'a Value, field: &str) -> Result<Option<&'a Map>, Error> {
    match v {
        Value::Null => Ok(None),
        Value::Map(m) => Ok(Some(m)),
        other => Err(bad(format!(
            "json: cannot unmarshal {} into Go struct field {field}",
            go_json_type(other)
        ))),
    }
}

fn as_seq<'a>(v: &'a Value, field: &str) -> Result<&'a [Value], Error> {
    match v {
        Value::Null => Ok(&[]),
        Value::Seq(s) => Ok(s),
        other => Err(bad(format!(
            "json: cannot unmarshal {} into Go struct field {field}",
            go_json_type(other)
        ))),
    }
}

fn check_fields(m: &Map, allowed: &[&str]) -> Result<(), Error> {
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(bad(format!("json: unknown field \"{k}\"")));
        }
    }
    Ok(())
}

fn parse_gen_options(v: &Value) -> Result<Option<GeneratorOptions>, Error> {
    let Some(m) = as_map(v, "generatorOptions")? else {
        return Ok(None);
    };
    check_fields(
        m,
        &[
            "labels",
            "annotations",
            "disableNameSuffixHash",
            "immutable",
        ],
    )?;
    Ok(Some(GeneratorOptions {
        labels: m
            .get("labels")
            .map(|v| as_str_map(v, "labels"))
            .transpose()?
            .unwrap_or_default(),
        annotations: m
            .get("annotations")
            .map(|v| as_str_map(v, "annotations"))
            .transpose()?
            .unwrap_or_default(),
        disable_name_suffix_hash: m
            .get("disableNameSuffixHash")
            .map(|v| as_bool(v, "disableNameSuffixHash"))
            .transpose()?,
        immutable: m
            .get("immutable")
            .map(|v| as_bool(v, "immutable"))
            .transpose()?,
    }))
}

pub(crate) fn parse_generator(v: &Value, secret: bool) -> Result<GeneratorArgs, Error> {
    let m = as_map(v, "generator")?.ok_or_else(|| bad("generator entry must be a map"))?;
    let mut allowed = vec![
        "name",
        "namespace",
        "behavior",
        "literals",
        "files",
        "envs",
        "env",
        "options",
    ];
    if secret {
        allowed.push("type");
    }
    check_fields(m, &allowed)?;
    let g = |k: &str| m.get(k).unwrap_or(&Value::Null);
    let mut envs = as_str_list(g("envs"), "envs")?;
    let env = as_str(g("env"), "env")?;
    if !env.is_empty() {
        envs.push(env);
    }
    Ok(GeneratorArgs {
        name: as_str(g("name"), "name")?,
        namespace: as_str(g("namespace"), "namespace")?,
        behavior: as_str(g("behavior"), "behavior")?,
        literals: as_str_list(g("literals"), "literals")?,
        files: as_str_list(g("files"), "files")?,
        envs,
        options: parse_gen_options(g("options"))?,
        secret_type: if secret {
            Some(as_str(g("type"), "type")?).filter(|s| !s.is_empty())
        } else {
            None
        },
    })
}

pub fn parse_selector(v: &Value) -> Result<Option<Selector>, Error> {
    let Some(m) = as_map(v, "target")? else {
        return Ok(None);
    };
    check_fields(
        m,
        &[
            "group",
            "version",
            "kind",
            "name",
            "namespace",
            "labelSelector",
            "annotationSelector",
        ],
    )?;
    let g = |k: &str| as_str(m.get(k).unwrap_or(&Value::Null), k);
    Ok(Some(Selector {
        gvk: Gvk {
            group: g("group")?,
            version: g("version")?,
            kind: g("kind")?,
        },
        name: g("name")?,
        namespace: g("namespace")?,
        label_selector: g("labelSelector")?,
        annotation_selector: g("annotationSelector")?,
    }))
}

pub(crate) fn parse_patch(v: &Value, json6902: bool) -> Result<Patch, Error> {
    let m = as_map(v, "patches")?.ok_or_else(|| bad("patch entry must be a map"))?;
    check_fields(m, &["path", "patch", "target", "options"])?;
    let g = |k: &str| m.get(k).unwrap_or(&Value::Null);
    let mut p = Patch {
        path: Some(as_str(g("path"), "path")?).filter(|s| !s.is_empty()),
        patch: Some(as_str(g("patch"), "patch")?).filter(|s| !s.is_empty()),
        target: parse_selector(g("target"))?,
        ..Default::default()
    };
    if let Some(o) = as_map(g("options"), "options")? {
        check_fields(o, &["allowNameChange", "allowKindChange"])?;
        p.allow_name_change = as_bool(
            o.get("allowNameChange").unwrap_or(&Value::Null),
            "allowNameChange",
        )?;
        p.allow_kind_change = as_bool(
            o.get("allowKindChange").unwrap_or(&Value::Null),
            "allowKindChange",
        )?;
    }
    if json6902 && p.target.is_none() {
        return Err(bad("must specify the target field in patchesJson6902"));
    }
    Ok(p)
}

pub fn parse_fieldspecs(v: &Value) -> Result<Vec<FieldSpec>, Error> {
    as_seq(v, "fields")?
        .iter()
        .map(|f| {
            let m = as_map(f, "fieldSpec")?.ok_or_else(|| bad("fieldSpec must be a map"))?;
            check_fields(m, &["group", "version", "kind", "path", "create"])?;
            let g = |k: &str| as_str(m.get(k).unwrap_or(&Value::Null), k);
            Ok(FieldSpec {
                gvk: Gvk {
                    group: g("group")?,
                    version: g("version")?,
                    kind: g("kind")?,
                },
                path: g("path")?,
                create: as_bool(m.get("create").unwrap_or(&Value::Null), "create")?,
            })
        })
        .collect()
}

impl Kustomization {
    pub fn parse(doc: &Value) -> Result<Kustomization, Error> {
        let empty = Map::new();
        let m = match doc {
            Value::Null => &empty,
            Value::Map(m) => m,
            _ => return Err(bad("kustomization must be a map")),
        };
        check_fields(
            m,
            &[
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
            ],
        )?;
        let g = |k: &str| m.get(k).unwrap_or(&Value::Null);
        let mut k = Kustomization {
            kind: as_str(g("kind"), "kind")?,
            ..Default::default()
        };
        let api_version = as_str(g("apiVersion"), "apiVersion")?;
        let _ = api_version;
        if !k.kind.is_empty() && k.kind != "Kustomization" && k.kind != "Component" {
            return Err(bad(format!(
                "kind should be Kustomization or Component, got {:?}",
                k.kind
            )));
        }
        k.resources = as_str_list(g("resources"), "resources")?;
        k.resources.extend(as_str_list(g("bases"), "bases")?);
        k.components = as_str_list(g("components"), "components")?;
        k.crds = as_str_list(g("crds"), "crds")?;
        k.namespace = as_str(g("namespace"), "namespace")?;
        k.name_prefix = as_str(g("namePrefix"), "namePrefix")?;
        k.name_suffix = as_str(g("nameSuffix"), "nameSuffix")?;
        k.common_labels = as_str_map(g("commonLabels"), "commonLabels")?;
        k.common_annotations = as_str_map(g("commonAnnotations"), "commonAnnotations")?;
        for l in as_seq(g("labels"), "labels")? {
            let lm = as_map(l, "labels")?.ok_or_else(|| bad("labels entry must be a map"))?;
            check_fields(
                lm,
                &["pairs", "includeSelectors", "includeTemplates", "fields"],
            )?;
            let lg = |k: &str| lm.get(k).unwrap_or(&Value::Null);
            k.labels.push(Label {
                pairs: as_str_map(lg("pairs"), "pairs")?,
                include_selectors: as_bool(lg("includeSelectors"), "includeSelectors")?,
                include_templates: as_bool(lg("includeTemplates"), "includeTemplates")?,
                fields: parse_fieldspecs(lg("fields"))?,
            });
        }
        for p in as_seq(g("patches"), "patches")? {
            k.patches.push(parse_patch(p, false)?);
        }
        for p in as_seq(g("patchesJson6902"), "patchesJson6902")? {
            k.patches_json6902.push(parse_patch(p, true)?);
        }
        k.patches_strategic_merge =
            as_str_list(g("patchesStrategicMerge"), "patchesStrategicMerge")?;
        for key in ["images", "imageTags"] {
            for i in as_seq(g(key), key)? {
                let im = as_map(i, "images")?.ok_or_else(|| bad("images entry must be a map"))?;
                check_fields(im, &["name", "newName", "newTag", "digest", "tagSuffix"])?;
                let ig = |k: &str| as_str(im.get(k).unwrap_or(&Value::Null), k);
                let opt = |s: String| Some(s).filter(|s| !s.is_empty());
                k.images.push(Image {
                    name: ig("name")?,
                    new_name: opt(ig("newName")?),
                    new_tag: match im.get("newTag") {
                        Some(Value::Str(s)) => opt(s.clone()),
                        Some(Value::Null) | None => None,
                        Some(other) => {
                            return Err(bad(format!(
                                "json: cannot unmarshal {} into Go struct field Image.images.newTag of type string",
                                go_json_type(other)
                            )));
                        }
                    },
                    digest: opt(ig("digest")?),
                    tag_suffix: opt(ig("tagSuffix")?),
                });
            }
        }
        for r in as_seq(g("replicas"), "replicas")? {
            let rm = as_map(r, "replicas")?.ok_or_else(|| bad("replicas entry must be a map"))?;
            check_fields(rm, &["name", "count"])?;
            let count = rm.get("count").cloned().unwrap_or(Value::Int(0));
            if !matches!(count, Value::Int(_)) {
                return Err(bad(format!(
                    "json: cannot unmarshal {} into Go struct field Replica.replicas.count of type int64",
                    go_json_type(&count)
                )));
            }
            k.replicas.push((
                as_str(rm.get("name").unwrap_or(&Value::Null), "name")?,
                count,
            ));
        }
        for c in as_seq(g("configMapGenerator"), "configMapGenerator")? {
            k.config_map_generator.push(parse_generator(c, false)?);
        }
        for c in as_seq(g("secretGenerator"), "secretGenerator")? {
            k.secret_generator.push(parse_generator(c, true)?);
        }
        k.generator_options = parse_gen_options(g("generatorOptions"))?;
        k.replacements = as_seq(g("replacements"), "replacements")?.to_vec();
        k.vars = as_seq(g("vars"), "vars")?.to_vec();
        k.configurations = as_str_list(g("configurations"), "configurations")?;
        k.sort_options = m.get("sortOptions").cloned().filter(|v| !v.is_null());
        k.build_metadata = as_str_list(g("buildMetadata"), "buildMetadata")?;
        k.openapi = m.get("openapi").cloned().filter(|v| !v.is_null());
        k.transformers = as_str_list(g("transformers"), "transformers")?;
        k.generators = as_str_list(g("generators"), "generators")?;
        k.validators = as_str_list(g("validators"), "validators")?;
        k.has_helm = !g("helmCharts").is_null() || !g("helmChartInflationGenerator").is_null();
        Ok(k)
    }
}
