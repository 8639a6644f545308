#!/usr/bin/env bash
# Azurite, Microsoft's Azure Storage emulator (npm `azurite` 3.35.0, the newest that runs on
# Node 20), for the Bucket tests of provider `azure` (testkit::object_store::Azurite), with
# `@azure/storage-blob` 12.32.0, the official client the tests write blobs with. SharedKey and SAS
# signatures are checked. Cached in ~/.cache/flux-rs/peers/azurite-3.35.0 (`.complete` marks a
# finished install). `azurite.sh --installed` prints that folder (exit 1 when absent).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
dest=${XDG_CACHE_HOME:-$HOME/.cache}/flux-rs/peers/azurite-3.35.0
if [ -f "$dest/.complete" ]; then
  [ "${1:-}" = "--installed" ] && echo "$dest"
  exit 0
fi
[ "${1:-}" = "--installed" ] && exit 1
command -v npm >/dev/null || { echo "azurite.sh: npm is needed" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest"
(cd "$dest" && npm install --silent --no-audit --no-fund --prefix "$dest" azurite@3.35.0 @azure/storage-blob@12.32.0 >/dev/null)
[ -x "$dest/node_modules/.bin/azurite-blob" ] && [ -d "$dest/node_modules/@azure/storage-blob" ] ||
  { echo "azurite.sh: azurite did not install" >&2; exit 1; }
touch "$dest/.complete"
echo "$dest"
