//! Generic object storage with one global, monotonically increasing resourceVersion and a bounded
//! history of changes that watches replay from.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::watch;

use crate::persist::Journal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One committed change.
#[derive(Debug)]
pub struct Event {
    pub rv: u64,
    pub key: String,
    pub namespace: String,
    pub kind: EventType,
    pub object: Arc<Value>,
    /// The object before the change (MODIFIED and DELETED).
    pub prev: Option<Arc<Value>>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StoreError {
    #[error("already exists")]
    AlreadyExists,
    #[error("not found")]
    NotFound,
    #[error("resourceVersion mismatch")]
    Conflict,
    #[error("too old resource version: {requested} ({oldest})")]
    Gone { requested: u64, oldest: u64 },
}

/// (namespace, name); namespace is "" for cluster-scoped objects.
pub type ObjKey = (String, String);

#[derive(Default)]
struct Inner {
    rv: u64,
    tables: HashMap<String, BTreeMap<ObjKey, Arc<Value>>>,
    log: VecDeque<Arc<Event>>,
    /// Events with rv <= compacted are no longer in `log`.
    compacted: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    log_cap: usize,
    notify: watch::Sender<u64>,
    journal: Option<Journal>,
}

pub fn object_rv(obj: &Value) -> u64 {
    obj.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn set_rv(obj: &mut Value, rv: u64) {
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("resourceVersion".into(), Value::String(rv.to_string()));
    }
}

impl Store {
    pub fn new(log_cap: usize, journal: Option<Journal>) -> Self {
        let (notify, _) = watch::channel(0);
        Store {
            inner: Mutex::new(Inner::default()),
            log_cap: log_cap.max(1),
            notify,
            journal,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written map (all mutations are single
        // inserts/removes), so recovering from poisoning is safe.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Load objects at start-up (from persistence); no events are emitted.
    pub fn restore(&self, rv: u64, objects: Vec<(String, ObjKey, Value)>) {
        let mut inner = self.lock();
        for (key, okey, obj) in objects {
            inner.rv = inner.rv.max(object_rv(&obj));
            inner
                .tables
                .entry(key)
                .or_default()
                .insert(okey, Arc::new(obj));
        }
        inner.rv = inner.rv.max(rv);
        inner.compacted = inner.rv;
        let rv = inner.rv;
        drop(inner);
        self.notify.send_replace(rv);
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.notify.subscribe()
    }

    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, key: &str, ns: &str, name: &str) -> Option<Arc<Value>> {
        let inner = self.lock();
        inner
            .tables
            .get(key)?
            .get(&(ns.to_string(), name.to_string()))
            .cloned()
    }

    /// Objects of a resource (optionally in one namespace), ordered by (namespace, name), starting
    /// strictly after `after`; returns the list's resourceVersion too.
    pub fn list(
        &self,
        key: &str,
        ns: Option<&str>,
        after: Option<&ObjKey>,
    ) -> (Vec<Arc<Value>>, u64) {
        let inner = self.lock();
        let Some(table) = inner.tables.get(key) else {
            return (vec![], inner.rv);
        };
        let lower = match after {
            Some(k) => Bound::Excluded(k.clone()),
            None => match ns {
                Some(ns) => Bound::Included((ns.to_string(), String::new())),
                None => Bound::Unbounded,
            },
        };
        let items = table
            .range((lower, Bound::Unbounded))
            .take_while(|((ons, _), _)| ns.is_none_or(|ns| ons == ns))
            .map(|(_, v)| v.clone())
            .collect();
        (items, inner.rv)
    }

    /// Every stored object with its storage key.
    pub fn all(&self) -> (Vec<(String, Arc<Value>)>, u64) {
        let inner = self.lock();
        let mut out = Vec::new();
        for (k, table) in &inner.tables {
            for v in table.values() {
                out.push((k.clone(), v.clone()));
            }
        }
        (out, inner.rv)
    }

    fn commit(
        &self,
        inner: &mut Inner,
        key: &str,
        okey: ObjKey,
        kind: EventType,
        obj: Arc<Value>,
        prev: Option<Arc<Value>>,
    ) {
        let ev = Arc::new(Event {
            rv: inner.rv,
            key: key.to_string(),
            namespace: okey.0.clone(),
            kind,
            object: obj,
            prev,
        });
        if let Some(j) = &self.journal {
            j.append(&ev);
        }
        inner.log.push_back(ev);
        while inner.log.len() > self.log_cap {
            if let Some(old) = inner.log.pop_front() {
                inner.compacted = old.rv;
            }
        }
    }

    pub fn create(
        &self,
        key: &str,
        ns: &str,
        name: &str,
        mut obj: Value,
    ) -> Result<Arc<Value>, StoreError> {
        let mut inner = self.lock();
        let okey = (ns.to_string(), name.to_string());
        if inner.tables.get(key).is_some_and(|t| t.contains_key(&okey)) {
            return Err(StoreError::AlreadyExists);
        }
        inner.rv += 1;
        set_rv(&mut obj, inner.rv);
        let obj = Arc::new(obj);
        inner
            .tables
            .entry(key.to_string())
            .or_default()
            .insert(okey.clone(), obj.clone());
        self.commit(&mut inner, key, okey, EventType::Added, obj.clone(), None);
        let rv = inner.rv;
        drop(inner);
        self.notify.send_replace(rv);
        Ok(obj)
    }

    /// Replace an object if its current resourceVersion is `expected_rv`.
    pub fn update(
        &self,
        key: &str,
        ns: &str,
        name: &str,
        expected_rv: u64,
        mut obj: Value,
    ) -> Result<Arc<Value>, StoreError> {
        let mut inner = self.lock();
        let okey = (ns.to_string(), name.to_string());
        let prev = inner
            .tables
            .get(key)
            .and_then(|t| t.get(&okey))
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if object_rv(&prev) != expected_rv {
            return Err(StoreError::Conflict);
        }
        inner.rv += 1;
        set_rv(&mut obj, inner.rv);
        let obj = Arc::new(obj);
        inner
            .tables
            .entry(key.to_string())
            .or_default()
            .insert(okey.clone(), obj.clone());
        self.commit(
            &mut inner,
            key,
            okey,
            EventType::Modified,
            obj.clone(),
            Some(prev),
        );
        let rv = inner.rv;
        drop(inner);
        self.notify.send_replace(rv);
        Ok(obj)
    }

    /// Remove an object if its current resourceVersion is `expected_rv`.
    pub fn delete(
        &self,
        key: &str,
        ns: &str,
        name: &str,
        expected_rv: u64,
    ) -> Result<Arc<Value>, StoreError> {
        let mut inner = self.lock();
        let okey = (ns.to_string(), name.to_string());
        let prev = inner
            .tables
            .get(key)
            .and_then(|t| t.get(&okey))
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if object_rv(&prev) != expected_rv {
            return Err(StoreError::Conflict);
        }
        if let Some(t) = inner.tables.get_mut(key) {
            t.remove(&okey);
        }
        inner.rv += 1;
        let mut last = (*prev).clone();
        set_rv(&mut last, inner.rv);
        let last = Arc::new(last);
        self.commit(
            &mut inner,
            key,
            okey,
            EventType::Deleted,
            last.clone(),
            Some(prev),
        );
        let rv = inner.rv;
        drop(inner);
        self.notify.send_replace(rv);
        Ok(last)
    }

    /// Events with rv > `after`, and the store's current resourceVersion.
    pub fn events_after(&self, after: u64) -> Result<(Vec<Arc<Event>>, u64), StoreError> {
        let inner = self.lock();
        if after < inner.compacted {
            return Err(StoreError::Gone {
                requested: after,
                oldest: inner.compacted + 1,
            });
        }
        let start = inner.log.partition_point(|e| e.rv <= after);
        Ok((inner.log.range(start..).cloned().collect(), inner.rv))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cm(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}})
    }

    #[test]
    fn resource_versions_increase_and_conflicts_are_detected() {
        let s = Store::new(100, None);
        let a = s.create("configmaps", "default", "a", cm("a")).unwrap();
        let b = s.create("configmaps", "default", "b", cm("b")).unwrap();
        assert!(object_rv(&b) > object_rv(&a));
        assert_eq!(
            s.create("configmaps", "default", "a", cm("a")).unwrap_err(),
            StoreError::AlreadyExists
        );
        assert_eq!(
            s.update("configmaps", "default", "a", 999, cm("a"))
                .unwrap_err(),
            StoreError::Conflict
        );
        let a2 = s
            .update("configmaps", "default", "a", object_rv(&a), cm("a"))
            .unwrap();
        assert!(object_rv(&a2) > object_rv(&b));
        let (items, rv) = s.list("configmaps", Some("default"), None);
        assert_eq!(items.len(), 2);
        assert_eq!(rv, object_rv(&a2));
    }

    #[test]
    fn history_is_bounded_and_old_versions_are_gone() {
        let s = Store::new(2, None);
        for n in ["a", "b", "c", "d"] {
            s.create("configmaps", "default", n, cm(n)).unwrap();
        }
        assert!(matches!(s.events_after(1), Err(StoreError::Gone { .. })));
        let (evs, rv) = s.events_after(2).unwrap();
        assert_eq!(evs.len(), 2);
        assert_eq!(rv, 4);
    }
}
