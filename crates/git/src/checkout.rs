//! Writing a commit's tree into a directory (optionally only some sub-directories), and reading
//! commit and tag objects.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use gix::ObjectId;

use crate::commit::{Person, Tag, split_commit_signature, split_tag_signature};
use crate::{Commit, GitError};

/// A submodule's gitlink: where it lives in the tree and the commit it pins.
#[derive(Debug, Clone)]
pub(crate) struct Gitlink {
    pub path: String,
    pub commit: ObjectId,
}

/// Check out the tree of `commit` into `dest` (which must be empty or absent). With `sparse`,
/// only entries under those directories are written. Returns the gitlinks of the written part.
pub(crate) fn write_tree(
    repo: &gix::Repository,
    commit: ObjectId,
    dest: &Path,
    sparse: &[String],
    interrupt: &AtomicBool,
) -> Result<Vec<Gitlink>, GitError> {
    prepare_dest(dest)?;
    let checkout_err = |e: &dyn std::fmt::Display| GitError::Checkout(e.to_string());
    let tree = repo
        .find_object(commit)
        .map_err(|e| checkout_err(&e))?
        .peel_to_tree()
        .map_err(|e| checkout_err(&e))?
        .id;
    let protect = Default::default();
    let mut state = gix::index::State::from_tree(&tree, &repo.objects, protect)
        .map_err(|e| checkout_err(&e))?;
    let prefixes: Vec<String> = sparse
        .iter()
        .map(|p| p.trim_start_matches("./").trim_matches('/').to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if !prefixes.is_empty() {
        state.remove_entries(|_, path, _| {
            let path = path.to_string();
            !prefixes
                .iter()
                .any(|p| path == *p || path.starts_with(&format!("{p}/")))
        });
    }
    let mut gitlinks = Vec::new();
    for entry in state.entries() {
        if entry.mode == gix::index::entry::Mode::COMMIT {
            gitlinks.push(Gitlink {
                path: entry.path(&state).to_string(),
                commit: entry.id,
            });
        }
    }
    let mut index = gix::index::File::from_state(state, dest.join(".git-index-unused"));
    let mut opts = repo
        .checkout_options(gix::worktree::stack::state::attributes::Source::IdMapping)
        .map_err(|e| checkout_err(&e))?;
    opts.destination_is_initially_empty = true;
    let objects = repo
        .objects
        .clone()
        .into_arc()
        .map_err(|e| checkout_err(&e))?;
    let outcome = gix::worktree::state::checkout(
        &mut index,
        dest,
        objects,
        &gix::progress::Discard,
        &gix::progress::Discard,
        interrupt,
        opts,
    )
    .map_err(|e| checkout_err(&e))?;
    if let Some(first) = outcome.errors.first() {
        return Err(GitError::Checkout(format!(
            "cannot write '{}': {}",
            first.path, first.error
        )));
    }
    if let Some(first) = outcome.collisions.first() {
        return Err(GitError::Checkout(format!(
            "path collision on a case-insensitive file system at '{}'",
            first.path
        )));
    }
    for link in &gitlinks {
        std::fs::create_dir_all(dest.join(&link.path))?;
    }
    Ok(gitlinks)
}

fn prepare_dest(dest: &Path) -> Result<(), GitError> {
    if dest.exists() {
        let mut entries = std::fs::read_dir(dest)?;
        if entries.next().is_some() {
            return Err(GitError::Checkout(format!(
                "destination {} is not empty",
                dest.display()
            )));
        }
    } else {
        std::fs::create_dir_all(dest)?;
    }
    Ok(())
}

/// The raw bytes of an object and its kind.
fn raw_object(
    repo: &gix::Repository,
    id: ObjectId,
) -> Result<(gix::object::Kind, Vec<u8>), GitError> {
    let object = repo
        .find_object(id)
        .map_err(|e| GitError::ReferenceNotFound(format!("object {id} not found: {e}")))?;
    Ok((object.kind, object.data.clone()))
}

/// Read the commit `id` (with its signature) and, when given, the annotated tag `tag_id`.
pub(crate) fn read_commit(
    repo: &gix::Repository,
    id: ObjectId,
    reference: Option<String>,
    tag: Option<(String, ObjectId)>,
    revision: String,
) -> Result<Commit, GitError> {
    let (kind, raw) = raw_object(repo, id)?;
    if kind != gix::object::Kind::Commit {
        return Err(GitError::ReferenceNotFound(format!(
            "object {id} is a {kind}, not a commit"
        )));
    }
    let (headers, message) = split_headers(&raw);
    let tag = match tag {
        Some((name, tag_id)) => {
            let (kind, raw_tag) = raw_object(repo, tag_id)?;
            if kind == gix::object::Kind::Tag {
                let (tag_headers, tag_message) = split_headers(&raw_tag);
                let signature = split_tag_signature(&raw_tag);
                let message = match &signature {
                    Some(s) => {
                        let (_, m) = split_headers(&s.payload);
                        m
                    }
                    None => tag_message,
                };
                Some(Tag {
                    name,
                    hash: tag_id.to_string(),
                    tagger: header(&tag_headers, "tagger").map(|v| person(&v)),
                    message,
                    signature,
                })
            } else {
                None
            }
        }
        None => None,
    };
    Ok(Commit {
        hash: id.to_string(),
        reference,
        author: header(&headers, "author")
            .map(|v| person(&v))
            .unwrap_or_default(),
        committer: header(&headers, "committer")
            .map(|v| person(&v))
            .unwrap_or_default(),
        message,
        signature: split_commit_signature(&raw),
        tag,
        revision,
    })
}

/// The committer time of a commit, for ordering semver ties.
pub(crate) fn committer_time(repo: &gix::Repository, id: ObjectId) -> i64 {
    raw_object(repo, id)
        .ok()
        .and_then(|(_, raw)| {
            let (headers, _) = split_headers(&raw);
            header(&headers, "committer").map(|v| person(&v).seconds)
        })
        .unwrap_or(0)
}

fn split_headers(raw: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(raw);
    match text.split_once("\n\n") {
        Some((h, m)) => (h.to_string(), m.to_string()),
        None => (text.to_string(), String::new()),
    }
}

fn header(headers: &str, name: &str) -> Option<String> {
    headers
        .lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .map(str::to_string)
}

/// `Name <email> 1700000000 +0100`.
fn person(value: &str) -> Person {
    let (name, rest) = match value.split_once('<') {
        Some((n, r)) => (n.trim().to_string(), r),
        None => (value.trim().to_string(), ""),
    };
    let (email, time) = match rest.split_once('>') {
        Some((e, t)) => (e.to_string(), t.trim()),
        None => (rest.to_string(), ""),
    };
    let mut parts = time.split_whitespace();
    let seconds = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let offset_seconds = parts
        .next()
        .and_then(|tz| {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let digits = tz.trim_start_matches(['+', '-']);
            if digits.len() != 4 {
                return None;
            }
            let h: i32 = digits[..2].parse().ok()?;
            let m: i32 = digits[2..].parse().ok()?;
            Some(sign * (h * 3600 + m * 60))
        })
        .unwrap_or(0);
    Person {
        name,
        email,
        seconds,
        offset_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_parsed() {
        let p = person("Flux Test <flux@example.com> 1700000000 -0130");
        assert_eq!(p.name, "Flux Test");
        assert_eq!(p.email, "flux@example.com");
        assert_eq!(p.seconds, 1_700_000_000);
        assert_eq!(p.offset_seconds, -5400);
    }
}
