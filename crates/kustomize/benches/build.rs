//! Builds an overlay over a base of N resources (with generators, prefixes and 50 patches)
//! with this engine and with `kubectl kustomize`, in the same run, and reports wall time
//! and peak memory (VmHWM) of each. Run: `cargo bench -p flux-kustomize --bench build`.
//! Sizes can be chosen with KUSTOMIZE_BENCH_SIZES=1000,2000,5000.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const CHILD_ENV: &str = "FLUX_KUSTOMIZE_BENCH_CHILD";

fn write(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

/// A base of `n` resources: a third Deployments, a third Services, a third ConfigMaps,
/// plus generators; an overlay with prefix, namespace, labels, generators and 50 patches.
fn generate_tree(root: &Path, n: usize) {
    let per = n / 3;
    let mut manifests = String::new();
    for i in 0..per {
        let lines = [
            "---".to_string(),
            "apiVersion: apps/v1".into(),
            "kind: Deployment".into(),
            "metadata:".into(),
            format!("  name: app-{i}"),
            "  labels:".into(),
            format!("    app: app-{i}"),
            "spec:".into(),
            "  replicas: 1".into(),
            "  selector:".into(),
            "    matchLabels:".into(),
            format!("      app: app-{i}"),
            "  template:".into(),
            "    metadata:".into(),
            "      labels:".into(),
            format!("        app: app-{i}"),
            "    spec:".into(),
            "      containers:".into(),
            "      - name: main".into(),
            "        image: nginx:1.25".into(),
            "        envFrom:".into(),
            "        - configMapRef:".into(),
            "            name: shared-config".into(),
            "        env:".into(),
            "        - name: INDEX".into(),
            format!("          value: \"{i}\""),
            "        volumeMounts:".into(),
            "        - name: cfg".into(),
            "          mountPath: /etc/cfg".into(),
            "      volumes:".into(),
            "      - name: cfg".into(),
            "        configMap:".into(),
            format!("          name: config-{i}"),
            "---".into(),
            "apiVersion: v1".into(),
            "kind: Service".into(),
            "metadata:".into(),
            format!("  name: app-{i}"),
            "spec:".into(),
            "  selector:".into(),
            format!("    app: app-{i}"),
            "  ports:".into(),
            "  - port: 80".into(),
            "    targetPort: 8080".into(),
            "---".into(),
            "apiVersion: v1".into(),
            "kind: ConfigMap".into(),
            "metadata:".into(),
            format!("  name: config-{i}"),
            "data:".into(),
            format!("  index: \"{i}\""),
            format!("  description: configuration for application number {i}"),
        ];
        for l in lines {
            let _ = writeln!(manifests, "{l}");
        }
    }
    write(&root.join("base/resources.yaml"), &manifests);
    write(
        &root.join("base/kustomization.yaml"),
        "namePrefix: base-\nresources:\n- resources.yaml\nconfigMapGenerator:\n- name: shared-config\n  literals:\n  - LOG_LEVEL=info\n  - REGION=eu\nsecretGenerator:\n- name: shared-secret\n  literals:\n  - token=abc\n",
    );
    let mut k = String::from(
        "namePrefix: prod-\nnamespace: production\ncommonLabels:\n  env: prod\nresources:\n- ../base\nconfigMapGenerator:\n- name: shared-config\n  behavior: merge\n  literals:\n  - LOG_LEVEL=warn\npatches:\n",
    );
    for p in 0..50 {
        let target = p * per.max(1) / 50;
        let _ = writeln!(k, "- path: patch-{p}.yaml");
        write(
            &root.join(format!("overlay/patch-{p}.yaml")),
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{target}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: main\n        image: nginx:1.27\n"
            ),
        );
    }
    write(&root.join("overlay/kustomization.yaml"), &k);
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Child mode: build once and print "seconds peak_kib bytes".
fn child(dir: &str) {
    let start = Instant::now();
    let out = flux_kustomize::build(Path::new(dir), &Default::default()).expect("build");
    let secs = start.elapsed().as_secs_f64();
    println!("{secs} {} {}", vm_hwm_kib(), out.len());
}

/// Runs a command under /usr/bin/time -v; returns (seconds, peak KiB, stdout).
fn timed(cmd: &mut Command) -> (f64, u64, String) {
    let start = Instant::now();
    let out = cmd.output().expect("run command");
    let secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let peak = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    (
        secs,
        peak,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn main() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        child(&dir);
        return;
    }
    let sizes: Vec<usize> = std::env::var("KUSTOMIZE_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,2000,5000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let me = std::env::current_exe().expect("bench binary path");
    println!(
        "| resources | ours (s) | kubectl (s) | speedup | ours peak (MiB) | kubectl peak (MiB) | memory ratio | identical |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let tmp = tempfile::tempdir().expect("temp dir");
        generate_tree(tmp.path(), n);
        let overlay = tmp.path().join("overlay");
        let ours_out = flux_kustomize::build(&overlay, &Default::default())
            .unwrap_or_else(|e| panic!("build: {e}"));
        let (_, _, line) = timed(Command::new(&me).env(CHILD_ENV, &overlay));
        let mut parts = line.split_whitespace();
        let ours_secs: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
        let ours_kib: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        let (k_secs, k_kib, k_out) = timed(
            Command::new("/usr/bin/time")
                .arg("-v")
                .arg("kubectl")
                .arg("kustomize")
                .arg(&overlay),
        );
        println!(
            "| {} | {:.3} | {:.2} | {:.0}x | {:.1} | {:.1} | {:.2} | {} |",
            n,
            ours_secs,
            k_secs,
            k_secs / ours_secs.max(1e-9),
            ours_kib as f64 / 1024.0,
            k_kib as f64 / 1024.0,
            ours_kib as f64 / k_kib.max(1) as f64,
            ours_out == k_out
        );
    }
}
