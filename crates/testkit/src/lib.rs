//! Test helpers shared by integration and e2e tests: running the real `kubectl` against a
//! kubeconfig, locating the repository and the `../shared` fixtures, a real git server on
//! 127.0.0.1, the real control plane, and the process harness the e2e tests share (on the
//! emulator or the real control plane).

pub mod chart_repo;
pub mod client;
pub mod control_plane;
pub mod git_server;
pub mod kubectl;
pub mod object_store;
pub mod paths;
pub mod processes;
pub mod registry;
pub mod tls;
