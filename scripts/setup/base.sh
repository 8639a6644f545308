#!/usr/bin/env bash
# The basics every other script and the build expect: make, git, curl, python3 with pip, a C compiler.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need=()
command -v make >/dev/null || need+=(make)
command -v git >/dev/null || need+=(git)
command -v curl >/dev/null || need+=(curl ca-certificates)
command -v cc >/dev/null || need+=(gcc libc6-dev)
command -v python3 >/dev/null || need+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
