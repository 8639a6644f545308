//! Test helpers shared by integration and e2e tests: running the real `kubectl` against a
//! kubeconfig, locating the repository and the `../shared` fixtures, a real git server on
//! 127.0.0.1, and the process harness the e2e tests share.

pub mod git_server;
pub mod kubectl;
pub mod paths;
pub mod processes;
