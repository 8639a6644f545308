//! `.Files`: a chart's non-template files, with Helm's accessors (Get, Glob, AsConfig ...).

use std::collections::BTreeMap;

use base64::Engine as _;

use crate::value::{Map, Value};

#[derive(Debug, Clone, Default)]
pub struct Files {
    entries: BTreeMap<String, Vec<u8>>,
}

impl Files {
    pub fn new(entries: BTreeMap<String, Vec<u8>>) -> Self {
        Files { entries }
    }

    pub fn entries(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.entries
    }

    pub fn get(&self, name: &str) -> String {
        self.entries
            .get(name)
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .unwrap_or_default()
    }

    /// Files whose path matches a gobwas/glob pattern with '/' as separator.
    pub fn glob(&self, pattern: &str) -> Files {
        let entries = self
            .entries
            .iter()
            .filter(|(k, _)| glob_match(pattern.as_bytes(), k.as_bytes(), &mut 0))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Files { entries }
    }

    /// Whether `path` matches a gobwas/glob `pattern` with '/' as separator.
    pub fn glob_matches(pattern: &str, path: &str) -> bool {
        glob_match(pattern.as_bytes(), path.as_bytes(), &mut 0)
    }

    /// Lines of a file, without the final empty line a trailing newline would make.
    pub fn lines(&self, name: &str) -> Vec<String> {
        match self.entries.get(name) {
            None => Vec::new(),
            Some(d) if d.is_empty() => vec![String::new()],
            Some(d) => {
                let mut s = String::from_utf8_lossy(d).into_owned();
                if s.ends_with('\n') {
                    s.pop();
                }
                s.split('\n').map(String::from).collect()
            }
        }
    }

    /// The files as a map of base name to content (AsConfig) or base64 content (AsSecrets).
    pub fn as_map(&self, base64: bool) -> Value {
        let mut m = Map::new();
        for (k, d) in &self.entries {
            let base = crate::funcs::misc::base(k);
            let v = if base64 {
                base64::engine::general_purpose::STANDARD.encode(d)
            } else {
                String::from_utf8_lossy(d).into_owned()
            };
            m.insert(base, Value::from(v));
        }
        Value::from(m)
    }
}

/// Bound on glob matching work (backtracking can be exponential).
const MAX_GLOB_STEPS: usize = 200_000;

/// gobwas/glob semantics: `*` within a path segment, `**` across, `?`, `[...]`, `{a,b}`.
fn glob_match(p: &[u8], s: &[u8], steps: &mut usize) -> bool {
    *steps += 1;
    if *steps > MAX_GLOB_STEPS {
        return false;
    }
    if p.is_empty() {
        return s.is_empty();
    }
    match p[0] {
        b'*' => {
            let super_star = p.get(1) == Some(&b'*');
            let rest = if super_star { &p[2..] } else { &p[1..] };
            for i in 0..=s.len() {
                if i > 0 && !super_star && s[i - 1] == b'/' {
                    break;
                }
                if glob_match(rest, &s[i..], steps) {
                    return true;
                }
            }
            false
        }
        b'?' => !s.is_empty() && s[0] != b'/' && glob_match(&p[1..], &s[1..], steps),
        b'[' => {
            let Some(end) = p.iter().position(|c| *c == b']') else {
                return !s.is_empty() && s[0] == b'[' && glob_match(&p[1..], &s[1..], steps);
            };
            if s.is_empty() {
                return false;
            }
            let class = &p[1..end];
            let (neg, class) = match class.first() {
                Some(b'!') | Some(b'^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == b'-' {
                    if class[i] <= s[0] && s[0] <= class[i + 2] {
                        hit = true;
                    }
                    i += 3;
                } else {
                    if class[i] == s[0] {
                        hit = true;
                    }
                    i += 1;
                }
            }
            hit != neg && glob_match(&p[end + 1..], &s[1..], steps)
        }
        b'{' => {
            let Some(end) = p.iter().position(|c| *c == b'}') else {
                return !s.is_empty() && s[0] == b'{' && glob_match(&p[1..], &s[1..], steps);
            };
            let rest = &p[end + 1..];
            p[1..end].split(|c| *c == b',').any(|alt| {
                let mut q = alt.to_vec();
                q.extend_from_slice(rest);
                glob_match(&q, s, steps)
            })
        }
        b'\\' if p.len() > 1 => {
            !s.is_empty() && s[0] == p[1] && glob_match(&p[2..], &s[1..], steps)
        }
        c => !s.is_empty() && s[0] == c && glob_match(&p[1..], &s[1..], steps),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(b"files/*.txt", b"files/a.txt", &mut 0));
        assert!(!glob_match(b"files/*.txt", b"files/x/a.txt", &mut 0));
        assert!(glob_match(b"files/**.txt", b"files/x/a.txt", &mut 0));
        assert!(glob_match(b"{a,b}/c", b"b/c", &mut 0));
    }
}
