//! The status fields a reconcile writes besides the conditions: revisions, inventory, and the
//! reconciliation history (Flux's `History.Upsert`: one entry per build digest and outcome, newest
//! first, at most five).

use flux_api::kustomize::{Kustomization, ResourceInventory, Snapshot};
use flux_api::meta::Time;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// Flux keeps the last five distinct reconciliations.
pub const MAX_HISTORY: usize = 5;

/// Status fields gathered during a reconcile.
#[derive(Debug, Clone, Default)]
pub struct StatusFields {
    pub last_attempted_revision: Option<String>,
    pub last_applied_revision: Option<String>,
    pub last_applied_origin_revision: Option<String>,
    pub inventory: Option<ResourceInventory>,
    pub history: Option<Vec<Snapshot>>,
}

impl StatusFields {
    pub fn to_map(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.into(), v);
        };
        if let Some(v) = &self.last_attempted_revision {
            put("lastAttemptedRevision", json!(v));
        }
        if let Some(v) = &self.last_applied_revision {
            put("lastAppliedRevision", json!(v));
        }
        if let Some(v) = &self.last_applied_origin_revision {
            put(
                "lastAppliedOriginRevision",
                if v.is_empty() { Value::Null } else { json!(v) },
            );
        }
        if let Some(v) = &self.inventory {
            put("inventory", serde_json::to_value(v).unwrap_or(Value::Null));
        }
        if let Some(v) = &self.history {
            put("history", serde_json::to_value(v).unwrap_or(Value::Null));
        }
        m
    }

    pub fn is_empty(&self) -> bool {
        self.to_map().is_empty()
    }

    /// Record one reconciliation in the history taken from `ks`'s status.
    pub fn record_history(
        &mut self,
        ks: &Kustomization,
        digest: &str,
        duration: Duration,
        status: &str,
        metadata: BTreeMap<String, String>,
    ) {
        let mut history = self.history.take().unwrap_or_else(|| {
            ks.status
                .as_ref()
                .and_then(|s| s.history.clone())
                .unwrap_or_default()
        });
        upsert(
            &mut history,
            digest,
            Time::now(),
            duration,
            status,
            metadata,
        );
        self.history = Some(history);
    }
}

/// Flux's `History.Upsert`.
pub fn upsert(
    history: &mut Vec<Snapshot>,
    digest: &str,
    now: Time,
    duration: Duration,
    status: &str,
    metadata: BTreeMap<String, String>,
) {
    let duration = go_duration(duration);
    let metadata = Some(metadata).filter(|m| !m.is_empty());
    if let Some(entry) = history
        .iter_mut()
        .find(|e| e.digest == digest && e.last_reconciled_status == status)
    {
        entry.last_reconciled = now;
        entry.last_reconciled_duration = duration;
        entry.total_reconciliations += 1;
        entry.metadata = metadata;
    } else {
        history.push(Snapshot {
            digest: digest.to_string(),
            first_reconciled: now.clone(),
            last_reconciled: now,
            last_reconciled_duration: duration,
            last_reconciled_status: status.to_string(),
            total_reconciliations: 1,
            metadata,
        });
    }
    // Newest first; stable, so equal times keep their order.
    history.sort_by_key(|e| std::cmp::Reverse(e.last_reconciled.0));
    history.truncate(MAX_HISTORY);
}

/// A duration as Go's `time.Duration.String()` prints it (what metav1.Duration serialises).
pub fn go_duration(d: Duration) -> String {
    flux_runtime::duration::format_duration(d)
}

/// Merge `fields` into the status subresource (used when a reconcile fails: the harness writes
/// the conditions, these fields are ours).
pub async fn patch_fields(
    client: &kube::Client,
    ks: &Kustomization,
    fields: &StatusFields,
) -> Result<(), kube::Error> {
    let map = fields.to_map();
    if map.is_empty() {
        return Ok(());
    }
    let namespace = ks.metadata.namespace.clone().unwrap_or_default();
    let name = ks.metadata.name.clone().unwrap_or_default();
    let api: Api<Kustomization> = Api::namespaced(client.clone(), &namespace);
    api.patch_status(
        &name,
        &PatchParams::default(),
        &Patch::Merge(&json!({ "status": map })),
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(secs: i64) -> Time {
        Time(Utc.timestamp_opt(secs, 0).single().unwrap())
    }

    #[test]
    fn upsert_counts_repeats_and_keeps_five_newest_first() {
        let mut h = Vec::new();
        let meta = BTreeMap::from([("revision".to_string(), "main@sha1:a".to_string())]);
        upsert(
            &mut h,
            "sha256:a",
            at(1),
            Duration::from_secs(1),
            "ReconciliationSucceeded",
            meta.clone(),
        );
        upsert(
            &mut h,
            "sha256:a",
            at(2),
            Duration::from_secs(2),
            "ReconciliationSucceeded",
            meta.clone(),
        );
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].total_reconciliations, 2);
        assert_eq!(h[0].first_reconciled, at(1));
        assert_eq!(h[0].last_reconciled, at(2));
        assert_eq!(h[0].last_reconciled_duration, "2s");
        upsert(
            &mut h,
            "sha256:a",
            at(3),
            Duration::from_secs(1),
            "HealthCheckFailed",
            meta.clone(),
        );
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].last_reconciled_status, "HealthCheckFailed");
        for i in 0..10 {
            upsert(
                &mut h,
                &format!("sha256:{i}"),
                at(10 + i),
                Duration::ZERO,
                "ReconciliationSucceeded",
                meta.clone(),
            );
        }
        assert_eq!(h.len(), MAX_HISTORY);
        assert_eq!(h[0].digest, "sha256:9");
    }
}
