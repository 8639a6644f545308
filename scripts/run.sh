#!/usr/bin/env bash
# The run command: builds flux-rs and runs it on this machine with no cluster (`flux local up`): the
# API emulator, a git server serving examples/fleet as a real repository, source-controller and
# kustomize-controller, each a separate process. Ctrl-C stops them all and removes the temporary state.
# Arguments are passed to `flux local up` (see `flux local up --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup/base.sh
# Not needed by flux itself: the commands it prints for you to try use kubectl.
bash scripts/setup/kubectl.sh
cargo build --release -p flux -p kube-emulator -p source-controller -p kustomize-controller
exec "${CARGO_TARGET_DIR:-target}/release/flux" local up "$@"
