//! A git repository, the cluster, source-controller and kustomize-controller as processes,
//! with the GitRepository `flux-system/fleet` Ready: what the Kustomization e2e tests start from.

use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use testkit::git_server::{GitServer, WorkTree};
use testkit::processes::{Cluster, condition, is_observed, stub_message};

/// Room for a loaded 2-core CI machine; every wait returns as soon as its condition holds.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// A git repository served over HTTP, the cluster, both controllers, and the GitRepository
/// `flux-system/fleet` tracking branch `main` of that repository.
pub struct Fleet {
    // Dropped in this order: the processes first, then the work tree and the git server.
    pub cluster: Cluster,
    pub work: WorkTree,
    pub server: GitServer,
}

impl Fleet {
    /// None (after a loud message) while a controller is still a stub.
    pub fn start(test: &str, files: &[(&str, &str)], kustomize_flags: &[&str]) -> Option<Fleet> {
        for controller in ["source-controller", "kustomize-controller"] {
            if let Some(line) = stub_message(controller) {
                eprintln!(
                    "\n!!! SKIPPED {test}: {controller} is still a stub ({line:?}); this test runs \
                     for real once source-controller and kustomize-controller reconcile !!!\n"
                );
                return None;
            }
        }
        let server = GitServer::start()
            .unwrap_or_else(|e| panic!("git server ({e}); run scripts/setup/git-server.sh"));
        server.create_repo("fleet").expect("create the repository");
        let work = server.work_tree("fleet").expect("work tree");
        for (path, text) in files {
            work.write(path, text).expect("write a file");
        }
        work.commit("initial").expect("commit");
        work.push_branch("main").expect("push");

        let mut cluster = Cluster::start();
        cluster.start_source_controller(&[]);
        cluster.start_controller("kustomize-controller", kustomize_flags);
        let mut fleet = Fleet {
            cluster,
            work,
            server,
        };
        fleet.kubectl(&["create", "namespace", "flux-system"]);
        fleet.apply(&json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": "fleet", "namespace": "flux-system"},
            "spec": {"interval": "1m", "url": fleet.server.http_url("fleet"),
                     "ref": {"branch": "main"}}
        }));
        let revision = fleet.head_revision();
        fleet.wait_source_revision(&revision);
        Some(fleet)
    }

    pub fn kubectl(&self, args: &[&str]) -> String {
        self.cluster.kubectl().ok(args)
    }

    /// `kubectl apply -f -` of one object.
    pub fn apply(&self, object: &Value) {
        let run = self
            .cluster
            .kubectl()
            .run(&["apply", "-f", "-"], Some(&object.to_string()));
        assert!(
            run.success,
            "kubectl apply failed: {}\n{object:#}",
            run.stderr
        );
    }

    /// The object as `kubectl get -o json` prints it; None when it does not exist.
    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        let run = self
            .cluster
            .kubectl()
            .run(&["get", kind, name, "-n", namespace, "-o", "json"], None);
        if run.success {
            return Some(serde_json::from_str(&run.stdout).expect("kubectl prints JSON"));
        }
        assert!(
            run.stderr.contains("NotFound"),
            "kubectl get {kind} {namespace}/{name}: {}",
            run.stderr
        );
        None
    }

    pub fn head_revision(&self) -> String {
        format!("main@sha1:{}", self.work.head().expect("HEAD"))
    }

    /// Commit and push changes (`None` removes the file); returns the new revision once the
    /// GitRepository serves it.
    pub fn push(&mut self, changes: &[(&str, Option<&str>)], message: &str) -> String {
        for (path, text) in changes {
            match text {
                Some(text) => self.work.write(path, text).expect("write a file"),
                None => self.work.remove(path).expect("remove a file"),
            }
        }
        self.work.commit(message).expect("commit");
        self.work.push_branch("main").expect("push");
        let revision = self.head_revision();
        // As `flux reconcile source git fleet` does.
        self.request_reconcile("gitrepository", "flux-system", "fleet");
        self.wait_source_revision(&revision);
        revision
    }

    pub fn wait_source_revision(&mut self, revision: &str) {
        let args = [
            "get",
            "gitrepository",
            "fleet",
            "-n",
            "flux-system",
            "-o",
            "json",
        ];
        self.cluster.wait_for(
            &format!("GitRepository flux-system/fleet to serve {revision}"),
            TIMEOUT,
            |kubectl| {
                let repo: Value = serde_json::from_str(&kubectl.ok(&args)).ok()?;
                (repo["status"]["artifact"]["revision"] == revision).then_some(())
            },
            |kubectl| kubectl.ok(&args),
        );
    }

    /// Annotate with `reconcile.fluxcd.io/requestedAt` (as the flux CLI does); returns the token.
    pub fn request_reconcile(&self, kind: &str, namespace: &str, name: &str) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970");
        let token = format!("{}.{:09}", now.as_secs(), now.subsec_nanos());
        self.kubectl(&[
            "annotate",
            "--overwrite",
            kind,
            name,
            "-n",
            namespace,
            &format!("reconcile.fluxcd.io/requestedAt={token}"),
        ]);
        token
    }

    /// Wait until the Kustomization satisfies `check`; returns it.
    pub fn wait_kustomization(
        &mut self,
        namespace: &str,
        name: &str,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let args = ["get", "kustomization", name, "-n", namespace, "-o", "json"];
        self.cluster.wait_for(
            &format!("Kustomization {namespace}/{name}: {what}"),
            TIMEOUT,
            |kubectl| {
                let run = kubectl.run(&args, None);
                let object: Value = serde_json::from_str(&run.stdout).ok()?;
                check(&object).then_some(object)
            },
            |kubectl| {
                let mut yaml = args;
                yaml[6] = "yaml";
                kubectl.ok(&yaml)
            },
        )
    }

    /// Wait for Ready=True (for the current generation) with `revision` applied.
    pub fn wait_applied(&mut self, namespace: &str, name: &str, revision: &str) -> Value {
        self.wait_kustomization(
            namespace,
            name,
            &format!("Ready=True with {revision} applied"),
            |k| {
                ready_is(k, "True", "ReconciliationSucceeded")
                    && is_observed(k)
                    && k["status"]["lastAppliedRevision"] == revision
            },
        )
    }
}

/// A Kustomization of `path` in the GitRepository flux-system/fleet; `extra` is merged into spec.
pub fn kustomization(namespace: &str, name: &str, path: &str, extra: Value) -> Value {
    let mut spec = json!({
        "interval": "10m",
        "path": path,
        "prune": true,
        "sourceRef": {"kind": "GitRepository", "name": "fleet", "namespace": "flux-system"},
    });
    for (key, value) in extra.as_object().expect("an object") {
        spec[key] = value.clone();
    }
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    })
}

pub fn ready_is(object: &Value, status: &str, reason: &str) -> bool {
    condition(object, "Ready").is_some_and(|c| c["status"] == status && c["reason"] == reason)
}

pub fn ready_message(object: &Value) -> String {
    condition(object, "Ready")
        .and_then(|c| c["message"].as_str())
        .unwrap_or_default()
        .to_string()
}
