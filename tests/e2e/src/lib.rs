//! The e2e harness lands with the local-run issue.
