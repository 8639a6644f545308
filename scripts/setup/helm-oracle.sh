#!/bin/bash
# Install the Helm oracle used by crates/helm's conformance suite and bench: the real Helm v4.3.0 SDK,
# a Go shared library inside the PyPI wheel helm-sdkpy 0.1.32. The wheel says Python >= 3.12 but the
# library loads from any Python 3 through ctypes, so we unpack it instead of installing it.
# Result: ${XDG_CACHE_HOME:-~/.cache}/helm-oracle/helm_sdkpy/_lib/linux-amd64/libhelm_sdkpy.so
# The renderer driving it (helm_render.py) lives in ../shared/oracles next to the repository.
set -euo pipefail
dest=${XDG_CACHE_HOME:-$HOME/.cache}/helm-oracle
lib=$dest/helm_sdkpy/_lib/linux-amd64/libhelm_sdkpy.so
if [ -f "$lib" ]; then echo "$lib"; exit 0; fi
if ! python3 -m pip --version >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q python3-pip
fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --platform manylinux2014_x86_64 helm-sdkpy==0.1.32 -d "$tmp"
python3 -m zipfile -e "$tmp"/helm_sdkpy-0.1.32-py3-none-any.whl "$dest"
test -f "$lib"
echo "$lib"
