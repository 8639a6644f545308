//! The client: resolve the reference on the remote, skip when unchanged, fetch into the cache,
//! write the work tree, recurse into submodules.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use gix::ObjectId;

use crate::cache::{Cache, Depth, lock_guard};
use crate::checkout::{Gitlink, committer_time, read_commit, write_tree};
use crate::reference::{normalize_revision, revision};
use crate::remote::{RemoteAccess, RemoteRef};
use crate::semver_range::{SemverRange, parse_tag_version};
use crate::submodules;
use crate::{Commit, GitError, Reference, TransportOptions};

/// What to check out, from where, and what was seen last time.
#[derive(Debug, Clone, Default)]
pub struct CheckoutRequest {
    /// `http://`, `https://` or `ssh://` URL.
    pub url: String,
    pub transport: TransportOptions,
    pub reference: Reference,
    /// Check out submodules too (recursively, up to 10 levels, as Flux).
    pub recurse_submodules: bool,
    /// Only these directories of the tree (`spec.sparseCheckout`; a leading `./` is ignored).
    pub sparse_paths: Vec<String>,
    /// The revision of the current artifact (`status.artifact.revision`): when the remote still
    /// points there, nothing is fetched ([`CheckoutOutcome::Unchanged`]). Not used for commit
    /// references, as in Flux.
    pub last_observed_revision: Option<String>,
}

impl CheckoutRequest {
    pub fn new(url: impl Into<String>, reference: Reference) -> CheckoutRequest {
        CheckoutRequest {
            url: url.into(),
            reference,
            ..Default::default()
        }
    }
}

/// The result of a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckoutOutcome {
    /// The remote reference still resolves to `last_observed_revision`: nothing was fetched and
    /// nothing written to the destination.
    Unchanged { revision: String },
    /// The tree was written to the destination.
    Checked(Box<Commit>),
}

impl CheckoutOutcome {
    pub fn revision(&self) -> &str {
        match self {
            CheckoutOutcome::Unchanged { revision } => revision,
            CheckoutOutcome::Checked(c) => c.revision(),
        }
    }
}

/// A Git client with a cache directory reused between checkouts.
pub struct GitClient {
    cache: Cache,
    cache_dir: PathBuf,
}

impl GitClient {
    /// `cache_dir` is created when missing. It holds one bare repository per remote URL.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Result<GitClient, GitError> {
        let cache_dir = cache_dir.into();
        Ok(GitClient {
            cache: Cache::new(&cache_dir)?,
            cache_dir,
        })
    }

    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// Resolve `request.reference` on the remote and, unless unchanged, write its tree into
    /// `dest` (created if absent; must be empty). Blocking.
    pub fn checkout(
        &self,
        request: &CheckoutRequest,
        dest: &Path,
    ) -> Result<CheckoutOutcome, GitError> {
        request.reference.validate()?;
        let interrupt = Arc::new(AtomicBool::new(false));
        let _watchdog = request
            .transport
            .timeout
            .map(|t| Watchdog::start(t, interrupt.clone()));
        let access = RemoteAccess::new(&request.url, &request.transport, interrupt.clone())?;
        let last = request
            .last_observed_revision
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(normalize_revision);
        tracing::debug!(
            url = %crate::error::redact_url(&request.url),
            reference = ?request.reference,
            "checkout"
        );
        let checked = match &request.reference {
            Reference::Branch(b) => self.checkout_ref(
                &access,
                request,
                &format!("refs/heads/{b}"),
                None,
                false,
                last,
                dest,
            )?,
            Reference::Tag(t) => self.checkout_ref(
                &access,
                request,
                &format!("refs/tags/{t}"),
                None,
                false,
                last,
                dest,
            )?,
            Reference::Name(n) => {
                let fetch_ref = n.strip_suffix("^{}").unwrap_or(n);
                self.checkout_ref(&access, request, fetch_ref, Some(n), true, last, dest)?
            }
            Reference::SemVer(range) => {
                self.checkout_semver(&access, request, range, last, dest)?
            }
            Reference::Commit { hash, branch, name } => self.checkout_commit(
                &access,
                request,
                hash,
                branch.as_deref(),
                name.as_deref(),
                dest,
            )?,
        };
        Ok(checked)
    }

    /// Every branch and tag on the remote (annotated tags with their peeled commit).
    pub fn ls_remote(
        &self,
        url: &str,
        transport: &TransportOptions,
    ) -> Result<Vec<RemoteRef>, GitError> {
        let interrupt = Arc::new(AtomicBool::new(false));
        let _watchdog = transport
            .timeout
            .map(|t| Watchdog::start(t, interrupt.clone()));
        let access = RemoteAccess::new(url, transport, interrupt)?;
        let dir = self.cache.dir_for(url, Depth::Shallow);
        let lock = self.cache.lock(&dir);
        let _guard = lock_guard(&lock);
        let repo = Cache::open(&dir)?;
        access.list(
            &repo,
            &[
                "+refs/heads/*:refs/heads/*".to_string(),
                "+refs/tags/*:refs/tags/*".to_string(),
            ],
        )
    }

    /// Branch, tag or any named ref: one ls-remote, then a shallow fetch if it moved.
    #[allow(clippy::too_many_arguments)]
    fn checkout_ref(
        &self,
        access: &RemoteAccess,
        request: &CheckoutRequest,
        fetch_ref: &str,
        reported_ref: Option<&str>,
        absolute: bool,
        last: Option<String>,
        dest: &Path,
    ) -> Result<CheckoutOutcome, GitError> {
        let dir = self.cache.dir_for(&request.url, Depth::Shallow);
        let lock = self.cache.lock(&dir);
        let _guard = lock_guard(&lock);
        let repo = Cache::open(&dir)?;
        let reported = reported_ref.unwrap_or(fetch_ref).to_string();
        let mut found: Option<RemoteRef> = None;
        let mut unchanged = None;
        let fetched = access.fetch(
            &repo,
            &[format!("+{fetch_ref}:{fetch_ref}")],
            true,
            |refs| {
                let r = refs
                    .iter()
                    .find(|r| r.name == fetch_ref)
                    .cloned()
                    .ok_or_else(|| {
                        // Flux's wording for each kind.
                        GitError::ReferenceNotFound(if absolute {
                            format!("unable to resolve ref '{reported}' to a specific commit")
                        } else {
                            format!(
                                "unable to clone '{}': couldn't find remote ref '{fetch_ref}'",
                                crate::error::redact_url(&request.url)
                            )
                        })
                    })?;
                let rev = revision(Some(&reported), r.commit(), absolute);
                found = Some(r);
                if last.as_deref() == Some(rev.as_str()) {
                    unchanged = Some(rev);
                    return Ok(true);
                }
                Ok(false)
            },
        )?;
        if fetched.is_none() {
            return Ok(CheckoutOutcome::Unchanged {
                revision: unchanged.unwrap_or_default(),
            });
        }
        let remote_ref = found.ok_or_else(|| GitError::ReferenceNotFound(fetch_ref.to_string()))?;
        let commit_id = parse_id(remote_ref.commit())?;
        let tag = match (&remote_ref.peeled, fetch_ref.strip_prefix("refs/tags/")) {
            (Some(_), Some(short)) => Some((short.to_string(), parse_id(&remote_ref.target)?)),
            _ => None,
        };
        let rev = revision(Some(&reported), &commit_id.to_string(), absolute);
        self.finish(
            access,
            request,
            &repo,
            commit_id,
            Some(reported),
            tag,
            rev,
            dest,
        )
    }

    fn checkout_semver(
        &self,
        access: &RemoteAccess,
        request: &CheckoutRequest,
        range: &str,
        last: Option<String>,
        dest: &Path,
    ) -> Result<CheckoutOutcome, GitError> {
        let constraint = SemverRange::parse(range)
            .map_err(|e| GitError::InvalidReference(format!("semver parse error: {e}")))?;
        let dir = self.cache.dir_for(&request.url, Depth::Shallow);
        let lock = self.cache.lock(&dir);
        let _guard = lock_guard(&lock);
        let repo = Cache::open(&dir)?;
        let refs = access.list(&repo, &["+refs/tags/*:refs/tags/*".to_string()])?;
        let mut matching: Vec<(semver::Version, RemoteRef)> = refs
            .into_iter()
            .filter_map(|r| {
                let short = r.name.strip_prefix("refs/tags/")?.to_string();
                let v = parse_tag_version(&short).ok()?;
                constraint.matches(&v).then_some((v, r))
            })
            .collect();
        let no_match =
            || GitError::ReferenceNotFound(format!("no match found for semver: {range}"));
        let highest = matching
            .iter()
            .map(|(v, _)| v)
            .max_by(|a, b| cmp_precedence(a, b))
            .cloned()
            .ok_or_else(no_match)?;
        // Tags equal in precedence (differing in build metadata only) are ordered by commit time.
        matching.retain(|(v, _)| cmp_precedence(v, &highest).is_eq());
        let revision_of = |r: &RemoteRef| revision(Some(&r.name), r.commit(), false);
        if matching.len() == 1 {
            let rev = revision_of(&matching[0].1);
            if last.as_deref() == Some(rev.as_str()) {
                return Ok(CheckoutOutcome::Unchanged { revision: rev });
            }
        }
        let specs: Vec<String> = matching
            .iter()
            .map(|(_, r)| format!("+{0}:{0}", r.name))
            .collect();
        access.fetch(&repo, &specs, true, |_| Ok(false))?;
        let chosen = matching
            .iter()
            .map(|(_, r)| r)
            .max_by_key(|r| {
                parse_id(r.commit())
                    .map(|id| committer_time(&repo, id))
                    .unwrap_or(0)
            })
            .ok_or_else(no_match)?
            .clone();
        let rev = revision_of(&chosen);
        if last.as_deref() == Some(rev.as_str()) {
            return Ok(CheckoutOutcome::Unchanged { revision: rev });
        }
        let commit_id = parse_id(chosen.commit())?;
        let short = chosen.name.trim_start_matches("refs/tags/").to_string();
        let tag = match &chosen.peeled {
            Some(_) => Some((short, parse_id(&chosen.target)?)),
            None => None,
        };
        self.finish(
            access,
            request,
            &repo,
            commit_id,
            Some(chosen.name.clone()),
            tag,
            rev,
            dest,
        )
    }

    /// A commit, through a branch or through every branch and tag: complete history, as Flux.
    fn checkout_commit(
        &self,
        access: &RemoteAccess,
        request: &CheckoutRequest,
        hash: &str,
        branch: Option<&str>,
        name: Option<&str>,
        dest: &Path,
    ) -> Result<CheckoutOutcome, GitError> {
        let commit_id = parse_id(hash)?;
        let dir = self.cache.dir_for(&request.url, Depth::Full);
        let lock = self.cache.lock(&dir);
        let _guard = lock_guard(&lock);
        let repo = Cache::open(&dir)?;
        let specs = match branch {
            Some(b) => vec![format!("+refs/heads/{b}:refs/heads/{b}")],
            None => vec![
                "+refs/heads/*:refs/heads/*".to_string(),
                "+refs/tags/*:refs/tags/*".to_string(),
            ],
        };
        let mut tips: Vec<ObjectId> = Vec::new();
        access.fetch(&repo, &specs, false, |refs| {
            if let Some(b) = branch {
                let full = format!("refs/heads/{b}");
                if !refs.iter().any(|r| r.name == full) {
                    return Err(GitError::ReferenceNotFound(format!(
                        "unable to clone '{}': couldn't find remote ref '{full}'",
                        crate::error::redact_url(&request.url)
                    )));
                }
            }
            tips = refs
                .iter()
                .filter(|r| specs.iter().any(|s| matches_spec(s, &r.name)))
                .filter_map(|r| parse_id(r.commit()).ok())
                .collect();
            Ok(false)
        })?;
        if !reachable(&repo, &tips, commit_id) {
            return Err(GitError::ReferenceNotFound(format!(
                "unable to resolve commit object for '{hash}': object not found"
            )));
        }
        let (reference, absolute) = match (name, branch) {
            (Some(n), _) => (Some(n.to_string()), true),
            (None, Some(b)) => (Some(format!("refs/heads/{b}")), false),
            (None, None) => (None, false),
        };
        let rev = revision(reference.as_deref(), hash, absolute);
        self.finish(
            access, request, &repo, commit_id, reference, None, rev, dest,
        )
    }

    /// Write the tree, the submodules, and read the commit.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        access: &RemoteAccess,
        request: &CheckoutRequest,
        repo: &gix::Repository,
        commit_id: ObjectId,
        reference: Option<String>,
        tag: Option<(String, ObjectId)>,
        rev: String,
        dest: &Path,
    ) -> Result<CheckoutOutcome, GitError> {
        let interrupt = access.interrupt_flag();
        let gitlinks = write_tree(repo, commit_id, dest, &request.sparse_paths, &interrupt)
            .map_err(|e| timeout_or(access, e))?;
        if request.recurse_submodules && !gitlinks.is_empty() {
            let held = vec![repo.git_dir().to_path_buf()];
            self.submodules(access, repo, commit_id, dest, &gitlinks, &held)?;
        }
        let commit = read_commit(repo, commit_id, reference, tag, rev)?;
        tracing::debug!(
            url = %crate::error::redact_url(&request.url),
            revision = %commit.revision(),
            submodules = gitlinks.len(),
            "checked out"
        );
        Ok(CheckoutOutcome::Checked(Box::new(commit)))
    }

    fn submodules(
        &self,
        parent: &RemoteAccess,
        repo: &gix::Repository,
        commit_id: ObjectId,
        dest: &Path,
        gitlinks: &[Gitlink],
        held: &[PathBuf],
    ) -> Result<(), GitError> {
        if held.len() > submodules::MAX_DEPTH {
            return Err(GitError::Submodule {
                path: gitlinks[0].path.clone(),
                message: format!("submodules nested deeper than {}", submodules::MAX_DEPTH),
            });
        }
        let declared = submodules::declared(&read_gitmodules(repo, commit_id)?)?;
        for link in gitlinks {
            let sub_err = |message: String| GitError::Submodule {
                path: link.path.clone(),
                message,
            };
            let (_, url) = declared
                .iter()
                .find(|(p, _)| *p == link.path)
                .ok_or_else(|| sub_err("no url in .gitmodules".into()))?;
            let url = submodules::resolve_url(parent.url(), url);
            let options = submodules::options_for(parent.url(), parent.options(), &url);
            let access = RemoteAccess::new(&url, &options, parent.interrupt_flag())
                .map_err(|e| sub_err(e.to_string()))?;
            let dir = self.cache.dir_for(&url, Depth::Full);
            // The cache locks of the parents are held: a submodule cycle would deadlock.
            if held.iter().any(|h| same_dir(h, &dir)) {
                return Err(sub_err(format!(
                    "refers to a repository already being checked out ({})",
                    crate::error::redact_url(&url)
                )));
            }
            let lock = self.cache.lock(&dir);
            let _guard = lock_guard(&lock);
            let sub_repo = Cache::open(&dir)?;
            let specs = [
                "+refs/heads/*:refs/heads/*".to_string(),
                "+refs/tags/*:refs/tags/*".to_string(),
            ];
            access
                .fetch(&sub_repo, &specs, false, |_| Ok(false))
                .map_err(|e| sub_err(e.to_string()))?;
            if sub_repo.find_object(link.commit).is_err() {
                return Err(sub_err(format!(
                    "commit {} not found in {}",
                    link.commit,
                    crate::error::redact_url(&url)
                )));
            }
            let sub_dest = dest.join(&link.path);
            let nested = write_tree(
                &sub_repo,
                link.commit,
                &sub_dest,
                &[],
                &access.interrupt_flag(),
            )
            .map_err(|e| sub_err(e.to_string()))?;
            if !nested.is_empty() {
                let mut held = held.to_vec();
                held.push(dir.clone());
                self.submodules(&access, &sub_repo, link.commit, &sub_dest, &nested, &held)?;
            }
        }
        Ok(())
    }
}

fn read_gitmodules(repo: &gix::Repository, commit: ObjectId) -> Result<Vec<u8>, GitError> {
    let err = |m: String| GitError::Submodule {
        path: ".gitmodules".into(),
        message: m,
    };
    let tree = repo
        .find_object(commit)
        .map_err(|e| err(e.to_string()))?
        .peel_to_tree()
        .map_err(|e| err(e.to_string()))?;
    let entry = tree
        .lookup_entry_by_path(".gitmodules")
        .map_err(|e| err(e.to_string()))?
        .ok_or_else(|| err("gitlinks without a .gitmodules file".into()))?;
    let blob = entry.object().map_err(|e| err(e.to_string()))?;
    Ok(blob.data.clone())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn cmp_precedence(a: &semver::Version, b: &semver::Version) -> std::cmp::Ordering {
    (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
}

fn matches_spec(spec: &str, name: &str) -> bool {
    let src = spec.trim_start_matches('+').split(':').next().unwrap_or("");
    match src.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == src,
    }
}

/// Whether `target` is one of the tips or one of their ancestors (bounded by the history).
fn reachable(repo: &gix::Repository, tips: &[ObjectId], target: ObjectId) -> bool {
    if tips.contains(&target) {
        return true;
    }
    if tips.is_empty() || repo.find_object(target).is_err() {
        return false;
    }
    let Ok(walk) = repo.rev_walk(tips.iter().copied()).all() else {
        return false;
    };
    walk.filter_map(Result::ok).any(|info| info.id == target)
}

fn parse_id(hex: &str) -> Result<ObjectId, GitError> {
    ObjectId::from_hex(hex.as_bytes())
        .map_err(|e| GitError::InvalidReference(format!("invalid object id '{hex}': {e}")))
}

fn timeout_or(access: &RemoteAccess, e: GitError) -> GitError {
    if access.interrupt_flag().load(Ordering::SeqCst) {
        access.classify("interrupted")
    } else {
        e
    }
}

/// Sets the interrupt flag when the timeout passes; dropping it stops the timer.
struct Watchdog {
    state: Arc<(Mutex<bool>, Condvar)>,
}

impl Watchdog {
    fn start(timeout: Duration, interrupt: Arc<AtomicBool>) -> Watchdog {
        let state = Arc::new((Mutex::new(false), Condvar::new()));
        let s = state.clone();
        let _ = std::thread::Builder::new()
            .name("flux-git-timeout".into())
            .spawn(move || {
                let (lock, cvar) = &*s;
                let done = lock.lock().unwrap_or_else(|p| p.into_inner());
                let (done, _) = cvar
                    .wait_timeout_while(done, timeout, |done| !*done)
                    .unwrap_or_else(|p| p.into_inner());
                if !*done {
                    interrupt.store(true, Ordering::SeqCst);
                }
            });
        Watchdog { state }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (lock, cvar) = &*self.state;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cvar.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_shareable_across_blocking_tasks() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<GitClient>();
        assert_send_sync::<CheckoutRequest>();
        assert_send_sync::<CheckoutOutcome>();
        assert_send_sync::<GitError>();
    }

    #[test]
    fn refspecs_match_names() {
        assert!(matches_spec("+refs/heads/*:refs/heads/*", "refs/heads/a/b"));
        assert!(!matches_spec("+refs/heads/*:refs/heads/*", "refs/tags/v1"));
        assert!(matches_spec(
            "+refs/heads/main:refs/heads/main",
            "refs/heads/main"
        ));
        assert!(!matches_spec(
            "+refs/heads/main:refs/heads/main",
            "refs/heads/mainx"
        ));
    }
}
