#!/usr/bin/env bash
# A real Kubernetes control plane for the tests, built from the Go module proxy: kube-apiserver,
# kube-controller-manager and kube-scheduler (k8s.io/kubernetes), etcd and kwok. Each is built with
# `go build` from a wrapper go.mod of ours under tools/peers/ that only *requires* the published
# modules; nothing is copied out of the module cache. Binaries are cached by version outside the
# repo, so a second run returns at once. Prints the directory that holds the binaries.
#
# Layout: ${FLUX_RS_PEERS:-~/.cache/flux-rs/peers}/control-plane-<k8s>-<etcd>-<kwok>/
#   bin/{kube-apiserver,kube-controller-manager,kube-scheduler,etcd,kwok}
#   kwok-stages        the directory of kwok's own "fast" stages (node ready, pod running) in the module cache
# To move to another Kubernetes release, regenerate tools/peers/k8s/go.mod: one
# `go mod edit -replace=k8s.io/X=k8s.io/X@v0.Y.Z` per `=> ./staging/...` line of the new k8s.io/kubernetes
# go.mod (the proxy serves it: `go mod download -json k8s.io/kubernetes@v1.Y.Z` names the file), its
# `godebug` line, then `go get -tool k8s.io/kubernetes/cmd/<each>@v1.Y.Z`; see tools/peers/README.md.
# scripts/control-plane.sh and testkit find it through `control-plane.sh --installed` (prints the
# directory, or exits 1 when the binaries are not built yet) or $FLUX_RS_CONTROL_PLANE.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
repo="$(cd "$(dirname "$0")/../.." && pwd)"

k8s_version=1.36.3
etcd_version=3.6.16
kwok_version=0.8.0
peers=${FLUX_RS_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/flux-rs/peers}
dest=$peers/control-plane-$k8s_version-$etcd_version-$kwok_version
bins=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok)

complete() {
  for b in "${bins[@]}"; do [ -x "$dest/bin/$b" ] || return 1; done
  [ -f "$dest/kwok-stages" ] && [ -d "$(cat "$dest/kwok-stages")" ]
}
if complete; then
  echo "$dest"
  exit 0
fi
# --installed: only say where the binaries are (exit 1 when they are not built); build nothing.
[ "${1:-}" = --installed ] && exit 1

command -v go >/dev/null || { echo "control-plane.sh: Go is needed to build the control plane (go 1.26)" >&2; exit 1; }
command -v openssl >/dev/null || apt_install openssl
# Fail at once instead of fetching another toolchain; build exactly what go.mod and go.sum pin
# (readonly: a build never rewrites our wrapper modules).
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
mkdir -p "$dest/bin"
start=$(date +%s)

# The version stamp hack/lib/version.sh sets: without it /version says v0.0.0-master and
# version constraints (flux check, chart kubeVersion) fail.
minor=$(echo "$k8s_version" | cut -d. -f2)
vpkg=k8s.io/component-base/version
ldflags="-s -w -X $vpkg.gitVersion=v$k8s_version -X $vpkg.gitMajor=1 -X $vpkg.gitMinor=$minor"
ldflags+=" -X $vpkg.gitTreeState=clean -X $vpkg.buildDate=2026-01-01T00:00:00Z"

build() { # build DIR OUT PKG [LDFLAGS]
  local dir=$1 out=$2 pkg=$3 flags=${4:-"-s -w"}
  [ -x "$dest/bin/$out" ] && return 0
  echo "control-plane.sh: go build $pkg (tools/peers/$(basename "$dir"))" >&2
  (cd "$dir" && go build -trimpath -ldflags "$flags" -o "$dest/bin/$out.tmp" "$pkg")
  mv "$dest/bin/$out.tmp" "$dest/bin/$out"
}

build "$repo/tools/peers/k8s" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$ldflags"
build "$repo/tools/peers/k8s" kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager "$ldflags"
build "$repo/tools/peers/k8s" kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler "$ldflags"
build "$repo/tools/peers/etcd" etcd go.etcd.io/etcd/server/v3
build "$repo/tools/peers/kwok" kwok sigs.k8s.io/kwok/cmd/kwok

# kwok needs Stage objects; its module ships the "fast" set as a kustomize directory, which kwok
# reads directly (--config accepts a directory).
kwok_dir=$(cd "$repo/tools/peers/kwok" && go mod download -json "sigs.k8s.io/kwok@v$kwok_version" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
[ -f "$kwok_dir/kustomize/stage/fast/kustomization.yaml" ] ||
  { echo "control-plane.sh: kwok's stages not found in $kwok_dir" >&2; exit 1; }
echo "$kwok_dir/kustomize/stage/fast" >"$dest/kwok-stages"

"$dest/bin/kube-apiserver" --version >&2
echo "control-plane.sh: built in $(($(date +%s) - start)) s" >&2
complete
echo "$dest"
