//! Fixing references to renamed resources (kustomize's NameReferenceTransformer).
//! Only renamed resources can be referral targets, so they are indexed by every
//! name they have had; each referrer field then looks up its value there.

use crate::error::Error;
use crate::fieldspec::{FieldSpec, NameBackRef, walk};
use crate::resource::{Gvk, ResId, Resource, prefixes_suffixes_equal};
use crate::value::{Map, Value};
use std::collections::HashMap;

/// A resource's identity without its body: what referral selection reads.
fn identity(r: &Resource) -> Resource {
    let mut meta = Map::new();
    for k in ["name", "namespace"] {
        if let Some(v) = r.obj.at(&["metadata", k]) {
            meta.insert(k.into(), v.clone());
        }
    }
    let mut m = Map::new();
    for k in ["apiVersion", "kind"] {
        if let Some(v) = r.obj.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    m.insert("metadata".into(), Value::Map(meta));
    Resource {
        obj: Value::Map(m),
        prev_ids: r.prev_ids.clone(),
        prefixes: r.prefixes.clone(),
        suffixes: r.suffixes.clone(),
        generated: None,
        allow_name_change: false,
        allow_kind_change: false,
        ref_var_names: Vec::new(),
        typed_name: None,
    }
}

/// A back reference's field spec with its path already split.
type SpecRef<'a> = (&'a NameBackRef, &'a FieldSpec, Vec<String>);

struct Index {
    ids: Vec<Resource>,
    by_prev_name: HashMap<String, Vec<usize>>,
}

pub fn fix(res: &mut [Resource], backrefs: &[NameBackRef]) -> Result<(), Error> {
    let mut by_prev_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in res.iter().enumerate() {
        for p in &r.prev_ids {
            let e = by_prev_name.entry(p.name.clone()).or_default();
            if e.last() != Some(&i) {
                e.push(i);
            }
        }
    }
    if by_prev_name.is_empty() {
        return Ok(());
    }
    let index = Index {
        ids: res.iter().map(identity).collect(),
        by_prev_name,
    };
    // Field specs grouped by the referrer kind they apply to, paths split once.
    let mut by_kind: HashMap<&str, Vec<SpecRef>> = HashMap::new();
    for br in backrefs {
        for fs in &br.specs {
            by_kind
                .entry(fs.gvk.kind.as_str())
                .or_default()
                .push((br, fs, fs.segments()));
        }
    }
    let none = Vec::new();
    for (ri, r) in res.iter_mut().enumerate() {
        let referrer_org = r.org_id();
        let referrer = &index.ids[ri];
        let rb_namespaces = role_binding_namespaces(r);
        let role_ref = role_ref_gvk(r);
        let specs = by_kind
            .get(referrer_org.gvk.kind.as_str())
            .unwrap_or(&none)
            .iter()
            .chain(by_kind.get("").unwrap_or(&none).iter());
        for (br, fs, segs) in specs {
            if !referrer_org.gvk.is_selected_by(&fs.gvk) {
                continue;
            }
            let ctx = Ctx {
                index: &index,
                referrer,
                referral: &br.referral,
                role_ref: if fs.path.ends_with("roleRef/name") {
                    role_ref.as_ref()
                } else {
                    None
                },
                rb_namespaces: &rb_namespaces,
            };
            walk(&mut r.obj, segs, false, &mut |slot| set(slot, &ctx))?;
        }
    }
    Ok(())
}

struct Ctx<'a> {
    index: &'a Index,
    referrer: &'a Resource,
    referral: &'a Gvk,
    role_ref: Option<&'a Gvk>,
    rb_namespaces: &'a [String],
}

impl Ctx<'_> {
    /// kustomize's SubsetThatCouldBeReferencedByResource.
    fn in_scope(&self, cand: &Resource) -> bool {
        let referrer = self.referrer.cur_id();
        if referrer.gvk.is_cluster_scoped() {
            return true;
        }
        let id = cand.cur_id();
        id.gvk.is_cluster_scoped()
            || id.ns_equals(&referrer)
            || self.rb_namespaces.iter().any(|n| n == cand.namespace())
    }

    fn candidates(&self, old: &str) -> Vec<&Resource> {
        self.index
            .by_prev_name
            .get(old)
            .map(|v| {
                v.iter()
                    .map(|&i| &self.index.ids[i])
                    .filter(|c| self.in_scope(c))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn role_ref_gvk(r: &Resource) -> Option<Gvk> {
    let rr = r.obj.get("roleRef")?;
    Some(Gvk {
        group: rr.get("apiGroup")?.as_str()?.to_string(),
        version: String::new(),
        kind: rr.get("kind")?.as_str()?.to_string(),
    })
}

fn role_binding_namespaces(r: &Resource) -> Vec<String> {
    if r.kind() != "RoleBinding" && r.kind() != "ClusterRoleBinding" {
        return Vec::new();
    }
    match r.obj.get("subjects") {
        Some(Value::Seq(s)) => s
            .iter()
            .filter(|x| x.get("kind").and_then(Value::as_str) == Some("ServiceAccount"))
            .filter_map(|x| {
                x.get("namespace")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn set(slot: &mut Value, ctx: &Ctx) -> Result<(), Error> {
    match slot {
        Value::Str(_) => set_scalar(slot, ctx),
        Value::Map(_) => set_mapping(slot, ctx),
        Value::Seq(items) => {
            for it in items.iter_mut() {
                match it {
                    Value::Str(_) => set_scalar(it, ctx)?,
                    Value::Map(_) => set_mapping(it, ctx)?,
                    _ => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn set_scalar(slot: &mut Value, ctx: &Ctx) -> Result<(), Error> {
    let Value::Str(old) = slot else { return Ok(()) };
    let cands = ctx.candidates(old);
    if let Some(r) = select_referral(old, cands, ctx, false)? {
        *slot = Value::Str(r.name().to_string());
    }
    Ok(())
}

fn set_mapping(slot: &mut Value, ctx: &Ctx) -> Result<(), Error> {
    let Value::Map(m) = slot else { return Ok(()) };
    let Some(Value::Str(old)) = m.get("name").cloned() else {
        return Ok(());
    };
    let all = ctx.candidates(&old);
    let filtered: Vec<&Resource> = match m.get("namespace").and_then(Value::as_str) {
        None => all,
        Some(ns) => {
            let by_org: Vec<&Resource> = all
                .iter()
                .copied()
                .filter(|r| r.org_id().namespace == ns)
                .collect();
            if !by_org.is_empty() {
                by_org
            } else {
                all.into_iter().filter(|r| r.namespace() == ns).collect()
            }
        }
    };
    let Some(r) = select_referral(&old, filtered, ctx, true)? else {
        return Ok(());
    };
    if r.name() == old && r.namespace().is_empty() {
        return Ok(());
    }
    m.insert("name".into(), Value::Str(r.name().to_string()));
    if !r.namespace().is_empty() {
        m.insert("namespace".into(), Value::Str(r.namespace().to_string()));
    }
    Ok(())
}

fn prev_selected(r: &Resource, gvk: &Gvk) -> bool {
    r.prev_ids
        .iter()
        .any(|id: &ResId| id.gvk.is_selected_by(gvk))
}

fn select_referral<'a>(
    old: &str,
    cands: Vec<&'a Resource>,
    ctx: &Ctx,
    with_namespace: bool,
) -> Result<Option<&'a Resource>, Error> {
    let referrer_cur = ctx.referrer.cur_id();
    let mut c: Vec<&Resource> = cands
        .into_iter()
        .filter(|r| r.prev_ids.iter().any(|id| id.name == old))
        .filter(|r| prev_selected(r, ctx.referral))
        .filter(|r| ctx.role_ref.is_none_or(|g| prev_selected(r, g)))
        .filter(|r| {
            referrer_cur.gvk.is_cluster_scoped()
                || r.cur_id().gvk.is_cluster_scoped()
                || r.kind() == "ServiceAccount"
                || referrer_cur.ns_equals(&r.cur_id())
        })
        .collect();
    if c.len() == 1 {
        return Ok(c.pop());
    }
    c.retain(|r| prefixes_suffixes_equal(r, ctx.referrer, true));
    if c.len() > 1 {
        c.retain(|r| prefixes_suffixes_equal(r, ctx.referrer, false));
    }
    match c.len() {
        0 => Ok(None),
        1 => Ok(c.pop()),
        _ => {
            let first = c[0];
            let same = c.iter().all(|r| {
                r.name() == first.name() && (!with_namespace || r.namespace() == first.namespace())
            });
            if same {
                Ok(Some(first))
            } else {
                let ids: Vec<String> = c.iter().map(|r| r.cur_id().display()).collect();
                Err(Error::Transform(format!(
                    "found multiple possible referrals: {}",
                    ids.join(", ")
                )))
            }
        }
    }
}
