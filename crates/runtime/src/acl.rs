//! The cross-namespace reference policy (`--no-cross-namespace-refs`), as Flux's controllers apply
//! it: with the flag set, an object may only reference objects in its own namespace; a reference
//! elsewhere is refused with Ready=False and Stalled=True, reason `AccessDenied`, and is not retried
//! until the spec changes.

use crate::reconcile::{Disposition, ReconcileError};
use flux_api::meta::reason::ACCESS_DENIED;

/// The policy from [`crate::flags::AclFlags`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CrossNamespacePolicy {
    pub no_cross_namespace_refs: bool,
}

impl From<&crate::flags::AclFlags> for CrossNamespacePolicy {
    fn from(flags: &crate::flags::AclFlags) -> Self {
        CrossNamespacePolicy {
            no_cross_namespace_refs: flags.no_cross_namespace_refs,
        }
    }
}

impl CrossNamespacePolicy {
    pub fn new(no_cross_namespace_refs: bool) -> Self {
        CrossNamespacePolicy {
            no_cross_namespace_refs,
        }
    }

    /// Check a reference from an object in `object_namespace` to the `kind` named `name` in
    /// `ref_namespace` (None or empty: the object's own namespace).
    ///
    /// Refused references give Flux's message, e.g. `can't access 'GitRepository/flux-system/podinfo',
    /// cross-namespace references have been blocked`.
    pub fn check(
        &self,
        object_namespace: &str,
        kind: &str,
        ref_namespace: Option<&str>,
        name: &str,
    ) -> Result<(), ReconcileError> {
        let namespace = ref_namespace
            .filter(|n| !n.is_empty())
            .unwrap_or(object_namespace);
        if !self.no_cross_namespace_refs || namespace == object_namespace {
            return Ok(());
        }
        Err(access_denied(format!(
            "can't access '{kind}/{namespace}/{name}', cross-namespace references have been blocked"
        )))
    }
}

/// A refused access: Stalled with reason `AccessDenied` (for checks other than the namespace
/// policy, e.g. a source kind behind a disabled feature gate).
pub fn access_denied(message: impl Into<String>) -> ReconcileError {
    ReconcileError::new(Disposition::Stalled, ACCESS_DENIED, message)
}

/// True when `err` is an access refusal.
pub fn is_access_denied(err: &ReconcileError) -> bool {
    err.reason == ACCESS_DENIED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_namespace_references_always_pass() {
        let strict = CrossNamespacePolicy::new(true);
        assert!(
            strict
                .check("apps", "GitRepository", None, "podinfo")
                .is_ok()
        );
        assert!(
            strict
                .check("apps", "GitRepository", Some(""), "podinfo")
                .is_ok()
        );
        assert!(
            strict
                .check("apps", "GitRepository", Some("apps"), "podinfo")
                .is_ok()
        );
    }

    #[test]
    fn cross_namespace_references_are_refused_only_under_the_flag() {
        let open = CrossNamespacePolicy::new(false);
        assert!(
            open.check("apps", "GitRepository", Some("flux-system"), "podinfo")
                .is_ok()
        );
        let strict = CrossNamespacePolicy::from(&crate::flags::AclFlags {
            no_cross_namespace_refs: true,
        });
        let err = strict
            .check("apps", "GitRepository", Some("flux-system"), "podinfo")
            .unwrap_err();
        assert_eq!(err.disposition, Disposition::Stalled);
        assert_eq!(err.reason, "AccessDenied");
        assert_eq!(
            err.message,
            "can't access 'GitRepository/flux-system/podinfo', cross-namespace references have been blocked"
        );
        assert!(is_access_denied(&err));
    }
}
