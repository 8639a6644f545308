//! GitRepository reconciles against a real git server (git http-backend, sshd) and the API
//! emulator: references, authentication, ignore rules, includes, submodules, signatures,
//! force-pushes, deleted branches, digest stability and garbage collection.

mod common;

use common::{Env, git_server, names};
use flux_api::ConditionStatus;
use serde_json::json;
use source_controller::storage::Retention;
use std::time::Duration;
use testkit::git_server::{GitServerOptions, GpgKey, HttpAuth};

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_becomes_a_deterministic_artifact_and_an_unchanged_remote_is_not_refetched() {
    let env = Env::start().await;
    let server = git_server(GitServerOptions::default());
    server.create_repo("app").unwrap();
    let wt = server.work_tree("app").unwrap();
    wt.write("deploy/app.yaml", "kind: ConfigMap\n").unwrap();
    wt.write(".github/workflows/ci.yaml", "on: push\n").unwrap();
    wt.write("docs/logo.png", "png").unwrap();
    wt.write(".gitignore", "tmp/\n").unwrap();
    wt.write("README.md", "# app\n").unwrap();
    let hash = wt.commit("first commit\n\nbody").unwrap();
    wt.push_branch("main").unwrap();

    let url = server.http_url("app");
    env.create("app", json!({"url": url, "ref": {"branch": "main"}}))
        .await;
    let artifact = env.artifact("app").await;
    assert_eq!(artifact.revision, format!("main@sha1:{hash}"));
    assert_eq!(
        artifact.path,
        format!("gitrepository/default/app/{hash}.tar.gz")
    );
    assert_eq!(
        artifact.url,
        format!("http://localhost:9090/gitrepository/default/app/{hash}.tar.gz")
    );
    let stored = std::fs::read(env.storage.local_path(&artifact.path).unwrap()).unwrap();
    assert_eq!(artifact.digest, format!("sha256:{}", sha256_hex(&stored)));
    assert_eq!(artifact.size, Some(stored.len() as i64));
    let files = env.files(&artifact);
    assert_eq!(
        names(&files),
        ["./", "README.md", "deploy/", "deploy/app.yaml", "docs/"]
    );

    let repo = env.get("app").await;
    let ready = repo
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .unwrap()
        .clone();
    assert_eq!(ready.reason, "Succeeded");
    assert_eq!(
        ready.message,
        format!("stored artifact for revision 'main@sha1:{hash}'")
    );
    let events = env.events("app").await;
    assert!(
        events
            .iter()
            .any(|(r, m)| r == "NewArtifact" && m == "stored artifact for commit 'first commit'"),
        "{events:?}"
    );

    // Unchanged remote: no fetch, the same artifact (same time), one ls-remote on the server.
    let requests_before = server.http_log().lines().count();
    let again = env.artifact("app").await;
    assert_eq!(again, artifact);
    let log = server.http_log();
    let new_requests: Vec<&str> = log.lines().skip(requests_before).collect();
    // One ref advertisement (protocol v2: GET info/refs, then one POST with ls-refs); a fetch
    // would be a second POST.
    let posts = new_requests
        .iter()
        .filter(|l| l.starts_with("POST"))
        .count();
    let gets = new_requests.iter().filter(|l| l.starts_with("GET")).count();
    assert!(
        gets == 1 && posts <= 1,
        "an unchanged remote must cost one ls-remote: {new_requests:?}"
    );

    // Another object on the same commit gets a byte-identical artifact.
    env.create("app-copy", json!({"url": url, "ref": {"branch": "main"}}))
        .await;
    let copy = env.artifact("app-copy").await;
    assert_eq!(copy.digest, artifact.digest);
    assert_ne!(copy.path, artifact.path);

    // A new commit produces a new artifact.
    wt.write("deploy/app.yaml", "kind: Secret\n").unwrap();
    let second = wt.commit("second").unwrap();
    wt.push_branch("main").unwrap();
    let next = env.artifact("app").await;
    assert_eq!(next.revision, format!("main@sha1:{second}"));
    assert_ne!(next.digest, artifact.digest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reference_kind_resolves_with_fluxs_revision_format() {
    let env = Env::start().await;
    let server = git_server(GitServerOptions::default());
    server.create_repo("refs").unwrap();
    let wt = server.work_tree("refs").unwrap();
    wt.write("a.txt", "1").unwrap();
    let c1 = wt.commit("one").unwrap();
    wt.tag("v1.0.0").unwrap();
    wt.push_branch("main").unwrap();
    wt.git(&["branch", "master"]).unwrap();
    wt.push_branch("master").unwrap();
    wt.write("a.txt", "2").unwrap();
    let c2 = wt.commit("two").unwrap();
    wt.annotated_tag("v1.2.0", "release 1.2").unwrap();
    wt.write("a.txt", "3").unwrap();
    let c3 = wt.commit("three").unwrap();
    wt.tag("v2.0.0-rc.1").unwrap();
    wt.push_branch("main").unwrap();
    wt.push_all().unwrap();
    wt.push_refspec("HEAD:refs/pull/7/head").unwrap();
    let url = server.http_url("refs");

    let cases = [
        ("default", json!({"url": url}), format!("master@sha1:{c1}")),
        (
            "branch",
            json!({"url": url, "ref": {"branch": "main"}}),
            format!("main@sha1:{c3}"),
        ),
        (
            "tag",
            json!({"url": url, "ref": {"tag": "v1.0.0"}}),
            format!("v1.0.0@sha1:{c1}"),
        ),
        (
            "annotated",
            json!({"url": url, "ref": {"tag": "v1.2.0"}}),
            format!("v1.2.0@sha1:{c2}"),
        ),
        (
            "semver",
            json!({"url": url, "ref": {"semver": ">=1.0.0 <2.0.0"}}),
            format!("v1.2.0@sha1:{c2}"),
        ),
        (
            "name",
            json!({"url": url, "ref": {"name": "refs/pull/7/head"}}),
            format!("refs/pull/7/head@sha1:{c3}"),
        ),
        (
            "commit",
            json!({"url": url, "ref": {"commit": c2}}),
            format!("sha1:{c2}"),
        ),
        (
            "commit-on-branch",
            json!({"url": url, "ref": {"branch": "main", "commit": c1}}),
            format!("main@sha1:{c1}"),
        ),
        (
            "precedence",
            json!({"url": url, "ref": {"branch": "main", "tag": "v1.0.0", "semver": "~1.2"}}),
            format!("v1.2.0@sha1:{c2}"),
        ),
    ];
    for (name, spec, revision) in cases {
        env.create(name, spec).await;
        let artifact = env.artifact(name).await;
        assert_eq!(artifact.revision, revision, "{name}");
    }

    // A reference that does not exist: a clear Ready=False, no panic, no artifact.
    env.create("missing", json!({"url": url, "ref": {"branch": "nope"}}))
        .await;
    let err = env.reconcile("missing").await.unwrap_err();
    assert_eq!(err.reason, "GitOperationFailed");
    assert!(
        err.message
            .starts_with("failed to checkout and determine revision: "),
        "{}",
        err.message
    );
    assert!(env.get("missing").await.status.unwrap().artifact.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_failures_are_reported_and_recovered_from() {
    let env = Env::start().await;
    let server = git_server(GitServerOptions {
        auth: HttpAuth::Basic {
            username: "flux".into(),
            password: "s3cret".into(),
        },
        ..Default::default()
    });
    server.create_repo("private").unwrap();
    let wt = server.work_tree("private").unwrap();
    wt.write("a.yaml", "a: 1\n").unwrap();
    let hash = wt.commit("private").unwrap();
    wt.push_branch("main").unwrap();
    let url = server.http_url("private");

    env.create(
        "private",
        json!({"url": url, "ref": {"branch": "main"}, "secretRef": {"name": "creds"}}),
    )
    .await;
    let err = env.reconcile("private").await.unwrap_err();
    assert_eq!(err.reason, "AuthenticationFailed");
    assert_eq!(
        err.message,
        "failed to get secret 'default/creds': secrets \"creds\" not found"
    );

    env.create_secret(
        "creds",
        &[
            ("username", b"flux".as_slice()),
            ("password", b"wrong".as_slice()),
        ],
    )
    .await;
    let err = env.reconcile("private").await.unwrap_err();
    assert_eq!(err.reason, "GitOperationFailed");
    assert!(!err.message.contains("wrong"), "no secret in messages");
    // Flux's negative condition beside Ready=False; the other steps' ones are cleared.
    assert_eq!(
        err.conditions,
        vec![("FetchFailed".to_string(), ConditionStatus::True)]
    );
    assert!(
        err.remove_conditions
            .contains(&"StorageOperationFailed".to_string())
    );
    assert!(!err.remove_conditions.contains(&"FetchFailed".to_string()));

    env.create_secret(
        "creds",
        &[
            ("username", b"flux".as_slice()),
            ("password", b"s3cret".as_slice()),
        ],
    )
    .await;
    let artifact = env.artifact("private").await;
    assert_eq!(artifact.revision, format!("main@sha1:{hash}"));

    // Unreachable host: Ready=False with the git error, retried with backoff.
    env.create(
        "unreachable",
        json!({"url": "http://127.0.0.1:1/none.git", "timeout": "5s"}),
    )
    .await;
    let err = env.reconcile("unreachable").await.unwrap_err();
    assert_eq!(err.reason, "GitOperationFailed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_with_identity_and_known_hosts() {
    let env = Env::start().await;
    let server = git_server(GitServerOptions {
        ssh: true,
        ..Default::default()
    });
    server.create_repo("ssh").unwrap();
    let wt = server.work_tree("ssh").unwrap();
    wt.write("a.yaml", "a: 1\n").unwrap();
    let hash = wt.commit("over ssh").unwrap();
    wt.push_branch("main").unwrap();
    let url = server.ssh_url("ssh").expect("ssh url");
    let key = server.ssh_client_key().unwrap().as_bytes().to_vec();

    env.create_secret(
        "foreign",
        &[
            ("identity", key.as_slice()),
            (
                "known_hosts",
                server.ssh_foreign_known_hosts().unwrap().as_bytes(),
            ),
        ],
    )
    .await;
    env.create(
        "ssh",
        json!({"url": url, "ref": {"branch": "main"}, "secretRef": {"name": "foreign"}}),
    )
    .await;
    let err = env.reconcile("ssh").await.unwrap_err();
    assert_eq!(err.reason, "GitOperationFailed");

    env.create_secret(
        "foreign",
        &[
            ("identity", key.as_slice()),
            ("known_hosts", server.ssh_known_hosts().unwrap().as_bytes()),
        ],
    )
    .await;
    let artifact = env.artifact("ssh").await;
    assert_eq!(artifact.revision, format!("main@sha1:{hash}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignore_rules_from_spec_and_sourceignore_files() {
    let env = Env::start().await;
    let server = git_server(GitServerOptions::default());
    server.create_repo("ign").unwrap();
    let wt = server.work_tree("ign").unwrap();
    wt.write(".sourceignore", "/secret.yaml\n").unwrap();
    wt.write("apps/.sourceignore", "*.md\n").unwrap();
    wt.write("apps/a.yaml", "a").unwrap();
    wt.write("apps/NOTES.md", "n").unwrap();
    wt.write("secret.yaml", "s").unwrap();
    wt.write("README.md", "r").unwrap();
    wt.write("logo.png", "p").unwrap();
    wt.write("build/out.txt", "o").unwrap();
    wt.commit("ignore").unwrap();
    wt.push_branch("main").unwrap();
    let url = server.http_url("ign");

    env.create("ign", json!({"url": url, "ref": {"branch": "main"}}))
        .await;
    let first = env.artifact("ign").await;
    // .sourceignore patterns replace the default list: logo.png stays.
    assert_eq!(
        names(&env.files(&first)),
        [
            "./",
            ".sourceignore",
            "README.md",
            "apps/",
            "apps/.sourceignore",
            "apps/a.yaml",
            "build/",
            "build/out.txt",
            "logo.png"
        ]
    );

    // Changing spec.ignore rebuilds the artifact for the same commit and records it.
    env.set_spec("ign", json!({"ignore": "build/\n!/apps/NOTES.md\n"}))
        .await;
    let second = env.artifact("ign").await;
    assert_eq!(second.revision, first.revision);
    let files = names(&env.files(&second));
    assert!(!files.contains(&"build/out.txt".to_string()), "{files:?}");
    assert!(files.contains(&"apps/NOTES.md".to_string()), "{files:?}");
    let status = env.get("ign").await.status.unwrap();
    assert_eq!(
        status.observed_ignore.as_deref(),
        Some("build/\n!/apps/NOTES.md\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn includes_copy_other_artifacts_and_wait_for_them() {
    let env = Env::start().await;
    let server = git_server(GitServerOptions::default());
    for name in ["main-repo", "lib-repo"] {
        server.create_repo(name).unwrap();
    }
    let main = server.work_tree("main-repo").unwrap();
    main.write("app.yaml", "app").unwrap();
    main.commit("app").unwrap();
    main.push_branch("main").unwrap();
    let lib = server.work_tree("lib-repo").unwrap();
    lib.write("charts/lib/values.yaml", "v: 1\n").unwrap();
    lib.write("other.txt", "x").unwrap();
    lib.commit("lib").unwrap();
    lib.push_branch("main").unwrap();

    env.create(
        "main-repo",
        json!({"url": server.http_url("main-repo"), "ref": {"branch": "main"},
               "include": [{"repository": {"name": "lib-repo"}, "fromPath": "charts", "toPath": "vendor/charts"}]}),
    )
    .await;
    let err = env.reconcile("main-repo").await.unwrap_err();
    assert_eq!(err.reason, "NotFound");
    assert!(
        err.message
            .starts_with("could not get resource for include 'lib-repo'")
    );

    env.create(
        "lib-repo",
        json!({"url": server.http_url("lib-repo"), "ref": {"branch": "main"}}),
    )
    .await;
    let err = env.reconcile("main-repo").await.unwrap_err();
    assert_eq!(err.reason, "NoArtifact");
    assert_eq!(err.message, "no artifact available for include 'lib-repo'");

    let lib_artifact = env.artifact("lib-repo").await;
    let artifact = env.artifact("main-repo").await;
    let files = names(&env.files(&artifact));
    assert!(
        files.contains(&"vendor/charts/lib/values.yaml".to_string()),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.contains("other.txt")), "{files:?}");
    let status = env.get("main-repo").await.status.unwrap();
    assert_eq!(status.included_artifacts, Some(vec![lib_artifact.clone()]));
    assert_eq!(status.observed_include.unwrap().len(), 1);

    // A new revision of the included repository rebuilds the including artifact.
    lib.write("charts/lib/values.yaml", "v: 2\n").unwrap();
    lib.commit("lib 2").unwrap();
    lib.push_branch("main").unwrap();
    env.artifact("lib-repo").await;
    let rebuilt = env.artifact("main-repo").await;
    assert_eq!(rebuilt.revision, artifact.revision);
    assert_ne!(rebuilt.digest, artifact.digest);
    let files = env.files(&rebuilt);
    assert_eq!(
        files["vendor/charts/lib/values.yaml"].as_deref(),
        Some(b"v: 2\n".as_slice())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submodules_are_included_on_request() {
    let env = Env::start().await;
    let server = git_server(GitServerOptions::default());
    server.create_repo("sub").unwrap();
    server.create_repo("parent").unwrap();
    let sub = server.work_tree("sub").unwrap();
    sub.write("lib.yaml", "lib").unwrap();
    sub.commit("sub").unwrap();
    sub.push_branch("main").unwrap();
    let parent = server.work_tree("parent").unwrap();
    parent.write("app.yaml", "app").unwrap();
    parent
        .add_submodule(&server.http_url("sub"), "vendor/sub")
        .unwrap();
    parent.commit("with submodule").unwrap();
    parent.push_branch("main").unwrap();

    env.create(
        "plain",
        json!({"url": server.http_url("parent"), "ref": {"branch": "main"}}),
    )
    .await;
    let plain = names(&env.files(&env.artifact("plain").await));
    assert!(
        !plain.contains(&"vendor/sub/lib.yaml".to_string()),
        "{plain:?}"
    );

    env.create(
        "recursive",
        json!({"url": server.http_url("parent"), "ref": {"branch": "main"}, "recurseSubmodules": true}),
    )
    .await;
    let recursive = names(&env.files(&env.artifact("recursive").await));
    assert!(
        recursive.contains(&"vendor/sub/lib.yaml".to_string()),
        "{recursive:?}"
    );
    assert!(!recursive.contains(&".gitmodules".to_string()));
    let status = env.get("recursive").await.status.unwrap();
    assert_eq!(status.observed_recurse_submodules, Some(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_are_verified_against_the_secret_keys() {
    let env = Env::start().await;
    let server = git_server(GitServerOptions::default());
    server.create_repo("signed").unwrap();
    let key = GpgKey::generate("Flux Signer", "signer@example.com").unwrap();
    let stranger = GpgKey::generate("Stranger", "stranger@example.com").unwrap();
    let wt = server.work_tree("signed").unwrap();
    wt.write("a.yaml", "a").unwrap();
    let signed = wt.commit_signed("signed", &key).unwrap();
    wt.signed_tag("v1.0.0", "signed release", &key).unwrap();
    wt.push_branch("main").unwrap();
    wt.push_tag("v1.0.0").unwrap();
    let url = server.http_url("signed");
    env.create_secret("keys", &[("signer.asc", key.public_armored().as_bytes())])
        .await;
    env.create_secret(
        "wrong-keys",
        &[("stranger.asc", stranger.public_armored().as_bytes())],
    )
    .await;

    env.create(
        "head",
        json!({"url": url, "ref": {"branch": "main"}, "verify": {"mode": "HEAD", "secretRef": {"name": "keys"}}}),
    )
    .await;
    let outcome = env.reconcile("head").await.expect("verified");
    let verified = outcome
        .conditions
        .iter()
        .find(|c| c.0 == "SourceVerified")
        .expect("SourceVerified");
    assert_eq!(verified.2, "Succeeded");
    assert_eq!(
        verified.3,
        format!(
            "verified signature of\n\t- commit '{signed}' with key '{}'",
            key.key_id().to_uppercase()
        )
    );
    assert_eq!(
        env.get("head")
            .await
            .status
            .unwrap()
            .source_verification_mode
            .as_deref(),
        Some("HEAD")
    );

    env.create(
        "stranger",
        json!({"url": url, "ref": {"branch": "main"}, "verify": {"secretRef": {"name": "wrong-keys"}}}),
    )
    .await;
    let err = env.reconcile("stranger").await.unwrap_err();
    assert_eq!(err.reason, "InvalidCommitSignature");
    assert_eq!(
        err.conditions,
        vec![("SourceVerified".to_string(), ConditionStatus::False)]
    );
    assert!(
        err.message.starts_with(&format!(
            "signature verification of commit '{signed}' failed: "
        )),
        "{}",
        err.message
    );

    env.create(
        "tag",
        json!({"url": url, "ref": {"tag": "v1.0.0"}, "verify": {"mode": "TagAndHEAD", "secretRef": {"name": "keys"}}}),
    )
    .await;
    let outcome = env.reconcile("tag").await.expect("tag verified");
    let message = &outcome
        .conditions
        .iter()
        .find(|c| c.0 == "SourceVerified")
        .unwrap()
        .3;
    assert!(
        message.starts_with("verified signature of\n\t- tag 'v1.0.0' with key "),
        "{message}"
    );
    assert!(message.contains(&format!("\n\t- commit '{signed}' with key ")));

    env.create(
        "tag-on-branch",
        json!({"url": url, "ref": {"branch": "main"}, "verify": {"mode": "Tag", "secretRef": {"name": "keys"}}}),
    )
    .await;
    let err = env.reconcile("tag-on-branch").await.unwrap_err();
    assert_eq!(err.reason, "InvalidVerificationMode");
    assert_eq!(
        err.disposition,
        flux_runtime::reconcile::Disposition::Stalled
    );

    // An unsigned commit on top fails HEAD verification; the old artifact stays.
    wt.write("a.yaml", "b").unwrap();
    let unsigned = wt.commit("unsigned").unwrap();
    wt.push_branch("main").unwrap();
    let err = env.reconcile("head").await.unwrap_err();
    assert_eq!(err.reason, "InvalidCommitSignature");
    assert!(err.message.contains(&unsigned));
    let status = env.get("head").await.status.unwrap();
    assert_eq!(
        status.artifact.unwrap().revision,
        format!("main@sha1:{signed}")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_pushes_deleted_branches_and_garbage_collection() {
    let env = Env::start_with(Retention {
        ttl: Duration::ZERO,
        records: 2,
    })
    .await;
    let server = git_server(GitServerOptions::default());
    server.create_repo("hist").unwrap();
    let wt = server.work_tree("hist").unwrap();
    let mut hashes = Vec::new();
    for i in 0..4 {
        wt.write("n.txt", i.to_string()).unwrap();
        hashes.push(wt.commit(&format!("commit {i}")).unwrap());
        wt.push_branch("main").unwrap();
        if i == 0 {
            env.create(
                "hist",
                json!({"url": server.http_url("hist"), "ref": {"branch": "main"}}),
            )
            .await;
        }
        env.artifact("hist").await;
    }
    // Old artifacts were collected: at most the current one plus one more remain.
    let dir = env.storage.base().join("gitrepository/default/hist");
    let artifacts: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tar.gz"))
        .collect();
    assert!(artifacts.len() <= 2, "{artifacts:?}");
    assert!(artifacts.contains(&format!("{}.tar.gz", hashes[3])));

    // Force-push a rewritten history.
    wt.reset_hard(&hashes[1]).unwrap();
    wt.write("n.txt", "rewritten").unwrap();
    let rewritten = wt.commit("rewritten").unwrap();
    wt.force_push("main").unwrap();
    let artifact = env.artifact("hist").await;
    assert_eq!(artifact.revision, format!("main@sha1:{rewritten}"));
    assert_eq!(
        env.files(&artifact)["n.txt"].as_deref(),
        Some(b"rewritten".as_slice())
    );

    // Delete a watched branch: Ready=False with the git error, the last artifact kept.
    wt.push_refspec("HEAD:refs/heads/doomed").unwrap();
    env.create(
        "doomed",
        json!({"url": server.http_url("hist"), "ref": {"branch": "doomed"}}),
    )
    .await;
    let doomed = env.artifact("doomed").await;
    wt.delete_remote_branch("doomed").unwrap();
    let err = env.reconcile("doomed").await.unwrap_err();
    assert_eq!(err.reason, "GitOperationFailed");
    assert!(env.storage.artifact_exists(&doomed));
    assert_eq!(
        env.get("doomed").await.status.unwrap().artifact,
        Some(doomed)
    );
}
