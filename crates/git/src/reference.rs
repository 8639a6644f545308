//! `spec.ref` with Flux's precedence, and Flux's revision strings.

use flux_api::source::GitRepositoryRef;

use crate::GitError;
use crate::semver_range::SemverRange;

/// The branch checked out when `spec.ref` is absent or names nothing.
pub const DEFAULT_BRANCH: &str = "master";

/// What to check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `refs/heads/<name>`; revision `<name>@sha1:<hash>`.
    Branch(String),
    /// `refs/tags/<name>`; revision `<name>@sha1:<commit hash>`.
    Tag(String),
    /// The highest tag matching the range (Masterminds semver constraints, as Flux);
    /// revision `<tag>@sha1:<hash>`.
    SemVer(String),
    /// Any reference, e.g. `refs/pull/1/head`; revision `<full ref>@sha1:<hash>`.
    Name(String),
    /// One commit (full hex hash), optionally fetched through a branch; revision
    /// `<branch>@sha1:<hash>` with a branch, `<name>@sha1:<hash>` with a name, else
    /// `sha1:<hash>`.
    Commit {
        hash: String,
        branch: Option<String>,
        name: Option<String>,
    },
}

impl Default for Reference {
    fn default() -> Self {
        Reference::Branch(DEFAULT_BRANCH.to_string())
    }
}

impl Reference {
    /// From `spec.ref` with Flux's precedence: commit > name > semver > tag > branch
    /// (default branch `master`). Empty strings count as unset, as in Flux.
    pub fn from_spec(spec: Option<&GitRepositoryRef>) -> Result<Reference, GitError> {
        let Some(spec) = spec else {
            return Ok(Reference::default());
        };
        let set = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
        let reference = if let Some(hash) = set(&spec.commit) {
            Reference::Commit {
                hash,
                branch: set(&spec.branch),
                name: set(&spec.name),
            }
        } else if let Some(name) = set(&spec.name) {
            Reference::Name(name)
        } else if let Some(range) = set(&spec.semver) {
            Reference::SemVer(range)
        } else if let Some(tag) = set(&spec.tag) {
            Reference::Tag(tag)
        } else if let Some(branch) = set(&spec.branch) {
            Reference::Branch(branch)
        } else {
            Reference::default()
        };
        reference.validate()?;
        Ok(reference)
    }

    /// Checks names, hashes and ranges before any network traffic.
    pub fn validate(&self) -> Result<(), GitError> {
        match self {
            Reference::Branch(b) => check_ref_name(&format!("refs/heads/{b}")),
            Reference::Tag(t) => check_ref_name(&format!("refs/tags/{t}")),
            Reference::Name(n) => {
                if !n.starts_with("refs/") {
                    return Err(GitError::InvalidReference(format!(
                        "ref name '{n}' must start with 'refs/' (e.g. refs/pull/1/head)"
                    )));
                }
                check_ref_name(n.strip_suffix("^{}").unwrap_or(n))
            }
            Reference::SemVer(range) => SemverRange::parse(range)
                .map(|_| ())
                .map_err(|e| GitError::InvalidReference(format!("semver parse error: {e}"))),
            Reference::Commit { hash, branch, name } => {
                if !(hash.len() == 40 && hash.bytes().all(|b| b.is_ascii_hexdigit())) {
                    return Err(GitError::InvalidReference(format!(
                        "commit '{hash}' is not a full SHA-1 hash (40 hex digits)"
                    )));
                }
                if let Some(b) = branch {
                    check_ref_name(&format!("refs/heads/{b}"))?;
                }
                if let Some(n) = name {
                    Reference::Name(n.clone()).validate()?;
                }
                Ok(())
            }
        }
    }
}

/// Flux's revision of `hash` reached through the full ref `reference`: `<short>@sha1:<hash>`
/// where `<short>` drops the first two path segments (`refs/heads/`, `refs/tags/`), or the whole
/// ref when `absolute` (spec.ref.name); `sha1:<hash>` without a reference.
pub(crate) fn revision(reference: Option<&str>, hash: &str, absolute: bool) -> String {
    match reference {
        Some(r) if absolute && !r.is_empty() => format!("{r}@sha1:{hash}"),
        Some(r) => match r.splitn(3, '/').nth(2) {
            Some(short) if r.matches('/').count() >= 2 => format!("{short}@sha1:{hash}"),
            _ => format!("sha1:{hash}"),
        },
        None => format!("sha1:{hash}"),
    }
}

/// Flux's legacy revisions (`main/<hash>`) in the current format (`main@sha1:<hash>`).
pub(crate) fn normalize_revision(rev: &str) -> String {
    if rev.is_empty() || rev.contains(':') {
        return rev.to_string();
    }
    match rev.rsplit_once('/') {
        Some((pointer, hash)) if pointer != "HEAD" => format!("{pointer}@sha1:{hash}"),
        Some((_, hash)) => format!("sha1:{hash}"),
        None => format!("sha1:{rev}"),
    }
}

/// git-check-ref-format's rules, enough to refuse names that cannot exist.
fn check_ref_name(name: &str) -> Result<(), GitError> {
    let bad = |why: &str| {
        Err(GitError::InvalidReference(format!(
            "invalid ref '{name}': {why}"
        )))
    };
    if name.starts_with('/') || name.ends_with('/') {
        return bad("Git refs cannot begin or end with a slash '/'");
    }
    if name.ends_with('.') || name.ends_with(".lock") {
        return bad("cannot end with '.' or '.lock'");
    }
    if name.contains("..") || name.contains("//") || name.contains("@{") {
        return bad("cannot contain '..', '//' or '@{'");
    }
    if name.chars().any(|c| {
        c.is_ascii_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\')
    }) {
        return bad("contains a forbidden character");
    }
    if name
        .split('/')
        .any(|seg| seg.starts_with('.') || seg.is_empty())
    {
        return bad("a path component is empty or starts with '.'");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(f: impl FnOnce(&mut GitRepositoryRef)) -> GitRepositoryRef {
        let mut r = GitRepositoryRef::default();
        f(&mut r);
        r
    }

    const H: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn precedence_is_fluxs() {
        assert_eq!(
            Reference::from_spec(None).unwrap(),
            Reference::Branch("master".into())
        );
        let all = spec(|r| {
            r.branch = Some("main".into());
            r.tag = Some("v1".into());
            r.semver = Some(">=1".into());
            r.name = Some("refs/pull/1/head".into());
            r.commit = Some(H.into());
        });
        assert_eq!(
            Reference::from_spec(Some(&all)).unwrap(),
            Reference::Commit {
                hash: H.into(),
                branch: Some("main".into()),
                name: Some("refs/pull/1/head".into())
            }
        );
        let no_commit = spec(|r| {
            r.branch = Some("main".into());
            r.tag = Some("v1".into());
            r.semver = Some(">=1".into());
            r.name = Some("refs/pull/1/head".into());
        });
        assert_eq!(
            Reference::from_spec(Some(&no_commit)).unwrap(),
            Reference::Name("refs/pull/1/head".into())
        );
        let semver_tag = spec(|r| {
            r.tag = Some("v1".into());
            r.semver = Some(">=1".into());
        });
        assert_eq!(
            Reference::from_spec(Some(&semver_tag)).unwrap(),
            Reference::SemVer(">=1".into())
        );
        let tag_branch = spec(|r| {
            r.tag = Some("v1".into());
            r.branch = Some("dev".into());
        });
        assert_eq!(
            Reference::from_spec(Some(&tag_branch)).unwrap(),
            Reference::Tag("v1".into())
        );
        let empty = spec(|r| r.branch = Some(String::new()));
        assert_eq!(
            Reference::from_spec(Some(&empty)).unwrap(),
            Reference::Branch("master".into())
        );
    }

    #[test]
    fn bad_refs_are_refused() {
        for r in [
            spec(|r| r.commit = Some("abc".into())),
            spec(|r| r.branch = Some("a..b".into())),
            spec(|r| r.branch = Some("/main".into())),
            spec(|r| r.name = Some("pull/1/head".into())),
            spec(|r| r.semver = Some("not a range".into())),
        ] {
            let e = Reference::from_spec(Some(&r)).unwrap_err();
            assert!(matches!(e, GitError::InvalidReference(_)), "{e}");
        }
    }

    #[test]
    fn revisions_are_fluxs() {
        assert_eq!(
            revision(Some("refs/heads/main"), H, false),
            format!("main@sha1:{H}")
        );
        assert_eq!(
            revision(Some("refs/heads/feature/x"), H, false),
            format!("feature/x@sha1:{H}")
        );
        assert_eq!(
            revision(Some("refs/tags/v1.2.3"), H, false),
            format!("v1.2.3@sha1:{H}")
        );
        assert_eq!(
            revision(Some("refs/pull/1/head"), H, true),
            format!("refs/pull/1/head@sha1:{H}")
        );
        assert_eq!(revision(None, H, false), format!("sha1:{H}"));
    }

    #[test]
    fn legacy_revisions_are_normalized() {
        assert_eq!(
            normalize_revision(&format!("main/{H}")),
            format!("main@sha1:{H}")
        );
        assert_eq!(
            normalize_revision(&format!("feature/branch/{H}")),
            format!("feature/branch@sha1:{H}")
        );
        assert_eq!(
            normalize_revision(&format!("HEAD/{H}")),
            format!("sha1:{H}")
        );
        assert_eq!(
            normalize_revision(&format!("main@sha1:{H}")),
            format!("main@sha1:{H}")
        );
    }
}
