#!/usr/bin/env bash
# The real git server the tests start (testkit::git_server): git (smart HTTP through
# `git http-backend`, git-shell for ssh), OpenSSH's sshd for ssh:// and gpg for signed commits.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
pkgs=()
command -v git >/dev/null || pkgs+=(git)
command -v gpg >/dev/null || pkgs+=(gnupg)
command -v ssh >/dev/null || pkgs+=(openssh-client)
[ -x /usr/sbin/sshd ] || pkgs+=(openssh-server)
if [ ${#pkgs[@]} -gt 0 ]; then
  apt_install "${pkgs[@]}"
fi
# sshd started as root needs its privilege-separation directory.
if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
  mkdir -p /run/sshd
fi
exit 0
