//! Semver ranges as Flux reads them (Masterminds/semver v3 constraints) and tag versions as
//! Flux parses them (`fluxcd/pkg/version.ParseVersion`: three dot-separated parts, optional `v`).

use std::cmp::Ordering;

use semver::{Prerelease, Version};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SemverError {
    #[error("improper constraint: {0}")]
    Constraint(String),
    #[error("invalid semantic version: {0}")]
    Version(String),
}

/// A tag's version: `1.2.3`, `v1.2.3-rc.1+build`. Two-part versions (`1.2`) are refused, as in
/// Flux.
pub fn parse_tag_version(tag: &str) -> Result<Version, SemverError> {
    if tag.splitn(3, '.').count() != 3 {
        return Err(SemverError::Version(tag.to_string()));
    }
    let v = parse_loose(tag.strip_prefix('v').unwrap_or(tag), false)
        .ok_or_else(|| SemverError::Version(tag.to_string()))?;
    if v.wildcard != Wildcard::None {
        return Err(SemverError::Version(tag.to_string()));
    }
    Ok(v.version)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wildcard {
    None,
    /// `1.2`, `1.2.x`.
    Patch,
    /// `1`, `1.x`.
    Minor,
    /// `*`, `x`.
    Major,
}

#[derive(Debug, Clone)]
struct Loose {
    version: Version,
    wildcard: Wildcard,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// `major[.minor[.patch]][-pre][+build]`, parts possibly wildcards when `allow_partial`.
fn parse_loose(text: &str, allow_partial: bool) -> Option<Loose> {
    let (core_pre, build) = match text.split_once('+') {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    let (core, pre) = match core_pre.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (core_pre, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let num = |s: &str| -> Option<u64> {
        if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let mut nums = [0u64; 3];
    let mut wildcard = Wildcard::None;
    for (i, part) in parts.iter().enumerate() {
        if is_x(part) {
            if !allow_partial {
                return None;
            }
            wildcard = [Wildcard::Major, Wildcard::Minor, Wildcard::Patch][i];
            break;
        }
        nums[i] = num(part)?;
    }
    if wildcard == Wildcard::None && parts.len() < 3 {
        if !allow_partial {
            return None;
        }
        wildcard = if parts.len() == 1 {
            Wildcard::Minor
        } else {
            Wildcard::Patch
        };
    }
    let mut version = Version::new(nums[0], nums[1], nums[2]);
    if let Some(pre) = pre {
        version.pre = Prerelease::new(pre).ok()?;
    }
    if let Some(build) = build {
        version.build = semver::BuildMetadata::new(build).ok()?;
    }
    Some(Loose { version, wildcard })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Constraint {
    op: Op,
    con: Version,
    wildcard: Wildcard,
}

/// `>=1.0.0 <2.0.0`, `~1.2`, `^0.3`, `1.2.x`, `1.0 - 1.4`, `>=1.0, <2 || 3.x`, `*`.
#[derive(Debug, Clone)]
pub struct SemverRange {
    any_of: Vec<Vec<Constraint>>,
}

impl SemverRange {
    pub fn parse(text: &str) -> Result<SemverRange, SemverError> {
        let err = || SemverError::Constraint(text.to_string());
        let mut any_of = Vec::new();
        for group in text.split("||") {
            let tokens = tokenize(group);
            if tokens.is_empty() {
                return Err(err());
            }
            let mut all = Vec::new();
            let mut i = 0;
            while i < tokens.len() {
                // Hyphen range: `A - B`.
                if i + 2 < tokens.len() && tokens[i + 1] == "-" {
                    let lo = parse_constraint(&format!(">={}", tokens[i])).ok_or_else(err)?;
                    let hi = parse_constraint(&format!("<={}", tokens[i + 2])).ok_or_else(err)?;
                    all.push(lo);
                    all.push(hi);
                    i += 3;
                    continue;
                }
                all.push(parse_constraint(&tokens[i]).ok_or_else(err)?);
                i += 1;
            }
            any_of.push(all);
        }
        Ok(SemverRange { any_of })
    }

    /// Whether `v` satisfies the range. Pre-releases match only constraints that name one.
    pub fn matches(&self, v: &Version) -> bool {
        self.any_of.iter().any(|all| all.iter().all(|c| c.check(v)))
    }
}

/// Split an AND group on commas and spaces, gluing an operator to the version after it.
fn tokenize(group: &str) -> Vec<String> {
    let raw: Vec<&str> = group
        .split([',', ' ', '\t'])
        .filter(|t| !t.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut pending_op: Option<&str> = None;
    for t in raw {
        if matches!(
            t,
            "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
        ) {
            pending_op = Some(t);
            continue;
        }
        match pending_op.take() {
            Some(op) => out.push(format!("{op}{t}")),
            None => out.push(t.to_string()),
        }
    }
    if let Some(op) = pending_op {
        out.push(op.to_string());
    }
    out
}

fn parse_constraint(token: &str) -> Option<Constraint> {
    const OPS: [(&str, Op); 11] = [
        ("!=", Op::Ne),
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("<=", Op::Le),
        ("=<", Op::Le),
        ("~>", Op::Tilde),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
        ("~", Op::Tilde),
        ("^", Op::Caret),
    ];
    let (op, rest) = OPS
        .iter()
        .find_map(|(p, op)| token.strip_prefix(p).map(|r| (*op, r)))
        .unwrap_or((Op::Eq, token));
    let rest = rest.trim();
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let loose = parse_loose(rest, true)?;
    Some(Constraint {
        op,
        con: loose.version,
        wildcard: loose.wildcard,
    })
}

fn cmp(a: &Version, b: &Version) -> Ordering {
    // Build metadata does not take part in precedence.
    (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
}

impl Constraint {
    fn check(&self, v: &Version) -> bool {
        if !v.pre.is_empty() && self.con.pre.is_empty() {
            return false;
        }
        let c = &self.con;
        let dirty = self.wildcard != Wildcard::None;
        match self.op {
            Op::Eq if dirty => self.tilde(v),
            Op::Eq => cmp(v, c) == Ordering::Equal,
            Op::Ne if dirty => !self.tilde(v),
            Op::Ne => cmp(v, c) != Ordering::Equal,
            Op::Gt => match self.wildcard {
                Wildcard::None => cmp(v, c) == Ordering::Greater,
                Wildcard::Patch => (v.major, v.minor) > (c.major, c.minor),
                Wildcard::Minor => v.major > c.major,
                Wildcard::Major => false,
            },
            Op::Lt => cmp(v, c) == Ordering::Less,
            Op::Ge => cmp(v, c) != Ordering::Less,
            Op::Le => match self.wildcard {
                Wildcard::None => cmp(v, c) != Ordering::Greater,
                Wildcard::Patch => (v.major, v.minor) <= (c.major, c.minor),
                Wildcard::Minor => v.major <= c.major,
                Wildcard::Major => true,
            },
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if self.wildcard == Wildcard::Major {
            return true;
        }
        if cmp(v, c) == Ordering::Less {
            return false;
        }
        if self.wildcard == Wildcard::Minor {
            return v.major == c.major;
        }
        v.major == c.major && v.minor == c.minor
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if self.wildcard == Wildcard::Major {
            return true;
        }
        if cmp(v, c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.wildcard == Wildcard::Minor {
            return v.major == c.major;
        }
        if c.minor > 0 || self.wildcard == Wildcard::Patch {
            return v.major == 0 && v.minor == c.minor;
        }
        v.major == 0 && v.minor == 0 && v.patch == c.patch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(range: &str, version: &str) -> bool {
        SemverRange::parse(range)
            .unwrap()
            .matches(&parse_tag_version(version).unwrap())
    }

    #[test]
    fn tag_versions_are_fluxs() {
        assert!(parse_tag_version("v1.2.3").is_ok());
        assert!(parse_tag_version("1.2.3-rc.1+b5").is_ok());
        assert!(parse_tag_version("1.2").is_err());
        assert!(parse_tag_version("release").is_err());
        assert!(parse_tag_version("1.2.x").is_err());
    }

    #[test]
    fn ranges() {
        assert!(ok(">=1.0.0 <2.0.0", "1.5.0"));
        assert!(!ok(">=1.0.0 <2.0.0", "2.0.0"));
        assert!(ok(">=1.0.0, <2.0.0", "1.0.0"));
        assert!(ok("~1.2.3", "1.2.9"));
        assert!(!ok("~1.2.3", "1.3.0"));
        assert!(ok("~1", "1.9.0"));
        assert!(ok("^1.2", "1.9.0"));
        assert!(!ok("^1.2", "2.0.0"));
        assert!(ok("^0.3.1", "0.3.5"));
        assert!(!ok("^0.3.1", "0.4.0"));
        assert!(ok("1.2.x", "1.2.7"));
        assert!(!ok("1.2.x", "1.3.0"));
        assert!(ok("*", "9.9.9"));
        assert!(ok("1.0 - 1.4", "1.4.0"));
        assert!(!ok("1.0 - 1.4", "1.5.0"));
        assert!(ok("<1.0.0 || >=3", "3.1.0"));
        assert!(!ok("<1.0.0 || >=3", "2.1.0"));
        assert!(ok("> 1.2", "1.3.0"));
        assert!(!ok("> 1.2", "1.2.9"));
        assert!(ok("!=1.2.3", "1.2.4"));
        assert!(ok("=1.2.3", "v1.2.3"));
    }

    #[test]
    fn prereleases_need_a_prerelease_constraint() {
        assert!(!ok(">=1.0.0", "1.1.0-rc.1"));
        assert!(ok(">=1.1.0-rc.0", "1.1.0-rc.1"));
    }

    #[test]
    fn bad_ranges_are_refused() {
        for r in ["", "not a range", ">=a.b", "1.2.3.4", "||"] {
            assert!(SemverRange::parse(r).is_err(), "{r}");
        }
    }
}
