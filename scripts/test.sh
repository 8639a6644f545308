#!/usr/bin/env bash
# The test command: installs every peer the tests use, then checks formatting, the generated CRDs and
# lints, and runs the whole test suite (unit, integration, conformance and e2e).
# Works on a fresh Debian bookworm machine with only the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup/all.sh

if [ ! -d ../shared ]; then
  echo "!!! ../shared is absent: tests that need Flux's CRDs, fixtures and oracles will SKIP !!!" >&2
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> generated CRDs are up to date"
cargo run --quiet -p flux-api --bin crdgen -- config/crds charts/flux-rs/crds
generated="config/crds charts/flux-rs/crds"
# shellcheck disable=SC2086
[ -z "$(git status --porcelain -- $generated)" ] || { git status --short -- $generated; echo "generated CRDs are stale: run 'make crds' and commit" >&2; exit 1; }

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

echo "==> cargo test"
cargo test --workspace --no-fail-fast
