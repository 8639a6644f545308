#!/usr/bin/env bash
# The test command: installs every peer the tests use (the real control plane included), then checks
# formatting, the generated CRDs and lints, and runs the whole test suite (unit, integration,
# conformance and e2e on the API emulator), then the e2e suite again on the real control plane.
# Works on a fresh Debian bookworm machine with only the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

# CI builds cold in a fresh clone on the same disk as the developer's tree: incremental state is
# never reused there and would take gigabytes, so it is off; the free space is printed so that a
# full disk is the first thing seen, not a linker's bus error.
if [ "${CI:-}" = true ]; then
  export CARGO_INCREMENTAL=0
fi
df -h . | sed 's/^/disk: /'

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

echo "==> cargo test (e2e on the API emulator)"
status=0
cargo test --workspace --no-fail-fast || status=$?

# The differential test starts both servers itself, so the first pass already ran it.
echo "==> cargo test -p e2e -p testkit -p flux-ssa (on the real control plane: FLUX_RS_CLUSTER=real)"
FLUX_RS_CLUSTER=real cargo test -p e2e -p testkit -p flux-ssa --no-fail-fast -- --skip emulator_differential || status=$?
exit $status
