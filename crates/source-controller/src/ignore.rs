//! Which files of a checkout go into the artifact: Flux's `.sourceignore` rules.
//!
//! The matching follows fluxcd/pkg/sourceignore (a go-git gitignore matcher), not git's own
//! engine, so that an artifact holds exactly the files Flux would put in it:
//! - every path is matched on its own (an excluded directory does not stop a later `!pattern`
//!   from re-including a file below it);
//! - a pattern without `/` matches any path component (`foo` excludes `a/foo/b`);
//! - a pattern with `/` is anchored at the directory of the file that holds it and also matches
//!   everything below what it matches;
//! - `.sourceignore` files are read in every directory but `.git`, scoped to their directory;
//! - the defaults (images, archives, CI configuration) apply only when no pattern is given at
//!   all, the version-control patterns (`.git/`, `.gitignore`, ...) always.

use std::path::Path;

/// The file holding ignore patterns, in any directory of the repository.
pub const IGNORE_FILE: &str = ".sourceignore";
/// Version-control files, always excluded.
pub const EXCLUDE_VCS: &str = ".git/,.gitignore,.gitmodules,.gitattributes";
/// File types excluded by default.
pub const EXCLUDE_EXT: &str = "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip";
/// CI configuration excluded by default.
pub const EXCLUDE_CI: &str = ".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,codeship-services.yml,codeship-steps.yml";
/// Tool configuration excluded by default.
pub const EXCLUDE_EXTRA: &str = "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml";

/// Directory nesting beyond which `.sourceignore` files are no longer searched for.
const MAX_DEPTH: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum IgnoreError {
    #[error("failed to read '{path}': {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("directories nested deeper than {MAX_DEPTH} levels under '{0}'")]
    TooDeep(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchResult {
    NoMatch,
    Exclude,
    Include,
}

/// One gitignore pattern, scoped to the directory (`domain`) of the file that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    domain: Vec<String>,
    segments: Vec<String>,
    inclusion: bool,
    dir_only: bool,
    anchored: bool,
}

impl Pattern {
    /// Parse one line of a gitignore file; `domain` is the path of its directory.
    pub fn parse(line: &str, domain: &[String]) -> Pattern {
        let mut p = line;
        let inclusion = p.starts_with('!');
        if inclusion {
            p = &p[1..];
        }
        // A trailing escaped space is part of the pattern; other trailing spaces are not.
        if !p.ends_with("\\ ") {
            p = p.trim_end_matches(' ');
        }
        let dir_only = p.ends_with('/');
        if dir_only {
            p = &p[..p.len() - 1];
        }
        Pattern {
            domain: domain.to_vec(),
            segments: p.split('/').map(str::to_string).collect(),
            inclusion,
            dir_only,
            anchored: p.contains('/'),
        }
    }

    fn matches(&self, path: &[&str], is_dir: bool) -> MatchResult {
        if path.len() <= self.domain.len() || self.domain.iter().zip(path).any(|(d, p)| d != p) {
            return MatchResult::NoMatch;
        }
        let rest = &path[self.domain.len()..];
        let hit = if self.anchored {
            self.glob_match(rest, is_dir)
        } else {
            self.name_match(rest, is_dir)
        };
        match (hit, self.inclusion) {
            (false, _) => MatchResult::NoMatch,
            (true, true) => MatchResult::Include,
            (true, false) => MatchResult::Exclude,
        }
    }

    /// A pattern without `/`: the first component it matches decides.
    fn name_match(&self, path: &[&str], is_dir: bool) -> bool {
        for (i, name) in path.iter().enumerate() {
            if !wildcard_match(&self.segments[0], name) {
                continue;
            }
            return !(self.dir_only && !is_dir && i == path.len() - 1);
        }
        false
    }

    /// A pattern with `/`: segment by segment from the domain, `**` spanning any number of
    /// directories; a match of a prefix of the path matches the whole path.
    fn glob_match(&self, mut path: &[&str], is_dir: bool) -> bool {
        let mut matched = false;
        let mut can_traverse = false;
        for (i, segment) in self.segments.iter().enumerate() {
            if segment.is_empty() {
                can_traverse = false;
                continue;
            }
            if segment == "**" {
                if i == self.segments.len() - 1 {
                    break;
                }
                can_traverse = true;
                continue;
            }
            if segment.contains("**") || path.is_empty() {
                return false;
            }
            if can_traverse {
                can_traverse = false;
                while let Some((first, tail)) = path.split_first() {
                    path = tail;
                    if wildcard_match(segment, first) {
                        matched = true;
                        break;
                    } else if path.is_empty() {
                        matched = false;
                    }
                }
            } else {
                if !wildcard_match(segment, path[0]) {
                    return false;
                }
                matched = true;
                path = &path[1..];
            }
        }
        // A directory-only pattern does not match a file that is the last component.
        matched && !(self.dir_only && !is_dir && path.is_empty())
    }
}

/// Go's `filepath.Match` for one path component: `*`, `?`, `[...]` (ranges, `^` negation) and
/// `\` escapes. A malformed pattern matches nothing.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n).unwrap_or(false)
}

fn match_from(p: &[char], n: &[char]) -> Option<bool> {
    // Iterative with one backtrack point for the last `*`: linear in practice, no recursion.
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' if ni < n.len() => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' if ni < n.len() => {
                    let (ok, next) = match_class(p, pi, n[ni])?;
                    if ok {
                        pi = next;
                        ni += 1;
                        continue;
                    }
                }
                '\\' => {
                    let c = *p.get(pi + 1)?;
                    if ni < n.len() && n[ni] == c {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c if ni < n.len() && c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        } else if ni == n.len() {
            return Some(true);
        }
        // Mismatch: let the last `*` swallow one more character, if there is one.
        match star {
            Some((sp, sn)) if sn < n.len() => {
                star = Some((sp, sn + 1));
                pi = sp + 1;
                ni = sn + 1;
            }
            _ => {
                validate(&p[pi.min(p.len())..])?;
                return Some(false);
            }
        }
    }
}

/// Match `c` against the class starting at `p[start] == '['`; returns (matched, index after `]`).
/// None when the class is malformed.
fn match_class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let lo = class_char(p, &mut i)?;
        let hi = if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|c| *c != ']') {
            i += 1;
            class_char(p, &mut i)?
        } else {
            lo
        };
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Some((matched != negated, i))
}

fn class_char(p: &[char], i: &mut usize) -> Option<char> {
    let mut c = *p.get(*i)?;
    if c == '\\' {
        *i += 1;
        c = *p.get(*i)?;
    } else if c == '-' || c == ']' {
        // Go rejects an unescaped '-' or ']' where a range bound is expected.
        return None;
    }
    *i += 1;
    Some(c)
}

/// Go reports ErrBadPattern for a malformed remainder even after a mismatch.
fn validate(rest: &[char]) -> Option<()> {
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            '\\' => {
                rest.get(i + 1)?;
                i += 2;
            }
            '[' => {
                let (_, next) = match_class(rest, i, '\0')?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Some(())
}

/// Patterns from gitignore-formatted text: comments and blank lines skipped.
pub fn read_patterns(text: &str, domain: &[String]) -> Vec<Pattern> {
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| Pattern::parse(l, domain))
        .collect()
}

fn split_patterns(list: &str) -> Vec<Pattern> {
    list.split(',').map(|p| Pattern::parse(p, &[])).collect()
}

/// The `.sourceignore` patterns of `dir` and of every directory below it (but `.git`), each
/// scoped to its directory; parents before children, siblings in name order.
pub fn load_ignore_files(dir: &Path) -> Result<Vec<Pattern>, IgnoreError> {
    let mut patterns = Vec::new();
    load_recursive(dir, &mut Vec::new(), &mut patterns)?;
    Ok(patterns)
}

fn load_recursive(
    dir: &Path,
    domain: &mut Vec<String>,
    out: &mut Vec<Pattern>,
) -> Result<(), IgnoreError> {
    if domain.len() > MAX_DEPTH {
        return Err(IgnoreError::TooDeep(dir.display().to_string()));
    }
    let read_err = |path: &Path, source| IgnoreError::Read {
        path: path.display().to_string(),
        source,
    };
    let file = dir.join(IGNORE_FILE);
    match std::fs::read(&file) {
        Ok(bytes) => out.extend(read_patterns(&String::from_utf8_lossy(&bytes), domain)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        // A directory named .sourceignore is not an ignore file.
        Err(_) if file.is_dir() => {}
        Err(e) => return Err(read_err(&file, e)),
    }
    let mut subdirs: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| read_err(dir, e))? {
        let entry = entry.map_err(|e| read_err(dir, e))?;
        let is_dir = entry.file_type().map_err(|e| read_err(dir, e))?.is_dir();
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_dir && name != ".git" {
            subdirs.push(name);
        }
    }
    subdirs.sort();
    for name in subdirs {
        domain.push(name.clone());
        load_recursive(&dir.join(&name), domain, out)?;
        domain.pop();
    }
    Ok(())
}

/// Decides which paths are left out of an artifact.
#[derive(Debug, Clone)]
pub struct IgnoreMatcher {
    /// In increasing priority: the last pattern that matches decides.
    patterns: Vec<Pattern>,
    has_inclusions: bool,
}

impl IgnoreMatcher {
    /// Flux's filter for a checkout: the version-control patterns, then `patterns` (from the
    /// repository's `.sourceignore` files and `spec.ignore`), or the defaults when there are none.
    pub fn for_source(patterns: Vec<Pattern>) -> IgnoreMatcher {
        let mut all = split_patterns(EXCLUDE_VCS);
        if patterns.is_empty() {
            all.extend(split_patterns(
                &[EXCLUDE_EXT, EXCLUDE_CI, EXCLUDE_EXTRA].join(","),
            ));
        } else {
            all.extend(patterns);
        }
        IgnoreMatcher::new(all)
    }

    pub fn new(patterns: Vec<Pattern>) -> IgnoreMatcher {
        let has_inclusions = patterns.iter().any(|p| p.inclusion);
        IgnoreMatcher {
            patterns,
            has_inclusions,
        }
    }

    /// Whether the path (components relative to the checkout root) is left out.
    pub fn is_excluded(&self, path: &[&str], is_dir: bool) -> bool {
        for pattern in self.patterns.iter().rev() {
            match pattern.matches(path, is_dir) {
                MatchResult::NoMatch => continue,
                result => return result == MatchResult::Exclude,
            }
        }
        false
    }

    /// Whether nothing below an excluded directory can be re-included, so the walk may skip it.
    pub fn can_prune_excluded_dirs(&self) -> bool {
        !self.has_inclusions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(m: &IgnoreMatcher, path: &str, is_dir: bool) -> bool {
        let parts: Vec<&str> = path.split('/').collect();
        m.is_excluded(&parts, is_dir)
    }

    #[test]
    fn wildcards_follow_go_filepath_match() {
        assert!(wildcard_match("*.yaml", "a.yaml"));
        assert!(!wildcard_match("*.yaml", "a.yml"));
        assert!(wildcard_match("a?c", "abc"));
        assert!(wildcard_match("[a-c]x", "bx"));
        assert!(!wildcard_match("[^a-c]x", "bx"));
        assert!(!wildcard_match("[]a]", "a"));
        assert!(wildcard_match("[\\]a]", "]"));
        assert!(wildcard_match("\\*", "*"));
        assert!(!wildcard_match("\\*", "a"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b*c", "axxbyy"));
        // Malformed patterns match nothing.
        assert!(!wildcard_match("[a-", "a"));
        assert!(!wildcard_match("ab[", "ab"));
        assert!(!wildcard_match("x\\", "x"));
    }

    #[test]
    fn defaults_apply_without_patterns() {
        let m = IgnoreMatcher::for_source(Vec::new());
        assert!(excluded(&m, ".git", true));
        assert!(excluded(&m, ".git/config", false));
        assert!(excluded(&m, "sub/.gitignore", false));
        assert!(excluded(&m, ".github", true));
        assert!(excluded(&m, ".github/workflows/ci.yaml", false));
        assert!(excluded(&m, "docs/logo.png", false));
        assert!(excluded(&m, "a/b/.sops.yaml", false));
        assert!(excluded(&m, ".sops.yaml", false));
        assert!(excluded(&m, ".travis.yml", false));
        assert!(!excluded(&m, "deploy/app.yaml", false));
        assert!(!excluded(&m, ".sourceignore", false));
        // A file named like a directory-only pattern is kept.
        assert!(!excluded(&m, ".github", false));
    }

    #[test]
    fn given_patterns_replace_defaults_but_not_vcs() {
        let m = IgnoreMatcher::for_source(read_patterns("*.txt\n", &[]));
        assert!(excluded(&m, "notes.txt", false));
        assert!(!excluded(&m, "logo.png", false));
        assert!(!excluded(&m, ".github/ci.yaml", false));
        assert!(excluded(&m, ".git/HEAD", false));
    }

    #[test]
    fn anchored_patterns_and_negation() {
        let text = "# comment\n\n/deploy/*\n!/deploy/keep.yaml\nbuild/\n";
        let m = IgnoreMatcher::for_source(read_patterns(text, &[]));
        assert!(excluded(&m, "deploy/a.yaml", false));
        assert!(!excluded(&m, "deploy/keep.yaml", false));
        assert!(!excluded(&m, "other/deploy/a.yaml", false));
        assert!(excluded(&m, "x/build", true));
        assert!(excluded(&m, "x/build/out.bin", false));
        assert!(!excluded(&m, "x/build", false));
        assert!(!m.can_prune_excluded_dirs());
    }

    #[test]
    fn double_star() {
        let m = IgnoreMatcher::for_source(read_patterns("**/tmp\nlogs/**\na/**/z.txt", &[]));
        assert!(excluded(&m, "tmp", true));
        assert!(excluded(&m, "x/y/tmp", true));
        assert!(excluded(&m, "logs/a/b", false));
        assert!(excluded(&m, "a/z.txt", false));
        assert!(excluded(&m, "a/b/c/z.txt", false));
        assert!(!excluded(&m, "b/z.txt", false));
    }

    #[test]
    fn nested_ignore_files_are_scoped() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("apps/sub")).unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".sourceignore"), "/root-only.yaml\n").unwrap();
        std::fs::write(dir.path().join("apps/.sourceignore"), "*.md\n/local.yaml\n").unwrap();
        std::fs::write(dir.path().join(".git/.sourceignore"), "*\n").unwrap();
        let patterns = load_ignore_files(dir.path()).unwrap();
        assert_eq!(patterns.len(), 3);
        let m = IgnoreMatcher::for_source(patterns);
        assert!(excluded(&m, "root-only.yaml", false));
        assert!(excluded(&m, "apps/README.md", false));
        assert!(excluded(&m, "apps/sub/x.md", false));
        assert!(!excluded(&m, "README.md", false));
        assert!(excluded(&m, "apps/local.yaml", false));
        assert!(!excluded(&m, "apps/sub/local.yaml", false));
        assert!(!excluded(&m, "app.yaml", false));
    }

    #[test]
    fn trailing_spaces() {
        let p = Pattern::parse("foo  ", &[]);
        assert_eq!(p.segments, vec!["foo".to_string()]);
        let p = Pattern::parse("foo\\ ", &[]);
        assert_eq!(p.segments, vec!["foo\\ ".to_string()]);
    }
}
