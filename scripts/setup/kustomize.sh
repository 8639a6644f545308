#!/usr/bin/env bash
# The kustomize conformance suite needs `kubectl kustomize` (kustomize v5.5, bundled in kubectl 1.32).
set -euo pipefail
if command -v kubectl >/dev/null 2>&1 && kubectl version --client 2>/dev/null | grep -q "Kustomize Version: v5"; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
version="v1.32.4"
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
curl -fsSL -o /usr/local/bin/kubectl "https://dl.k8s.io/release/${version}/bin/linux/${arch}/kubectl"
chmod +x /usr/local/bin/kubectl
kubectl version --client
