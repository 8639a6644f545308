//! Masterminds/semver v3 versions and constraints, as Sprig's semver and semverCompare use them.

use std::cmp::Ordering;
use std::rc::Rc;

use super::Kind::*;
use super::{FuncResult, Registry, err};
use crate::value::{Map, Object, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub meta: String,
    pub original: String,
}

impl Version {
    /// NewVersion (loose): optional "v", missing minor/patch are 0.
    pub fn parse(s: &str) -> Option<Version> {
        let original = s.to_string();
        let body = s.strip_prefix('v').unwrap_or(s);
        let (body, meta) = match body.split_once('+') {
            Some((b, m)) => (b, m.to_string()),
            None => (body, String::new()),
        };
        let (core, pre) = match body.split_once('-') {
            Some((c, p)) => (c, p.to_string()),
            None => (body, String::new()),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let num = |p: &str| -> Option<u64> {
            if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            p.parse().ok()
        };
        let major = num(parts[0])?;
        let minor = match parts.get(1) {
            Some(p) => num(p)?,
            None => 0,
        };
        let patch = match parts.get(2) {
            Some(p) => num(p)?,
            None => 0,
        };
        let ident_ok = |s: &str| {
            s.split('.')
                .all(|i| !i.is_empty() && i.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
        };
        if (!pre.is_empty() && !ident_ok(&pre)) || (!meta.is_empty() && !ident_ok(&meta)) {
            return None;
        }
        Some(Version {
            major,
            minor,
            patch,
            pre,
            meta,
            original,
        })
    }

    /// Flux's `version.ParseVersion`: Masterminds' StrictNewVersion (`major.minor.patch`, no
    /// leading zeros, optional pre-release and build) with an optional leading "v".
    pub fn parse_strict(s: &str) -> Option<Version> {
        let body = s.strip_prefix('v').unwrap_or(s);
        let (rest, meta) = match body.split_once('+') {
            Some((r, m)) => (r, Some(m)),
            None => (body, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let numeric = |p: &str| {
            !p.is_empty()
                && p.bytes().all(|c| c.is_ascii_digit())
                && (p == "0" || !p.starts_with('0'))
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() != 3 || !parts.iter().all(|p| numeric(p)) {
            return None;
        }
        let identifiers_ok = |s: &str, numbers_strict: bool| {
            s.split('.').all(|i| {
                !i.is_empty()
                    && i.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                    && (!numbers_strict || !i.bytes().all(|c| c.is_ascii_digit()) || numeric(i))
            })
        };
        if pre.is_some_and(|p| !identifiers_ok(p, true))
            || meta.is_some_and(|m| !identifiers_ok(m, false))
        {
            return None;
        }
        Version::parse(s)
    }

    pub fn to_canonical(&self) -> String {
        let mut s = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            s.push('-');
            s.push_str(&self.pre);
        }
        if !self.meta.is_empty() {
            s.push('+');
            s.push_str(&self.meta);
        }
        s
    }

    pub fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| compare_pre(&self.pre, &o.pre))
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let (x, y) = match (pa.get(i), pb.get(i)) {
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) => (x, y),
        };
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(n), Ok(m)) => n.cmp(&m),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

#[derive(Debug)]
struct Constraint {
    op: String,
    ver: Version,
    /// Which parts were wildcards or missing ("1.2" or "1.2.x" leave patch dirty).
    minor_dirty: bool,
    patch_dirty: bool,
    major_dirty: bool,
    orig_has_pre: bool,
}

fn parse_constraint(s: &str) -> Option<Constraint> {
    let s = s.trim();
    let ops = ["!=", ">=", "=>", "<=", "=<", "~>", "~", "^", ">", "<", "="];
    let (op, rest) = ops
        .iter()
        .find_map(|o| s.strip_prefix(o).map(|r| (o.to_string(), r.trim())))
        .unwrap_or((String::new(), s));
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let (body, pre_meta) = match rest.find(['-', '+']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let parts: Vec<&str> = body.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let wild = |p: Option<&&str>| p.is_none_or(|p| matches!(*p, "x" | "X" | "*"));
    let major_dirty = matches!(parts[0], "x" | "X" | "*");
    let minor_dirty = wild(parts.get(1));
    let patch_dirty = wild(parts.get(2));
    let num = |p: Option<&&str>| -> Option<String> {
        match p {
            None => Some("0".into()),
            Some(p) if matches!(*p, "x" | "X" | "*") => Some("0".into()),
            Some(p) => Some(p.to_string()),
        }
    };
    let vs = format!(
        "{}.{}.{}{}",
        num(parts.first())?,
        num(parts.get(1))?,
        num(parts.get(2))?,
        pre_meta
    );
    let ver = Version::parse(&vs)?;
    Some(Constraint {
        op: match op.as_str() {
            "=>" => ">=".into(),
            "=<" => "<=".into(),
            "~>" => "~".into(),
            o => o.to_string(),
        },
        orig_has_pre: !ver.pre.is_empty(),
        ver,
        minor_dirty: minor_dirty || major_dirty,
        patch_dirty: patch_dirty || minor_dirty || major_dirty,
        major_dirty,
    })
}

impl Constraint {
    /// `allow_pre`: some constraint of the same AND group names a prerelease.
    fn check(&self, v: &Version, allow_pre: bool) -> bool {
        // a prerelease only satisfies ranges that mention prereleases
        if !v.pre.is_empty() && !allow_pre {
            return false;
        }
        let c = &self.ver;
        let cmp = v.compare(c);
        match self.op.as_str() {
            "" | "=" => {
                if self.major_dirty {
                    return true;
                }
                if self.minor_dirty {
                    return v.major == c.major;
                }
                if self.patch_dirty {
                    return v.major == c.major && v.minor == c.minor;
                }
                cmp == Ordering::Equal
            }
            "!=" => {
                if self.major_dirty {
                    return false;
                }
                if self.minor_dirty {
                    return v.major != c.major;
                }
                if self.patch_dirty {
                    return !(v.major == c.major && v.minor == c.minor);
                }
                cmp != Ordering::Equal
            }
            ">" => {
                if self.major_dirty {
                    return false;
                }
                if self.minor_dirty {
                    return v.major > c.major;
                }
                if self.patch_dirty {
                    return v.major > c.major || (v.major == c.major && v.minor > c.minor);
                }
                cmp == Ordering::Greater
            }
            ">=" => cmp != Ordering::Less,
            "<" => cmp == Ordering::Less,
            "<=" => {
                if self.major_dirty {
                    return true;
                }
                if self.minor_dirty {
                    return v.major <= c.major;
                }
                if self.patch_dirty {
                    return v.major < c.major || (v.major == c.major && v.minor <= c.minor);
                }
                cmp != Ordering::Greater
            }
            "~" => {
                if cmp == Ordering::Less {
                    return false;
                }
                if self.major_dirty {
                    return true;
                }
                if self.minor_dirty {
                    return v.major == c.major;
                }
                v.major == c.major && v.minor == c.minor
            }
            "^" => {
                if cmp == Ordering::Less {
                    return false;
                }
                if self.major_dirty {
                    return true;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.major == 0 && v.minor == c.minor;
                }
                v.major == 0 && v.minor == 0 && v.patch == c.patch
            }
            _ => false,
        }
    }
}

/// Checks `version` against a constraint string ("a, b || c", hyphen ranges included).
pub fn satisfies(constraint: &str, version: &Version) -> Result<bool, String> {
    let mut any = false;
    for or_group in constraint.split("||") {
        let group = expand_hyphens(or_group.trim());
        let parts: Vec<Constraint> = split_and(&group)
            .iter()
            .map(|p| {
                parse_constraint(p).ok_or_else(|| format!("improper constraint: {constraint}"))
            })
            .collect::<Result<_, _>>()?;
        let allow_pre = parts.iter().any(|c| c.orig_has_pre);
        let all = parts.iter().all(|c| c.check(version, allow_pre));
        let count = parts.len();
        if count == 0 {
            return Err(format!("improper constraint: {constraint}"));
        }
        if all {
            any = true;
        }
    }
    Ok(any)
}

fn expand_hyphens(s: &str) -> String {
    if let Some((a, b)) = s.split_once(" - ") {
        return format!(">= {}, <= {}", a.trim(), b.trim());
    }
    s.to_string()
}

/// Splits an AND group on commas or spaces that separate constraints (not "> 1").
fn split_and(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in s.split(',') {
        let mut cur = String::new();
        for tok in piece.split_whitespace() {
            let is_op_only = tok.chars().all(|c| "<>=!~^".contains(c));
            if !cur.is_empty() && !cur.chars().all(|c| "<>=!~^".contains(c)) {
                out.push(std::mem::take(&mut cur));
            }
            cur.push_str(tok);
            let _ = is_op_only;
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

pub fn register(r: &mut Registry) {
    r.add("semver", &[Str], |_, a| {
        let s = a[0].as_str().unwrap_or("");
        match Version::parse(s) {
            Some(v) => Ok(Value::Object(Rc::new(Object::Semver(v)))),
            None => Err(err("invalid semantic version")),
        }
    });
    r.add("semverCompare", &[Str, Str], semver_compare);
}

fn semver_compare(_: &mut crate::template::Exec, a: &[Value]) -> FuncResult {
    let v = Version::parse(a[1].as_str().unwrap_or(""))
        .ok_or_else(|| err("invalid semantic version"))?;
    satisfies(a[0].as_str().unwrap_or(""), &v)
        .map(Value::Bool)
        .map_err(err)
}

/// Fields and methods of a *semver.Version.
pub fn method(v: &Version, name: &str, args: &[Value]) -> Option<FuncResult> {
    Some(Ok(match name {
        "Major" => Value::Int(v.major as i64),
        "Minor" => Value::Int(v.minor as i64),
        "Patch" => Value::Int(v.patch as i64),
        "Prerelease" => Value::str(v.pre.as_str()),
        "Metadata" => Value::str(v.meta.as_str()),
        "Original" => Value::str(v.original.as_str()),
        "String" => Value::from(v.to_canonical()),
        "Compare" | "LessThan" | "GreaterThan" | "Equal" => {
            let Some(Value::Object(o)) = args.first() else {
                return Some(Err(err(format!("{name} needs a version"))));
            };
            let Object::Semver(other) = &**o else {
                return Some(Err(err(format!("{name} needs a version"))));
            };
            let c = v.compare(other);
            match name {
                "Compare" => Value::Int(c as i64),
                "LessThan" => Value::Bool(c == Ordering::Less),
                "GreaterThan" => Value::Bool(c == Ordering::Greater),
                _ => Value::Bool(c == Ordering::Equal),
            }
        }
        _ => return None,
    }))
}

/// Unused helper kept private: builds a map view (for toJson of a version).
pub fn as_map(v: &Version) -> Map {
    let mut m = Map::new();
    m.insert("Original".into(), Value::str(v.original.as_str()));
    m
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn strict_versions_as_flux_parses_oci_tags() {
        for ok in [
            "1.2.3",
            "v1.2.3",
            "0.0.0",
            "1.0.0-rc.1",
            "1.0.0+build.01",
            "10.20.30-0a",
        ] {
            assert!(Version::parse_strict(ok).is_some(), "{ok}");
        }
        for bad in [
            "1.2", "1", "latest", "01.2.3", "1.02.3", "1.0.0-01", "1.0.0-", "1.2.3.4", "vv1.2.3",
        ] {
            assert!(Version::parse_strict(bad).is_none(), "{bad}");
        }
        assert_eq!(Version::parse_strict("v1.2.3").unwrap().original, "v1.2.3");
    }
}
