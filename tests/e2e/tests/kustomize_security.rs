//! kustomize-controller's multi-tenancy and security features, every part a separate process (the
//! cluster, source-controller, kustomize-controller and a real git server), driven with
//! `kubectl apply` and checked with `kubectl get`:
//! - SOPS-encrypted Secrets (files written by the real sops, from ../shared/fixtures/sops) are
//!   decrypted with an age key and with an OpenPGP key; without keys, or with the wrong one,
//!   nothing is applied and the Ready condition says why;
//! - a tenant Kustomization impersonating a service account bound only to its namespace cannot
//!   create objects in another one, and the RBAC denial is reported in its Ready condition (with
//!   FLUX_RS_CLUSTER=real, RBAC is the real API server's);
//! - the lockdown flags: `--no-cross-namespace-refs` (AccessDenied), `--no-remote-bases`
//!   (BuildFailed naming the remote base) and `--default-service-account` (impersonated when
//!   spec.serviceAccountName is empty, so RBAC denies what that account lacks).
//!
//! Each test skips, loudly, while source-controller or kustomize-controller is still a stub.

use e2e::fleet::{Fleet, TIMEOUT, kustomization, ready_is, ready_message};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use testkit::processes::condition;

fn configmap(namespace: &str, name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {namespace}\ndata:\n  owner: tenant\n"
    )
}

/// The tenant's manifests: one ConfigMap inside its namespace `team`, and a set that also writes
/// into the namespace `other`.
fn tenant_files() -> Vec<(&'static str, String)> {
    vec![
        ("tenant/inside/configmap.yaml", configmap("team", "inside")),
        ("tenant/escape/own.yaml", configmap("team", "own")),
        ("tenant/escape/escape.yaml", configmap("other", "escape")),
    ]
}

/// Namespaces `team` and `other`; the service account `team/<account>` may do anything in
/// `team` (a RoleBinding to a ClusterRole, as Flux's multi-tenancy guide does) and nothing else.
fn create_tenant(fleet: &Fleet, account: &str) {
    for namespace in ["team", "other"] {
        fleet.kubectl(&["create", "namespace", namespace]);
    }
    fleet.apply(&json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": account, "namespace": "team"}
    }));
    fleet.apply(&json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "tenant-admin"},
        "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
    }));
    fleet.apply(&json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": format!("{account}-admin"), "namespace": "team"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": "tenant-admin"},
        "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": "team"}]
    }));
}

/// Ready=False ReconciliationFailed naming the refused object and the impersonated account.
fn assert_rbac_denial(object: &Value, account: &str) {
    let message = ready_message(object);
    assert!(
        message.contains("ConfigMap/other/escape"),
        "the refused object is named: {message}"
    );
    assert!(
        message.contains(&format!("system:serviceaccount:team:{account}")),
        "the impersonated account is named: {message}"
    );
    assert!(
        message.to_ascii_lowercase().contains("forbidden"),
        "the RBAC denial is reported: {message}"
    );
}

fn sops_fixtures() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/sops"
    ));
    if dir.is_dir() {
        return Some(dir.to_path_buf());
    }
    eprintln!(
        "\n!!! SKIPPED kustomize_security sops: {} is absent (the SOPS fixtures, encrypted by the \
         real sops, live in ../shared) !!!\n",
        dir.display()
    );
    None
}

#[test]
fn sops_encrypted_secrets_are_decrypted_with_age_and_with_pgp() {
    let Some(dir) = sops_fixtures() else { return };
    let read = |p: &str| {
        std::fs::read_to_string(dir.join(p)).unwrap_or_else(|e| panic!("fixture {p}: {e}"))
    };
    // Written by the real sops: Secrets `age` and `pgp` whose stringData.key is "value".
    let files = [
        ("secrets/age/secret.yaml", read("algorithms/age.yaml")),
        ("secrets/pgp/secret.yaml", read("algorithms/pgp.yaml")),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let Some(mut fleet) = Fleet::start("kustomize_security sops", &files, &[]) else {
        return;
    };
    let revision = fleet.head_revision();
    fleet.apply(&json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "sops-age", "namespace": "flux-system"},
        "stringData": {"age.agekey": read("keys/age.txt")}
    }));
    fleet.apply(&json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "sops-gpg", "namespace": "flux-system"},
        "stringData": {"sops.asc": read("keys/pgp.asc")}
    }));
    let decrypt_with = |secret: &str| json!({"provider": "sops", "secretRef": {"name": secret}});
    let cases = [
        (
            "age",
            "./secrets/age",
            json!({"decryption": decrypt_with("sops-age")}),
        ),
        (
            "pgp",
            "./secrets/pgp",
            json!({"decryption": decrypt_with("sops-gpg")}),
        ),
        (
            "wrong-key",
            "./secrets/pgp",
            json!({"namePrefix": "wrong-", "decryption": decrypt_with("sops-age")}),
        ),
        (
            "undecrypted",
            "./secrets/age",
            json!({"namePrefix": "plain-"}),
        ),
    ];
    for (name, path, mut extra) in cases {
        extra["targetNamespace"] = json!("default");
        fleet.apply(&kustomization("flux-system", name, path, extra));
    }

    for name in ["age", "pgp"] {
        fleet.wait_applied("flux-system", name, &revision);
        let secret = fleet.get("secret", "default", name).expect("applied");
        assert_eq!(
            secret["data"]["key"], "dmFsdWU=",
            "{name}: the plaintext \"value\" is applied: {secret:#}"
        );
        assert!(secret.get("sops").is_none(), "{secret:#}");
    }

    // A key that does not fit: the build fails and nothing is applied.
    let wrong =
        fleet.wait_kustomization("flux-system", "wrong-key", "Ready=False BuildFailed", |k| {
            ready_is(k, "False", "BuildFailed")
        });
    let message = ready_message(&wrong);
    assert!(
        message.contains("decryption failed for '") && message.contains("wrong-pgp"),
        "{message}"
    );
    assert!(fleet.get("secret", "default", "wrong-pgp").is_none());

    // No decryption configured: the still encrypted Secret is refused, never applied.
    let plain = fleet.wait_kustomization(
        "flux-system",
        "undecrypted",
        "Ready=False ReconciliationFailed",
        |k| ready_is(k, "False", "ReconciliationFailed"),
    );
    let message = ready_message(&plain);
    assert!(
        message.contains(
            "plain-age is SOPS encrypted, configuring decryption is required for this secret to be reconciled"
        ),
        "{message}"
    );
    assert!(fleet.get("secret", "default", "plain-age").is_none());

    // The private keys never reach a log.
    for process in fleet.cluster.controllers() {
        let log = process.log();
        assert!(
            !log.contains("AGE-SECRET-KEY-") && !log.contains("PGP PRIVATE KEY"),
            "{} logged a private key",
            process.name()
        );
    }
}

#[test]
fn a_tenant_service_account_cannot_create_objects_outside_its_namespace() {
    let files = tenant_files();
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let Some(mut fleet) = Fleet::start("kustomize_security tenant", &files, &[]) else {
        return;
    };
    let revision = fleet.head_revision();
    create_tenant(&fleet, "deployer");
    let as_deployer = json!({"serviceAccountName": "deployer"});
    fleet.apply(&kustomization(
        "team",
        "inside",
        "./tenant/inside",
        as_deployer.clone(),
    ));
    fleet.apply(&kustomization(
        "team",
        "escape",
        "./tenant/escape",
        as_deployer,
    ));
    // The same manifests without impersonation: the controller's own identity may write anywhere.
    fleet.apply(&kustomization(
        "flux-system",
        "admin",
        "./tenant/escape",
        json!({"namePrefix": "admin-"}),
    ));

    fleet.wait_applied("team", "inside", &revision);
    assert!(fleet.get("configmap", "team", "inside").is_some());

    let escape =
        fleet.wait_kustomization("team", "escape", "Ready=False ReconciliationFailed", |k| {
            ready_is(k, "False", "ReconciliationFailed")
        });
    assert_rbac_denial(&escape, "deployer");
    assert!(
        fleet.get("configmap", "other", "escape").is_none(),
        "the tenant wrote outside its namespace"
    );

    fleet.wait_applied("flux-system", "admin", &revision);
    assert!(fleet.get("configmap", "other", "admin-escape").is_some());
}

#[test]
fn the_lockdown_flags_are_each_enforced() {
    let mut files = tenant_files();
    files.push((
        "remote/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - https://github.com/stefanprodan/podinfo//kustomize?ref=6.5.0\n"
            .to_string(),
    ));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let Some(mut fleet) = Fleet::start(
        "kustomize_security lockdown",
        &files,
        &[
            "--no-cross-namespace-refs",
            "--no-remote-bases",
            "--default-service-account=tenant",
        ],
    ) else {
        return;
    };
    let revision = fleet.head_revision();
    create_tenant(&fleet, "tenant");
    // The tenant's own source, in its namespace.
    fleet.apply(&json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "team"},
        "spec": {"interval": "1m", "url": fleet.server.http_url("fleet"),
                 "ref": {"branch": "main"}}
    }));
    fleet
        .cluster
        .wait_ready("gitrepository", "team", "fleet", TIMEOUT);
    let own_source = json!({"kind": "GitRepository", "name": "fleet"});

    // --no-cross-namespace-refs: the source in flux-system is out of reach.
    fleet.apply(&kustomization(
        "team",
        "cross",
        "./tenant/inside",
        json!({"namePrefix": "cross-"}),
    ));
    // --no-remote-bases: the build refuses the remote base.
    fleet.apply(&kustomization(
        "team",
        "remote",
        "./remote",
        json!({"sourceRef": own_source}),
    ));
    // --default-service-account: without spec.serviceAccountName, applied as team/tenant.
    fleet.apply(&kustomization(
        "team",
        "inside",
        "./tenant/inside",
        json!({"sourceRef": own_source}),
    ));
    fleet.apply(&kustomization(
        "team",
        "escape",
        "./tenant/escape",
        json!({"sourceRef": own_source}),
    ));

    let cross = fleet.wait_kustomization("team", "cross", "Ready=False AccessDenied", |k| {
        ready_is(k, "False", "AccessDenied")
    });
    assert_eq!(
        ready_message(&cross),
        "can't access 'GitRepository/flux-system/fleet', cross-namespace references have been blocked"
    );
    let stalled = condition(&cross, "Stalled").expect("Stalled: no retry helps");
    assert_eq!(stalled["status"], "True", "{cross:#}");
    assert_eq!(stalled["reason"], "AccessDenied", "{cross:#}");
    assert!(fleet.get("configmap", "team", "cross-inside").is_none());

    let remote = fleet.wait_kustomization("team", "remote", "Ready=False BuildFailed", |k| {
        ready_is(k, "False", "BuildFailed")
    });
    let message = ready_message(&remote);
    assert!(
        message.contains("github.com/stefanprodan/podinfo"),
        "the remote base is named: {message}"
    );

    fleet.wait_applied("team", "inside", &revision);
    assert!(fleet.get("configmap", "team", "inside").is_some());
    let escape =
        fleet.wait_kustomization("team", "escape", "Ready=False ReconciliationFailed", |k| {
            ready_is(k, "False", "ReconciliationFailed")
        });
    assert_rbac_denial(&escape, "tenant");
    assert!(fleet.get("configmap", "other", "escape").is_none());
}

#[test]
fn a_wrong_sops_key_is_reported_in_fluxs_words() {
    let Some(dir) = sops_fixtures() else { return };
    let read = |p: &str| {
        std::fs::read_to_string(dir.join(p)).unwrap_or_else(|e| panic!("fixture {p}: {e}"))
    };
    let pgp = read("algorithms/pgp.yaml");
    let files = [("secrets/pgp/secret.yaml", pgp.as_str())];
    let Some(mut fleet) = Fleet::start("kustomize_security sops message", &files, &[]) else {
        return;
    };
    fleet.apply(&json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "sops-age", "namespace": "flux-system"},
        "stringData": {"age.agekey": read("keys/age.txt")}
    }));
    fleet.apply(&kustomization(
        "flux-system",
        "wrong-key",
        "./secrets/pgp",
        json!({"namePrefix": "wrong-", "targetNamespace": "default",
               "decryption": {"provider": "sops", "secretRef": {"name": "sops-age"}}}),
    ));
    let wrong =
        fleet.wait_kustomization("flux-system", "wrong-key", "Ready=False BuildFailed", |k| {
            ready_is(k, "False", "BuildFailed")
        });
    let message = ready_message(&wrong);
    assert!(
        message.starts_with("decryption failed for 'wrong-pgp': "),
        "{message}"
    );
}
