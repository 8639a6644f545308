//! Repackaging a chart archive as Flux's remote chart builder does when a HelmChart names
//! `valuesFiles`: the values files merged (Flux's `MergeMaps`: maps merge, later files win) into
//! a new `values.yaml`, written as sigs.k8s.io/yaml writes it, and `version` in `Chart.yaml`
//! set to the version with Flux's build metadata. Every other file of the archive is kept as it
//! is; entries are written in archive order with fixed modes and times.

use std::io::{Read, Write};

use crate::chart::Chart;
use crate::error::Error;
use crate::value::Value;
use crate::yaml::{parse_yaml, to_yaml};

/// Flux's `mergeChartValues`: each path (relative to the chart root; `values.yaml` is the
/// chart's own values) merged in order; a missing file is an error unless `ignore_missing`.
/// Returns the merged values and the paths that were merged.
pub fn merge_values_files(
    chart: &Chart,
    paths: &[String],
    ignore_missing: bool,
) -> Result<(Value, Vec<String>), Error> {
    let merged = Value::empty_map();
    let mut used = Vec::new();
    for path in paths {
        let clean = crate::funcs::misc::clean(path);
        if clean == "values.yaml" {
            crate::merge_maps(&merged, &deep_copy(&chart.values));
            used.push(path.clone());
            continue;
        }
        let Some(file) = chart.files.iter().find(|f| f.name == clean) else {
            if ignore_missing {
                continue;
            }
            return Err(Error::Values(format!(
                "no values file found at path '{path}'"
            )));
        };
        let values = parse_values(path, &String::from_utf8_lossy(&file.data))?;
        crate::merge_maps(&merged, &values);
        used.push(path.clone());
    }
    Ok((merged, used))
}

/// A values file as sigs.k8s.io/yaml reads it into a map, with Flux's messages.
fn parse_values(path: &str, text: &str) -> Result<Value, Error> {
    match parse_yaml(text) {
        Ok(v @ Value::Map(_)) => Ok(v),
        Ok(Value::Nil) => Ok(Value::empty_map()),
        Ok(_) => Err(Error::Values(format!(
            "unmarshaling values from '{path}' failed: error unmarshaling JSON: json: cannot unmarshal into map"
        ))),
        Err(e) => Err(Error::Values(format!(
            "unmarshaling values from '{path}' failed: error converting YAML to JSON: {e}"
        ))),
    }
}

/// Flux's `mergeFileValues` for charts built from a source's files: each path relative to
/// `base` (the source's root), confined to it; a missing file is an error unless
/// `ignore_missing`. Returns the merged values and the paths that were merged.
pub fn merge_values_from_dir(
    base: &std::path::Path,
    paths: &[String],
    ignore_missing: bool,
) -> Result<(Value, Vec<String>), Error> {
    let merged = Value::empty_map();
    let mut used = Vec::new();
    for path in paths {
        let clean = crate::funcs::misc::clean(&format!("/{path}"));
        let relative = clean.trim_start_matches('/');
        let file = base.join(relative);
        let regular = std::fs::symlink_metadata(&file).is_ok_and(|m| m.is_file());
        if !regular {
            if ignore_missing {
                continue;
            }
            return Err(Error::Values(format!(
                "no values file found at path '/{relative}' (reference '{path}')"
            )));
        }
        let data = std::fs::read(&file)
            .map_err(|e| Error::Values(format!("could not read values from file '{path}': {e}")))?;
        let values = parse_values(path, &String::from_utf8_lossy(&data))?;
        crate::merge_maps(&merged, &values);
        used.push(path.clone());
    }
    Ok((merged, used))
}

/// `helm package` of a chart folder: the files its `.helmignore` keeps under `<name>/`, then
/// `extra` (e.g. dependency archives at `charts/<file>.tgz`), with `Chart.yaml`'s version set
/// and, when given, `values.yaml` replaced, as [`repackage`] writes them.
pub fn package_dir(
    dir: &std::path::Path,
    version: &str,
    values: Option<&Value>,
    extra: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, Error> {
    let files = crate::chart::dir_files(dir)?;
    let chart = crate::chart::load_files(files.clone(), 0)?;
    let name = chart.metadata.name.clone();
    let io = |e: std::io::Error| Error::Load(format!("writing chart archive: {e}"));
    let mut out = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let entries = files
        .iter()
        .map(|f| (f.name.as_str(), f.data.as_slice()))
        .chain(extra.iter().map(|(n, d)| (n.as_str(), d.as_slice())));
    for (path, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        out.append_data(&mut header, format!("{name}/{path}"), data)
            .map_err(io)?;
    }
    let raw = out.into_inner().map_err(io)?.finish().map_err(io)?;
    repackage(&raw, version, values)
}

/// A copy whose maps are not shared with `v` (merging mutates maps in place).
fn deep_copy(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::from(
            m.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), deep_copy(v)))
                .collect::<crate::value::Map>(),
        ),
        other => other.clone(),
    }
}

/// The archive with `Chart.yaml`'s version set to `version` and, when given, `values.yaml`
/// replaced by `values`.
pub fn repackage(archive: &[u8], version: &str, values: Option<&Value>) -> Result<Vec<u8>, Error> {
    let load = |e: std::io::Error| Error::Load(format!("reading chart archive: {e}"));
    let mut input = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut out = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let mut saw_values = false;
    for entry in input.entries().map_err(load)? {
        let mut entry = entry.map_err(load)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map_err(load)?.to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(load)?;
        let inner = path.split_once('/').map(|(_, rest)| rest).unwrap_or("");
        let data = match inner {
            "Chart.yaml" => with_version(&data, version)?.into_bytes(),
            "values.yaml" if values.is_some() => {
                saw_values = true;
                values_yaml(values)?.into_bytes()
            }
            _ => data,
        };
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        out.append_data(&mut header, &path, data.as_slice())
            .map_err(load)?;
    }
    if values.is_some() && !saw_values {
        return Err(Error::Values(
            "failed to locate values file: values.yaml".into(),
        ));
    }
    let gz = out.into_inner().map_err(load)?;
    let mut bytes = gz.finish().map_err(load)?;
    bytes.flush().map_err(load)?;
    Ok(bytes)
}

/// The text of the archive's own `values.yaml`, if it has one.
pub fn values_yaml_of(archive: &[u8]) -> Option<String> {
    let mut input = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    for entry in input.entries().ok()? {
        let mut entry = entry.ok()?;
        let path = entry.path().ok()?.to_string_lossy().into_owned();
        if path.split_once('/').map(|(_, rest)| rest) == Some("values.yaml") {
            let mut text = String::new();
            entry.read_to_string(&mut text).ok()?;
            return Some(text);
        }
    }
    None
}

fn values_yaml(values: Option<&Value>) -> Result<String, Error> {
    match values {
        // Go writes nothing for empty values.
        Some(Value::Map(m)) if m.borrow().is_empty() => Ok(String::new()),
        Some(v) => to_yaml(v).map_err(Error::Values),
        None => Ok(String::new()),
    }
}

/// Chart.yaml with `version` replaced, written as Helm writes chart metadata (sorted keys).
fn with_version(chart_yaml: &[u8], version: &str) -> Result<String, Error> {
    let text = String::from_utf8_lossy(chart_yaml);
    let meta =
        parse_yaml(&text).map_err(|e| Error::Load(format!("cannot load Chart.yaml: {e}")))?;
    let Value::Map(m) = &meta else {
        return Err(Error::Load("cannot load Chart.yaml: not a map".into()));
    };
    m.borrow_mut().insert("version".into(), Value::str(version));
    to_yaml(&meta).map_err(Error::Load)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::load_archive;

    fn archive(files: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::default(),
        ));
        for (name, body) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, format!("app/{name}"), body.as_bytes())
                .unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn values_files_merge_and_the_chart_is_repackaged() {
        let original = archive(&[
            ("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n"),
            (
                "values.yaml",
                "replicas: 1\nimage:\n  tag: a\n  pull: Always\n",
            ),
            ("prod.yaml", "image:\n  tag: b\nextra: true\n"),
            ("templates/cm.yaml", "kind: ConfigMap\n"),
        ]);
        let chart = load_archive(&original).unwrap();
        let (merged, used) = merge_values_files(
            &chart,
            &[
                "values.yaml".into(),
                "./prod.yaml".into(),
                "absent.yaml".into(),
            ],
            true,
        )
        .unwrap();
        assert_eq!(used, ["values.yaml", "./prod.yaml"]);
        let packaged = repackage(&original, "1.0.0+3", Some(&merged)).unwrap();
        let again = load_archive(&packaged).unwrap();
        assert_eq!(again.metadata.version, "1.0.0+3");
        assert_eq!(again.templates.len(), 1);
        let values = to_yaml(&again.values).unwrap();
        assert_eq!(
            values,
            "extra: true\nimage:\n  pull: Always\n  tag: b\nreplicas: 1\n"
        );
        // The chart's own values were not changed by the merge.
        assert_eq!(
            to_yaml(&chart.values).unwrap(),
            "image:\n  pull: Always\n  tag: a\nreplicas: 1\n"
        );
        let missing = merge_values_files(&chart, &["absent.yaml".into()], false).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("no values file found at path 'absent.yaml'"),
            "{missing}"
        );
    }
}
