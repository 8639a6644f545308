//! Compares every property path of every official Flux CRD (../shared/reference/flux-crds) with the
//! CRDs generated from our types: type, format, enum, default, required-ness, validation keywords,
//! Kubernetes extensions, and the CRD-level names, scope, versions, printer columns and subresources.
//!
//! Prints the coverage (paths matched / paths total). Fails on any mismatch not listed in
//! `KNOWN_GAPS` (each gap is also listed, with its reason, in the crate README), on any stale gap,
//! and on any property we serve that Flux does not.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Set COMPAT_ONLY=<substring> to list only the differences whose path contains it.
///
/// Paths allowed to differ from Flux's CRDs, with the reason. Keep in sync with README.md.
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// Schema keywords compared at every path. Descriptions are ours and are not compared.
const COMPARED_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "enum",
    "default",
    "pattern",
    "maxLength",
    "minLength",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxItems",
    "minItems",
    "maxProperties",
    "minProperties",
    "uniqueItems",
    "nullable",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-validations",
];

fn shared_crds_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/flux-crds");
    dir.is_dir().then_some(dir)
}

/// One summary per path: the compared keywords (descriptions stripped) and whether it is required.
fn summarise(schema: &Value, path: &str, required: bool, out: &mut BTreeMap<String, Value>) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    let mut summary = Map::new();
    for key in COMPARED_KEYWORDS {
        if let Some(v) = obj.get(*key) {
            summary.insert((*key).into(), canonical(v));
        }
    }
    summary.insert("required".into(), Value::Bool(required));
    out.insert(path.to_string(), Value::Object(summary));

    let required_children: Vec<&str> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, child) in props {
            let child_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            summarise(
                child,
                &child_path,
                required_children.contains(&name.as_str()),
                out,
            );
        }
    }
    // A required name without a matching property is a schema shape difference too.
    for name in &required_children {
        if obj.get("properties").and_then(|p| p.get(*name)).is_none() {
            out.insert(
                format!("{path}.{name}(required-only)"),
                json!({"required": true}),
            );
        }
    }
    if let Some(items) = obj.get("items") {
        summarise(items, &format!("{path}[]"), false, out);
    }
    if let Some(additional) = obj.get("additionalProperties").filter(|v| v.is_object()) {
        summarise(additional, &format!("{path}{{}}"), false, out);
    }
}

/// Drop descriptions, sort enums and map keys, and turn integral floats into integers so that
/// equal schemas compare equal.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut sorted: Vec<_> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "description")
                .map(|(k, v)| (k.clone(), canonical(v)))
                .collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(sorted.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 => Value::from(f as i64),
            _ => value.clone(),
        },
        _ => value.clone(),
    }
}

/// CRD-level facts compared as paths of their own.
fn crd_level(crd: &Value, out: &mut BTreeMap<String, Value>) {
    let spec = &crd["spec"];
    out.insert("@group".into(), spec["group"].clone());
    out.insert("@scope".into(), spec["scope"].clone());
    out.insert("@names".into(), canonical(&spec["names"]));
    out.insert(
        "@annotation:kustomize.toolkit.fluxcd.io/substitute".into(),
        crd["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/substitute"].clone(),
    );
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    out.insert(
        "@versions".into(),
        Value::Array(
            versions
                .iter()
                .map(|v| json!({"name": v["name"], "served": v["served"], "storage": v["storage"], "deprecated": v.get("deprecated")}))
                .collect(),
        ),
    );
    for v in &versions {
        let name = v["name"].as_str().unwrap_or_default();
        out.insert(
            format!("@{name}:additionalPrinterColumns"),
            canonical(&v["additionalPrinterColumns"]),
        );
        out.insert(
            format!("@{name}:subresources"),
            canonical(&v["subresources"]),
        );
    }
}

fn paths_of(crd: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    crd_level(crd, &mut out);
    for v in crd["spec"]["versions"].as_array().into_iter().flatten() {
        let name = v["name"].as_str().unwrap_or_default();
        let mut schema_paths = BTreeMap::new();
        summarise(
            &v["schema"]["openAPIV3Schema"],
            "",
            false,
            &mut schema_paths,
        );
        for (path, summary) in schema_paths {
            out.insert(format!("{name}:{path}"), summary);
        }
    }
    out
}

fn load_yaml(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

#[test]
fn crds_match_fluxs_official_crds() {
    let Some(dir) = shared_crds_dir() else {
        eprintln!(
            "\n!!! SKIPPED crds_match_fluxs_official_crds: ../shared/reference/flux-crds is absent !!!\n"
        );
        return;
    };
    let ours: BTreeMap<String, Value> = flux_api::crds::all()
        .iter()
        .map(|crd| {
            (
                flux_api::crds::file_name(crd),
                serde_json::to_value(crd).expect("CRD serialises"),
            )
        })
        .collect();

    let mut official_files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read flux-crds")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    official_files.sort();

    let (mut matched, mut total) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut gaps_seen = Vec::new();
    for file in &official_files {
        let file_name = file.file_name().unwrap().to_string_lossy().to_string();
        let official = paths_of(&load_yaml(file));
        let our_paths = ours.get(&file_name).map(paths_of).unwrap_or_default();
        let (mut file_matched, file_total) = (0usize, official.len());
        for (path, expected) in &official {
            let key = format!("{file_name}#{path}");
            let actual = our_paths.get(path);
            if actual == Some(expected) {
                file_matched += 1;
                continue;
            }
            if KNOWN_GAPS.iter().any(|(gap, _)| *gap == key) {
                gaps_seen.push(key);
                continue;
            }
            failures.push(format!(
                "{key}\n    flux: {expected}\n    ours: {}",
                actual
                    .map(Value::to_string)
                    .unwrap_or_else(|| "(missing)".into())
            ));
        }
        for path in our_paths.keys().filter(|p| !official.contains_key(*p)) {
            failures.push(format!(
                "{file_name}#{path}\n    flux: (absent)\n    ours: present"
            ));
        }
        println!("{file_name}: {file_matched}/{file_total} paths match");
        matched += file_matched;
        total += file_total;
    }
    for file in ours.keys().filter(|f| !dir.join(f).exists()) {
        failures.push(format!("{file}: generated, but Flux has no such CRD"));
    }
    let stale: Vec<_> = KNOWN_GAPS
        .iter()
        .filter(|(gap, _)| !gaps_seen.iter().any(|seen| seen == gap))
        .map(|(gap, _)| *gap)
        .collect();

    println!(
        "CRD compatibility: {matched}/{total} paths match ({:.2}%), {} known gaps",
        100.0 * matched as f64 / total.max(1) as f64,
        gaps_seen.len()
    );
    assert!(
        stale.is_empty(),
        "known gaps that now match or no longer exist (remove them): {stale:#?}"
    );
    assert!(
        failures.is_empty(),
        "{} paths differ from Flux's CRDs:\n{}",
        failures.len(),
        failures
            .iter()
            .filter(|f| std::env::var("COMPAT_ONLY").map_or(true, |only| f.contains(&only)))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
