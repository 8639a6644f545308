//! Leader election through a coordination.k8s.io/v1 Lease, as controller-runtime does it: the lease
//! `<controller>-leader-election` in the runtime namespace; a standby takes over once the holder has
//! not renewed for a lease duration; the leader gives up (and the process should exit) when it cannot
//! renew within the renew deadline; on shutdown the lease is released so a standby takes over at once.

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, PostParams};
use std::time::Duration;
use tokio::sync::watch;

/// Timings, from the `--leader-election-*` flags.
#[derive(Debug, Clone, Copy)]
pub struct LeaseTimings {
    pub lease_duration: Duration,
    pub renew_deadline: Duration,
    pub retry_period: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum LeaderError {
    #[error("leader election lease {namespace}/{name}: {source}")]
    Kube {
        namespace: String,
        name: String,
        source: kube::Error,
    },
}

/// One candidate for the lease.
pub struct LeaderElector {
    api: Api<Lease>,
    namespace: String,
    name: String,
    identity: String,
    timings: LeaseTimings,
}

/// Held while leading; `lost` turns true when the lease could not be renewed in time.
pub struct Leadership {
    pub lost: watch::Receiver<bool>,
    stop: watch::Sender<bool>,
    renewer: tokio::task::JoinHandle<()>,
    elector: std::sync::Arc<LeaderElector>,
}

impl LeaderElector {
    pub fn new(
        client: kube::Client,
        namespace: &str,
        name: &str,
        identity: &str,
        timings: LeaseTimings,
    ) -> Self {
        LeaderElector {
            api: Api::namespaced(client, namespace),
            namespace: namespace.into(),
            name: name.into(),
            identity: identity.into(),
            timings,
        }
    }

    /// Wait until this candidate holds the lease, then keep renewing it in the background.
    pub async fn acquire(self) -> Result<Leadership, LeaderError> {
        loop {
            if self.try_acquire_or_renew().await? {
                break;
            }
            tokio::time::sleep(self.timings.retry_period).await;
        }
        tracing::info!(lease = %format!("{}/{}", self.namespace, self.name), identity = %self.identity, "successfully acquired lease");
        let elector = std::sync::Arc::new(self);
        let (lost_tx, lost) = watch::channel(false);
        let (stop, mut stop_rx) = watch::channel(false);
        let renewing = elector.clone();
        let renewer = tokio::spawn(async move {
            let mut last_renewal = tokio::time::Instant::now();
            loop {
                tokio::select! {
                    _ = stop_rx.changed() => return,
                    _ = tokio::time::sleep(renewing.timings.retry_period) => {}
                }
                match renewing.try_acquire_or_renew().await {
                    Ok(true) => last_renewal = tokio::time::Instant::now(),
                    Ok(false) => {
                        tracing::error!(lease = %renewing.name, "leader election lost: another holder took the lease");
                        let _ = lost_tx.send(true);
                        return;
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "failed to renew the leader election lease");
                        if last_renewal.elapsed() > renewing.timings.renew_deadline {
                            tracing::error!(lease = %renewing.name, "leader election lost: renew deadline exceeded");
                            let _ = lost_tx.send(true);
                            return;
                        }
                    }
                }
            }
        });
        Ok(Leadership {
            lost,
            stop,
            renewer,
            elector,
        })
    }

    /// One round: take the lease if it is free or expired, renew it if held; true when we hold it.
    async fn try_acquire_or_renew(&self) -> Result<bool, LeaderError> {
        let err = |source| LeaderError::Kube {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            source,
        };
        let now = MicroTime(Timestamp::now());
        let seconds = i32::try_from(self.timings.lease_duration.as_secs())
            .unwrap_or(i32::MAX)
            .max(1);
        let Some(mut lease) = self.api.get_opt(&self.name).await.map_err(err)? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.name.clone()),
                    namespace: Some(self.namespace.clone()),
                    ..Default::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(self.identity.clone()),
                    lease_duration_seconds: Some(seconds),
                    acquire_time: Some(now.clone()),
                    renew_time: Some(now),
                    lease_transitions: Some(0),
                    ..Default::default()
                }),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                // Someone else created it first.
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
                Err(e) => Err(err(e)),
            };
        };
        let spec = lease.spec.get_or_insert_with(Default::default);
        let holder = spec.holder_identity.clone().unwrap_or_default();
        let ours = holder == self.identity;
        if !ours && !holder.is_empty() && !expired(spec) {
            return Ok(false);
        }
        if !ours {
            spec.acquire_time = Some(now.clone());
            spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
        }
        spec.holder_identity = Some(self.identity.clone());
        spec.lease_duration_seconds = Some(seconds);
        spec.renew_time = Some(now);
        // The resourceVersion from the read makes this a compare-and-swap: a concurrent writer wins
        // and we see 409.
        match self
            .api
            .replace(&self.name, &PostParams::default(), &lease)
            .await
        {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(e) => Err(err(e)),
        }
    }
}

fn expired(spec: &LeaseSpec) -> bool {
    let Some(renewed) = spec.renew_time.as_ref() else {
        return true;
    };
    let duration = k8s_openapi::jiff::SignedDuration::from_secs(i64::from(
        spec.lease_duration_seconds.unwrap_or(0),
    ));
    // Sub-second precision: whole seconds would add up to a second to every takeover.
    Timestamp::now().duration_since(renewed.0) > duration
}

impl Leadership {
    /// Stop renewing and hand the lease back so a standby takes over at once.
    pub async fn release(self) {
        let _ = self.stop.send(true);
        let _ = self.renewer.await;
        let elector = &self.elector;
        if let Ok(Some(mut lease)) = elector.api.get_opt(&elector.name).await
            && let Some(spec) = lease.spec.as_mut()
            && spec.holder_identity.as_deref() == Some(elector.identity.as_str())
        {
            spec.holder_identity = None;
            spec.lease_duration_seconds = Some(1);
            if let Err(err) = elector
                .api
                .replace(&elector.name, &PostParams::default(), &lease)
                .await
            {
                tracing::warn!(error = %err, "failed to release the leader election lease");
            }
        }
    }

    /// Stop renewing without releasing, as a crashed process would.
    pub fn abandon(self) {
        self.renewer.abort();
    }
}
