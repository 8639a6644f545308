//! [`FluxObject`] for each Flux kind the controllers reconcile.

use crate::reconcile::FluxObject;
use flux_api::HasConditions;

impl FluxObject for flux_api::source::GitRepository {
    fn interval(&self) -> &str {
        &self.spec.interval
    }
    fn suspended(&self) -> bool {
        self.spec.suspend.unwrap_or(false)
    }
    fn status_conditions(&self) -> Vec<flux_api::Condition> {
        self.status
            .as_ref()
            .map(|s| s.conditions().to_vec())
            .unwrap_or_default()
    }
}
