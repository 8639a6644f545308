//! Differential conformance of the API emulator: the same sequence of kube-rs requests and kubectl
//! commands goes to the emulator and to the real kube-apiserver (scripts/control-plane.sh), and
//! their answers are compared field by field: status code, body (after normalising uids,
//! timestamps and resourceVersion values) and kubectl's output.
//!
//! Every difference must be either fixed in the emulator or listed in [`KNOWN`] with its reason
//! (crates/kube-emulator/README.md carries the same list); an unlisted difference fails the test,
//! and so does a listed one that no longer occurs, so the list stays exact. The report (requests
//! compared, differences kept) is printed; `--nocapture` shows it.
//!
//! It needs the real control plane built (scripts/setup/control-plane.sh) and skips loudly when it
//! is not; it runs in both passes of scripts/test.sh's e2e run, since it starts both servers itself.

use http::{Method, Request};
use kube::client::Body;
use regex::Regex;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::LazyLock;
use std::time::{Duration, Instant};
use testkit::control_plane::ControlPlane;
use testkit::kubectl::Kubectl;
use testkit::processes::{Cluster, ClusterKind};

const NS: &str = "diff";

/// Differences kept on purpose: in each of `steps`, the answer's fields under each of `paths`
/// differ, for `reason`. Every (step, path) pair must still occur (see the stale check).
struct Known {
    steps: &'static [&'static str],
    paths: &'static [&'static str],
    reason: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        steps: &[
            "create namespace",
            "create doomed namespace",
            "delete namespace",
        ],
        paths: &[".metadata.labels", ".metadata.managedFields"],
        reason: NAMESPACE_LABEL,
    },
    Known {
        steps: &["create deployment", "strategic merge patch"],
        paths: &[".spec", ".metadata.managedFields"],
        reason: BUILT_IN_DEFAULTS,
    },
    Known {
        steps: &["create deployment"],
        paths: &[".status"],
        reason: BUILT_IN_DEFAULTS,
    },
    Known {
        steps: &["strategic merge patch"],
        paths: &[".status", ".metadata.annotations"],
        reason: CONTROLLER_TIMING,
    },
    Known {
        steps: &[
            "dry-run create",
            "create with a finalizer",
            "delete while a finalizer is pending",
            "get while terminating",
            "remove the finalizer",
            "create owner",
        ],
        paths: &[".data", ".metadata.managedFields"],
        reason: EMPTY_MAP,
    },
];

/// [`KNOWN`] as (step label, path prefix, reason) triples.
fn known_differences() -> Vec<(&'static str, &'static str, &'static str)> {
    KNOWN
        .iter()
        .flat_map(|k| {
            k.steps
                .iter()
                .flat_map(move |step| k.paths.iter().map(move |path| (*step, *path, k.reason)))
        })
        .collect()
}

const NAMESPACE_LABEL: &str = "kube-apiserver's namespace strategy adds the label \
    kubernetes.io/metadata.name (owned by the creator) and defaults spec.finalizers unowned; the \
    emulator does neither yet";
const BUILT_IN_DEFAULTS: &str = "the emulator applies no SetDefaults_* of built-in kinds \
    (Deployment strategy, revisionHistoryLimit, progressDeadlineSeconds, the pod template's \
    defaults, an empty status); flux-ssa's tests pass on the real API server, which has them";
const CONTROLLER_TIMING: &str = "written by the real controller-manager within the step; the \
    emulator's workload simulator writes its status 500 ms after a change";
const EMPTY_MAP: &str = "Go's omitempty drops an empty map (data: {}) when kube-apiserver \
    encodes a built-in object; the emulator keeps it as sent";

/// One server under comparison, with the uids and resourceVersions it returned so far.
struct Target {
    name: &'static str,
    client: kube::Client,
    kubectl: Kubectl,
    vars: HashMap<String, String>,
}

/// What a step produced on one server.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    body: Value,
}

/// One request or command, sent to both servers.
enum Step {
    /// A REST request, optionally as another user (impersonation) and capturing the returned
    /// object's uid and resourceVersion under `capture`.
    Http {
        label: &'static str,
        method: Method,
        path: String,
        body: Option<Value>,
        content_type: &'static str,
        user: Option<&'static str>,
        capture: Option<&'static str>,
    },
    /// Poll GET `path` until it answers 404 (garbage collection, namespace deletion).
    WaitGone { label: &'static str, path: String },
    /// A watch from a captured resourceVersion, ended by the server after `timeoutSeconds`.
    Watch { label: &'static str, path: String },
    /// kubectl with `args` (and stdin); stdout, stderr and the exit status are compared.
    Kubectl {
        label: &'static str,
        args: Vec<&'static str>,
        stdin: Option<&'static str>,
    },
}

fn http(label: &'static str, method: Method, path: &str, body: Option<Value>) -> Step {
    let content_type = match method {
        Method::PATCH => "application/merge-patch+json",
        _ => "application/json",
    };
    Step::Http {
        label,
        method,
        path: path.to_string(),
        body,
        content_type,
        user: None,
        capture: None,
    }
}

impl Step {
    fn label(&self) -> &'static str {
        match self {
            Step::Http { label, .. }
            | Step::WaitGone { label, .. }
            | Step::Watch { label, .. }
            | Step::Kubectl { label, .. } => label,
        }
    }

    fn capture(mut self, name: &'static str) -> Step {
        if let Step::Http { capture, .. } = &mut self {
            *capture = Some(name);
        }
        self
    }

    fn impersonating(mut self, name: &'static str) -> Step {
        if let Step::Http { user, .. } = &mut self {
            *user = Some(name);
        }
        self
    }

    fn content_type(mut self, value: &'static str) -> Step {
        if let Step::Http { content_type, .. } = &mut self {
            *content_type = value;
        }
        self
    }
}

fn kubectl(label: &'static str, args: &[&'static str], stdin: Option<&'static str>) -> Step {
    Step::Kubectl {
        label,
        args: args.to_vec(),
        stdin,
    }
}

fn configmap(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": name, "namespace": NS, "labels": {"app": "diff"}}, "data": data})
}

fn git_repository(name: &str, interval: &str) -> Value {
    json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
           "metadata": {"name": name, "namespace": NS},
           "spec": {"url": "https://example.com/repo.git", "interval": interval}})
}

const CM: &str = "/api/v1/namespaces/diff/configmaps";
const GITREPOS: &str = "/apis/source.toolkit.fluxcd.io/v1/namespaces/diff/gitrepositories";
const APPLY: &str = "application/apply-patch+yaml";
const JSON_PATCH: &str = "application/json-patch+json";
const STRATEGIC: &str = "application/strategic-merge-patch+json";

const KUBECTL_CM: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: by-kubectl
  namespace: diff
data:
  colour: blue
";
const KUBECTL_CM_CHANGED: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: by-kubectl
  namespace: diff
data:
  colour: green
";

/// The sequence: every kind of request the controllers and kubectl make.
fn steps() -> Vec<Step> {
    use Method as M;
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": NS},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx:1"},
                                                      {"name": "side", "image": "busybox:1"}]}}}});
    vec![
        // create, get, conflicts
        http("create namespace", M::POST, "/api/v1/namespaces",
             Some(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}))),
        http("create configmap", M::POST, CM, Some(configmap("one", json!({"a": "1"})))).capture("one"),
        http("create configmap again", M::POST, CM, Some(configmap("one", json!({"a": "1"})))),
        http("get configmap", M::GET, &format!("{CM}/one"), None),
        http("get missing configmap", M::GET, &format!("{CM}/missing"), None),
        // the three patch types
        http("merge patch", M::PATCH, &format!("{CM}/one"), Some(json!({"data": {"b": "2"}}))),
        http("json patch", M::PATCH, &format!("{CM}/one"),
             Some(json!([{"op": "add", "path": "/metadata/labels/tier", "value": "x"}])))
            .content_type(JSON_PATCH),
        http("json patch test fails", M::PATCH, &format!("{CM}/one"),
             Some(json!([{"op": "test", "path": "/data/a", "value": "nope"}])))
            .content_type(JSON_PATCH),
        http("update with a stale resourceVersion", M::PUT, &format!("{CM}/one"),
             Some(json!({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": "one", "namespace": NS, "resourceVersion": "{rv:one}"},
                         "data": {"a": "stale"}}))),
        http("create deployment", M::POST, "/apis/apps/v1/namespaces/diff/deployments", Some(deployment)),
        http("strategic merge patch", M::PATCH, "/apis/apps/v1/namespaces/diff/deployments/web",
             Some(json!({"spec": {"template": {"spec": {"containers": [{"name": "side", "image": "busybox:2"}]}}}})))
            .content_type(STRATEGIC),
        http("strategic merge patch of a custom resource", M::PATCH, &format!("{GITREPOS}/missing"),
             Some(json!({"spec": {"interval": "5m"}})))
            .content_type(STRATEGIC),
        // server-side apply
        http("apply creates", M::PATCH, &format!("{CM}/applied?fieldManager=alpha"),
             Some(configmap("applied", json!({"owned": "alpha"})))).content_type(APPLY),
        http("apply conflict", M::PATCH, &format!("{CM}/applied?fieldManager=beta"),
             Some(configmap("applied", json!({"owned": "beta"})))).content_type(APPLY),
        http("apply forced", M::PATCH, &format!("{CM}/applied?fieldManager=beta&force=true"),
             Some(configmap("applied", json!({"owned": "beta"})))).content_type(APPLY),
        http("apply drops a field its manager stopped applying", M::PATCH,
             &format!("{CM}/applied?fieldManager=beta&force=true"),
             Some(json!({"apiVersion": "v1", "kind": "ConfigMap",
                         "metadata": {"name": "applied", "namespace": NS}}))).content_type(APPLY),
        // custom resources: validation, status subresource, generation
        http("create custom resource", M::POST, GITREPOS, Some(git_repository("repo", "1m"))).capture("repo"),
        http("invalid custom resource", M::POST, GITREPOS, Some(git_repository("bad", "soon"))),
        http("strict field validation", M::POST, &format!("{GITREPOS}?fieldValidation=Strict"), Some({
            let mut repo = git_repository("strict", "1m");
            repo["spec"]["unknownField"] = json!(true);
            repo
        })),
        http("status update without a resourceVersion", M::PUT, &format!("{GITREPOS}/repo/status"), Some({
            let mut repo = git_repository("repo", "9m");
            repo["status"] = json!({"observedGeneration": 1});
            repo
        })),
        http("status update ignores spec", M::PUT, &format!("{GITREPOS}/repo/status"), Some({
            let mut repo = git_repository("repo", "9m");
            repo["metadata"]["resourceVersion"] = json!("{rv:repo}");
            repo["status"] = json!({"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True",
                "reason": "Succeeded", "message": "ok", "lastTransitionTime": "2026-01-01T00:00:00Z"}]});
            repo
        })),
        http("spec patch bumps generation", M::PATCH, &format!("{GITREPOS}/repo"),
             Some(json!({"spec": {"interval": "2m"}}))),
        http("status patch keeps generation", M::PATCH, &format!("{GITREPOS}/repo/status"),
             Some(json!({"status": {"observedGeneration": 2}}))),
        // dry run
        http("dry-run create", M::POST, &format!("{CM}?dryRun=All"), Some(configmap("dry", json!({})))),
        http("dry-run object is not stored", M::GET, &format!("{CM}/dry"), None),
        // finalizers
        http("create with a finalizer", M::POST, CM, Some({
            let mut cm = configmap("held", json!({}));
            cm["metadata"]["finalizers"] = json!(["example.com/hold"]);
            cm
        })),
        http("delete while a finalizer is pending", M::DELETE, &format!("{CM}/held"), None),
        http("get while terminating", M::GET, &format!("{CM}/held"), None),
        http("remove the finalizer", M::PATCH, &format!("{CM}/held"),
             Some(json!({"metadata": {"finalizers": null}}))),
        http("gone once the finalizer is removed", M::GET, &format!("{CM}/held"), None),
        // garbage collection
        http("create owner", M::POST, CM, Some(configmap("owner", json!({})))).capture("owner"),
        http("create dependent", M::POST, "/api/v1/namespaces/diff/secrets", Some(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "dependent", "namespace": NS, "ownerReferences": [
                {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "{uid:owner}"}]},
            "stringData": {"k": "v"}}))),
        http("delete owner in the background", M::DELETE, &format!("{CM}/owner?propagationPolicy=Background"), None),
        Step::WaitGone { label: "dependent collected", path: "/api/v1/namespaces/diff/secrets/dependent".into() },
        // list and watch
        http("list with a label selector and a limit", M::GET,
             &format!("{CM}?labelSelector=app%3Ddiff&limit=1"), None),
        http("list with a field selector", M::GET, &format!("{CM}?fieldSelector=metadata.name%3Done"), None),
        http("create watched", M::POST, CM, Some(configmap("watched", json!({"n": "0"})))).capture("watched"),
        http("change watched", M::PATCH, &format!("{CM}/watched"), Some(json!({"data": {"n": "1"}}))),
        http("delete watched", M::DELETE, &format!("{CM}/watched"), None),
        Step::Watch { label: "watch from a resourceVersion",
                      path: format!("{CM}?watch=true&resourceVersion={{rv:watched}}&timeoutSeconds=2") },
        // RBAC
        http("create role", M::POST, "/apis/rbac.authorization.k8s.io/v1/namespaces/diff/roles", Some(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "reader", "namespace": NS},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}))),
        http("create role binding", M::POST, "/apis/rbac.authorization.k8s.io/v1/namespaces/diff/rolebindings", Some(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "alice-reads", "namespace": NS},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]}))),
        http("allowed by RBAC", M::GET, &format!("{CM}/one"), None).impersonating("alice"),
        http("denied by RBAC: list", M::GET, "/api/v1/namespaces/diff/secrets", None).impersonating("alice"),
        http("denied by RBAC: create", M::POST, CM, Some(configmap("alice", json!({})))).impersonating("alice"),
        http("denied by RBAC: cluster scope", M::GET, "/api/v1/namespaces", None).impersonating("alice"),
        // kubectl
        kubectl("kubectl apply creates", &["apply", "-f", "-"], Some(KUBECTL_CM)),
        kubectl("kubectl apply unchanged", &["apply", "-f", "-"], Some(KUBECTL_CM)),
        kubectl("kubectl apply configured", &["apply", "-f", "-"], Some(KUBECTL_CM_CHANGED)),
        kubectl("kubectl server-side apply conflict", &["apply", "--server-side", "-f", "-"], Some(KUBECTL_CM)),
        kubectl("kubectl server-side apply forced", &["apply", "--server-side", "--force-conflicts", "-f", "-"], Some(KUBECTL_CM)),
        kubectl("kubectl get missing", &["get", "configmap", "missing", "-n", NS], None),
        kubectl("kubectl get names", &["get", "configmaps", "-n", NS, "-l", "app=diff", "-o", "name"], None),
        kubectl("kubectl get custom resources", &["get", "gitrepositories", "-n", NS, "-o", "name"], None),
        kubectl("kubectl delete", &["delete", "configmap", "by-kubectl", "-n", NS], None),
        kubectl("kubectl auth can-i", &["auth", "can-i", "list", "secrets", "-n", NS, "--as", "alice"], None),
        // namespace deletion
        http("create doomed namespace", M::POST, "/api/v1/namespaces",
             Some(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "diff-doomed"}}))),
        http("create in doomed namespace", M::POST, "/api/v1/namespaces/diff-doomed/configmaps", Some(json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "inside"}}))),
        http("delete namespace", M::DELETE, "/api/v1/namespaces/diff-doomed", None),
        Step::WaitGone { label: "namespace deleted", path: "/api/v1/namespaces/diff-doomed".into() },
        http("its objects are gone", M::GET, "/api/v1/namespaces/diff-doomed/configmaps/inside", None),
    ]
}

/// `{uid:NAME}` and `{rv:NAME}` replaced by what this server returned for NAME.
fn substitute(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = text.to_string();
    for (key, value) in vars {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

async fn send(
    target: &Target,
    method: &Method,
    path: &str,
    body: Option<&Value>,
    content_type: &str,
    user: Option<&str>,
) -> Answer {
    let body = body
        .map(|b| substitute(&b.to_string(), &target.vars).into_bytes())
        .unwrap_or_default();
    let mut request = Request::builder()
        .method(method.clone())
        .uri(substitute(path, &target.vars));
    if !body.is_empty() {
        request = request.header("Content-Type", content_type);
    }
    if let Some(user) = user {
        request = request.header("Impersonate-User", user);
    }
    let request = request.body(Body::from(body)).expect("a valid request");
    let response = target
        .client
        .send(request)
        .await
        .unwrap_or_else(|e| panic!("{}: {method} {path}: {e}", target.name));
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect_bytes()
        .await
        .expect("read the body");
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| json!({"text": String::from_utf8_lossy(&bytes)}));
    Answer { status, body }
}

async fn run_step(target: &mut Target, step: &Step) -> Answer {
    match step {
        Step::Http {
            method,
            path,
            body,
            content_type,
            user,
            capture,
            ..
        } => {
            let answer = send(target, method, path, body.as_ref(), content_type, *user).await;
            if let Some(name) = capture {
                let meta = &answer.body["metadata"];
                for (key, field) in [("uid", "uid"), ("rv", "resourceVersion")] {
                    if let Some(value) = meta[field].as_str() {
                        target
                            .vars
                            .insert(format!("{key}:{name}"), value.to_string());
                    }
                }
            }
            answer
        }
        Step::WaitGone { path, .. } => {
            let deadline = Instant::now() + Duration::from_secs(90);
            loop {
                let answer = send(target, &Method::GET, path, None, "", None).await;
                if answer.status == 404 || Instant::now() > deadline {
                    return answer;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        Step::Watch { path, .. } => {
            let answer = send(target, &Method::GET, path, None, "", None).await;
            // A watch body is one JSON object per line; keep the event types and objects.
            let text = answer.body["text"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| answer.body.to_string());
            let events: Vec<Value> = text
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect();
            Answer {
                status: answer.status,
                body: json!({"events": events}),
            }
        }
        Step::Kubectl { args, stdin, .. } => {
            let client = target.kubectl.clone();
            let (args, stdin) = (args.clone(), *stdin);
            let run = tokio::task::spawn_blocking(move || client.run(&args, stdin))
                .await
                .expect("kubectl ran");
            Answer {
                status: if run.success { 0 } else { 1 },
                body: json!({"stdout": run.stdout, "stderr": without_skew_warning(&run.stderr)}),
            }
        }
    }
}

/// kubectl 1.32 warns about the skew to a 1.36 server on some commands; not an API difference.
fn without_skew_warning(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.contains("exceeds the supported minor version skew"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Keys whose values are per server by nature.
const VOLATILE_KEYS: [&str; 8] = [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "deletionTimestamp",
    "time",
    "lastTransitionTime",
    "continue",
    "startTime",
];

static VOLATILE_TEXT: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (
            Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap(),
            "<uid>",
        ),
        (
            Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap(),
            "<time>",
        ),
    ]
});

fn normalise_text(text: &str) -> String {
    let mut text = text.to_string();
    for (pattern, with) in VOLATILE_TEXT.iter() {
        text = pattern.replace_all(&text, *with).into_owned();
    }
    text
}

fn normalise(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // managedFields keys name list items by uid (`k:{"uid":"..."}`).
            *map = std::mem::take(map)
                .into_iter()
                .map(|(key, field)| (normalise_text(&key), field))
                .collect();
            for (key, field) in map.iter_mut() {
                if VOLATILE_KEYS.contains(&key.as_str()) && !field.is_null() {
                    *field = json!("<volatile>");
                } else {
                    normalise(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        Value::String(text) => *text = normalise_text(text),
        _ => {}
    }
}

/// Every path where `a` and `b` differ, with both values.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<(String, Value, Value)>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let (l, r) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                diff(&format!("{path}.{key}"), l, r, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (l, r)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), l, r, out);
            }
        }
        _ if a != b => out.push((path.to_string(), a.clone(), b.clone())),
        _ => {}
    }
}

#[test]
fn the_emulator_answers_as_the_real_api_server_does() {
    if ControlPlane::installed_or_skip("emulator_differential").is_none() {
        return;
    }
    let clusters = [
        Cluster::start_on(ClusterKind::Emulator),
        Cluster::start_on(ClusterKind::Real),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let _guard = runtime.enter();
    let mut targets: Vec<Target> = clusters
        .iter()
        .map(|c| Target {
            name: c.kind().name(),
            client: runtime.block_on(testkit::client::kube_client(c.kubeconfig())),
            kubectl: c.kubectl().clone(),
            vars: HashMap::new(),
        })
        .collect();

    let steps = steps();
    let mut report = String::new();
    let mut unknown = Vec::new();
    let known = known_differences();
    let mut seen_known = BTreeMap::new();
    let (mut identical, mut differing) = (0, 0);
    for step in &steps {
        let mut answers = Vec::new();
        for target in targets.iter_mut() {
            let mut answer = runtime.block_on(run_step(target, step));
            normalise(&mut answer.body);
            answers.push(answer);
        }
        let (emulator, real) = (&answers[0], &answers[1]);
        let mut differences = Vec::new();
        if emulator.status != real.status {
            differences.push((
                ".status".to_string(),
                json!(emulator.status),
                json!(real.status),
            ));
        }
        diff("", &emulator.body, &real.body, &mut differences);
        if differences.is_empty() {
            identical += 1;
            continue;
        }
        differing += 1;
        writeln!(
            report,
            "- {} ({} / {}):",
            step.label(),
            emulator.status,
            real.status
        )
        .unwrap();
        for (path, e, r) in differences {
            let listed = known
                .iter()
                .position(|(label, prefix, _)| *label == step.label() && path.starts_with(prefix));
            match listed {
                Some(i) => {
                    *seen_known.entry(i).or_insert(0) += 1;
                    writeln!(report, "    {path}: known ({})", known[i].2).unwrap();
                }
                None => {
                    writeln!(report, "    {path}: emulator {e} / real {r}").unwrap();
                    unknown.push(format!("{}: {path}: emulator {e} / real {r}", step.label()));
                }
            }
        }
    }
    let stale: Vec<_> = known
        .iter()
        .enumerate()
        // A difference that depends on when the controller-manager runs need not show every time.
        .filter(|(i, k)| !seen_known.contains_key(i) && k.2 != CONTROLLER_TIMING)
        .map(|(_, k)| k)
        .collect();
    println!(
        "emulator differential: {} steps (REST requests and kubectl commands) compared, {identical} identical, \
         {differing} with differences; {} unexplained, {} known kept, {} known no longer seen\n{report}",
        steps.len(),
        unknown.len(),
        seen_known.len(),
        stale.len()
    );
    assert!(
        unknown.is_empty(),
        "differences neither fixed nor listed in KNOWN:\n{}",
        unknown.join("\n")
    );
    assert!(
        stale.is_empty(),
        "KNOWN lists differences that no longer occur (remove them): {stale:?}"
    );
}
