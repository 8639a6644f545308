//! Checkout figures against a real git server on 127.0.0.1 (git http-backend):
//! a cold flux-git checkout (empty cache) against `git clone --depth 1` of the same repository,
//! a warm checkout after one new commit, and the unchanged-remote check.
//! Run: `cargo bench -p flux-git --bench checkout` (needs scripts/setup/git-server.sh).

use std::time::{Duration, Instant};

use flux_git::{CheckoutOutcome, CheckoutRequest, GitClient, Reference};
use testkit::git_server::GitServer;

const FILES: usize = 5_000;
const FILE_SIZE: usize = 2_048;
const RUNS: usize = 5;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let server = GitServer::start().expect("git server (scripts/setup/git-server.sh)");
    server.create_repo("bench").unwrap();
    let wt = server.work_tree("bench").unwrap();
    for i in 0..FILES {
        // Pseudo-random content so the pack does not collapse to nothing.
        let mut content = String::with_capacity(FILE_SIZE);
        let mut x: u64 = i as u64 * 2_654_435_761 + 1;
        while content.len() < FILE_SIZE {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            content.push_str(&format!("{x:016x}\n"));
        }
        wt.write(&format!("dir{}/file{i}.yaml", i % 50), content)
            .unwrap();
    }
    wt.commit("bench").unwrap();
    wt.push_branch("main").unwrap();
    let url = server.http_url("bench");
    let scratch = tempfile::tempdir().unwrap();

    let mut cold = Vec::new();
    let mut git_clone = Vec::new();
    for run in 0..RUNS {
        let client = GitClient::new(scratch.path().join(format!("cache{run}"))).unwrap();
        let start = Instant::now();
        let outcome = client
            .checkout(
                &CheckoutRequest::new(&url, Reference::Branch("main".into())),
                &scratch.path().join(format!("cold{run}")),
            )
            .unwrap();
        cold.push(start.elapsed());
        assert!(matches!(outcome, CheckoutOutcome::Checked(_)));

        let start = Instant::now();
        let status = std::process::Command::new("git")
            .args(["clone", "--quiet", "--depth", "1", "--branch", "main", &url])
            .arg(scratch.path().join(format!("git{run}")))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .unwrap();
        git_clone.push(start.elapsed());
        assert!(status.success());
    }

    let client = GitClient::new(scratch.path().join("warm-cache")).unwrap();
    let first = client
        .checkout(
            &CheckoutRequest::new(&url, Reference::Branch("main".into())),
            &scratch.path().join("warm0"),
        )
        .unwrap();
    let mut unchanged = Vec::new();
    for _ in 0..RUNS * 4 {
        let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
        request.last_observed_revision = Some(first.revision().to_string());
        let start = Instant::now();
        let outcome = client
            .checkout(&request, &scratch.path().join("never"))
            .unwrap();
        unchanged.push(start.elapsed());
        assert!(matches!(outcome, CheckoutOutcome::Unchanged { .. }));
    }
    let mut warm = Vec::new();
    let mut last = first.revision().to_string();
    for run in 0..RUNS {
        wt.write("dir0/changed.yaml", format!("run: {run}\n"))
            .unwrap();
        wt.commit("change").unwrap();
        wt.push_branch("main").unwrap();
        let mut request = CheckoutRequest::new(&url, Reference::Branch("main".into()));
        request.last_observed_revision = Some(last.clone());
        let start = Instant::now();
        let outcome = client
            .checkout(&request, &scratch.path().join(format!("warm{}", run + 1)))
            .unwrap();
        warm.push(start.elapsed());
        last = outcome.revision().to_string();
    }

    let cold = median(cold);
    let git_clone = median(git_clone);
    println!("repository: {FILES} files x {FILE_SIZE} B, median of {RUNS} runs");
    println!("flux-git cold checkout (empty cache): {cold:?}");
    println!("git clone --depth 1:                  {git_clone:?}");
    println!(
        "ratio flux-git / git:                 {:.2}",
        cold.as_secs_f64() / git_clone.as_secs_f64()
    );
    println!("flux-git after one new commit (warm): {:?}", median(warm));
    println!(
        "flux-git unchanged remote:            {:?}",
        median(unchanged)
    );
}
