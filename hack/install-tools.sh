#!/usr/bin/env bash
# Install the tools the real-build tests need (buildah, skopeo, podman, runc,
# CNCF distribution registry, htpasswd, static busybox, ...) from Debian apt.
# Idempotent: when every tool is already on PATH, apt is not touched at all.
# Usage: hack/install-tools.sh [--force]
set -euo pipefail

FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

# command -> Debian package that provides it
declare -A TOOLS=(
  [buildah]=buildah
  [skopeo]=skopeo
  [docker-registry]=docker-registry
  [htpasswd]=apache2-utils
  [busybox]=busybox-static
  [podman]=podman
  [runc]=runc
  [git]=git
  [curl]=curl
  [jq]=jq
  [shellcheck]=shellcheck
  [openssl]=openssl
  [npm]=npm
  [debootstrap]=debootstrap
)
PACKAGES=(buildah skopeo docker-registry apache2-utils busybox-static podman runc git curl ca-certificates jq shellcheck openssl debootstrap)

missing=()
for cmd in "${!TOOLS[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
# busybox must be the *static* one: it is copied into the scratch base image.
if command -v busybox >/dev/null 2>&1 && ! dpkg -s busybox-static >/dev/null 2>&1; then
  missing+=("busybox-static")
fi
[[ -s /etc/ssl/certs/ca-certificates.crt ]] || missing+=("ca-certificates")

if [[ ${#missing[@]} -eq 0 && $FORCE -eq 0 ]]; then
  echo "install-tools: all tools present, skipping apt"
else
  echo "install-tools: missing: ${missing[*]:-none (forced)}"
  if [[ $(id -u) -ne 0 ]]; then
    SUDO=sudo
  else
    SUDO=
  fi
  # npm is only installed from apt if the machine has no node/npm at all
  # (the CI machines ship Node 20 + npm already).
  command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
  export DEBIAN_FRONTEND=noninteractive
  retry() { local i; for i in 1 2 3; do "$@" && return 0; echo "install-tools: retry $i: $*" >&2; sleep $((i * 5)); done; return 1; }
  retry $SUDO apt-get update -qq
  retry $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" </dev/null
fi

echo "---- tool versions ----"
buildah --version
skopeo --version
podman --version 2>/dev/null | sed -n 1p
runc --version | sed -n 1p
echo "docker-registry $(docker-registry --version 2>&1 | sed -n 1p)"
echo "htpasswd: $(dpkg-query -W -f='${Package} ${Version}' apache2-utils)"
busybox 2>&1 | sed -n 1p
git --version
curl --version | sed -n 1p
jq --version
shellcheck --version | sed -n 2p
openssl version
echo "debootstrap $(dpkg-query -W -f='${Version}' debootstrap)"
echo "node $(node --version 2>/dev/null || echo absent), npm $(npm --version 2>/dev/null || echo absent)"
