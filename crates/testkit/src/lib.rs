//! Test helpers shared by integration and e2e tests: running the real `kubectl` against a
//! kubeconfig, and locating the repository and the `../shared` fixtures.

pub mod kubectl;
pub mod paths;
