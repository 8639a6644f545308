#!/usr/bin/env bash
# Installs every real peer and oracle the tests use, by running each scripts/setup/*.sh in turn.
# Safe to run again: each script returns at once when its peer is already there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for script in "$here"/*.sh; do
  case "$(basename "$script")" in all.sh|lib.sh) continue ;; esac
  echo "==> $(basename "$script")"
  bash "$script"
done
