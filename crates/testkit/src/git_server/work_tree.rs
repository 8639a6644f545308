//! A local repository that pushes to one bare repository of the server with the real `git`.

use std::path::{Path, PathBuf};

use super::{GitServerError, GpgKey, Result, git_command, run, run_git};

/// A work tree whose `origin` is a bare repository of the [`super::GitServer`]. Starts on an
/// unborn `main` branch; removed on drop.
pub struct WorkTree {
    dir: tempfile::TempDir,
}

impl WorkTree {
    pub(super) fn new(bare: &Path) -> Result<WorkTree> {
        let dir = tempfile::Builder::new().prefix("git-work-").tempdir()?;
        run_git(dir.path(), &["init", "--quiet", "-b", "main", "."], None)?;
        run_git(dir.path(), &["remote", "add", "origin"], Some(bare))?;
        Ok(WorkTree { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write a file (parent directories created), relative to the work tree.
    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> Result<()> {
        let path = self.inside(relative)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, contents)?;
        Ok(())
    }

    /// Remove a file or a directory tree.
    pub fn remove(&self, relative: &str) -> Result<()> {
        let path = self.inside(relative)?;
        if path.is_dir() {
            std::fs::remove_dir_all(path)?;
        } else {
            std::fs::remove_file(path)?;
        }
        Ok(())
    }

    /// Stage everything and commit (empty commits allowed); the new commit's hash.
    pub fn commit(&self, message: &str) -> Result<String> {
        self.git(&["add", "-A"])?;
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message])?;
        self.head()
    }

    /// Like [`Self::commit`], with an OpenPGP signature (gpgsig header) made by `key`.
    pub fn commit_signed(&self, message: &str, key: &GpgKey) -> Result<String> {
        self.git(&["add", "-A"])?;
        self.git_signing(
            key,
            &["commit", "--quiet", "--allow-empty", "-S", "-m", message],
        )?;
        self.head()
    }

    /// A lightweight tag at HEAD.
    pub fn tag(&self, name: &str) -> Result<()> {
        self.git(&["tag", name]).map(|_| ())
    }

    /// An annotated tag at HEAD.
    pub fn annotated_tag(&self, name: &str, message: &str) -> Result<()> {
        self.git(&["tag", "-a", name, "-m", message]).map(|_| ())
    }

    /// A signed annotated tag at HEAD.
    pub fn signed_tag(&self, name: &str, message: &str, key: &GpgKey) -> Result<()> {
        self.git_signing(
            key,
            &["tag", "-s", name, "-m", message, "-u", key.fingerprint()],
        )
        .map(|_| ())
    }

    /// Create (or reset) branch `name` at HEAD and switch to it.
    pub fn branch(&self, name: &str) -> Result<()> {
        self.git(&["checkout", "--quiet", "-B", name]).map(|_| ())
    }

    /// Switch to an existing branch or commit.
    pub fn switch(&self, rev: &str) -> Result<()> {
        self.git(&["checkout", "--quiet", rev]).map(|_| ())
    }

    /// Start an unrelated history: an orphan branch `name` with an empty index.
    pub fn orphan(&self, name: &str) -> Result<()> {
        self.git(&["checkout", "--quiet", "--orphan", name])?;
        let _ = self.git(&["rm", "-rf", "--quiet", "."]);
        Ok(())
    }

    /// `git reset --hard <rev>` (e.g. to rewrite history before [`Self::force_push`]).
    pub fn reset_hard(&self, rev: &str) -> Result<()> {
        self.git(&["reset", "--quiet", "--hard", rev]).map(|_| ())
    }

    /// `git push origin <branch>`.
    pub fn push_branch(&self, branch: &str) -> Result<()> {
        self.git(&["push", "--quiet", "origin", branch]).map(|_| ())
    }

    /// `git push origin <refspec>`, e.g. `HEAD:refs/pull/1/head`.
    pub fn push_refspec(&self, refspec: &str) -> Result<()> {
        self.git(&["push", "--quiet", "origin", refspec])
            .map(|_| ())
    }

    /// `git push origin refs/tags/<tag>`.
    pub fn push_tag(&self, tag: &str) -> Result<()> {
        self.push_refspec(&format!("refs/tags/{tag}"))
    }

    /// Every branch and every tag.
    pub fn push_all(&self) -> Result<()> {
        self.git(&["push", "--quiet", "origin", "--all"])?;
        self.git(&["push", "--quiet", "origin", "--tags"])
            .map(|_| ())
    }

    /// `git push --force origin <branch>`.
    pub fn force_push(&self, branch: &str) -> Result<()> {
        self.git(&["push", "--quiet", "--force", "origin", branch])
            .map(|_| ())
    }

    /// Delete a branch on the server.
    pub fn delete_remote_branch(&self, branch: &str) -> Result<()> {
        self.git(&[
            "push",
            "--quiet",
            "origin",
            "--delete",
            &format!("refs/heads/{branch}"),
        ])
        .map(|_| ())
    }

    /// Delete a tag on the server.
    pub fn delete_remote_tag(&self, tag: &str) -> Result<()> {
        self.git(&[
            "push",
            "--quiet",
            "origin",
            "--delete",
            &format!("refs/tags/{tag}"),
        ])
        .map(|_| ())
    }

    /// `git submodule add <url> <path>` (file:// and local URLs allowed); commit afterwards.
    pub fn add_submodule(&self, url: &str, path: &str) -> Result<()> {
        self.git(&["submodule", "--quiet", "add", url, path])
            .map(|_| ())
    }

    /// The hash HEAD points at.
    pub fn head(&self) -> Result<String> {
        self.rev_parse("HEAD")
    }

    /// `git rev-parse <rev>`.
    pub fn rev_parse(&self, rev: &str) -> Result<String> {
        Ok(self.git(&["rev-parse", rev])?.trim().to_string())
    }

    /// Run any git command in the work tree; its stdout.
    pub fn git(&self, args: &[&str]) -> Result<String> {
        run_git(self.dir.path(), args, None)
    }

    fn git_signing(&self, key: &GpgKey, args: &[&str]) -> Result<String> {
        let mut cmd = git_command(self.dir.path());
        cmd.env("GNUPGHOME", key.home())
            .args(["-c", "gpg.program=gpg", "-c", "gpg.format=openpgp"])
            .arg("-c")
            .arg(format!("user.signingkey={}", key.fingerprint()))
            .args(args);
        run(cmd, &format!("git {}", args.join(" ")))
    }

    fn inside(&self, relative: &str) -> Result<PathBuf> {
        let rel = Path::new(relative);
        if rel.is_absolute()
            || relative.is_empty()
            || rel
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(GitServerError::InvalidName(relative.to_string()));
        }
        Ok(self.dir.path().join(rel))
    }
}
