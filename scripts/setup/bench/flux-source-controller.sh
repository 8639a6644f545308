#!/usr/bin/env bash
# Builds Flux's own source-controller (v1.9.1, the one of Flux 2.9) from its published Go module
# through tools/peers/flux-source-controller, the reference of source-controller's side-by-side
# benchmarks. Only benchmarks need it, so scripts/setup/all.sh does not run it (a cold build
# downloads several hundred modules). Cached in
# ~/.cache/flux-rs/peers/flux-source-controller-1.9.1/source-controller; prints that path.
# `--installed` prints it when it is there (exit 1 otherwise) without building.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
dest=${XDG_CACHE_HOME:-$HOME/.cache}/flux-rs/peers/flux-source-controller-1.9.1
if [ -x "$dest/source-controller" ]; then
  echo "$dest/source-controller"
  exit 0
fi
[ "${1:-}" = "--installed" ] && exit 1
command -v go >/dev/null || { echo "flux-source-controller.sh: Go 1.26 is needed" >&2; exit 1; }
mkdir -p "$dest"
(cd "$root/tools/peers/flux-source-controller" &&
  GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 \
    go build -trimpath -o "$dest/source-controller.tmp" github.com/fluxcd/source-controller)
mv "$dest/source-controller.tmp" "$dest/source-controller"
echo "$dest/source-controller"
