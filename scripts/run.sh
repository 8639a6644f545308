#!/usr/bin/env bash
# The run command: builds flux-rs and starts it locally on the embedded default.
# Until the local GitOps run lands (API emulator + git server + controllers), this builds the `flux`
# CLI and shows what it can do today.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup/base.sh
cargo build --release -p flux
echo
./target/release/flux --help
