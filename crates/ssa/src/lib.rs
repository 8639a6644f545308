//! Server-side apply in stages, change sets, inventory, prune and kstatus health checks: the
//! Rust counterpart of fluxcd/pkg `ssa` and the parts of fluxcd/cli-utils `kstatus` Flux uses.
//!
//! ```no_run
//! # async fn run(client: kube::Client, objects: Vec<serde_json::Value>) -> Result<(), Box<dyn std::error::Error>> {
//! use flux_ssa::{ApplyOptions, Owner, ResourceManager, WaitOptions, inventory};
//! let manager = ResourceManager::new(client, Owner {
//!     field_manager: "kustomize-controller".into(),
//!     group: "kustomize.toolkit.fluxcd.io".into(),
//! });
//! let mut objects = objects;
//! flux_ssa::normalize::normalize_objects(&mut objects);
//! manager.set_owner_labels(&mut objects, "apps", "flux-system");
//! let change_set = manager
//!     .apply_all_staged(objects, &ApplyOptions::flux("kustomize.toolkit.fluxcd.io", "kustomize-controller"))
//!     .await?;
//! println!("{}", change_set.changes_message()); // "Deployment/default/podinfo configured"
//! let inventory = inventory::from_change_set(&change_set);
//! manager.wait_for_set(&change_set.objects_without_skipped(), &WaitOptions::default()).await?;
//! # let _ = inventory; Ok(()) }
//! ```

pub mod apply;
pub mod changeset;
pub mod delete;
pub mod diff;
pub mod discovery;
mod drift;
pub mod error;
pub mod health;
pub mod inventory;
pub mod managed_fields;
pub mod manager;
pub mod normalize;
pub mod object;
pub mod sort;
pub mod wait;

pub use apply::{ApplyOptions, parse_group_kinds};
pub use changeset::{Action, ChangeSet, ChangeSetEntry};
pub use delete::{DeleteOptions, Propagation};
pub use diff::{Diff, DiffOptions};
pub use discovery::DiscoveryCache;
pub use error::{ApiFailure, ObjectError, PartialError, SsaError};
pub use health::{Status, StatusResult, compute, compute_status};
pub use managed_fields::{CleanupOptions, FieldManager, Operation};
pub use manager::{Owner, ResourceManager, set_common_metadata};
pub use object::{ObjMetadata, ObjRef};
pub use wait::{ObjectStatus, WaitError, WaitOptions, jobs_with_ttl};
