//! [`FluxObject`] for each Flux kind the controllers reconcile.

use crate::reconcile::FluxObject;
use flux_api::HasConditions;

/// For kinds whose `spec.interval` is required and `spec.suspend` optional.
macro_rules! flux_object {
    ($kind:ty) => {
        flux_object!($kind, |_o: &$kind| None);
    };
    ($kind:ty, $retry:expr) => {
        impl FluxObject for $kind {
            fn interval(&self) -> &str {
                &self.spec.interval
            }
            fn retry_interval(&self) -> Option<&str> {
                let retry: fn(&$kind) -> Option<&str> = $retry;
                retry(self)
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
    };
}

flux_object!(flux_api::source::GitRepository);
flux_object!(flux_api::source::OCIRepository);
flux_object!(flux_api::source::Bucket);
flux_object!(flux_api::source::HelmChart);
flux_object!(
    flux_api::kustomize::Kustomization,
    |k: &flux_api::kustomize::Kustomization| k.spec.retry_interval.as_deref()
);

impl FluxObject for flux_api::source::HelmRepository {
    fn interval(&self) -> &str {
        self.spec
            .interval
            .as_deref()
            .unwrap_or(flux_api::source::HELM_REPOSITORY_DEFAULT_INTERVAL)
    }
    fn suspended(&self) -> bool {
        self.spec.suspend.unwrap_or(false)
    }
    fn is_static(&self) -> bool {
        self.spec.is_oci()
    }
    fn status_conditions(&self) -> Vec<flux_api::Condition> {
        self.status
            .as_ref()
            .map(|s| s.conditions().to_vec())
            .unwrap_or_default()
    }
}
