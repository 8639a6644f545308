//! The fleet as a real git repository: a bare repository the git server serves, and a work tree
//! holding a copy of the fleet folder, committed and pushed over HTTP as a user would.

use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::Command;

/// The branch the fleet is committed to (the GitRepository's spec.ref.branch).
pub const BRANCH: &str = "main";
/// Folders nested deeper than this are refused (the copy is recursive).
const MAX_DEPTH: usize = 32;

/// Create the bare repository `path` the git server exports.
pub fn init_bare(path: &Path) -> anyhow::Result<()> {
    git(
        None,
        &[
            "init",
            "--quiet",
            "--bare",
            &format!("--initial-branch={BRANCH}"),
            path_str(path)?,
        ],
    )?;
    Ok(())
}

/// Copy `fleet` into `work_tree`, commit it on BRANCH and push it to `url`. Returns the commit.
pub fn seed(fleet: &Path, work_tree: &Path, url: &str) -> anyhow::Result<String> {
    copy_dir(fleet, work_tree, 0).with_context(|| format!("copying {}", fleet.display()))?;
    let wt = Some(work_tree);
    git(
        wt,
        &["init", "--quiet", &format!("--initial-branch={BRANCH}")],
    )?;
    // The user's own identity when they have one; a local one otherwise, so `git commit` works.
    if git(wt, &["config", "--get", "user.email"]).is_err() {
        git(wt, &["config", "user.email", "flux-local@localhost"])?;
        git(wt, &["config", "user.name", "flux local"])?;
    }
    git(wt, &["add", "--all"])?;
    git(
        wt,
        &[
            "-c",
            "commit.gpgsign=false",
            "commit",
            "--quiet",
            "-m",
            "Add the example fleet",
        ],
    )?;
    git(wt, &["remote", "add", "origin", url])?;
    git(wt, &["push", "--quiet", "--set-upstream", "origin", BRANCH])?;
    Ok(git(wt, &["rev-parse", "HEAD"])?.trim().to_string())
}

/// Run git (in `dir` when given) and return its stdout; a failure carries git's stderr.
pub fn git(dir: Option<&Path>, args: &[&str]) -> anyhow::Result<String> {
    let mut command = Command::new("git");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command
        .args(args)
        .output()
        .context("running git (install it: scripts/setup/base.sh)")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn copy_dir(from: &Path, to: &Path, depth: usize) -> anyhow::Result<()> {
    if depth > MAX_DEPTH {
        bail!(
            "{} is nested more than {MAX_DEPTH} folders deep",
            from.display()
        );
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if entry.file_name() == ".git" {
            continue;
        }
        if kind.is_dir() {
            copy_dir(&entry.path(), &target, depth + 1)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not UTF-8", path.display()))
}
