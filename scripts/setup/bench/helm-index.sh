#!/usr/bin/env bash
# Builds the Go reference of source-controller's Helm index benchmark from tools/peers/helm-index
# (our main.go over helm.sh/helm/v4 v4.2.1, the Helm of Flux 2.9's source-controller). Only the
# benchmark needs it, so scripts/setup/all.sh does not run it. Cached in
# ~/.cache/flux-rs/peers/helm-index-4.2.1/helm-index; prints that path.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
dest=${XDG_CACHE_HOME:-$HOME/.cache}/flux-rs/peers/helm-index-4.2.1
if [ ! -x "$dest/helm-index" ]; then
  command -v go >/dev/null || { echo "helm-index.sh: Go 1.26 is needed" >&2; exit 1; }
  mkdir -p "$dest"
  (cd "$root/tools/peers/helm-index" &&
    GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath -o "$dest/helm-index.tmp" .)
  mv "$dest/helm-index.tmp" "$dest/helm-index"
fi
echo "$dest/helm-index"
