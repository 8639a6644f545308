//! Loading a large Helm repository index as the HelmRepository reconciler does (digest, parse
//! with Flux's validation and sort, store as Go's indented JSON), against the same work done by
//! Helm's own Go code (tools/peers/helm-index, helm.sh/helm/v4 v4.2.1 as in Flux 2.9's
//! source-controller), in the same run: wall time and peak RSS of each, and peak RSS over the
//! index size (the target is below 3). Each side runs in a child process under
//! `/usr/bin/time -v`. Run: `cargo bench -p source-controller --bench helm_index`;
//! HELM_INDEX_BENCH_VERSIONS sets the number of chart versions (default 10,000);
//! HELM_INDEX_BENCH_KEEP=DIR keeps the index and both stored JSON files there.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const CHILD_ENV: &str = "FLUX_RS_HELM_INDEX_BENCH_CHILD";
const VERSIONS_PER_CHART: usize = 10;

/// An index as `helm repo index` writes one (keys sorted, two-space indent), with the fields
/// real repositories fill in.
fn generate_index(versions: usize) -> String {
    let mut out = String::from("apiVersion: v1\nentries:\n");
    let charts = versions.div_ceil(VERSIONS_PER_CHART);
    for c in 0..charts {
        let _ = writeln!(out, "  chart-{c:05}:");
        for v in (0..VERSIONS_PER_CHART).rev() {
            if c * VERSIONS_PER_CHART + v >= versions {
                continue;
            }
            let _ = write!(
                out,
                "  - annotations:\n      artifacthub.io/changes: |\n        - kind: changed\n          description: Update dependency {c} to {v}\n      artifacthub.io/license: Apache-2.0\n    apiVersion: v2\n    appVersion: 1.{v}.0\n    created: \"2026-11-{:02}T10:{:02}:00.{:09}Z\"\n    dependencies:\n    - condition: redis.enabled\n      name: redis\n      repository: https://charts.example.com/common\n      version: 18.x.x\n    description: Chart number {c} of the benchmark repository, with a description as long as most\n    digest: {}\n    home: https://example.com/charts/chart-{c:05}\n    icon: https://example.com/charts/chart-{c:05}/icon.svg\n    keywords:\n    - benchmark\n    - chart-{c:05}\n    maintainers:\n    - email: team@example.com\n      name: Platform Team\n    name: chart-{c:05}\n    sources:\n    - https://github.com/example/chart-{c:05}\n    type: application\n    urls:\n    - https://charts.example.com/chart-{c:05}-0.{v}.0.tgz\n    version: 0.{v}.0\n",
                1 + v % 28,
                c % 60,
                c * 7919 % 1_000_000_000,
                digest_of(c, v),
            );
        }
    }
    out.push_str("generated: \"2026-12-07T12:00:00.000000000Z\"\n");
    out
}

/// A sha256-like hex digest, different for each chart version.
fn digest_of(chart: usize, version: usize) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("{chart}-{version}")))
}

/// Child mode: what the reconciler does with a downloaded index; prints "seconds versions".
fn child(index_path: &str, out_path: &str) {
    use sha2::Digest;
    let start = Instant::now();
    let bytes = std::fs::read(index_path).expect("read the index");
    let revision = hex::encode(sha2::Sha256::digest(&bytes));
    let index = flux_helm::repo::IndexFile::from_bytes(&bytes).expect("a valid index");
    drop(bytes);
    let file = std::io::BufWriter::new(std::fs::File::create(out_path).expect("output file"));
    index.write_json(file).expect("write the JSON");
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(revision.len(), 64);
    println!("{secs} {}", index.len());
}

/// Runs a command under /usr/bin/time -v; returns (seconds as printed, versions, peak KiB).
fn timed(cmd: &mut Command) -> (f64, usize, u64) {
    let out = cmd.output().expect("run command");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let peak = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut fields = stdout.split_whitespace();
    let secs = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let versions = fields.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (secs, versions, peak)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if std::env::var_os(CHILD_ENV).is_some() {
        child(&args[1], &args[2]);
        return;
    }
    let versions: usize = std::env::var("HELM_INDEX_BENCH_VERSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let reference = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/setup/bench/helm-index.sh"))
        .output()
        .expect("build the Go reference");
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let reference = String::from_utf8_lossy(&reference.stdout)
        .trim()
        .to_string();

    let dir = tempfile::tempdir().unwrap();
    let index_path = dir.path().join("index.yaml");
    std::fs::write(&index_path, generate_index(versions)).unwrap();
    let size = std::fs::metadata(&index_path).unwrap().len();
    let ours_out = dir.path().join("ours.json");
    let go_out = dir.path().join("go.json");
    let exe = std::env::current_exe().unwrap();
    let (ours_secs, ours_versions, ours_kib) = timed(
        Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&exe)
            .arg(&index_path)
            .arg(&ours_out)
            .env(CHILD_ENV, "1"),
    );
    let (go_secs, go_versions, go_kib) = timed(
        Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&reference)
            .arg(&index_path)
            .arg(&go_out),
    );
    assert_eq!(ours_versions, versions);
    assert_eq!(go_versions, versions);
    let same = std::fs::read(&ours_out).unwrap() == std::fs::read(&go_out).unwrap();
    if let Some(keep) = std::env::var_os("HELM_INDEX_BENCH_KEEP") {
        for f in ["index.yaml", "ours.json", "go.json"] {
            std::fs::copy(dir.path().join(f), Path::new(&keep).join(f)).unwrap();
        }
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    let index_mib = size as f64 / (1024.0 * 1024.0);
    println!(
        "index: {versions} chart versions, {index_mib:.1} MiB; stored JSON byte-identical to Helm's: {same}"
    );
    println!(
        "flux-rs: {ours_secs:.3} s, peak RSS {:.1} MiB ({:.2}x the index)",
        mib(ours_kib),
        mib(ours_kib) / index_mib
    );
    println!(
        "helm v4 (Go): {go_secs:.3} s, peak RSS {:.1} MiB ({:.2}x the index)",
        mib(go_kib),
        mib(go_kib) / index_mib
    );
    println!(
        "ratios flux-rs / Go: time {:.2}, memory {:.2}",
        ours_secs / go_secs,
        ours_kib as f64 / go_kib as f64
    );
}
