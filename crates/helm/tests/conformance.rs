//! Conformance: every case in tests/cases.json is rendered by this engine and by the real Helm
//! SDK (the oracle in ../shared/oracles, installed by scripts/setup/helm-oracle.sh); outputs, or
//! error messages for error cases, must be byte-identical.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value as Json, json};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn oracle_dir() -> PathBuf {
    crate_dir().join("../../../shared/oracles")
}

fn oracle_lib() -> PathBuf {
    if let Ok(p) = std::env::var("HELM_SDKPY_LIB") {
        return PathBuf::from(p);
    }
    let cache = std::env::var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache")
        });
    cache.join("helm-oracle/helm_sdkpy/_lib/linux-amd64/libhelm_sdkpy.so")
}

struct Case {
    name: String,
    chart: PathBuf,
    values: Json,
    release: String,
    namespace: String,
    kube_version: String,
}

fn load_cases() -> Vec<Case> {
    let text =
        std::fs::read_to_string(crate_dir().join("tests/cases.json")).expect("tests/cases.json");
    let list: Vec<Json> = serde_json::from_str(&text).expect("cases.json is a JSON list");
    list.into_iter()
        .map(|c| {
            let name = c["name"].as_str().expect("case name").to_string();
            let chart_name = c["chart"].as_str().unwrap_or(&name).to_string();
            Case {
                chart: crate_dir().join("tests/charts").join(&chart_name),
                values: c.get("values").cloned().unwrap_or(json!({})),
                release: c["release"].as_str().unwrap_or("release").to_string(),
                namespace: c["namespace"].as_str().unwrap_or("default").to_string(),
                kube_version: c["kube_version"].as_str().unwrap_or("v1.31.0").to_string(),
                name,
            }
        })
        .collect()
}

/// Runs all cases through the oracle in one Python process.
fn oracle_results(cases: &[Case]) -> Vec<Result<String, String>> {
    let input: Vec<Json> = cases
        .iter()
        .map(|c| {
            json!({"chart": c.chart.to_string_lossy(), "values": c.values, "release": c.release,
                   "namespace": c.namespace, "kube_version": c.kube_version})
        })
        .collect();
    let tmp = tempfile::tempdir().expect("temp dir");
    let t = tmp.path().to_string_lossy().to_string();
    let mut child = Command::new("python3")
        .arg(crate_dir().join("tests/oracle_batch.py"))
        .env("HELM_ORACLE_DIR", oracle_dir())
        .env("HELM_SDKPY_LIB", oracle_lib())
        .env("HELM_DRIVER", "memory")
        .env("HELM_RENDER_TMP", &t)
        .env("HELM_CACHE_HOME", format!("{t}/cache"))
        .env("HELM_CONFIG_HOME", format!("{t}/config"))
        .env("HELM_DATA_HOME", format!("{t}/data"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 must be installed to run the Helm oracle");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(serde_json::to_string(&input).expect("json").as_bytes())
            .expect("write cases");
    }
    let out = child.wait_with_output().expect("oracle process");
    assert!(
        out.status.success(),
        "the Helm oracle failed (see stderr above)"
    );
    let results: Vec<Json> = serde_json::from_slice(&out.stdout).expect("oracle JSON output");
    results
        .into_iter()
        .map(|r| {
            if r["ok"].as_bool() == Some(true) {
                Ok(r["output"].as_str().unwrap_or_default().to_string())
            } else {
                Err(r["error"].as_str().unwrap_or_default().to_string())
            }
        })
        .collect()
}

fn ours(c: &Case) -> Result<String, String> {
    let opts = flux_helm::TemplateOptions {
        release_name: c.release.clone(),
        namespace: c.namespace.clone(),
        values: vec![flux_helm::ValuesSource::Json(c.values.clone())],
        kube_version: c.kube_version.clone(),
        api_versions: flux_helm::oracle_api_versions(),
        ..Default::default()
    };
    flux_helm::template(c.chart.clone(), opts).map_err(|e| e.to_string())
}

fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i), lb.get(i));
        if x != y {
            return format!("line {}: ours {:?}\n           helm {:?}", i + 1, x, y);
        }
    }
    if a != b {
        "trailing whitespace differs".into()
    } else {
        String::new()
    }
}

#[test]
fn charts_render_like_helm() {
    let dir = oracle_dir();
    if !Path::new(&dir).join("helm_render.py").exists() {
        eprintln!(
            "\n!!! SKIPPING Helm conformance: {} is absent (the oracle lives next to the repository) !!!\n",
            dir.display()
        );
        return;
    }
    assert!(
        oracle_lib().exists(),
        "the Helm oracle library is missing at {}: run scripts/setup/helm-oracle.sh",
        oracle_lib().display()
    );
    let cases = load_cases();
    let expected = oracle_results(&cases);
    assert_eq!(expected.len(), cases.len());
    let mut failures = Vec::new();
    for (c, want) in cases.iter().zip(expected) {
        let got = ours(c);
        if got != want {
            let detail = match (&got, &want) {
                (Ok(a), Ok(b)) => first_difference(a, b),
                _ => format!("ours: {got:?}\n  helm: {want:?}"),
            };
            failures.push(format!("{}: {detail}", c.name));
        }
    }
    eprintln!(
        "helm conformance: {}/{} cases identical",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) differ from Helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
