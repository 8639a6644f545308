//! Watch: a stream of newline-delimited JSON events, replayed from the store's history.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::error::{ApiError, ApiResult};
use crate::kinds::ResourceType;
use crate::request::{ResourcePath, flag};
use crate::server::{Ctx, Server};
use crate::store::{EventType, StoreError};
use crate::verbs::{Selection, present};
use crate::{objects, table};

/// What a watch streams (held by its task).
struct WatchSpec {
    rt: Arc<ResourceType>,
    key: String,
    namespace: Option<String>,
    name: Option<String>,
    sel: Selection,
    bookmarks: bool,
    table_ctx: Option<Ctx>,
}

impl WatchSpec {
    fn matches(&self, obj: &Value) -> bool {
        if let Some(ns) = &self.namespace
            && objects::meta_str(obj, "namespace") != ns
        {
            return false;
        }
        if let Some(n) = &self.name
            && objects::name_of(obj) != n
        {
            return false;
        }
        self.sel.matches(obj)
    }

    fn line(&self, kind: &str, obj: &Arc<Value>) -> Bytes {
        let obj = present(&self.rt, obj);
        let mut buf = Vec::with_capacity(512);
        buf.extend_from_slice(b"{\"type\":\"");
        buf.extend_from_slice(kind.as_bytes());
        buf.extend_from_slice(b"\",\"object\":");
        let res = match &self.table_ctx {
            Some(ctx) => {
                serde_json::to_writer(&mut buf, &table::render(&self.rt, &[obj], ctx, None, None))
            }
            None => serde_json::to_writer(&mut buf, &*obj),
        };
        if let Err(e) = res {
            tracing::error!(error = %e, "cannot serialise a watch event");
        }
        buf.extend_from_slice(b"}\n");
        Bytes::from(buf)
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut md = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            md["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj =
            json!({"kind": self.rt.kind, "apiVersion": self.rt.api_version(), "metadata": md});
        let mut line = json!({"type": "BOOKMARK", "object": obj}).to_string();
        line.push('\n');
        Bytes::from(line)
    }
}

fn error_line(e: &ApiError) -> Bytes {
    let mut line = json!({"type": "ERROR", "object": e.status_body()}).to_string();
    line.push('\n');
    Bytes::from(line)
}

pub fn serve(
    srv: Arc<Server>,
    ctx: Ctx,
    rt: Arc<ResourceType>,
    rp: ResourcePath,
) -> ApiResult<Response> {
    let sel = Selection::from_ctx(&ctx)?;
    let rv_param = ctx.q("resourceVersion").map(String::from);
    let send_initial = flag(&ctx.query, "sendInitialEvents");
    let bookmarks = flag(&ctx.query, "allowWatchBookmarks");
    if send_initial && !bookmarks {
        return Err(ApiError::invalid_plain(
            "ListOptions.meta.k8s.io \"\" is invalid: allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks=true",
        ));
    }
    let timeout = ctx
        .q("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1800));
    let start_rv = match rv_param.as_deref() {
        None | Some("0") => None,
        Some(s) if send_initial => {
            let _ = s;
            None
        }
        Some(s) => Some(s.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!("invalid resource version \"{s}\": strconv.ParseUint: parsing \"{s}\": invalid syntax"))
        })?),
    };
    let spec = WatchSpec {
        key: rt.storage_key(),
        namespace: rp.namespace.clone(),
        name: rp.name.clone(),
        rt,
        sel,
        bookmarks,
        table_ctx: if ctx.wants_table() { Some(ctx) } else { None },
    };
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    tokio::spawn(run(srv, spec, start_rv, send_initial, timeout, tx));
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache, private"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

async fn run(
    srv: Arc<Server>,
    spec: WatchSpec,
    start_rv: Option<u64>,
    send_initial: bool,
    timeout: Duration,
    tx: mpsc::Sender<Bytes>,
) {
    let deadline = Instant::now() + timeout;
    let mut changes = srv.store.subscribe();
    let mut cursor = match start_rv {
        Some(rv) => rv,
        None => {
            let (items, rv) = srv.store.list(&spec.key, spec.namespace.as_deref(), None);
            for o in items.iter().filter(|o| spec.matches(o)) {
                if tx.send(spec.line("ADDED", o)).await.is_err() {
                    return;
                }
            }
            if send_initial && tx.send(spec.bookmark(rv, true)).await.is_err() {
                return;
            }
            rv
        }
    };
    let interval = srv.tuning.bookmark_interval;
    let mut next_bookmark = Instant::now() + interval;
    loop {
        // Mark what we have seen before reading, so no change slips between read and wait.
        changes.borrow_and_update();
        let (events, latest) = match srv.store.events_after(cursor) {
            Ok(x) => x,
            Err(StoreError::Gone { requested, oldest }) => {
                let e = ApiError::gone(format!("too old resource version: {requested} ({oldest})"));
                let _ = tx.send(error_line(&e)).await;
                return;
            }
            Err(_) => return,
        };
        for ev in events {
            cursor = ev.rv;
            if ev.key != spec.key {
                continue;
            }
            let now = spec.matches(&ev.object);
            let before = ev.prev.as_ref().is_some_and(|p| spec.matches(p));
            let kind = match (ev.kind, before, now) {
                (EventType::Added, _, true) => "ADDED",
                (EventType::Modified, true, true) => "MODIFIED",
                (EventType::Modified, false, true) => "ADDED",
                (EventType::Modified, true, false) => "DELETED",
                (EventType::Deleted, true, _) => "DELETED",
                _ => continue,
            };
            if tx.send(spec.line(kind, &ev.object)).await.is_err() {
                return;
            }
        }
        cursor = cursor.max(latest);
        if spec.bookmarks && Instant::now() >= next_bookmark {
            if tx.send(spec.bookmark(cursor, false)).await.is_err() {
                return;
            }
            next_bookmark = Instant::now() + interval;
        }
        let wake = if spec.bookmarks {
            next_bookmark.min(deadline)
        } else {
            deadline
        };
        tokio::select! {
            r = changes.changed() => if r.is_err() { return },
            _ = tokio::time::sleep_until(wake) => {},
            _ = tx.closed() => return,
        }
        if Instant::now() >= deadline {
            return;
        }
    }
}
