//! Patch and replacement targets: regex on group/version/kind/name/namespace plus
//! label and annotation selectors.

use crate::error::Error;
use crate::kustomization::Selector;
use crate::resource::Resource;

fn anchored(p: &str) -> Result<Option<regex::Regex>, Error> {
    if p.is_empty() {
        return Ok(None);
    }
    regex::Regex::new(&format!("^(?:{p})$"))
        .map(Some)
        .map_err(|e| Error::Patch(format!("invalid selector regex {p:?}: {e}")))
}

fn m(re: &Option<regex::Regex>, s: &str) -> bool {
    re.as_ref().is_none_or(|r| r.is_match(s))
}

pub fn select(res: &[Resource], s: &Selector) -> Result<Vec<usize>, Error> {
    let (g, v, k) = (
        anchored(&s.gvk.group)?,
        anchored(&s.gvk.version)?,
        anchored(&s.gvk.kind)?,
    );
    let (name, ns) = (anchored(&s.name)?, anchored(&s.namespace)?);
    let mut out = Vec::new();
    for (i, r) in res.iter().enumerate() {
        let cur = r.cur_id();
        let org = r.org_id();
        if !m(&ns, org.effective_namespace()) && !m(&ns, cur.effective_namespace()) {
            continue;
        }
        if !m(&name, &org.name) && !m(&name, &cur.name) {
            continue;
        }
        let gvk = r.gvk();
        if !(m(&g, &gvk.group) && m(&v, &gvk.version) && m(&k, &gvk.kind)) {
            continue;
        }
        if !matches_selector(&s.label_selector, &r.labels())? {
            continue;
        }
        if !matches_selector(&s.annotation_selector, &r.annotations())? {
            continue;
        }
        out.push(i);
    }
    Ok(out)
}

/// Kubernetes label selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
pub fn matches_selector(sel: &str, labels: &[(String, String)]) -> Result<bool, Error> {
    let sel = sel.trim();
    if sel.is_empty() {
        return Ok(true);
    }
    let get = |k: &str| {
        labels
            .iter()
            .find(|(lk, _)| lk == k)
            .map(|(_, v)| v.as_str())
    };
    for req in split_requirements(sel) {
        let req = req.trim();
        let ok = if let Some((k, rest)) = split_set_op(req, " notin ") {
            let set = parse_set(rest)?;
            get(k.trim()).is_none_or(|v| !set.contains(&v.to_string()))
        } else if let Some((k, rest)) = split_set_op(req, " in ") {
            let set = parse_set(rest)?;
            get(k.trim()).is_some_and(|v| set.contains(&v.to_string()))
        } else if let Some((k, v)) = req.split_once("!=") {
            get(k.trim()) != Some(v.trim())
        } else if let Some((k, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
            get(k.trim()) == Some(v.trim())
        } else if let Some(k) = req.strip_prefix('!') {
            get(k.trim()).is_none()
        } else {
            get(req).is_some()
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn split_requirements(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

fn split_set_op<'a>(req: &'a str, op: &str) -> Option<(&'a str, &'a str)> {
    req.split_once(op)
}

fn parse_set(s: &str) -> Result<Vec<String>, Error> {
    let s = s.trim();
    let inner = s
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .ok_or_else(|| Error::Patch(format!("invalid label selector set {s:?}")))?;
    Ok(inner
        .split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect())
}
