//! The builtin field transformers: namespace, name prefix/suffix, labels, annotations,
//! images and replicas.

use crate::error::Error;
use crate::fieldspec::{FieldSpec, walk};
use crate::kustomization::Image;
use crate::resource::Resource;
use crate::value::{Map, Value};

fn applies(r: &Resource, fs: &FieldSpec) -> bool {
    r.gvk().is_selected_by(&fs.gvk)
}

fn set_string(slot: &mut Value, v: &str) {
    *slot = Value::Str(v.to_string());
}

/// Adds key/value pairs to the maps the field specs reach (labels, annotations).
pub fn set_map_entries(
    res: &mut [Resource],
    pairs: &[(String, String)],
    specs: &[FieldSpec],
) -> Result<(), Error> {
    if pairs.is_empty() {
        return Ok(());
    }
    let segs: Vec<Vec<String>> = specs.iter().map(FieldSpec::segments).collect();
    for r in res.iter_mut() {
        let gvk = r.gvk();
        for (fs, path) in specs.iter().zip(&segs) {
            if !gvk.is_selected_by(&fs.gvk) {
                continue;
            }
            walk(&mut r.obj, path, fs.create, &mut |slot| {
                if slot.is_null() {
                    *slot = Value::Map(Map::new());
                }
                match slot {
                    Value::Map(m) => {
                        for (k, v) in pairs {
                            m.insert(k.clone(), Value::Str(v.clone()));
                        }
                        Ok(())
                    }
                    _ => Err(Error::Transform(format!(
                        "{}: expected a map at {}",
                        r_id_hint(),
                        fs.path
                    ))),
                }
            })?;
        }
    }
    Ok(())
}

fn r_id_hint() -> &'static str {
    "label/annotation transformer"
}

pub fn namespace(res: &mut [Resource], ns: &str, specs: &[FieldSpec]) -> Result<(), Error> {
    if ns.is_empty() {
        return Ok(());
    }
    for r in res.iter_mut() {
        if r.obj.as_map().is_none_or(|m| m.is_empty()) {
            continue;
        }
        r.store_previous_id();
        let gvk = r.gvk();
        if !gvk.is_cluster_scoped() {
            r.set_namespace(ns);
        }
        if (gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding")
            && let Some(Value::Seq(subjects)) = r.obj.get_mut("subjects")
        {
            {
                for s in subjects.iter_mut() {
                    if let Value::Map(m) = s
                        && m.get("name").and_then(Value::as_str) == Some("default")
                    {
                        m.insert("namespace".into(), Value::Str(ns.to_string()));
                    }
                }
            }
        }
        let api_version = r.api_version().to_string();
        for fs in specs {
            if fs.path == "metadata/namespace"
                || (api_version != "v1" && fs.path == "metadata/name")
            {
                continue;
            }
            if (gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding")
                && fs.path == "subjects/namespace"
            {
                continue;
            }
            if !applies(r, fs) {
                continue;
            }
            walk(&mut r.obj, &fs.segments(), fs.create, &mut |slot| {
                match slot {
                    Value::Map(_) | Value::Seq(_) => {
                        return Err(Error::Transform(
                            "namespace field specs must target scalar nodes".into(),
                        ));
                    }
                    _ => set_string(slot, ns),
                }
                Ok(())
            })?;
        }
    }
    // Two resources landing on the same id is an error.
    let mut seen = std::collections::HashSet::new();
    for r in res.iter() {
        if r.obj.as_map().is_none_or(|m| m.is_empty()) {
            continue;
        }
        let id = r.cur_id();
        if !seen.insert((id.gvk.clone(), id.name.clone(), id.namespace.clone())) {
            return Err(Error::Transform(format!(
                "namespace transformation produces ID conflict: {}",
                id.display()
            )));
        }
    }
    Ok(())
}

fn skip_rename(r: &Resource) -> bool {
    let id = r.org_id();
    id.gvk.kind == "CustomResourceDefinition"
        || id.gvk.kind == "Namespace"
        || (id.gvk.kind == "APIService" && id.gvk.group == "apiregistration.k8s.io")
}

pub fn prefix_suffix(
    res: &mut [Resource],
    value: &str,
    specs: &[FieldSpec],
    is_prefix: bool,
) -> Result<(), Error> {
    for r in res.iter_mut() {
        if skip_rename(r) {
            continue;
        }
        let org = r.org_id();
        for fs in specs {
            if !org.gvk.is_selected_by(&fs.gvk) {
                continue;
            }
            if fs.path == "metadata/name" {
                if is_prefix {
                    r.prefixes.push(value.to_string());
                } else {
                    r.suffixes.push(value.to_string());
                }
                if !value.is_empty() {
                    r.store_previous_id();
                }
            }
            if !applies(r, fs) {
                continue;
            }
            walk(&mut r.obj, &fs.segments(), fs.create, &mut |slot| {
                if let Value::Str(s) = slot {
                    *s = if is_prefix {
                        format!("{value}{s}")
                    } else {
                        format!("{s}{value}")
                    };
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Go RE2 and Rust regex agree on the simple patterns kustomize builds here.
fn image_matches(image: &str, name: &str) -> bool {
    let pat = format!("^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$");
    regex::Regex::new(&pat).is_ok_and(|re| re.is_match(image))
}

/// kustomize's image.Split: name, tag and digest of an image reference.
pub fn split_image(image: &str) -> (String, String, String) {
    let (search, offset) = match image.find('/') {
        Some(i) if i > 0 => (&image[i..], i),
        _ => (image, 0),
    };
    let id = search.find('@');
    let ic = search.find(':');
    match (ic, id) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (ic, Some(d)) if ic.is_none_or(|c| d < c) => {
            let d = d + offset;
            (
                image[..d].to_string(),
                String::new(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), Some(d)) => {
            let (c, d) = (c + offset, d + offset);
            (
                image[..c].to_string(),
                image[c + 1..d].to_string(),
                image[d + 1..].to_string(),
            )
        }
        (Some(c), None) => {
            let c = c + offset;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        (None, Some(_)) => (image.to_string(), String::new(), String::new()),
    }
}

fn update_image(slot: &mut Value, img: &Image) {
    let Value::Str(value) = slot else { return };
    if !image_matches(value, &img.name) {
        return;
    }
    let (mut name, mut tag, mut digest) = split_image(value);
    if let Some(n) = &img.new_name {
        name = n.clone();
    }
    match (&img.new_tag, &img.digest) {
        (Some(t), Some(d)) => {
            tag = t.clone();
            digest = d.clone();
        }
        (Some(t), None) => {
            tag = t.clone();
            digest.clear();
        }
        (None, Some(d)) => {
            tag.clear();
            digest = d.clone();
        }
        (None, None) => {}
    }
    if let Some(s) = &img.tag_suffix {
        tag.push_str(s);
    }
    if !tag.is_empty() {
        name = format!("{name}:{tag}");
    }
    if !digest.is_empty() {
        name = format!("{name}@{digest}");
    }
    *slot = Value::Str(name);
}

fn legacy_images(v: &mut Value, img: &Image, depth: usize) {
    if depth > 200 {
        return;
    }
    match v {
        Value::Map(m) => {
            for (k, child) in m.iter_mut() {
                if (k == "containers" || k == "initContainers")
                    && let Value::Seq(items) = child
                {
                    for it in items.iter_mut() {
                        if let Some(slot) = it.get_mut("image") {
                            update_image(slot, img);
                        }
                    }
                    continue;
                }
                legacy_images(child, img, depth + 1);
            }
        }
        Value::Seq(items) => {
            for it in items {
                legacy_images(it, img, depth + 1);
            }
        }
        _ => {}
    }
}

pub fn images(res: &mut [Resource], imgs: &[Image], specs: &[FieldSpec]) -> Result<(), Error> {
    for img in imgs {
        for r in res.iter_mut() {
            legacy_images(&mut r.obj, img, 0);
            for fs in specs {
                if !applies(r, fs) {
                    continue;
                }
                walk(&mut r.obj, &fs.segments(), false, &mut |slot| {
                    update_image(slot, img);
                    Ok(())
                })?;
            }
        }
    }
    Ok(())
}

pub fn replicas(
    res: &mut [Resource],
    reps: &[(String, Value)],
    specs: &[FieldSpec],
) -> Result<(), Error> {
    for (name, count) in reps {
        let mut found = false;
        for fs in specs {
            for r in res.iter_mut() {
                let matches = r.name() == name || r.prev_ids.iter().any(|p| &p.name == name);
                if !matches {
                    continue;
                }
                found = true;
                if !applies(r, fs) {
                    continue;
                }
                walk(&mut r.obj, &fs.segments(), fs.create, &mut |slot| {
                    *slot = count.clone();
                    Ok(())
                })?;
            }
        }
        if !found {
            let gvks: Vec<String> = specs.iter().map(|f| f.gvk.kind.clone()).collect();
            return Err(Error::Transform(format!(
                "resource with name {name} does not match a config with the following GVK {gvks:?}"
            )));
        }
    }
    Ok(())
}
