#!/usr/bin/env bash
# The OCI registry the tests push to and pull from (testkit::registry): Debian's docker-registry
# (the CNCF distribution registry, plain HTTP, htpasswd basic auth, TLS), skopeo to copy OCI
# layouts into it, htpasswd (apache2-utils) for its bcrypt password file, and the ORAS Python
# client (oras-py) that pushes Flux-style artifacts as `flux push artifact` lays them out.
# The real `helm push` comes from helm-cli.sh. oras-py is cached in
# ~/.cache/flux-rs/peers/oras-py-0.2.43 (a virtualenv).
# `oci-registry.sh --installed` prints that folder when everything is there (exit 1 otherwise).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
venv=${XDG_CACHE_HOME:-$HOME/.cache}/flux-rs/peers/oras-py-0.2.43
installed() {
  command -v docker-registry >/dev/null && command -v skopeo >/dev/null &&
    command -v htpasswd >/dev/null && [ -x "$venv/bin/python" ] &&
    "$venv/bin/python" -c 'import oras.client, cryptography' 2>/dev/null
}
if installed; then
  [ "${1:-}" = "--installed" ] && echo "$venv"
  exit 0
fi
[ "${1:-}" = "--installed" ] && exit 1
apt_install docker-registry skopeo apache2-utils python3-venv
if [ ! -x "$venv/bin/python" ]; then
  rm -rf "$venv.tmp"
  python3 -m venv "$venv.tmp"
  "$venv.tmp/bin/python" -m pip install --quiet --disable-pip-version-check oras==0.2.43 cryptography requests
  mv "$venv.tmp" "$venv"
fi
installed || { echo "oci-registry.sh: the registry peers did not install" >&2; exit 1; }
echo "$venv"
