//! flux-git against a real git server (testkit::git_server: git http-backend and sshd).
//! Needs git, gpg and openssh-server: scripts/setup/git-server.sh.

use std::collections::BTreeMap;
use std::path::Path;

use flux_git::{
    CheckoutOutcome, CheckoutRequest, Commit, Credentials, GitClient, GitError, Reference,
    TransportOptions,
};
use testkit::git_server::{GitServer, GitServerOptions, GpgKey, HttpAuth, WorkTree};

fn server() -> GitServer {
    GitServer::start().expect("git server starts (scripts/setup/git-server.sh installs git)")
}

fn seeded(server: &GitServer, name: &str) -> WorkTree {
    server.create_repo(name).unwrap();
    let wt = server.work_tree(name).unwrap();
    wt.write("README.md", "hello\n").unwrap();
    wt.write("deploy/app.yaml", "kind: ConfigMap\n").unwrap();
    wt.commit("first").unwrap();
    wt.push_branch("main").unwrap();
    wt
}

fn checkout(
    client: &GitClient,
    url: &str,
    reference: Reference,
    dest: &Path,
) -> Result<CheckoutOutcome, GitError> {
    client.checkout(&CheckoutRequest::new(url, reference), dest)
}

fn checked(outcome: CheckoutOutcome) -> Commit {
    match outcome {
        CheckoutOutcome::Checked(c) => *c,
        other => panic!("expected a checkout, got {other:?}"),
    }
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn branch_over_http_then_unchanged_then_new_commit() {
    let server = server();
    let wt = seeded(&server, "app");
    let head = wt.head().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let url = server.http_url("app");

    let commit = checked(
        checkout(
            &client,
            &url,
            Reference::Branch("main".into()),
            &tmp.path().join("a"),
        )
        .unwrap(),
    );
    assert_eq!(commit.hash, head);
    assert_eq!(commit.revision(), format!("main@sha1:{head}"));
    assert_eq!(commit.reference.as_deref(), Some("refs/heads/main"));
    assert_eq!(commit.message, "first\n");
    assert_eq!(commit.author.email, "flux-test@example.com");
    assert!(commit.signature.is_none());
    assert_eq!(
        read(&tmp.path().join("a"), "deploy/app.yaml"),
        "kind: ConfigMap\n"
    );
    assert!(!tmp.path().join("a/.git").exists());

    // Unchanged remote: one ls-remote, nothing written.
    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.last_observed_revision = Some(commit.revision().to_string());
    let before = server.http_log().lines().count();
    let outcome = client.checkout(&request, &tmp.path().join("b")).unwrap();
    assert_eq!(
        outcome,
        CheckoutOutcome::Unchanged {
            revision: format!("main@sha1:{head}")
        }
    );
    assert!(!tmp.path().join("b").exists());
    let log = server.http_log();
    let requests: Vec<&str> = log
        .lines()
        .skip(before)
        .filter(|l| l.contains(" -> "))
        .collect();
    assert_eq!(
        requests.len(),
        2,
        "an unchanged remote costs one ls-remote (GET info/refs, POST ls-refs): {requests:?}"
    );
    assert!(
        requests[0].starts_with("GET /app.git/info/refs"),
        "{requests:?}"
    );
    assert!(
        requests[1].starts_with("POST /app.git/git-upload-pack"),
        "{requests:?}"
    );
    // The legacy revision format is understood too.
    request.last_observed_revision = Some(format!("main/{head}"));
    assert!(matches!(
        client.checkout(&request, &tmp.path().join("b")).unwrap(),
        CheckoutOutcome::Unchanged { .. }
    ));

    wt.write("README.md", "changed\n").unwrap();
    let second = wt.commit("second").unwrap();
    wt.push_branch("main").unwrap();
    request.last_observed_revision = Some(commit.revision().to_string());
    let commit = checked(client.checkout(&request, &tmp.path().join("c")).unwrap());
    assert_eq!(commit.hash, second);
    assert_eq!(read(&tmp.path().join("c"), "README.md"), "changed\n");
    // Branches are fetched with depth 1: the cache records the shallow boundary.
    let shallow = std::fs::read_dir(tmp.path().join("cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-shallow.git"))
        .expect("a shallow cache repository");
    let boundary = std::fs::read_to_string(shallow.join("shallow")).unwrap_or_default();
    assert!(boundary.contains(&second), "shallow file: {boundary:?}");
}

#[test]
fn every_ref_kind() {
    let server = server();
    let wt = seeded(&server, "refs");
    let first = wt.head().unwrap();
    wt.tag("v1.0.0").unwrap();
    wt.write("f", "2").unwrap();
    let second = wt.commit("second").unwrap();
    wt.annotated_tag("v1.1.0", "release 1.1.0").unwrap();
    wt.write("f", "3").unwrap();
    let third = wt.commit("third").unwrap();
    wt.tag("v2.0.0-rc.1").unwrap();
    wt.tag("not-a-version").unwrap();
    wt.push_branch("main").unwrap();
    wt.git(&["push", "--quiet", "origin", "--tags"]).unwrap();
    wt.branch("feature/x").unwrap();
    wt.write("f", "feature").unwrap();
    let feature = wt.commit("feature").unwrap();
    wt.push_branch("feature/x").unwrap();
    wt.push_refspec("HEAD:refs/pull/1/head").unwrap();
    wt.switch("main").unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let url = server.http_url("refs");
    let mut n = 0;
    let mut dest = || {
        n += 1;
        tmp.path().join(format!("d{n}"))
    };

    let c = checked(
        checkout(
            &client,
            &url,
            Reference::Branch("feature/x".into()),
            &dest(),
        )
        .unwrap(),
    );
    assert_eq!(c.revision(), format!("feature/x@sha1:{feature}"));

    let c = checked(checkout(&client, &url, Reference::Tag("v1.0.0".into()), &dest()).unwrap());
    assert_eq!(c.revision(), format!("v1.0.0@sha1:{first}"));
    assert!(c.tag.is_none(), "lightweight tag");

    let c = checked(checkout(&client, &url, Reference::Tag("v1.1.0".into()), &dest()).unwrap());
    assert_eq!(c.revision(), format!("v1.1.0@sha1:{second}"));
    let tag = c.tag.expect("annotated tag");
    assert_eq!(tag.name, "v1.1.0");
    assert_eq!(tag.message, "release 1.1.0\n");
    assert_eq!(tag.hash, wt.rev_parse("v1.1.0").unwrap());

    let c = checked(checkout(&client, &url, Reference::SemVer(">=1.0.0".into()), &dest()).unwrap());
    assert_eq!(
        c.revision(),
        format!("v1.1.0@sha1:{second}"),
        "pre-releases excluded"
    );
    let c = checked(
        checkout(
            &client,
            &url,
            Reference::SemVer(">=2.0.0-rc.0".into()),
            &dest(),
        )
        .unwrap(),
    );
    assert_eq!(c.revision(), format!("v2.0.0-rc.1@sha1:{third}"));
    let e = checkout(&client, &url, Reference::SemVer(">=3".into()), &dest()).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.to_string(), "no match found for semver: >=3");

    let d = dest();
    let c = checked(
        checkout(
            &client,
            &url,
            Reference::Name("refs/pull/1/head".into()),
            &d,
        )
        .unwrap(),
    );
    assert_eq!(c.revision(), format!("refs/pull/1/head@sha1:{feature}"));
    assert_eq!(read(&d, "f"), "feature");
    let c = checked(
        checkout(
            &client,
            &url,
            Reference::Name("refs/tags/v1.1.0".into()),
            &dest(),
        )
        .unwrap(),
    );
    assert_eq!(c.revision(), format!("refs/tags/v1.1.0@sha1:{second}"));

    let d = dest();
    let c = checked(
        checkout(
            &client,
            &url,
            Reference::Commit {
                hash: second.clone(),
                branch: None,
                name: None,
            },
            &d,
        )
        .unwrap(),
    );
    assert_eq!(c.revision(), format!("sha1:{second}"));
    assert_eq!(read(&d, "f"), "2");
    let c = checked(
        checkout(
            &client,
            &url,
            Reference::Commit {
                hash: first.clone(),
                branch: Some("main".into()),
                name: None,
            },
            &dest(),
        )
        .unwrap(),
    );
    assert_eq!(c.revision(), format!("main@sha1:{first}"));
    // A commit that is not on the given branch is not found.
    let e = checkout(
        &client,
        &url,
        Reference::Commit {
            hash: feature.clone(),
            branch: Some("main".into()),
            name: None,
        },
        &dest(),
    )
    .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // Unchanged detection for every kind but commit (which always fetches, as Flux).
    for (reference, revision) in [
        (
            Reference::Tag("v1.1.0".into()),
            format!("v1.1.0@sha1:{second}"),
        ),
        (
            Reference::SemVer("~1".into()),
            format!("v1.1.0@sha1:{second}"),
        ),
        (
            Reference::Name("refs/pull/1/head".into()),
            format!("refs/pull/1/head@sha1:{feature}"),
        ),
        (
            Reference::Branch("feature/x".into()),
            format!("feature/x@sha1:{feature}"),
        ),
    ] {
        let mut request = CheckoutRequest::new(&url, reference.clone());
        request.last_observed_revision = Some(revision.clone());
        assert_eq!(
            client.checkout(&request, &dest()).unwrap(),
            CheckoutOutcome::Unchanged { revision },
            "{reference:?}"
        );
    }
    let mut request = CheckoutRequest::new(
        &url,
        Reference::Commit {
            hash: second.clone(),
            branch: None,
            name: None,
        },
    );
    request.last_observed_revision = Some(format!("sha1:{second}"));
    checked(client.checkout(&request, &dest()).unwrap());

    let e = checkout(&client, &url, Reference::Branch("nope".into()), &dest()).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(
        e.to_string()
            .contains("couldn't find remote ref 'refs/heads/nope'"),
        "{e}"
    );
    let e = checkout(
        &client,
        &url,
        Reference::Name("refs/pull/9/head".into()),
        &dest(),
    )
    .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(
        e.to_string(),
        "unable to resolve ref 'refs/pull/9/head' to a specific commit"
    );
    let e = checkout(&client, &url, Reference::Tag("v9".into()), &dest()).unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[test]
fn force_push_and_deleted_branch() {
    let server = server();
    let wt = seeded(&server, "rewrite");
    let first = wt.head().unwrap();
    wt.write("x", "old").unwrap();
    let old = wt.commit("old").unwrap();
    wt.push_branch("main").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let url = server.http_url("rewrite");
    let c = checked(
        checkout(
            &client,
            &url,
            Reference::Branch("main".into()),
            &tmp.path().join("a"),
        )
        .unwrap(),
    );
    assert_eq!(c.hash, old);

    wt.reset_hard(&first).unwrap();
    wt.write("x", "rewritten").unwrap();
    let new = wt.commit("rewritten").unwrap();
    wt.force_push("main").unwrap();
    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.last_observed_revision = Some(c.revision().to_string());
    let c = checked(client.checkout(&request, &tmp.path().join("b")).unwrap());
    assert_eq!(c.hash, new);
    assert_eq!(read(&tmp.path().join("b"), "x"), "rewritten");

    wt.branch("gone").unwrap();
    wt.push_branch("gone").unwrap();
    checked(
        checkout(
            &client,
            &url,
            Reference::Branch("gone".into()),
            &tmp.path().join("c"),
        )
        .unwrap(),
    );
    wt.delete_remote_branch("gone").unwrap();
    let e = checkout(
        &client,
        &url,
        Reference::Branch("gone".into()),
        &tmp.path().join("d"),
    )
    .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[test]
fn basic_auth_wrong_then_right_and_bearer() {
    let server = GitServer::start_with(GitServerOptions {
        auth: HttpAuth::Basic {
            username: "flux".into(),
            password: "s3cret".into(),
        },
        ..Default::default()
    })
    .unwrap();
    seeded(&server, "private");
    let url = server.http_url("private");
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();

    let e = checkout(
        &client,
        &url,
        Reference::Branch("main".into()),
        &tmp.path().join("a"),
    )
    .unwrap_err();
    assert!(e.is_auth(), "anonymous: {e}");

    let secret = |user: &str, pass: &str| -> BTreeMap<String, Vec<u8>> {
        [("username", user), ("password", pass)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    };
    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.transport =
        TransportOptions::from_secret_data(&url, Some(&secret("flux", "wrong-pass"))).unwrap();
    let e = client
        .checkout(&request, &tmp.path().join("b"))
        .unwrap_err();
    assert!(e.is_auth(), "wrong password: {e}");
    assert!(!e.to_string().contains("wrong-pass"), "{e}");

    request.transport =
        TransportOptions::from_secret_data(&url, Some(&secret("flux", "s3cret"))).unwrap();
    let c = checked(client.checkout(&request, &tmp.path().join("c")).unwrap());
    assert_eq!(read(&tmp.path().join("c"), "README.md"), "hello\n");
    assert!(c.revision().starts_with("main@sha1:"));

    let bearer = GitServer::start_with(GitServerOptions {
        auth: HttpAuth::Bearer {
            token: "tok-123".into(),
        },
        ..Default::default()
    })
    .unwrap();
    seeded(&bearer, "b");
    let url = bearer.http_url("b");
    let data: BTreeMap<String, Vec<u8>> = [("bearerToken".to_string(), b"tok-123".to_vec())]
        .into_iter()
        .collect();
    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.transport = TransportOptions::from_secret_data(&url, Some(&data)).unwrap();
    checked(client.checkout(&request, &tmp.path().join("d")).unwrap());
}

#[test]
fn https_with_custom_ca() {
    let server = GitServer::start_with(GitServerOptions {
        tls: true,
        ..Default::default()
    })
    .unwrap();
    seeded(&server, "tls");
    let url = server.http_url("tls");
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let e = checkout(
        &client,
        &url,
        Reference::Branch("main".into()),
        &tmp.path().join("a"),
    )
    .unwrap_err();
    assert!(matches!(e, GitError::Transport { .. }), "untrusted CA: {e}");
    let data: BTreeMap<String, Vec<u8>> = [(
        "ca.crt".to_string(),
        server.ca_cert_pem().unwrap().as_bytes().to_vec(),
    )]
    .into_iter()
    .collect();
    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.transport = TransportOptions::from_secret_data(&url, Some(&data)).unwrap();
    checked(client.checkout(&request, &tmp.path().join("b")).unwrap());
}

#[test]
fn ssh_with_known_hosts_and_unknown_host_refused() {
    let server = GitServer::start_with(GitServerOptions {
        ssh: true,
        ..Default::default()
    })
    .unwrap();
    let wt = seeded(&server, "ssh");
    let url = server.ssh_url("ssh").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let secret = |known_hosts: String, key: &str| -> BTreeMap<String, Vec<u8>> {
        [
            ("identity".to_string(), key.as_bytes().to_vec()),
            ("known_hosts".to_string(), known_hosts.into_bytes()),
        ]
        .into_iter()
        .collect()
    };
    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.transport = TransportOptions::from_secret_data(
        &url,
        Some(&secret(
            server.ssh_known_hosts().unwrap(),
            server.ssh_client_key().unwrap(),
        )),
    )
    .unwrap();
    let c = checked(client.checkout(&request, &tmp.path().join("a")).unwrap());
    assert_eq!(c.hash, wt.head().unwrap());
    assert_eq!(read(&tmp.path().join("a"), "README.md"), "hello\n");

    // The RSA PEM key works too.
    request.transport = TransportOptions::from_secret_data(
        &url,
        Some(&secret(
            server.ssh_known_hosts().unwrap(),
            server.ssh_client_key_rsa_pem().unwrap(),
        )),
    )
    .unwrap();
    checked(client.checkout(&request, &tmp.path().join("b")).unwrap());

    // Another host key for the same host: refused.
    request.transport = TransportOptions::from_secret_data(
        &url,
        Some(&secret(
            server.ssh_foreign_known_hosts().unwrap(),
            server.ssh_client_key().unwrap(),
        )),
    )
    .unwrap();
    let e = client
        .checkout(&request, &tmp.path().join("c"))
        .unwrap_err();
    assert!(matches!(e, GitError::HostKey { .. }), "{e}");
    assert!(e.is_auth());

    // A known_hosts that does not list the host at all: refused as well.
    request.transport = TransportOptions::from_secret_data(
        &url,
        Some(&secret(
            "[example.com]:22 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl".into(),
            server.ssh_client_key().unwrap(),
        )),
    )
    .unwrap();
    let e = client
        .checkout(&request, &tmp.path().join("d"))
        .unwrap_err();
    assert!(matches!(e, GitError::HostKey { .. }), "{e}");

    // A key the server does not know: authentication fails.
    let other = tempfile::tempdir().unwrap();
    let key = other.path().join("k");
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    request.transport = TransportOptions::from_secret_data(
        &url,
        Some(&secret(
            server.ssh_known_hosts().unwrap(),
            &std::fs::read_to_string(&key).unwrap(),
        )),
    )
    .unwrap();
    let e = client
        .checkout(&request, &tmp.path().join("e"))
        .unwrap_err();
    assert!(matches!(e, GitError::Auth { .. }), "{e}");
}

#[test]
fn submodules_and_sparse_checkout() {
    let server = server();
    let lib = seeded(&server, "lib");
    lib.write("lib.txt", "library\n").unwrap();
    let lib_head = lib.commit("lib").unwrap();
    lib.push_branch("main").unwrap();
    let app = seeded(&server, "app");
    app.add_submodule("../lib.git", "vendor/lib").unwrap();
    // Rewrite the URL so the client fetches the submodule over HTTP, relative to the parent.
    app.git(&[
        "config",
        "-f",
        ".gitmodules",
        "submodule.vendor/lib.url",
        "../lib.git",
    ])
    .unwrap();
    app.commit("add submodule").unwrap();
    app.push_branch("main").unwrap();

    let url = server.http_url("app");
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();

    let plain = tmp.path().join("plain");
    checked(checkout(&client, &url, Reference::Branch("main".into()), &plain).unwrap());
    assert!(plain.join("vendor/lib").is_dir());
    assert!(!plain.join("vendor/lib/lib.txt").exists());

    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.recurse_submodules = true;
    let full = tmp.path().join("full");
    checked(client.checkout(&request, &full).unwrap());
    assert_eq!(read(&full, "vendor/lib/lib.txt"), "library\n");
    assert_eq!(read(&full, "README.md"), "hello\n");
    assert!(!lib_head.is_empty());

    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.sparse_paths = vec!["./deploy".into()];
    let sparse = tmp.path().join("sparse");
    checked(client.checkout(&request, &sparse).unwrap());
    assert_eq!(read(&sparse, "deploy/app.yaml"), "kind: ConfigMap\n");
    assert!(!sparse.join("README.md").exists());
    assert!(!sparse.join("vendor").exists());
}

#[test]
fn signed_commit_and_tag_payloads() {
    let server = server();
    let wt = seeded(&server, "signed");
    let key = GpgKey::generate("Flux Signer", "signer@example.com").unwrap();
    wt.write("s", "signed").unwrap();
    let hash = wt.commit_signed("signed commit", &key).unwrap();
    wt.signed_tag("v1.0.0", "signed tag", &key).unwrap();
    wt.push_branch("main").unwrap();
    wt.push_tag("v1.0.0").unwrap();
    let url = server.http_url("signed");
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let c = checked(
        checkout(
            &client,
            &url,
            Reference::Tag("v1.0.0".into()),
            &tmp.path().join("a"),
        )
        .unwrap(),
    );
    assert_eq!(c.hash, hash);
    let sig = c.signature.as_ref().expect("gpgsig");
    assert!(sig.is_openpgp());
    // The payload is the commit object without its gpgsig header: verify it with gpg itself.
    let raw = wt.git(&["cat-file", "commit", &hash]).unwrap();
    assert!(!String::from_utf8_lossy(&sig.payload).contains("gpgsig"));
    assert!(raw.contains("gpgsig "));
    gpg_verify(&key, &sig.payload, &sig.armored_signature);
    let tag = c.tag.as_ref().expect("annotated tag");
    let tag_sig = tag.signature.as_ref().expect("tag signature");
    gpg_verify(&key, &tag_sig.payload, &tag_sig.armored_signature);
    assert_eq!(tag.message, "signed tag\n");
    // Tampering is detected by the same check.
    let mut tampered = sig.payload.clone();
    tampered.extend_from_slice(b"x");
    assert!(!gpg_verifies(&key, &tampered, &sig.armored_signature));
}

fn gpg_verifies(key: &GpgKey, payload: &[u8], signature: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("payload"), payload).unwrap();
    std::fs::write(dir.path().join("sig.asc"), signature).unwrap();
    std::process::Command::new("gpg")
        .env("GNUPGHOME", key.home())
        .args(["--batch", "--verify"])
        .arg(dir.path().join("sig.asc"))
        .arg(dir.path().join("payload"))
        .output()
        .unwrap()
        .status
        .success()
}

fn gpg_verify(key: &GpgKey, payload: &[u8], signature: &str) {
    assert!(gpg_verifies(key, payload, signature), "gpg --verify failed");
}

#[test]
fn bad_requests_fail_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let e = checkout(
        &client,
        "git@github.com:org/repo.git",
        Reference::default(),
        &tmp.path().join("a"),
    )
    .unwrap_err();
    assert!(matches!(e, GitError::InvalidUrl { .. }), "{e}");
    let server = server();
    let e = checkout(
        &client,
        &server.http_url("missing"),
        Reference::default(),
        &tmp.path().join("b"),
    )
    .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    // Nothing listens on this port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = checkout(
        &client,
        &format!("http://127.0.0.1:{port}/x.git"),
        Reference::default(),
        &tmp.path().join("c"),
    )
    .unwrap_err();
    assert!(matches!(e, GitError::Transport { .. }), "{e}");
    // Credentials for the wrong transport.
    let mut request = CheckoutRequest::new(server.http_url("x"), Reference::default());
    request.transport.credentials = Credentials::Ssh {
        username: "git".into(),
        identity_pem: b"key".to_vec(),
        password: None,
        known_hosts: "h k".into(),
    };
    let e = client
        .checkout(&request, &tmp.path().join("d"))
        .unwrap_err();
    assert!(matches!(e, GitError::InvalidCredentials(_)), "{e}");
}

#[test]
fn http_through_a_proxy() {
    let server = server();
    seeded(&server, "proxied");
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    // The host name cannot resolve: only the proxy (the git server itself) can serve it.
    let url = "http://git.example.invalid/proxied.git";
    let mut request = CheckoutRequest::new(url, Reference::Branch("main".into()));
    let proxy_secret: BTreeMap<String, Vec<u8>> = [
        ("address", server.http_base_url()),
        ("username", "proxy-user".to_string()),
        ("password", "proxy-pass".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_bytes()))
    .collect();
    request.transport.proxy =
        Some(flux_git::ProxyOptions::from_secret_data(&proxy_secret).unwrap());
    let c = checked(client.checkout(&request, &tmp.path().join("a")).unwrap());
    assert!(c.revision().starts_with("main@sha1:"));
    let log = server.http_log();
    assert!(
        log.lines()
            .any(|l| l.starts_with("GET /proxied.git/info/refs")
                && l.ends_with("(via proxy, proxy-authorization present)")),
        "{log}"
    );
    // Without the proxy the host does not resolve.
    request.transport.proxy = None;
    let e = client
        .checkout(&request, &tmp.path().join("b"))
        .unwrap_err();
    assert!(matches!(e, GitError::Transport { .. }), "{e}");
}

#[test]
fn timeout_is_enforced() {
    // A server that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let _hold = std::thread::spawn(move || {
        let mut open = Vec::new();
        for s in listener.incoming().take(4) {
            open.push(s);
        }
        std::thread::sleep(std::time::Duration::from_secs(5));
    });
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let mut request = CheckoutRequest::new(
        format!("http://127.0.0.1:{port}/x.git"),
        Reference::Branch("main".into()),
    );
    request.transport.timeout = Some(std::time::Duration::from_secs(1));
    let e = client
        .checkout(&request, &tmp.path().join("a"))
        .unwrap_err();
    assert!(matches!(e, GitError::Timeout { .. }), "{e}");
}

#[test]
fn ssh_identity_with_passphrase_and_ls_remote() {
    let server = GitServer::start_with(GitServerOptions {
        ssh: true,
        ..Default::default()
    })
    .unwrap();
    let wt = seeded(&server, "enc");
    wt.annotated_tag("v0.1.0", "first").unwrap();
    wt.push_tag("v0.1.0").unwrap();
    let url = server.ssh_url("enc").unwrap();
    // The authorized key, encrypted with a passphrase.
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id");
    std::fs::write(&key, server.ssh_client_key().unwrap()).unwrap();
    let mut perms = std::fs::metadata(&key).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&key, perms).unwrap();
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-p", "-P", "", "-N", "open sesame", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let encrypted = std::fs::read(&key).unwrap();
    let mut data: BTreeMap<String, Vec<u8>> = [
        ("identity".to_string(), encrypted),
        (
            "known_hosts".to_string(),
            server.ssh_known_hosts().unwrap().into_bytes(),
        ),
    ]
    .into_iter()
    .collect();
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();

    let transport = TransportOptions::from_secret_data(&url, Some(&data)).unwrap();
    let e = client.ls_remote(&url, &transport).unwrap_err();
    assert!(e.is_auth(), "no passphrase: {e}");

    data.insert("password".into(), b"open sesame".to_vec());
    let transport = TransportOptions::from_secret_data(&url, Some(&data)).unwrap();
    let refs = client.ls_remote(&url, &transport).unwrap();
    let head = wt.head().unwrap();
    let main = refs
        .iter()
        .find(|r| r.name == "refs/heads/main")
        .expect("main");
    assert_eq!(main.target, head);
    let tag = refs
        .iter()
        .find(|r| r.name == "refs/tags/v0.1.0")
        .expect("tag");
    assert_eq!(tag.commit(), head);
    assert_eq!(tag.target, wt.rev_parse("v0.1.0").unwrap());

    data.insert("password".into(), b"wrong".to_vec());
    let e = TransportOptions::from_secret_data(&url, Some(&data))
        .and_then(|t| client.ls_remote(&url, &t))
        .unwrap_err();
    assert!(matches!(e, GitError::InvalidCredentials(_)), "{e}");
    assert!(!e.to_string().contains("wrong"), "{e}");
}

#[test]
fn empty_repository_has_no_branch() {
    let server = server();
    server.create_repo("empty").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let e = checkout(
        &client,
        &server.http_url("empty"),
        Reference::default(),
        &tmp.path().join("a"),
    )
    .unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(e.to_string().contains("refs/heads/master"), "{e}");
}

#[test]
fn https_with_client_certificate() {
    let server = GitServer::start_with(GitServerOptions {
        tls: true,
        require_client_cert: true,
        ..Default::default()
    })
    .unwrap();
    seeded(&server, "mtls");
    let url = server.http_url("mtls");
    let tmp = tempfile::tempdir().unwrap();
    let client = GitClient::new(tmp.path().join("cache")).unwrap();
    let mut data: BTreeMap<String, Vec<u8>> = [(
        "ca.crt".to_string(),
        server.ca_cert_pem().unwrap().as_bytes().to_vec(),
    )]
    .into_iter()
    .collect();
    let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
    request.transport = TransportOptions::from_secret_data(&url, Some(&data)).unwrap();
    let e = client
        .checkout(&request, &tmp.path().join("a"))
        .unwrap_err();
    assert!(
        matches!(e, GitError::Transport { .. }),
        "no client certificate: {e}"
    );
    data.insert(
        "tls.crt".into(),
        server.client_cert_pem().unwrap().as_bytes().to_vec(),
    );
    data.insert(
        "tls.key".into(),
        server.client_key_pem().unwrap().as_bytes().to_vec(),
    );
    request.transport = TransportOptions::from_secret_data(&url, Some(&data)).unwrap();
    checked(client.checkout(&request, &tmp.path().join("b")).unwrap());
}
