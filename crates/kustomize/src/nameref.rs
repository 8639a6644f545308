//! Fixing references to renamed resources (kustomize's NameReferenceTransformer).

use crate::error::Error;
use crate::fieldspec::{NameBackRef, walk};
use crate::resource::{Gvk, ResId, Resource, prefixes_suffixes_equal};
use crate::value::Value;

pub fn fix(res: &mut [Resource], backrefs: &[NameBackRef]) -> Result<(), Error> {
    for ri in 0..res.len() {
        let referrer_org = res[ri].org_id();
        for br in backrefs {
            for fs in &br.specs {
                if !referrer_org.gvk.is_selected_by(&fs.gvk) {
                    continue;
                }
                let candidates = candidates_for(res, ri);
                let snapshot: Vec<Resource> = candidates.iter().map(|&i| res[i].clone()).collect();
                let referrer = res[ri].clone();
                let role_ref_gvk = if fs.path.ends_with("roleRef/name") {
                    role_ref_gvk(&referrer)
                } else {
                    None
                };
                let ctx = Ctx {
                    referrer: &referrer,
                    referral: &br.referral,
                    role_ref: role_ref_gvk.as_ref(),
                };
                let mut obj = std::mem::replace(&mut res[ri].obj, Value::Null);
                let result = walk(&mut obj, &fs.segments(), false, &mut |slot| {
                    set(slot, &snapshot, &ctx)
                });
                res[ri].obj = obj;
                result?;
            }
        }
    }
    Ok(())
}

struct Ctx<'a> {
    referrer: &'a Resource,
    referral: &'a Gvk,
    role_ref: Option<&'a Gvk>,
}

fn role_ref_gvk(r: &Resource) -> Option<Gvk> {
    let rr = r.obj.get("roleRef")?;
    Some(Gvk {
        group: rr.get("apiGroup")?.as_str()?.to_string(),
        version: String::new(),
        kind: rr.get("kind")?.as_str()?.to_string(),
    })
}

fn candidates_for(res: &[Resource], ri: usize) -> Vec<usize> {
    let referrer = res[ri].cur_id();
    if referrer.gvk.is_cluster_scoped() {
        return (0..res.len()).collect();
    }
    let rb_namespaces = role_binding_namespaces(&res[ri]);
    (0..res.len())
        .filter(|&i| {
            let id = res[i].cur_id();
            id.gvk.is_cluster_scoped()
                || id.ns_equals(&referrer)
                || rb_namespaces.contains(&res[i].namespace().to_string())
        })
        .collect()
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

fn set(slot: &mut Value, cands: &[Resource], ctx: &Ctx) -> Result<(), Error> {
    match slot {
        Value::Null => Ok(()),
        Value::Str(_) => set_scalar(slot, cands, ctx),
        Value::Map(_) => set_mapping(slot, cands, ctx),
        Value::Seq(items) => {
            for it in items.iter_mut() {
                match it {
                    Value::Str(_) => set_scalar(it, cands, ctx)?,
                    Value::Map(_) => set_mapping(it, cands, ctx)?,
                    _ => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn set_scalar(slot: &mut Value, cands: &[Resource], ctx: &Ctx) -> Result<(), Error> {
    let Value::Str(old) = slot else { return Ok(()) };
    let all: Vec<&Resource> = cands.iter().collect();
    if let Some(r) = select_referral(old, all, ctx, false)? {
        *slot = Value::Str(r.name().to_string());
    }
    Ok(())
}

fn set_mapping(slot: &mut Value, cands: &[Resource], ctx: &Ctx) -> Result<(), Error> {
    let Value::Map(m) = slot else { return Ok(()) };
    let Some(Value::Str(old)) = m.get("name").cloned() else {
        return Ok(());
    };
    let filtered: Vec<&Resource> = match m.get("namespace").and_then(Value::as_str) {
        None => cands.iter().collect(),
        Some(ns) => {
            let by_org: Vec<&Resource> = cands
                .iter()
                .filter(|r| r.org_id().namespace == ns)
                .collect();
            if !by_org.is_empty() {
                by_org
            } else {
                cands.iter().filter(|r| r.namespace() == ns).collect()
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
