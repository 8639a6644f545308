//! The `crds:` field: OpenAPI definitions of custom types whose `x-kubernetes-*`
//! extensions add field specs (name references, labels, annotations, name prefixes).

use crate::build::{TransformerConfig, empty_config};
use crate::fieldspec::{FieldSpec, NameBackRef};
use crate::resource::Gvk;
use crate::value::{Map, Value};

const MAX_DEPTH: usize = 32;

fn get_ci<'a>(m: &'a Map, key: &str) -> Option<&'a Value> {
    m.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn properties<'a>(defs: &'a Map, type_name: &str) -> Option<&'a Map> {
    let api = defs.get(type_name)?.as_map()?;
    get_ci(api, "schema")?.as_map()?.get("properties")?.as_map()
}

pub fn config_from_definitions(doc: &Value) -> TransformerConfig {
    let mut tc = empty_config();
    let Some(defs) = doc.as_map() else { return tc };
    for name in defs.keys() {
        let Some(props) = properties(defs, name) else {
            continue;
        };
        if !(props.contains_key("kind")
            && props.contains_key("apiVersion")
            && props.contains_key("metadata"))
        {
            continue;
        }
        let kind = name.rsplit('.').next().unwrap_or(name);
        let gvk = Gvk {
            kind: kind.to_string(),
            ..Default::default()
        };
        load_type(&mut tc, &gvk, defs, name, &mut Vec::new());
    }
    tc
}

fn load_type(
    tc: &mut TransformerConfig,
    gvk: &Gvk,
    defs: &Map,
    type_name: &str,
    path: &mut Vec<String>,
) {
    if path.len() > MAX_DEPTH {
        return;
    }
    let Some(props) = properties(defs, type_name) else {
        return;
    };
    for (prop, schema) in props {
        let ext = |k: &str| schema.get(k).and_then(Value::as_str);
        path.push(prop.clone());
        let fs = |path: &[String]| FieldSpec {
            gvk: gvk.clone(),
            path: path.join("/"),
            create: false,
        };
        if ext("x-kubernetes-annotation").is_some() {
            tc.common_annotations.push(fs(path));
        }
        if ext("x-kubernetes-label-selector").is_some() {
            tc.common_labels.push(fs(path));
        }
        if ext("x-kubernetes-identity").is_some() {
            tc.name_prefix.push(fs(path));
        }
        if let (Some(version), Some(kind)) = (
            ext("x-kubernetes-object-ref-api-version"),
            ext("x-kubernetes-object-ref-kind"),
        ) {
            let name_key = ext("x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut p = path.clone();
            p.push(name_key.to_string());
            tc.name_reference.push(NameBackRef {
                referral: Gvk {
                    group: String::new(),
                    version: version.to_string(),
                    kind: kind.to_string(),
                },
                specs: vec![fs(&p)],
            });
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            load_type(tc, gvk, defs, r, path);
        }
        path.pop();
    }
}
