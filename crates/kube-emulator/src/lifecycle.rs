//! The controllers of object lifecycle: garbage collection through ownerReferences (background,
//! foreground, orphan), namespace deletion, and CRD cleanup.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::crd::CLEANUP_FINALIZER;
use crate::objects::{finalizers, is_deleting, meta_mut, meta_str, name_of};
use crate::server::Server;
use crate::verbs::{self, CRD_KEY, DeleteOptions, Propagation};

pub fn owner_uids(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn delete_opts(p: Propagation) -> DeleteOptions {
    DeleteOptions {
        propagation: p,
        uid: None,
        resource_version: None,
        dry_run: false,
        orphan_dependents: None,
    }
}

fn delete(srv: &Server, key: &str, obj: &Value, p: Propagation) {
    let Some(rt) = srv.type_for_key(key) else {
        return;
    };
    if let Err(e) = verbs::delete_object(
        srv,
        &rt,
        meta_str(obj, "namespace"),
        name_of(obj),
        &delete_opts(p),
    ) && e.code != 404
    {
        tracing::warn!(key, name = name_of(obj), error = %e, "garbage collection could not delete");
    }
}

/// Rewrite one stored object (a controller's write, no managedFields entry).
fn rewrite(srv: &Server, key: &str, cur: &Arc<Value>, f: impl FnOnce(&mut Value)) {
    let Some(rt) = srv.type_for_key(key) else {
        return;
    };
    let mut next = (**cur).clone();
    f(&mut next);
    if let Err(e) = verbs::commit_update(srv, &rt, cur, next, false)
        && e.code != 404
        && e.code != 409
    {
        tracing::warn!(key, name = name_of(cur), error = %e, "lifecycle update failed");
    }
}

fn remove_finalizer(srv: &Server, key: &str, cur: &Arc<Value>, fin: &str) {
    rewrite(srv, key, cur, |o| {
        let left: Vec<String> = finalizers(o).into_iter().filter(|f| f != fin).collect();
        let m = meta_mut(o);
        if left.is_empty() {
            m.shift_remove("finalizers");
        } else {
            m.insert("finalizers".into(), json!(left));
        }
    });
}

/// One pass over every object; returns whether anything is still pending.
pub fn sweep(srv: &Server) -> bool {
    let (all, _) = srv.store.all();
    let uids: HashSet<String> = all
        .iter()
        .map(|(_, o)| meta_str(o, "uid").to_string())
        .collect();
    let mut dependents: HashMap<String, Vec<(String, Arc<Value>)>> = HashMap::new();
    for (k, o) in &all {
        for u in owner_uids(o) {
            dependents
                .entry(u)
                .or_default()
                .push((k.clone(), o.clone()));
        }
    }
    let mut pending = false;
    for (key, obj) in &all {
        let uid = meta_str(obj, "uid").to_string();
        if is_deleting(obj) {
            let fins = finalizers(obj);
            let deps = dependents.get(&uid).cloned().unwrap_or_default();
            if fins.iter().any(|f| f == "orphan") {
                for (dk, d) in &deps {
                    rewrite(srv, dk, d, |o| {
                        if let Some(refs) = o
                            .pointer_mut("/metadata/ownerReferences")
                            .and_then(Value::as_array_mut)
                        {
                            refs.retain(|r| {
                                r.get("uid").and_then(Value::as_str) != Some(uid.as_str())
                            });
                            if refs.is_empty() {
                                meta_mut(o).shift_remove("ownerReferences");
                            }
                        }
                    });
                }
                remove_finalizer(srv, key, obj, "orphan");
                pending = true;
                continue;
            }
            if fins.iter().any(|f| f == "foregroundDeletion") {
                if deps.is_empty() {
                    remove_finalizer(srv, key, obj, "foregroundDeletion");
                } else {
                    for (dk, d) in &deps {
                        if !is_deleting(d) {
                            delete(srv, dk, d, Propagation::Foreground);
                        }
                    }
                }
                pending = true;
                continue;
            }
            if key == "namespaces" {
                let ns = name_of(obj).to_string();
                let inside: Vec<&(String, Arc<Value>)> = all
                    .iter()
                    .filter(|(_, o)| meta_str(o, "namespace") == ns)
                    .collect();
                if inside.is_empty() {
                    rewrite(srv, key, obj, |o| {
                        o["spec"]["finalizers"] = json!([]);
                    });
                } else {
                    for (k, o) in inside {
                        if !is_deleting(o) {
                            delete(srv, k, o, Propagation::Background);
                        }
                    }
                }
                pending = true;
                continue;
            }
            if key == CRD_KEY && fins.iter().any(|f| f == CLEANUP_FINALIZER) {
                let served = srv.type_for_key(CRD_KEY).is_some();
                let crd_types = crate::crd::types_of(obj);
                let Some(storage) = crd_types.first().map(|t| t.storage_key()) else {
                    remove_finalizer(srv, key, obj, CLEANUP_FINALIZER);
                    continue;
                };
                let objs: Vec<&(String, Arc<Value>)> =
                    all.iter().filter(|(k, _)| *k == storage).collect();
                if objs.is_empty() || !served {
                    remove_finalizer(srv, key, obj, CLEANUP_FINALIZER);
                } else {
                    for (k, o) in objs {
                        if !is_deleting(o) {
                            delete(srv, k, o, Propagation::Background);
                        }
                    }
                }
                pending = true;
            }
            continue;
        }
        let owners = owner_uids(obj);
        if !owners.is_empty() && owners.iter().all(|u| !uids.contains(u)) {
            delete(srv, key, obj, Propagation::Background);
            pending = true;
        }
    }
    pending
}

/// Run the collector until the server stops: after every kick, and again while work is pending.
pub async fn run(srv: Arc<Server>) {
    loop {
        srv.gc_kick.notified().await;
        // Let a burst of deletions settle into one pass.
        tokio::time::sleep(Duration::from_millis(20)).await;
        // Repeat while passes still change something (cascades); stop when a pass is idle.
        for _ in 0..1000 {
            let before = srv.store.current_rv();
            sweep(&srv);
            if srv.store.current_rv() == before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
