#!/usr/bin/env bash
# Build the local stand-in for docker.io/library/node:22-bookworm-slim (there is no Docker Hub here):
#   - Debian bookworm, debootstrap --variant=minbase from the Debian archive (reachable here),
#     trimmed as debian:bookworm-slim is (no docs/man/locales, dpkg path excludes, apt docker-clean),
#     apt sources for bookworm, bookworm-updates, bookworm-security, so apt-get works in builds
#   - the node user (groupadd/useradd 1000:1000, /home/node, bash) as the official Dockerfile makes it
#   - Node 22 / npm / corepack / yarn 1 / docker-entrypoint.sh / ENV exactly as hack/base-image.sh
#     (shared recipe in hack/lib/node-image.sh)
# Tags it docker.io/library/node:22-bookworm-slim in buildah's local storage (vfs) and pushes it to
# 127.0.0.1:5000 and 127.0.0.1:5001. Like the official image it has no compiler and no
# ca-certificates: a build that needs python3/make/g++ installs them with apt-get.
#
# Network: the Debian archive (debootstrap; .debs cached in $STATE_DIR/debootstrap-cache) and the
# npm registry (only when the tarball cache is empty).
# Fast path: image already in local storage and already in both registries -> no work.
# Usage: hack/base-image-debian.sh [--force] [--no-push]
set -euo pipefail

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}"
SCRIPT=base-image-debian.sh
IMAGE=docker.io/library/node:22-bookworm-slim
ALIASES=()
TEST_ONLY_NOTE="stand-in for node:22-bookworm-slim"
SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
# shellcheck source=hack/lib/node-image.sh
source "$HACK_DIR/lib/node-image.sh"

parse_args "$@"
require_tools debootstrap

build_rootfs() {
  local mnt="$1" debs="$STATE_DIR/debootstrap-cache"
  mkdir -p "$debs"
  log "debootstrap --variant=minbase $SUITE ($MIRROR)"
  # retried: a dropped connection to the archive should not fail CI
  local i
  for i in 1 2 3; do
    if debootstrap --variant=minbase --cache-dir="$debs" "$SUITE" "$mnt" "$MIRROR" >"$STATE_DIR/debootstrap.log" 2>&1; then
      break
    fi
    [[ $i -eq 3 ]] && { tail -30 "$STATE_DIR/debootstrap.log" >&2; die "debootstrap failed (log $STATE_DIR/debootstrap.log)"; }
    log "debootstrap retry $i"
    find "$mnt" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    sleep $((i * 5))
  done

  # --- what debian:bookworm-slim configures (debuerreotype's slim + docker tweaks)
  cat > "$mnt/etc/dpkg/dpkg.cfg.d/docker" <<'TXT'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
TXT
  cat > "$mnt/etc/apt/apt.conf.d/docker-clean" <<'TXT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
TXT
  echo 'Acquire::Languages "none";' > "$mnt/etc/apt/apt.conf.d/docker-no-languages"
  printf 'Apt::AutoRemove::SuggestsImportant "false";\n' > "$mnt/etc/apt/apt.conf.d/docker-autoremove-suggests"
  rm -f "$mnt/etc/apt/sources.list"
  cat > "$mnt/etc/apt/sources.list.d/debian.sources" <<TXT
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY_MIRROR
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
TXT
  find "$mnt/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$mnt/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$mnt"/usr/share/{man,groff,info,lintian,linda}/* "$mnt"/var/cache/apt/* "$mnt"/var/lib/apt/lists/* \
    "$mnt"/var/log/*.log "$mnt"/var/log/apt/* "$mnt"/tmp/* "$mnt"/var/cache/debconf/*-old
  find "$mnt/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true

  # --- the node user, as the official Dockerfile makes it
  chroot "$mnt" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  # no DNS config of the build host in the image (the runtime mounts its own)
  : > "$mnt/etc/resolv.conf"
}

main
