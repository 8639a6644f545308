//! The resource verbs: get, list, create, update, patch, delete, deletecollection (watch lives in
//! `watch.rs`). Every write goes through `commit_*`, which runs the post-commit hooks.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::kinds::ResourceType;
use crate::objects::{self, finalizers, is_deleting, meta_mut, meta_str, name_of};
use crate::request::ResourcePath;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::server::{Ctx, Server, json_response};
use crate::store::{ObjKey, StoreError, object_rv};
use crate::{crd, rbac, table, watch};

pub const CRD_KEY: &str = "customresourcedefinitions.apiextensions.k8s.io";

pub async fn serve(
    srv: Arc<Server>,
    ctx: Ctx,
    method: Method,
    rt: Arc<ResourceType>,
    rp: ResourcePath,
    body: Bytes,
) -> ApiResult<Response> {
    let ns = rp.namespace.clone().unwrap_or_default();
    let sub = rp.subresource.as_deref();
    let is_watch = rp.watch_prefix || crate::request::flag(&ctx.query, "watch");
    let verb = match (&method, &rp.name) {
        (&Method::GET, Some(_)) if !rp.watch_prefix => "get",
        (&Method::GET, _) if is_watch => "watch",
        (&Method::GET, None) => "list",
        (&Method::POST, None) => "create",
        (&Method::PUT, Some(_)) => "update",
        (&Method::PATCH, Some(_)) => "patch",
        (&Method::DELETE, Some(_)) if sub.is_none() => "delete",
        (&Method::DELETE, None) => "deletecollection",
        _ => return Err(ApiError::method_not_allowed()),
    };
    rbac::authorize(
        &srv,
        &ctx.user,
        verb,
        &rt,
        &ns,
        rp.name.as_deref().unwrap_or(""),
        sub.unwrap_or(""),
    )?;
    let name = rp.name.clone().unwrap_or_default();
    if matches!(verb, "create" | "update" | "delete" | "deletecollection") && !body.is_empty() {
        check_json_body(&ctx)?;
    }
    if rt.is_review() {
        if verb != "create" {
            return Err(ApiError::method_not_allowed());
        }
        let review = parse_object(&ctx, &body)?;
        return Ok(json_response(
            StatusCode::CREATED,
            &rbac::review(&srv, &ctx.user, &rt, review)?,
        ));
    }
    if sub == Some("scale") {
        return scale(&srv, &ctx, &rt, &ns, &name, verb, &body);
    }
    match verb {
        "get" => get(&srv, &ctx, &rt, &ns, &name),
        "list" => list(&srv, &ctx, &rt, rp.namespace.as_deref()),
        "watch" => watch::serve(srv, ctx, rt, rp),
        "create" => create(&srv, &ctx, &rt, &ns, &body),
        "update" => update(&srv, &ctx, &rt, &ns, &name, sub, &body),
        "patch" => patch(&srv, &ctx, &rt, &ns, &name, sub, &body),
        "delete" => delete(&srv, &ctx, &rt, &ns, &name, &body),
        _ => delete_collection(&srv, &ctx, &rt, rp.namespace.as_deref(), &body),
    }
}

/// The object as served at `rt`'s version (versions of one CRD share storage; no conversion).
pub fn present(rt: &ResourceType, obj: &Arc<Value>) -> Arc<Value> {
    if obj.get("apiVersion").and_then(Value::as_str) == Some(rt.api_version().as_str()) {
        return obj.clone();
    }
    let mut o = (**obj).clone();
    o["apiVersion"] = json!(rt.api_version());
    Arc::new(objects::normalise_order(o))
}

fn object_response(code: StatusCode, rt: &ResourceType, obj: &Arc<Value>) -> Response {
    let obj = present(rt, obj);
    let body = serde_json::to_vec(&*obj).unwrap_or_default();
    (code, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

fn content_type(ctx: &Ctx) -> String {
    ctx.header(header::CONTENT_TYPE)
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Refuse bodies in encodings other than JSON, YAML and (for some kinds) protobuf.
fn check_json_body(ctx: &Ctx) -> ApiResult<()> {
    let ct = content_type(ctx);
    let ok = ct.is_empty()
        || ct == "application/json"
        || ct.ends_with("+json")
        || ct == "application/yaml"
        || ct == APPLY_PATCH
        || ct == PROTOBUF;
    if ok {
        return Ok(());
    }
    Err(ApiError::unsupported_media_type(
        &ct,
        &["application/json", "application/yaml", PROTOBUF],
    ))
}

/// The object in a create/update body: JSON, YAML or (kubectl's typed clients) protobuf.
fn parse_object(ctx: &Ctx, body: &[u8]) -> ApiResult<Value> {
    let ct = content_type(ctx);
    match ct.as_str() {
        PROTOBUF => crate::protobuf::decode_object(body).map_err(|e| {
            ApiError::unsupported_media_type(&ct, &["application/json", "application/yaml"])
                .with_message(e.to_string())
        }),
        "application/yaml" => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
            serde_saphyr::from_str::<Value>(text)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
        }
        _ => parse_json(body),
    }
}

fn parse_json(body: &[u8]) -> ApiResult<Value> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding the request body: {e}")))
}

fn strict(ctx: &Ctx) -> bool {
    ctx.q("fieldValidation") == Some("Strict")
}

/// fieldManager for non-apply writes: the parameter, else the user agent up to its first '/'.
fn manager(ctx: &Ctx) -> String {
    if let Some(m) = ctx.q("fieldManager") {
        return m.to_string();
    }
    let ua = ctx.header(header::USER_AGENT);
    let m: String = ua
        .split('/')
        .next()
        .unwrap_or("")
        .chars()
        .take(128)
        .collect();
    if m.is_empty() { "unknown".into() } else { m }
}

fn record_update(
    rt: &ResourceType,
    old: Option<&Value>,
    new: Value,
    manager: &str,
    sub: Option<&str>,
) -> Value {
    let now = objects::now_rfc3339();
    let av = rt.api_version();
    let opts = kube_patch::ssa::ApplyOptions {
        manager,
        force: false,
        api_version: &av,
        now: &now,
        subresource: sub,
    };
    kube_patch::ssa::record_update(old, new, crd::type_info(rt), &opts)
}

fn get(srv: &Server, ctx: &Ctx, rt: &ResourceType, ns: &str, name: &str) -> ApiResult<Response> {
    let obj = srv
        .store
        .get(&rt.storage_key(), ns, name)
        .ok_or_else(|| ApiError::not_found(rt, name))?;
    if ctx.wants_table() {
        let t = table::render(rt, &[present(rt, &obj)], ctx, None, None);
        return Ok(json_response(StatusCode::OK, &t));
    }
    Ok(object_response(StatusCode::OK, rt, &obj))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ContinueToken {
    rv: u64,
    ns: String,
    name: String,
}

fn decode_continue(s: &str) -> ApiResult<ObjKey> {
    let bad = || ApiError::bad_request(format!("continue key is not valid: {s}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad())?;
    let t: ContinueToken = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    Ok((t.ns, t.name))
}

fn encode_continue(rv: u64, key: &ObjKey) -> String {
    let t = ContinueToken {
        rv,
        ns: key.0.clone(),
        name: key.1.clone(),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&t).unwrap_or_default())
}

/// One page of a list: items, the list's resourceVersion, continue token, remaining count.
pub type Page = (Vec<Arc<Value>>, u64, Option<String>, Option<usize>);

pub struct Selection {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Selection {
    pub fn from_ctx(ctx: &Ctx) -> ApiResult<Self> {
        let labels = LabelSelector::parse(ctx.q("labelSelector").unwrap_or(""))
            .map_err(ApiError::bad_request)?;
        let fields = FieldSelector::parse(ctx.q("fieldSelector").unwrap_or(""))
            .map_err(ApiError::bad_request)?;
        Ok(Selection { labels, fields })
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.labels.matches(obj) && self.fields.matches(obj)
    }

    /// Whether every object matches (the apiserver counts remaining items only then).
    pub fn is_everything(&self) -> bool {
        self.labels == LabelSelector::default() && self.fields == FieldSelector::default()
    }
}

/// Matching objects for a list, with the list's resourceVersion and continue token.
pub fn select(srv: &Server, ctx: &Ctx, rt: &ResourceType, ns: Option<&str>) -> ApiResult<Page> {
    let sel = Selection::from_ctx(ctx)?;
    let after = ctx.q("continue").map(decode_continue).transpose()?;
    let limit = ctx
        .q("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let key = rt.storage_key();
    let (all, rv) = match (sel.fields.exact_name(), ns, &after) {
        (Some(name), Some(ns), None) => (
            srv.store.get(&key, ns, name).into_iter().collect(),
            srv.store.current_rv(),
        ),
        _ => srv.store.list(&key, ns, after.as_ref()),
    };
    let mut items = Vec::new();
    let mut cont = None;
    let mut remaining = None;
    let mut iter = all.iter().filter(|o| sel.matches(o));
    for o in iter.by_ref() {
        items.push(present(rt, o));
        if limit.is_some_and(|l| items.len() >= l) {
            break;
        }
    }
    let rest = iter.count();
    if rest > 0
        && let Some(last) = items.last()
    {
        let k = (
            meta_str(last, "namespace").to_string(),
            name_of(last).to_string(),
        );
        cont = Some(encode_continue(rv, &k));
        remaining = sel.is_everything().then_some(rest);
    }
    Ok((items, rv, cont, remaining))
}

/// One list item: built-in kinds' items carry no apiVersion/kind (typed lists), custom resources'
/// items keep them (unstructured lists). Written field by field to avoid copying the item.
fn write_item(buf: &mut Vec<u8>, rt: &ResourceType, item: &Value) -> ApiResult<()> {
    let err = |e: serde_json::Error| ApiError::internal(e.to_string());
    let Some(map) = item.as_object().filter(|_| rt.custom.is_none()) else {
        return serde_json::to_writer(&mut *buf, item).map_err(err);
    };
    buf.push(b'{');
    let fields = map
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind"));
    for (i, (k, v)) in fields.enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        serde_json::to_writer(&mut *buf, k).map_err(err)?;
        buf.push(b':');
        serde_json::to_writer(&mut *buf, v).map_err(err)?;
    }
    buf.push(b'}');
    Ok(())
}

fn list(srv: &Server, ctx: &Ctx, rt: &ResourceType, ns: Option<&str>) -> ApiResult<Response> {
    let (items, rv, cont, remaining) = select(srv, ctx, rt, ns)?;
    if ctx.wants_table() {
        let t = table::render(rt, &items, ctx, Some(rv), cont.as_deref());
        return Ok(json_response(StatusCode::OK, &t));
    }
    // Written by hand so that large lists are not deep-copied into one Value.
    let mut md = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = cont {
        md["continue"] = json!(c);
    }
    if let Some(r) = remaining {
        md["remainingItemCount"] = json!(r);
    }
    let mut buf = Vec::with_capacity(256 + items.len() * 512);
    buf.extend_from_slice(b"{\"kind\":");
    serde_json::to_writer(&mut buf, &rt.list_kind())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    buf.extend_from_slice(b",\"apiVersion\":");
    serde_json::to_writer(&mut buf, &rt.api_version())
        .map_err(|e| ApiError::internal(e.to_string()))?;
    buf.extend_from_slice(b",\"metadata\":");
    serde_json::to_writer(&mut buf, &md).map_err(|e| ApiError::internal(e.to_string()))?;
    buf.extend_from_slice(b",\"items\":[");
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        write_item(&mut buf, rt, it)?;
    }
    buf.extend_from_slice(b"]}");
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        buf,
    )
        .into_response())
}

fn check_namespace(srv: &Server, rt: &ResourceType, ns: &str, name: &str) -> ApiResult<()> {
    if !rt.namespaced {
        return Ok(());
    }
    let nsobj = srv
        .store
        .get("namespaces", "", ns)
        .ok_or_else(|| ApiError::namespace_not_found(ns))?;
    if is_deleting(&nsobj) {
        return Err(ApiError::forbidden(
            format!(
                "{} \"{}\" is forbidden: unable to create new content in namespace {} because it is being terminated",
                rt.qualified_plural(),
                name,
                ns
            ),
            Some((rt, name)),
        ));
    }
    Ok(())
}

fn store_err(rt: &ResourceType, name: &str, e: StoreError) -> ApiError {
    match e {
        StoreError::AlreadyExists => ApiError::already_exists(rt, name),
        StoreError::NotFound => ApiError::not_found(rt, name),
        StoreError::Conflict => ApiError::stale(rt, name),
        StoreError::Gone { requested, oldest } => {
            ApiError::gone(format!("too old resource version: {requested} ({oldest})"))
        }
    }
}

/// Hooks that run after any committed change.
fn after_commit(srv: &Server, key: &str, obj: &Value, deleted: bool) {
    if key == CRD_KEY {
        crd::rebuild_registry(srv);
    }
    if deleted || is_deleting(obj) || key == "namespaces" {
        srv.gc_kick.notify_one();
    }
}

pub fn commit_create(srv: &Server, rt: &ResourceType, obj: Value) -> ApiResult<Arc<Value>> {
    let (ns, name) = (
        meta_str(&obj, "namespace").to_string(),
        name_of(&obj).to_string(),
    );
    let created = srv
        .store
        .create(&rt.storage_key(), &ns, &name, obj)
        .map_err(|e| store_err(rt, &name, e))?;
    after_commit(srv, &rt.storage_key(), &created, false);
    Ok(created)
}

/// Commit `new` over `cur`, skipping no-op writes and completing deletions whose last finalizer
/// was removed.
pub fn commit_update(
    srv: &Server,
    rt: &ResourceType,
    cur: &Arc<Value>,
    new: Value,
    dry_run: bool,
) -> ApiResult<Arc<Value>> {
    if objects::same_content(cur, &new) {
        return Ok(cur.clone());
    }
    if dry_run {
        return Ok(Arc::new(new));
    }
    let (ns, name) = (
        meta_str(cur, "namespace").to_string(),
        name_of(cur).to_string(),
    );
    let key = rt.storage_key();
    let finished =
        is_deleting(&new) && finalizers(&new).is_empty() && !namespace_finalizers_left(&new);
    let updated = srv
        .store
        .update(&key, &ns, &name, object_rv(cur), new)
        .map_err(|e| store_err(rt, &name, e))?;
    if finished {
        let gone = srv
            .store
            .delete(&key, &ns, &name, object_rv(&updated))
            .map_err(|e| store_err(rt, &name, e))?;
        after_commit(srv, &key, &gone, true);
        return Ok(gone);
    }
    after_commit(srv, &key, &updated, false);
    Ok(updated)
}

fn namespace_finalizers_left(obj: &Value) -> bool {
    obj.get("kind").and_then(Value::as_str) == Some("Namespace")
        && obj
            .pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
}

fn create(
    srv: &Server,
    ctx: &Ctx,
    rt: &ResourceType,
    ns: &str,
    body: &[u8],
) -> ApiResult<Response> {
    let obj = parse_object(ctx, body)?;
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    check_namespace(srv, rt, ns, &name)?;
    let obj = objects::prepare_create(rt, ns, obj, strict(ctx))?;
    let obj = crd::on_write(rt, None, obj)?;
    let obj = record_update(rt, None, obj, &manager(ctx), None);
    if ctx.dry_run() {
        if srv
            .store
            .get(&rt.storage_key(), ns, name_of(&obj))
            .is_some()
        {
            return Err(ApiError::already_exists(rt, name_of(&obj)));
        }
        return Ok(object_response(StatusCode::CREATED, rt, &Arc::new(obj)));
    }
    let created = commit_create(srv, rt, obj)?;
    Ok(object_response(StatusCode::CREATED, rt, &created))
}

fn update(
    srv: &Server,
    ctx: &Ctx,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    sub: Option<&str>,
    body: &[u8],
) -> ApiResult<Response> {
    let new = parse_object(ctx, body)?;
    let cur = srv
        .store
        .get(&rt.storage_key(), ns, name)
        .ok_or_else(|| ApiError::not_found(rt, name))?;
    let sent_rv = meta_str(&new, "resourceVersion");
    // Custom resources allow no unconditional update (the built-in kinds here all do).
    if sent_rv.is_empty() && rt.custom.is_some() {
        return Err(ApiError::resource_version_required(rt, name));
    }
    if !sent_rv.is_empty() && sent_rv.parse::<u64>().ok() != Some(object_rv(&cur)) {
        return Err(ApiError::stale(rt, name));
    }
    let out = objects::prepare_update(rt, &cur, new, sub, strict(ctx))?;
    let out = crd::on_write(rt, Some(&cur), out)?;
    let out = record_update(rt, Some(&cur), out, &manager(ctx), sub);
    let saved = commit_update(srv, rt, &cur, out, ctx.dry_run())?;
    Ok(object_response(StatusCode::OK, rt, &saved))
}

const JSON_PATCH: &str = "application/json-patch+json";
const MERGE_PATCH: &str = "application/merge-patch+json";
const STRATEGIC_PATCH: &str = "application/strategic-merge-patch+json";
const APPLY_PATCH: &str = "application/apply-patch+yaml";

fn patch_error(e: kube_patch::PatchError) -> ApiError {
    let s = e.status();
    let err = ApiError::new(s.code, s.reason, s.message);
    // 422s come from NewGenericServerResponse, whose Status always carries (empty) details.
    if s.code == 422 {
        return err.with_details(json!({}));
    }
    err
}

fn parse_apply_body(body: &[u8]) -> ApiResult<Value> {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("the apply configuration is not UTF-8"))?;
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
}

fn apply_conflict(err: kube_patch::ssa::ApplyError) -> ApiError {
    match err {
        kube_patch::ssa::ApplyError::Conflicts(ref cs) => {
            // kube-patch words conflicts as printManager does: " using <apiVersion>" only for
            // managers of Update operations.
            let causes: Vec<Value> = cs
                .iter()
                .map(|c| json!({"reason": "FieldManagerConflict", "message": c.message, "field": c.path}))
                .collect();
            ApiError::new(409, "Conflict", err.to_string()).with_details(json!({"causes": causes}))
        }
        kube_patch::ssa::ApplyError::Invalid(m) => ApiError::new(422, "Invalid", m),
        other => ApiError::new(415, "UnsupportedMediaType", other.to_string()),
    }
}

fn patch(
    srv: &Server,
    ctx: &Ctx,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    sub: Option<&str>,
    body: &[u8],
) -> ApiResult<Response> {
    let ct = ctx
        .header(header::CONTENT_TYPE)
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let accepted: &[&str] = &[JSON_PATCH, MERGE_PATCH, APPLY_PATCH, STRATEGIC_PATCH];
    if !accepted.contains(&ct.as_str()) {
        return Err(ApiError::unsupported_media_type(
            &ct,
            &[JSON_PATCH, MERGE_PATCH, APPLY_PATCH, STRATEGIC_PATCH],
        ));
    }
    if ct == STRATEGIC_PATCH && rt.custom.is_some() {
        return Err(ApiError::unsupported_media_type(
            &ct,
            &[JSON_PATCH, MERGE_PATCH, APPLY_PATCH],
        ));
    }
    let is_apply = ct == APPLY_PATCH;
    let patch_doc = if is_apply {
        parse_apply_body(body)?
    } else {
        parse_json(body)?
    };
    let apply_manager = if is_apply {
        match ctx.q("fieldManager") {
            Some(m) => m.to_string(),
            None => {
                return Err(ApiError::invalid_plain(
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                ));
            }
        }
    } else {
        manager(ctx)
    };
    let force = crate::request::flag(&ctx.query, "force");
    let key = rt.storage_key();
    let now = objects::now_rfc3339();
    let av = rt.api_version();
    // Patches are retried against the newest object on a write race, as the apiserver does.
    for _ in 0..16 {
        let cur = srv.store.get(&key, ns, name);
        let Some(cur) = cur else {
            if !is_apply || sub.is_some() {
                return Err(ApiError::not_found(rt, name));
            }
            let opts = kube_patch::ssa::ApplyOptions {
                manager: &apply_manager,
                force,
                api_version: &av,
                now: &now,
                subresource: None,
            };
            let mut cfg = patch_doc.clone();
            objects::check_type(rt, &mut cfg)?;
            let applied = kube_patch::ssa::apply(None, &cfg, crd::type_info(rt), &opts)
                .map_err(apply_conflict)?;
            let mut applied = applied;
            meta_mut(&mut applied).insert("name".into(), json!(name));
            check_namespace(srv, rt, ns, name)?;
            let obj = objects::prepare_create(rt, ns, applied, strict(ctx))?;
            let obj = crd::on_write(rt, None, obj)?;
            if ctx.dry_run() {
                return Ok(object_response(StatusCode::CREATED, rt, &Arc::new(obj)));
            }
            match commit_create(srv, rt, obj) {
                Ok(created) => return Ok(object_response(StatusCode::CREATED, rt, &created)),
                Err(e) if e.reason == "AlreadyExists" => continue,
                Err(e) => return Err(e),
            }
        };
        let view = present(rt, &cur);
        let patched = match ct.as_str() {
            JSON_PATCH => kube_patch::json_patch(&view, &patch_doc).map_err(patch_error)?,
            MERGE_PATCH => kube_patch::merge_patch(&view, &patch_doc).map_err(patch_error)?,
            STRATEGIC_PATCH => kube_patch::strategic_merge_patch(
                &rt.group,
                &rt.version,
                &rt.kind,
                &view,
                &patch_doc,
            )
            .map_err(patch_error)?,
            _ => {
                let opts = kube_patch::ssa::ApplyOptions {
                    manager: &apply_manager,
                    force,
                    api_version: &av,
                    now: &now,
                    subresource: sub,
                };
                let mut cfg = patch_doc.clone();
                objects::check_type(rt, &mut cfg)?;
                kube_patch::ssa::apply(Some(&view), &cfg, crd::type_info(rt), &opts)
                    .map_err(apply_conflict)?
            }
        };
        let sent_rv = meta_str(&patched, "resourceVersion");
        if !sent_rv.is_empty() && sent_rv.parse::<u64>().ok() != Some(object_rv(&cur)) {
            return Err(ApiError::stale(rt, name));
        }
        let out = objects::prepare_update(rt, &cur, patched, sub, strict(ctx))?;
        let out = crd::on_write(rt, Some(&cur), out)?;
        let out = if is_apply {
            out
        } else {
            record_update(rt, Some(&cur), out, &apply_manager, sub)
        };
        match commit_update(srv, rt, &cur, out, ctx.dry_run()) {
            Ok(saved) => return Ok(object_response(StatusCode::OK, rt, &saved)),
            Err(e) if e.code == 409 && e.reason == "Conflict" => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::stale(rt, name))
}

/// The autoscaling/v1 Scale view of a Deployment, StatefulSet or ReplicaSet.
fn scale_of(obj: &Value) -> Value {
    let selector: Vec<String> = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default();
    let mut md = serde_json::Map::new();
    for k in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = obj.pointer(&format!("/metadata/{k}")) {
            md.insert(k.into(), v.clone());
        }
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": md,
        "spec": {"replicas": obj.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
        "status": {"replicas": obj.pointer("/status/replicas").cloned().unwrap_or(json!(0)), "selector": selector.join(",")},
    })
}

fn scale(
    srv: &Server,
    ctx: &Ctx,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    verb: &str,
    body: &[u8],
) -> ApiResult<Response> {
    for _ in 0..16 {
        let cur = srv
            .store
            .get(&rt.storage_key(), ns, name)
            .ok_or_else(|| ApiError::not_found(rt, name))?;
        let current = scale_of(&cur);
        let wanted = match verb {
            "get" => return Ok(json_response(StatusCode::OK, &current)),
            "update" => parse_json(body)?,
            "patch" => {
                let doc = parse_json(body)?;
                let ct = ctx
                    .header(header::CONTENT_TYPE)
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                match ct.as_str() {
                    JSON_PATCH => kube_patch::json_patch(&current, &doc).map_err(patch_error)?,
                    // Scale has no lists: strategic merge is merge patch.
                    MERGE_PATCH | STRATEGIC_PATCH => {
                        kube_patch::merge_patch(&current, &doc).map_err(patch_error)?
                    }
                    _ => {
                        return Err(ApiError::unsupported_media_type(
                            &ct,
                            &[JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH],
                        ));
                    }
                }
            }
            _ => return Err(ApiError::method_not_allowed()),
        };
        let sent_rv = meta_str(&wanted, "resourceVersion");
        if !sent_rv.is_empty() && sent_rv.parse::<u64>().ok() != Some(object_rv(&cur)) {
            return Err(ApiError::stale(rt, name));
        }
        let Some(replicas) = wanted
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .filter(|r| *r >= 0)
        else {
            return Err(ApiError::invalid_plain(format!(
                "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: must be greater than or equal to 0"
            )));
        };
        let mut next = (*cur).clone();
        next["spec"]["replicas"] = json!(replicas);
        let out = objects::prepare_update(rt, &cur, next, None, false)?;
        let out = record_update(rt, Some(&cur), out, &manager(ctx), Some("scale"));
        match commit_update(srv, rt, &cur, out, ctx.dry_run()) {
            Ok(saved) => return Ok(json_response(StatusCode::OK, &scale_of(&saved))),
            Err(e) if e.code == 409 && verb == "patch" => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::stale(rt, name))
}

/// How dependents are treated when their owner is deleted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

pub struct DeleteOptions {
    pub propagation: Propagation,
    pub uid: Option<String>,
    pub resource_version: Option<String>,
    pub dry_run: bool,
    /// orphanDependents as sent (deprecated, but it decides between 200 and 202).
    pub orphan_dependents: Option<bool>,
}

fn delete_options(ctx: &Ctx, body: &[u8]) -> ApiResult<DeleteOptions> {
    let b: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        parse_json(body)?
    };
    let orphan = b
        .get("orphanDependents")
        .and_then(Value::as_bool)
        .or_else(|| ctx.q("orphanDependents").map(|v| v == "true"));
    let policy = b
        .get("propagationPolicy")
        .and_then(Value::as_str)
        .map(String::from)
        .or_else(|| ctx.q("propagationPolicy").map(String::from))
        .or_else(|| {
            orphan.map(|o| {
                if o {
                    "Orphan".into()
                } else {
                    "Background".into()
                }
            })
        });
    let propagation = match policy.as_deref() {
        None | Some("Background") => Propagation::Background,
        Some("Foreground") => Propagation::Foreground,
        Some("Orphan") => Propagation::Orphan,
        Some(other) => {
            return Err(ApiError::invalid_plain(format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{other}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            )));
        }
    };
    let dry_run = ctx.dry_run()
        || b.get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|v| v == "All"));
    Ok(DeleteOptions {
        propagation,
        uid: b
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(String::from),
        resource_version: b
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(String::from),
        dry_run,
        orphan_dependents: orphan,
    })
}

/// Whether any stored object names `uid` as an owner.
fn has_dependents(srv: &Server, uid: &str) -> bool {
    let (all, _) = srv.store.all();
    all.iter()
        .any(|(_, o)| crate::lifecycle::owner_uids(o).iter().any(|u| u == uid))
}

/// Delete one object. Returns the object and whether it is gone (false: deletion pending finalizers).
pub fn delete_object(
    srv: &Server,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    opts: &DeleteOptions,
) -> ApiResult<(Arc<Value>, bool)> {
    let key = rt.storage_key();
    for _ in 0..16 {
        let cur = srv
            .store
            .get(&key, ns, name)
            .ok_or_else(|| ApiError::not_found(rt, name))?;
        if let Some(uid) = &opts.uid {
            let actual = meta_str(&cur, "uid");
            if uid != actual {
                return Err(ApiError::conflict(
                    rt,
                    name,
                    &format!(
                        "Precondition failed: UID in precondition: {uid}, UID in object meta: {actual}"
                    ),
                ));
            }
        }
        if let Some(rv) = &opts.resource_version {
            let actual = meta_str(&cur, "resourceVersion");
            if rv != actual {
                return Err(ApiError::conflict(
                    rt,
                    name,
                    &format!(
                        "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {actual}"
                    ),
                ));
            }
        }
        let mut fins = finalizers(&cur);
        let uid = meta_str(&cur, "uid").to_string();
        let extra = match opts.propagation {
            Propagation::Foreground if has_dependents(srv, &uid) => Some("foregroundDeletion"),
            Propagation::Orphan if has_dependents(srv, &uid) => Some("orphan"),
            _ => None,
        };
        if let Some(f) = extra
            && !fins.iter().any(|x| x == f)
        {
            fins.push(f.to_string());
        }
        let is_ns = rt.kind == "Namespace" && rt.group.is_empty();
        let is_crd = key == CRD_KEY;
        if is_crd && !fins.iter().any(|f| f == crd::CLEANUP_FINALIZER) && !is_deleting(&cur) {
            fins.push(crd::CLEANUP_FINALIZER.to_string());
        }
        if !fins.is_empty() || is_ns {
            if is_deleting(&cur) && fins == finalizers(&cur) {
                return Ok((cur, false));
            }
            let mut next = (*cur).clone();
            let m = meta_mut(&mut next);
            if !m.contains_key("deletionTimestamp") {
                m.insert("deletionTimestamp".into(), json!(objects::now_rfc3339()));
                // The namespace registry's own Delete sets no grace period.
                if !is_ns {
                    m.insert("deletionGracePeriodSeconds".into(), json!(0));
                }
            }
            if !fins.is_empty() {
                m.insert("finalizers".into(), json!(fins));
            }
            if is_ns {
                next["status"] = json!({"phase": "Terminating"});
            }
            if opts.dry_run {
                return Ok((Arc::new(next), false));
            }
            match srv.store.update(&key, ns, name, object_rv(&cur), next) {
                Ok(saved) => {
                    after_commit(srv, &key, &saved, false);
                    return Ok((saved, false));
                }
                Err(StoreError::Conflict) => continue,
                Err(e) => return Err(store_err(rt, name, e)),
            }
        }
        if opts.dry_run {
            return Ok((cur, true));
        }
        match srv.store.delete(&key, ns, name, object_rv(&cur)) {
            Ok(gone) => {
                after_commit(srv, &key, &gone, true);
                return Ok((gone, true));
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(store_err(rt, name, e)),
        }
    }
    Err(ApiError::stale(rt, name))
}

fn delete(
    srv: &Server,
    ctx: &Ctx,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    body: &[u8],
) -> ApiResult<Response> {
    let opts = delete_options(ctx, body)?;
    let (obj, gone) = delete_object(srv, rt, ns, name, &opts)?;
    if gone {
        let mut details = json!({"name": name, "kind": rt.plural, "uid": meta_str(&obj, "uid")});
        if !rt.group.is_empty() {
            details["group"] = json!(rt.group);
        }
        // Most kinds answer a completed delete with a Success Status; these return the object.
        if rt.custom.is_some()
            || matches!(
                rt.kind.as_str(),
                "Pod" | "Namespace" | "CustomResourceDefinition"
            )
        {
            return Ok(object_response(StatusCode::OK, rt, &obj));
        }
        let st = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details});
        return Ok(json_response(StatusCode::OK, &st));
    }
    Ok(object_response(pending_delete_code(&opts), rt, &obj))
}

/// A delete left pending answers 202 only when orphanDependents=false was sent, else 200 (the
/// apiserver keeps this for old clients).
fn pending_delete_code(opts: &DeleteOptions) -> StatusCode {
    if opts.orphan_dependents == Some(false) {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    }
}

fn delete_collection(
    srv: &Server,
    ctx: &Ctx,
    rt: &ResourceType,
    ns: Option<&str>,
    body: &[u8],
) -> ApiResult<Response> {
    if rt.kind == "Namespace" {
        return Err(ApiError::method_not_allowed());
    }
    let opts = delete_options(ctx, body)?;
    let sel = Selection::from_ctx(ctx)?;
    let (all, _) = srv.store.list(&rt.storage_key(), ns, None);
    let mut items = Vec::new();
    for o in all.iter().filter(|o| sel.matches(o)) {
        match delete_object(srv, rt, meta_str(o, "namespace"), name_of(o), &opts) {
            Ok((obj, _)) => items.push((*present(rt, &obj)).clone()),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let list = json!({
        "kind": rt.list_kind(),
        "apiVersion": rt.api_version(),
        "metadata": {"resourceVersion": srv.store.current_rv().to_string()},
        "items": items,
    });
    Ok(json_response(StatusCode::OK, &list))
}
