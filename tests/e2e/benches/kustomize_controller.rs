//! kustomize-controller benchmark in the shape of Flux's published one (fluxcd/flux-benchmark,
//! module flux-ks-bench): N Kustomizations in one namespace, each building the same app (a
//! Deployment scaled to zero, a ServiceAccount, a Service and an Ingress, named by the
//! `${INDEX}` post-build variable) with prune, wait: true and a 1m timeout, impersonating a
//! namespace-admin service account. Unlike Flux's run, every Kustomization reads one
//! GitRepository served by a real git server through the source-controller.
//!
//! Measured: wall time from the first `kubectl apply` of the Kustomizations until every one is
//! Ready=True for its generation, and the peak resident memory (VmHWM) and CPU time of the
//! kustomize-controller and source-controller processes (and of the API server: the emulator, or
//! kube-apiserver plus etcd).
//!
//! The cluster is the one `FLUX_RS_CLUSTER` names, as for the e2e tests: the API emulator by
//! default, `real` for the real control plane (scripts/control-plane.sh).
//!
//! `cargo bench -p e2e --bench kustomize_controller` runs 100 Kustomizations; choose sizes with
//! `FLUX_RS_BENCH_KS=100,500,1000`. Other knobs: `FLUX_RS_BENCH_TIMEOUT_SECS` (per size, default
//! 600), `FLUX_RS_BENCH_PODS` (Deployment replicas, default 0 as Flux's),
//! `FLUX_RS_BENCH_CONCURRENT` (kustomize-controller `--concurrent`, default 20 as Flux's). The
//! binaries are the ones `testkit::processes::binary` finds: `$FLUX_RS_BIN_DIR`, else built in
//! the bench's own (release) profile.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use testkit::git_server::GitServer;
use testkit::processes::{Cluster, ClusterKind, binary, tail};

const NAMESPACE: &str = "kustomize-benchmark";
const SERVICE_ACCOUNT: &str = "flux";
const REPOSITORY: &str = "podinfo";
/// Kustomizations per `kubectl apply` (each call must finish within testkit's kubectl timeout).
const APPLY_BATCH: usize = 100;
/// Between two status polls: short against the figures, long enough not to load the machine.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The app every Kustomization applies; `${INDEX}` and friends are its post-build variables.
const APP: &str = r#"apiVersion: v1
kind: ServiceAccount
metadata:
  name: "podinfo-${INDEX}"
  labels:
    app.kubernetes.io/name: "podinfo-${INDEX}"
    app.kubernetes.io/version: "6.5.3"
---
apiVersion: v1
kind: Service
metadata:
  name: "podinfo-${INDEX}"
  labels:
    app.kubernetes.io/name: "podinfo-${INDEX}"
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: "podinfo-${INDEX}"
  ports:
    - {name: http, port: 9898, targetPort: http, protocol: TCP}
    - {name: grpc, port: 9999, targetPort: grpc, protocol: TCP}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: "podinfo-${INDEX}"
  labels:
    app.kubernetes.io/name: "podinfo-${INDEX}"
spec:
  replicas: ${PODS:=0}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  selector:
    matchLabels:
      app.kubernetes.io/name: "podinfo-${INDEX}"
  template:
    metadata:
      labels:
        app.kubernetes.io/name: "podinfo-${INDEX}"
    spec:
      serviceAccountName: "podinfo-${INDEX}"
      containers:
        - name: podinfo
          image: "ghcr.io/stefanprodan/podinfo:6.5.3"
          command: [./podinfo, --port=9898, --port-metrics=9797, --grpc-port=9999]
          ports:
            - {name: http, containerPort: 9898, protocol: TCP}
            - {name: http-metrics, containerPort: 9797, protocol: TCP}
            - {name: grpc, containerPort: 9999, protocol: TCP}
          readinessProbe:
            httpGet: {path: /readyz, port: 9898}
          resources:
            requests: {cpu: "${MCPU}", memory: 16Mi}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: "podinfo-${INDEX}"
  labels:
    app.kubernetes.io/name: "podinfo-${INDEX}"
spec:
  ingressClassName: nginx
  rules:
    - host: "podinfo-${INDEX}.local"
      http:
        paths:
          - path: /
            pathType: ImplementationSpecific
            backend:
              service:
                name: "podinfo-${INDEX}"
                port: {number: 9898}
"#;

fn main() {
    // `cargo bench` passes `--bench`; a name filter is not meaningful for one benchmark.
    let sizes = env_list("FLUX_RS_BENCH_KS", &[100]);
    let timeout = Duration::from_secs(env_number("FLUX_RS_BENCH_TIMEOUT_SECS", 600));
    let pods = env_number("FLUX_RS_BENCH_PODS", 0);
    let concurrent = env_number("FLUX_RS_BENCH_CONCURRENT", 20);
    eprintln!("cluster: {}", ClusterKind::from_env().name());
    for name in ["kube-emulator", "source-controller", "kustomize-controller"] {
        eprintln!("binary {name}: {}", binary(name).display());
    }
    let mut rows = Vec::new();
    for &size in &sizes {
        eprintln!("--- {size} Kustomizations ---");
        rows.push(run(size, pods, concurrent, timeout));
        print_table(&rows);
    }
}

/// One measured run on a fresh emulator, git server and controllers.
struct Row {
    kustomizations: usize,
    apply: Duration,
    all_ready: Duration,
    kustomize: Usage,
    source: Usage,
    /// The emulator, or kube-apiserver and etcd together.
    server: Usage,
}

/// What /proc says about a process at the end of a run.
#[derive(Default)]
struct Usage {
    peak_rss_kib: u64,
    cpu: Duration,
}

fn run(size: usize, pods: u64, concurrent: u64, timeout: Duration) -> Row {
    let server = GitServer::start()
        .unwrap_or_else(|e| panic!("git server ({e}); run scripts/setup/git-server.sh"));
    server.create_repo(REPOSITORY).expect("create repository");
    let tree = server.work_tree(REPOSITORY).expect("work tree");
    tree.write("podinfo/podinfo.yaml", APP).expect("write app");
    tree.commit("podinfo app").expect("commit");
    tree.push_branch("main").expect("push");

    let mut cluster = Cluster::start();
    // Concurrency as in Flux's benchmark: source-controller 10, kustomize-controller 20.
    cluster.start_source_controller(&["--concurrent=10"]);
    cluster.start_controller(
        "kustomize-controller",
        &[&format!("--concurrent={concurrent}")],
    );

    let kubectl = cluster.kubectl().clone();
    apply(&kubectl, &tenant(&server.http_url(REPOSITORY)));
    cluster.wait_ready(
        "gitrepository",
        NAMESPACE,
        REPOSITORY,
        Duration::from_secs(120),
    );

    let start = Instant::now();
    for first in (0..size).step_by(APPLY_BATCH) {
        let last = (first + APPLY_BATCH).min(size);
        let batch: String = (first..last).map(|i| kustomization(i, pods)).collect();
        apply(&kubectl, &batch);
    }
    let applied = start.elapsed();
    eprintln!("applied {size} Kustomizations in {}", seconds(applied));

    let mut last_report = Instant::now();
    let all_ready = cluster.wait_for(
        &format!("{size} Kustomizations Ready"),
        timeout,
        |kubectl| {
            let states = kustomization_states(kubectl);
            let ready = states.values().filter(|s| s.as_str() == READY).count();
            if ready == size && states.len() == size {
                return Some(start.elapsed());
            }
            if last_report.elapsed() >= Duration::from_secs(10) {
                last_report = Instant::now();
                eprintln!("{:>6}: {ready}/{size} Ready", seconds(start.elapsed()));
            }
            std::thread::sleep(POLL_INTERVAL.saturating_sub(Duration::from_millis(250)));
            None
        },
        |kubectl| not_ready_summary(kubectl, size),
    );
    eprintln!("{size} Kustomizations Ready in {}", seconds(all_ready));

    let controller = |name: &str| {
        let process = cluster.controllers().iter().find(|p| p.name() == name);
        process.map(|p| usage(p.pid())).unwrap_or_default()
    };
    let server = cluster
        .server_processes()
        .into_iter()
        .filter(|(name, _)| ["kube-emulator", "kube-apiserver", "etcd"].contains(name))
        .map(|(_, pid)| usage(pid))
        .fold(Usage::default(), |sum, u| Usage {
            peak_rss_kib: sum.peak_rss_kib + u.peak_rss_kib,
            cpu: sum.cpu + u.cpu,
        });
    let row = Row {
        kustomizations: size,
        apply: applied,
        all_ready,
        kustomize: controller("kustomize-controller"),
        source: controller("source-controller"),
        server,
    };
    if row.kustomize.peak_rss_kib == 0 {
        eprintln!("{}", tail(&cluster.logs(), 50));
    }
    row
}

/// Namespace, the impersonated namespace-admin service account and the GitRepository.
fn tenant(url: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Namespace
metadata:
  name: {NAMESPACE}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {SERVICE_ACCOUNT}
  namespace: {NAMESPACE}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {NAMESPACE}-admin
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {SERVICE_ACCOUNT}-admin
  namespace: {NAMESPACE}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {NAMESPACE}-admin
subjects:
  - kind: ServiceAccount
    name: {SERVICE_ACCOUNT}
    namespace: {NAMESPACE}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: {REPOSITORY}
  namespace: {NAMESPACE}
spec:
  interval: 60m
  url: {url}
  ref:
    branch: main
"#
    )
}

/// Kustomization `podinfo-ks-<index>` as flux-ks-bench writes it.
fn kustomization(index: usize, pods: u64) -> String {
    format!(
        r#"---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: podinfo-ks-{index}
  namespace: {NAMESPACE}
spec:
  sourceRef:
    kind: GitRepository
    name: {REPOSITORY}
  interval: 60m
  retryInterval: 2m
  path: ./podinfo
  prune: true
  wait: true
  timeout: 1m
  serviceAccountName: {SERVICE_ACCOUNT}
  targetNamespace: {NAMESPACE}
  postBuild:
    substitute:
      INDEX: "{index}app"
      PODS: "{pods}"
      MCPU: "1m"
"#
    )
}

fn apply(kubectl: &testkit::kubectl::Kubectl, manifests: &str) {
    let run = kubectl.run(
        &["apply", "--server-side", "--field-manager=bench", "-f", "-"],
        Some(manifests),
    );
    assert!(run.success, "kubectl apply failed: {}", run.stderr);
}

const READY: &str = "True";

/// Ready status of every Kustomization by name: "True" only when observed for its generation,
/// else "<status> <reason>: <message>". Read with `get --raw` and parsed here: kubectl's own
/// jsonpath filters cost seconds of CPU per poll at 1,000 objects, taken from the controllers.
fn kustomization_states(kubectl: &testkit::kubectl::Kubectl) -> BTreeMap<String, String> {
    let path =
        format!("/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{NAMESPACE}/kustomizations");
    let run = kubectl.run(&["get", "--raw", &path], None);
    if !run.success {
        return BTreeMap::new();
    }
    let Ok(list) = serde_json::from_str::<serde_json::Value>(&run.stdout) else {
        return BTreeMap::new();
    };
    let items = list["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .filter_map(|item| {
            let name = item.pointer("/metadata/name")?.as_str()?.to_string();
            let generation = item.pointer("/metadata/generation");
            let observed = item.pointer("/status/observedGeneration");
            let ready = item
                .pointer("/status/conditions")
                .and_then(|c| c.as_array())
                .and_then(|c| c.iter().find(|c| c["type"] == "Ready"));
            let field = |key: &str| {
                ready
                    .and_then(|c| c[key].as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let status = field("status");
            let state = if status == READY && generation.is_some() && generation == observed {
                READY.to_string()
            } else if ready.is_none() {
                "no Ready condition".to_string()
            } else {
                format!("{status} {}: {}", field("reason"), field("message"))
            };
            Some((name, state))
        })
        .collect()
}

/// How many Kustomizations are in each not-Ready state, with an example of each.
fn not_ready_summary(kubectl: &testkit::kubectl::Kubectl, size: usize) -> String {
    let states = kustomization_states(kubectl);
    let mut groups: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for (name, state) in states.iter().filter(|(_, s)| s.as_str() != READY) {
        groups.entry(state).or_insert((0, name)).0 += 1;
    }
    let mut out = format!(
        "{} of {size} Kustomizations exist, {} Ready\n",
        states.len(),
        states.len() - groups.values().map(|(n, _)| n).sum::<usize>()
    );
    for (state, (count, example)) in groups {
        out.push_str(&format!("{count:>5} x {state} (e.g. {example})\n"));
    }
    out
}

/// Peak RSS and CPU time of a running process, from /proc.
fn usage(pid: u32) -> Usage {
    let path = Path::new("/proc").join(pid.to_string());
    let status = std::fs::read_to_string(path.join("status")).unwrap_or_default();
    let peak_rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    Usage {
        peak_rss_kib,
        cpu: cpu_time(&path),
    }
}

/// utime + stime from /proc/<pid>/stat.
fn cpu_time(proc_dir: &Path) -> Duration {
    let stat = std::fs::read_to_string(proc_dir.join("stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let per_second = u64::try_from(per_second)
        .ok()
        .filter(|&t| t > 0)
        .unwrap_or(100);
    Duration::from_millis(ticks * 1000 / per_second)
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "| Kustomizations | kubectl apply | all Ready | kustomize-controller peak RSS | kustomize-controller CPU | source-controller peak RSS | source-controller CPU | API server peak RSS | API server CPU |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.kustomizations,
            seconds(row.apply),
            seconds(row.all_ready),
            mib(row.kustomize.peak_rss_kib),
            seconds(row.kustomize.cpu),
            mib(row.source.peak_rss_kib),
            seconds(row.source.cpu),
            mib(row.server.peak_rss_kib),
            seconds(row.server.cpu),
        );
    }
    println!();
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a whole number")),
        Err(_) => default,
    }
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    match std::env::var(name) {
        Ok(value) => value
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n > 0)
                    .unwrap_or_else(|| panic!("{name}={value:?}: expected sizes like 100,500,1000"))
            })
            .collect(),
        Err(_) => default.to_vec(),
    }
}
