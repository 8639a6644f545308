//! Artifact fetching and extraction against hostile and broken archives, served over real HTTP.

use flate2::{Compression, write::GzEncoder};
use flux_runtime::artifact::{
    ArtifactFetcher, ExtractError, ExtractLimits, FetchError, FetchOptions, extract_tar_gz,
};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

enum Entry<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    Fifo(&'a str),
}

/// Build a tar.gz with raw names, bypassing the tar crate's own path checks, as an attacker would.
fn tarball(entries: &[Entry]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        let (name, kind, body, link): (&str, tar::EntryType, &[u8], Option<&str>) = match entry {
            Entry::File(n, b) => (n, tar::EntryType::Regular, b, None),
            Entry::Dir(n) => (n, tar::EntryType::Directory, b"", None),
            Entry::Symlink(n, t) => (n, tar::EntryType::Symlink, b"", Some(t)),
            Entry::HardLink(n, t) => (n, tar::EntryType::Link, b"", Some(t)),
            Entry::Fifo(n) => (n, tar::EntryType::Fifo, b"", None),
        };
        let raw = header.as_old_mut();
        raw.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(t) = link {
            raw.linkname[..t.len()].copy_from_slice(t.as_bytes());
        }
        header.set_entry_type(kind);
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append(&header, body).unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

fn extract(
    bytes: &[u8],
    limits: ExtractLimits,
) -> (
    tempfile::TempDir,
    Result<flux_runtime::artifact::ExtractStats, ExtractError>,
) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    std::fs::create_dir(&target).unwrap();
    let result = extract_tar_gz(bytes, &target, limits);
    (dir, result)
}

fn nothing_outside(dir: &Path) {
    let names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("out")],
        "something was written next to the target"
    );
}

#[test]
fn extracts_a_normal_tree() {
    let bytes = tarball(&[
        Entry::Dir("./"),
        Entry::Dir("apps/"),
        Entry::File("apps/deploy.yaml", b"kind: Deployment\n"),
        Entry::File("./kustomization.yaml", b"resources: [apps/deploy.yaml]\n"),
        Entry::Symlink("apps/link.yaml", "deploy.yaml"),
    ]);
    let (dir, result) = extract(&bytes, ExtractLimits::default());
    let stats = result.unwrap();
    assert_eq!(stats.files, 2);
    assert_eq!(stats.bytes, 17 + 30);
    let out = dir.path().join("out");
    assert_eq!(
        std::fs::read_to_string(out.join("apps/deploy.yaml")).unwrap(),
        "kind: Deployment\n"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("apps/link.yaml")).unwrap(),
        "kind: Deployment\n"
    );
}

#[test]
fn refuses_path_traversal() {
    let (dir, result) = extract(
        &tarball(&[Entry::File("a/../../evil.txt", b"x")]),
        ExtractLimits::default(),
    );
    assert!(
        matches!(result, Err(ExtractError::PathTraversal { ref entry }) if entry == "a/../../evil.txt"),
        "{result:?}"
    );
    nothing_outside(dir.path());
}

#[test]
fn refuses_absolute_paths() {
    let (dir, result) = extract(
        &tarball(&[Entry::File("/tmp/flux-rs-evil.txt", b"x")]),
        ExtractLimits::default(),
    );
    assert!(
        matches!(result, Err(ExtractError::AbsolutePath { .. })),
        "{result:?}"
    );
    assert!(!Path::new("/tmp/flux-rs-evil.txt").exists());
    nothing_outside(dir.path());
}

#[test]
fn refuses_symlinks_leading_outside() {
    for target in ["../outside", "/etc/passwd", "a/../../x"] {
        let (dir, result) = extract(
            &tarball(&[Entry::Symlink("link", target)]),
            ExtractLimits::default(),
        );
        assert!(
            matches!(result, Err(ExtractError::LinkEscape { .. })),
            "{target}: {result:?}"
        );
        nothing_outside(dir.path());
    }
}

#[test]
fn refuses_writing_through_a_symlink() {
    // The link itself points inside, but a later entry tries to write through it.
    let bytes = tarball(&[
        Entry::Dir("sub/"),
        Entry::Symlink("sub/up", ".."),
        Entry::File("sub/up/x.txt", b"x"),
    ]);
    let (dir, result) = extract(&bytes, ExtractLimits::default());
    assert!(
        matches!(result, Err(ExtractError::LinkEscape { .. })),
        "{result:?}"
    );
    nothing_outside(dir.path());
}

#[test]
fn refuses_link_chains_that_escape_physically() {
    // `here` -> `.` is harmless, and `here/../x` stays inside when read lexically, but `here` is the
    // root itself, so it resolves to the root's parent (whether or not `x` exists there).
    let bytes = tarball(&[
        Entry::Symlink("here", "."),
        Entry::Symlink("esc", "here/../x"),
    ]);
    let (_dir, result) = extract(&bytes, ExtractLimits::default());
    assert!(
        matches!(result, Err(ExtractError::LinkEscape { .. })),
        "{result:?}"
    );
}

#[test]
fn refuses_hard_links_outside() {
    let (_dir, result) = extract(
        &tarball(&[Entry::HardLink("h", "../../etc/passwd")]),
        ExtractLimits::default(),
    );
    assert!(
        matches!(result, Err(ExtractError::LinkEscape { .. })),
        "{result:?}"
    );
}

#[test]
fn refuses_special_files() {
    let (_dir, result) = extract(&tarball(&[Entry::Fifo("pipe")]), ExtractLimits::default());
    assert!(
        matches!(result, Err(ExtractError::UnsupportedEntry { .. })),
        "{result:?}"
    );
}

#[test]
fn enforces_size_and_count_limits() {
    let big = vec![b'a'; 4096];
    let bytes = tarball(&[Entry::File("a", &big), Entry::File("b", &big)]);
    let (_d, result) = extract(
        &bytes,
        ExtractLimits {
            max_bytes: 5000,
            max_entries: 100,
            ..ExtractLimits::default()
        },
    );
    assert!(
        matches!(result, Err(ExtractError::TooLarge { limit: 5000 })),
        "{result:?}"
    );
    let (_d, result) = extract(
        &bytes,
        ExtractLimits {
            max_bytes: 1 << 20,
            max_entries: 1,
            ..ExtractLimits::default()
        },
    );
    assert!(
        matches!(result, Err(ExtractError::TooManyEntries { limit: 1 })),
        "{result:?}"
    );
}

#[test]
fn refuses_corrupt_archives() {
    let (_d, result) = extract(b"definitely not gzip", ExtractLimits::default());
    assert!(
        matches!(result, Err(ExtractError::Corrupt(_))),
        "{result:?}"
    );
}

/// Serve `body` at /artifact.tar.gz on a free local port; 404 elsewhere.
async fn serve(body: Vec<u8>) -> String {
    let app = axum::Router::new().route(
        "/artifact.tar.gz",
        axum::routing::get(move || async move { body.clone() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn quick() -> FetchOptions {
    FetchOptions {
        retries: 0,
        timeout: Duration::from_secs(5),
        min_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(1),
        host_override: None,
        limits: ExtractLimits::default(),
    }
}

#[tokio::test]
async fn fetches_verifies_and_extracts_over_http() {
    let bytes = tarball(&[Entry::File("app.yaml", b"kind: ConfigMap\n")]);
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    let base = serve(bytes).await;
    let dest = tempfile::tempdir().unwrap();
    let fetcher = ArtifactFetcher::new(quick());
    let stats = fetcher
        .fetch(&format!("{base}/artifact.tar.gz"), &digest, dest.path())
        .await
        .unwrap();
    assert_eq!(stats.files, 1);
    assert_eq!(
        std::fs::read_to_string(dest.path().join("app.yaml")).unwrap(),
        "kind: ConfigMap\n"
    );
    // A bare hex digest means sha256, as Flux reads it.
    let bare = digest.trim_start_matches("sha256:");
    let dest2 = tempfile::tempdir().unwrap();
    fetcher
        .fetch(&format!("{base}/artifact.tar.gz"), bare, dest2.path())
        .await
        .unwrap();
}

#[tokio::test]
async fn rejects_a_digest_mismatch_without_extracting() {
    let bytes = tarball(&[Entry::File("app.yaml", b"kind: ConfigMap\n")]);
    let base = serve(bytes).await;
    let dest = tempfile::tempdir().unwrap();
    let wrong = format!("sha256:{}", "0".repeat(64));
    let err = ArtifactFetcher::new(quick())
        .fetch(&format!("{base}/artifact.tar.gz"), &wrong, dest.path())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::DigestMismatch { .. }), "{err}");
    assert_eq!(std::fs::read_dir(dest.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn reports_missing_artifacts_and_bad_digests_clearly() {
    let base = serve(Vec::new()).await;
    let dest = tempfile::tempdir().unwrap();
    let fetcher = ArtifactFetcher::new(quick());
    let err = fetcher
        .fetch(&format!("{base}/gone.tar.gz"), "sha256:00", dest.path())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("failed to download artifact from {base}/gone.tar.gz: file not found")
    );
    assert!(err.is_retryable());
    let err = fetcher
        .fetch(&format!("{base}/artifact.tar.gz"), "md5:abc", dest.path())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::UnsupportedDigest { .. }), "{err}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn host_override_redirects_downloads() {
    let bytes = tarball(&[Entry::File("a", b"1")]);
    let digest = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    let base = serve(bytes).await;
    let options = FetchOptions {
        host_override: Some(base.trim_start_matches("http://").to_string()),
        ..quick()
    };
    let dest = tempfile::tempdir().unwrap();
    let url = "http://source-controller.flux-system.svc.cluster.local./artifact.tar.gz";
    ArtifactFetcher::new(options)
        .fetch(url, &digest, dest.path())
        .await
        .unwrap();
    assert!(dest.path().join("a").exists());
}

/// Answers every request with `status` and counts the requests.
async fn answer_with(status: u16) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let app = axum::Router::new().fallback(move || {
        let seen = seen.clone();
        async move {
            seen.fetch_add(1, Ordering::SeqCst);
            axum::http::StatusCode::from_u16(status).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/artifact.tar.gz"), count)
}

#[tokio::test]
async fn only_transient_answers_are_retried() {
    use std::sync::atomic::Ordering;
    let fetcher = ArtifactFetcher::new(FetchOptions {
        retries: 2,
        ..quick()
    });
    for (status, requests) in [(404, 1), (400, 1), (501, 1), (503, 3), (429, 3)] {
        let (url, count) = answer_with(status).await;
        let dest = tempfile::tempdir().unwrap();
        let digest = format!("sha256:{}", "0".repeat(64));
        let err = fetcher.fetch(&url, &digest, dest.path()).await.unwrap_err();
        assert_eq!(
            count.load(Ordering::SeqCst),
            requests,
            "requests for {status}: {err}"
        );
    }
}

#[test]
fn leaves_symlinks_out_when_asked() {
    let bytes = tarball(&[
        Entry::File("deploy.yaml", b"kind: Deployment\n"),
        Entry::Symlink("link.yaml", "deploy.yaml"),
        Entry::Symlink("escape", "../../etc/passwd"),
    ]);
    let (dir, result) = extract(
        &bytes,
        ExtractLimits {
            skip_symlinks: true,
            ..ExtractLimits::default()
        },
    );
    let stats = result.unwrap();
    assert_eq!(stats.files, 1);
    let out = dir.path().join("out");
    assert!(out.join("deploy.yaml").is_file());
    assert!(std::fs::symlink_metadata(out.join("link.yaml")).is_err());
    assert!(std::fs::symlink_metadata(out.join("escape")).is_err());
}
