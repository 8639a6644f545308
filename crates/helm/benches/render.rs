//! Benchmark: renders a large generated chart (66 templates, heavy helpers, 3 subcharts) with this
//! engine and with the real Helm SDK (the oracle in ../shared/oracles) in the same run, and reports
//! mean time per render and peak memory of each. Run: `cargo bench -p flux-helm --bench render`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const COMPONENTS: usize = 20;
const ITERATIONS: usize = 30;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const HELPERS: &str = r#"{{- define "big.name" -}}{{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "big.fullname" -}}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}{{ printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}{{ end }}
{{- end -}}
{{- define "big.chart" -}}{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- define "big.selectorLabels" -}}
app.kubernetes.io/name: {{ include "big.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}
{{- define "big.labels" -}}
helm.sh/chart: {{ include "big.chart" .root }}
{{ include "big.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- with .comp.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}
{{- define "big.image" -}}
{{- $reg := .root.Values.global.imageRegistry | default "docker.io" -}}
{{- $tag := .comp.image.tag | default .root.Chart.AppVersion | toString -}}
{{- printf "%s/%s:%s" $reg .comp.image.repository $tag -}}
{{- end -}}
{{- define "big.env" -}}
{{- range $k, $v := .comp.env }}
- name: {{ $k | upper | replace "-" "_" }}
  value: {{ tpl (toString $v) $.root | quote }}
{{- end }}
{{- end -}}
{{- define "big.resources" -}}
{{- $preset := index .root.Values.resourcePresets (.comp.size | default "small") -}}
{{- toYaml (mergeOverwrite (deepCopy $preset) (.comp.resources | default dict)) -}}
{{- end -}}
{{- define "big.probes" -}}
livenessProbe:
  httpGet: {path: {{ .comp.health | default "/healthz" }}, port: http}
  initialDelaySeconds: {{ .comp.delay | default 10 }}
readinessProbe:
  httpGet: {path: {{ .comp.health | default "/healthz" }}, port: http}
{{- end -}}
{{- define "big.annotations" -}}
checksum/values: {{ toJson .comp | sha256sum | trunc 16 }}
{{- range $k, $v := .root.Values.commonAnnotations }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end -}}
"#;

fn component_templates(i: usize) -> [(String, String); 3] {
    let ctx = format!(
        r#"{{{{- $c := index .Values.components "c{i:02}" }}}}{{{{- $ctx := dict "root" $ "comp" $c "name" "c{i:02}" }}}}"#
    );
    let deploy = format!(
        r#"{ctx}
{{{{- if $c.enabled }}}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ include "big.fullname" $ }}}}-c{i:02}
  labels:
    {{{{- include "big.labels" $ctx | nindent 4 }}}}
  annotations:
    {{{{- include "big.annotations" $ctx | nindent 4 }}}}
spec:
  replicas: {{{{ $c.replicas }}}}
  selector:
    matchLabels:
      {{{{- include "big.selectorLabels" $ctx | nindent 6 }}}}
  template:
    metadata:
      labels:
        {{{{- include "big.labels" $ctx | nindent 8 }}}}
    spec:
      containers:
        - name: main
          image: {{{{ include "big.image" $ctx | quote }}}}
          ports:
            - name: http
              containerPort: {{{{ $c.port }}}}
          env:
            {{{{- include "big.env" $ctx | nindent 12 }}}}
          resources:
            {{{{- include "big.resources" $ctx | nindent 12 }}}}
          {{{{- include "big.probes" $ctx | nindent 10 }}}}
{{{{- end }}}}
"#
    );
    let svc = format!(
        r#"{ctx}
apiVersion: v1
kind: Service
metadata:
  name: {{{{ include "big.fullname" $ }}}}-c{i:02}
  labels:
    {{{{- include "big.labels" $ctx | nindent 4 }}}}
spec:
  ports:
    - port: {{{{ $c.port }}}}
      targetPort: http
      name: http
  selector:
    {{{{- include "big.selectorLabels" $ctx | nindent 4 }}}}
"#
    );
    let cm = format!(
        r#"{ctx}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ include "big.fullname" $ }}}}-c{i:02}-config
  labels:
    {{{{- include "big.labels" $ctx | nindent 4 }}}}
data:
  settings.yaml: |
    {{{{- toYaml $c.settings | nindent 4 }}}}
  settings.json: {{{{ toJson $c.settings | quote }}}}
  {{{{- range $k, $v := $c.env }}}}
  {{{{ $k }}}}: {{{{ $v | toString | quote }}}}
  {{{{- end }}}}
"#
    );
    [
        (format!("templates/c{i:02}-deployment.yaml"), deploy),
        (format!("templates/c{i:02}-service.yaml"), svc),
        (format!("templates/c{i:02}-configmap.yaml"), cm),
    ]
}

fn values_yaml() -> String {
    let mut v = String::from(
        "global:\n  imageRegistry: registry.example.com\nnameOverride: \"\"\ncommonLabels:\n  team: platform\n  cost-center: \"1234\"\ncommonAnnotations:\n  owner: platform@example.com\n  tier: backend\nresourcePresets:\n  small: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 200m, memory: 256Mi}}\n  large: {requests: {cpu: \"1\", memory: 1Gi}, limits: {cpu: \"2\", memory: 2Gi}}\ncomponents:\n",
    );
    for i in 0..COMPONENTS {
        let _ = write!(
            v,
            "  c{i:02}:\n    enabled: true\n    replicas: {}\n    port: {}\n    size: {}\n    image: {{repository: org/c{i:02}, tag: \"1.{i}.0\"}}\n    labels: {{component-index: \"{i}\"}}\n    env:\n      log-level: info\n      release: \"{{{{ .Release.Name }}}}-c{i:02}\"\n      max-conns: {}\n    settings:\n      name: c{i:02}\n      features: [a, b, c]\n      limits: {{rps: {}, burst: {}}}\n      nested: {{deep: {{deeper: {{value: \"x{i}\"}}}}}}\n",
            1 + i % 3,
            8000 + i,
            if i % 4 == 0 { "large" } else { "small" },
            100 + i,
            50 * i,
            10 * i
        );
    }
    v
}

fn subchart(root: &Path, name: &str) {
    let dir = root.join("charts").join(name);
    write(
        &dir.join("Chart.yaml"),
        &format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\nappVersion: \"7.0\"\n"),
    );
    write(
        &dir.join("values.yaml"),
        "replicas: 1\nport: 6379\nconfig:\n  maxmemory: 256mb\n  policy: allkeys-lru\n",
    );
    write(
        &dir.join("templates/_helpers.tpl"),
        &format!(
            "{{{{- define \"{name}.fullname\" -}}}}{{{{ printf \"%s-%s\" .Release.Name .Chart.Name | trunc 63 }}}}{{{{- end -}}}}\n{{{{- define \"{name}.labels\" -}}}}\napp: {{{{ .Chart.Name }}}}\nrelease: {{{{ .Release.Name }}}}\nglobal-registry: {{{{ .Values.global.imageRegistry | default \"none\" }}}}\n{{{{- end -}}}}\n"
        ),
    );
    for kind in [
        "statefulset",
        "service",
        "configmap",
        "secret",
        "serviceaccount",
    ] {
        let body = match kind {
            "statefulset" => format!(
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{{{ include \"{name}.fullname\" . }}}}\n  labels:\n    {{{{- include \"{name}.labels\" . | nindent 4 }}}}\nspec:\n  serviceName: {{{{ include \"{name}.fullname\" . }}}}\n  replicas: {{{{ .Values.replicas }}}}\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: {name}\n          image: {name}:7\n"
            ),
            "service" => format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{{{ include \"{name}.fullname\" . }}}}\nspec:\n  ports:\n    - port: {{{{ .Values.port }}}}\n"
            ),
            "configmap" => format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ include \"{name}.fullname\" . }}}}-config\ndata:\n  {{{{- range $k, $v := .Values.config }}}}\n  {{{{ $k }}}}: {{{{ $v | quote }}}}\n  {{{{- end }}}}\n"
            ),
            "secret" => format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{{{ include \"{name}.fullname\" . }}}}\ndata:\n  password: {{{{ printf \"%s-secret\" .Chart.Name | b64enc }}}}\n"
            ),
            _ => format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{{{ include \"{name}.fullname\" . }}}}\n  labels:\n    {{{{- include \"{name}.labels\" . | nindent 4 }}}}\n"
            ),
        };
        write(&dir.join(format!("templates/{kind}.yaml")), &body);
    }
}

fn generate_chart(root: &Path) {
    write(
        &root.join("Chart.yaml"),
        "apiVersion: v2\nname: bigapp\nversion: 3.2.1\nappVersion: \"5.4.0\"\ndependencies:\n  - name: db\n    version: 1.0.0\n  - name: cache\n    version: 1.0.0\n  - name: queue\n    version: 1.0.0\n",
    );
    write(&root.join("values.yaml"), &values_yaml());
    write(&root.join("templates/_helpers.tpl"), HELPERS);
    for i in 0..COMPONENTS {
        for (path, text) in component_templates(i) {
            write(&root.join(path), &text);
        }
    }
    for (i, extra) in ["rbac", "pdb", "netpol", "sa", "notes-like", "summary"]
        .iter()
        .enumerate()
    {
        let body = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ include \"big.fullname\" . }}}}-{extra}\ndata:\n  index: \"{i}\"\n  components: {{{{ keys .Values.components | sortAlpha | join \",\" | quote }}}}\n  total: \"{{{{ len .Values.components }}}}\"\n  yaml: |\n    {{{{- toYaml .Values.resourcePresets | nindent 4 }}}}\n"
        );
        write(&root.join(format!("templates/{extra}.yaml")), &body);
    }
    for s in ["db", "cache", "queue"] {
        subchart(root, s);
    }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

const ORACLE_SCRIPT: &str = r#"
import ctypes, json, os, resource, sys, time
sys.path.insert(0, os.environ["HELM_ORACLE_DIR"])
import helm_render as hr
chart, n = sys.argv[1], int(sys.argv[2])
hr.render(chart)  # warm up
t = time.perf_counter()
for _ in range(n):
    rel = hr.render(chart)
install_ms = (time.perf_counter() - t) * 1000 / n
lib = hr.lib
lib.helm_sdkpy_lint.argtypes = [hr.H, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
h = hr.H()
lib.helm_sdkpy_config_create(b"default", hr.KUBECONFIG.encode(), None, b"{}", ctypes.byref(h))
out = ctypes.c_void_p()
lib.helm_sdkpy_lint(h, chart.encode(), ctypes.byref(out))
t = time.perf_counter()
for _ in range(n):
    out = ctypes.c_void_p()
    lib.helm_sdkpy_lint(h, chart.encode(), ctypes.byref(out))
lint_ms = (time.perf_counter() - t) * 1000 / n
manifest = rel.get("manifest", "")
for hk in rel.get("hooks") or []:
    manifest += "---\n# Source: %s\n%s\n" % (hk.get("path"), hk.get("manifest"))
print(json.dumps({"install_ms": install_ms, "lint_ms": lint_ms,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "manifest": manifest}))
"#;

fn oracle_lib() -> PathBuf {
    let cache = std::env::var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache")
        });
    cache.join("helm-oracle/helm_sdkpy/_lib/linux-amd64/libhelm_sdkpy.so")
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let chart = tmp.path().join("bigapp");
    generate_chart(&chart);
    let templates = walk_count(&chart.join("templates")) + 3 * 6;
    println!(
        "chart: {templates} template files ({COMPONENTS} components x 3 + 6 + helpers, 3 subcharts x 6)"
    );

    let opts = flux_helm::TemplateOptions {
        release_name: "release".into(),
        kube_version: "v1.31.0".into(),
        api_versions: flux_helm::oracle_api_versions(),
        ..Default::default()
    };
    let first = flux_helm::template(chart.clone(), opts.clone()).expect("render");
    let start = Instant::now();
    for _ in 0..ITERATIONS {
        let out = flux_helm::template(chart.clone(), opts.clone()).expect("render");
        std::hint::black_box(out);
    }
    let ours_ms = start.elapsed().as_secs_f64() * 1000.0 / ITERATIONS as f64;
    let ours_rss = peak_rss_kib();
    println!(
        "flux-helm: {ours_ms:.2} ms per render (load + render + sort, mean of {ITERATIONS}), peak RSS {:.1} MiB, {} bytes of output",
        ours_rss as f64 / 1024.0,
        first.len()
    );

    if std::env::var_os("BENCH_OURS_ONLY").is_some() {
        return;
    }
    let oracle_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/oracles");
    if !oracle_dir.join("helm_render.py").exists() || !oracle_lib().exists() {
        println!(
            "Helm SDK oracle not available (needs ../shared/oracles and scripts/setup/helm-oracle.sh): skipped"
        );
        return;
    }
    let home = tmp.path().join("helm-home");
    std::fs::create_dir_all(&home).expect("helm home");
    let t = home.to_string_lossy();
    let out = Command::new("python3")
        .arg("-c")
        .arg(ORACLE_SCRIPT)
        .arg(&chart)
        .arg(ITERATIONS.to_string())
        .env("HELM_ORACLE_DIR", &oracle_dir)
        .env("HELM_SDKPY_LIB", oracle_lib())
        .env("HELM_DRIVER", "memory")
        .env("HELM_RENDER_TMP", t.as_ref())
        .env("HELM_CACHE_HOME", format!("{t}/cache"))
        .env("HELM_CONFIG_HOME", format!("{t}/config"))
        .env("HELM_DATA_HOME", format!("{t}/data"))
        .output()
        .expect("python3");
    if !out.status.success() {
        println!("oracle failed: {}", String::from_utf8_lossy(&out.stderr));
        return;
    }
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("oracle JSON");
    let install_ms = r["install_ms"].as_f64().unwrap_or(0.0);
    let lint_ms = r["lint_ms"].as_f64().unwrap_or(0.0);
    let rss = r["maxrss_kib"].as_f64().unwrap_or(0.0);
    println!(
        "helm SDK (install against the in-process fake API server): {install_ms:.2} ms per render"
    );
    println!("helm SDK (lint: load + render, no API calls): {lint_ms:.2} ms per render");
    println!(
        "helm SDK process peak RSS (Python + Go runtime): {:.1} MiB",
        rss / 1024.0
    );
    println!(
        "speedup: {:.1}x vs lint, {:.1}x vs install; memory: {:.1}x less",
        lint_ms / ours_ms,
        install_ms / ours_ms,
        rss / ours_rss.max(1) as f64
    );
    let same = r["manifest"].as_str() == Some(first.as_str());
    println!("output identical to Helm's: {same}");
}

fn walk_count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}
