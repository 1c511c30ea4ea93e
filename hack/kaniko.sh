#!/usr/bin/env bash
# Build the real Kaniko executor (the maintained fork github.com/osscontainertools/kaniko) at the
# tag in hack/kaniko/KANIKO_VERSION and package it as the fork's deploy/Dockerfile does
# (target kaniko-executor, minus the cloud credential helpers and tini):
#   FROM scratch
#   /kaniko/executor                       static (CGO_ENABLED=0, -s -w, version stamped)
#   /kaniko (0777), /kaniko/.docker/       as the fork creates them
#   /kaniko/ssl/certs/ca-certificates.crt  the host's CA bundle (the fork copies Debian's)
#   /etc/nsswitch.conf                     hosts: files dns (the fork's files/nsswitch.conf)
#   ENV HOME=/root USER=root PATH=/usr/local/bin:/kaniko SSL_CERT_DIR=/kaniko/ssl/certs
#       DOCKER_CONFIG=/kaniko/.docker/
#   WORKDIR /workspace, ENTRYPOINT ["/kaniko/executor"]
# Also a tiny context-init image (static busybox, what the Job's prepare-context init container
# runs): 127.0.0.1:5000/library/busybox:1.37.0 (tagged docker.io/library/busybox:1.37.0 locally).
#
# The binary is cached under ${LEANODE_CACHE:-<repo>/.cache}/bin/kaniko-<tag>/executor, with Go's
# module and build caches in .../go/{mod,build} (shared with hack/k8s/build.sh).
# Where it comes from, in order:
#   1. `go install github.com/osscontainertools/kaniko/cmd/executor@<tag>` (the Go module proxy)
#   2. KANIKO_EXECUTOR=/path/to/executor: a static executor binary of that tag that you bring
#      (e.g. copied out of ghcr.io/osscontainertools/kaniko:<tag> on a machine that reaches it).
# The Go module proxy our machines reach refuses this module (403 "This module version is not
# available", every tag tried), so on them this script stops with that message: CI does not run
# it, and RealKanikoIT is opt-in (./mvnw verify -Preal-kaniko). Building it from anything but a
# registry package is not done here.
# NEVER run the executor on the host: it unpacks images over / . It runs in podman only.
# Fast path: binary cached and both images present in local storage and in the registry.
# Usage: hack/kaniko.sh [--force]     (prints the image name on the last line)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cache="${LEANODE_CACHE:-$repo/.cache}"
TAG="$(tr -d ' \n' <"$here/kaniko/KANIKO_VERSION")"
MODULE=github.com/osscontainertools/kaniko
REGISTRY="${LEANODE_TEST_REGISTRY:-127.0.0.1:5000}"
IMAGE="$REGISTRY/leanode/kaniko-executor:$TAG"
BUSYBOX_IMAGE="$REGISTRY/library/busybox:1.37.0"
BUSYBOX_LOCAL=docker.io/library/busybox:1.37.0
bin="$cache/bin/kaniko-$TAG"
FORCE=0
[[ "${1:-}" == --force ]] && FORCE=1

die() { echo "kaniko.sh: $*" >&2; exit 1; }
log() { echo "kaniko.sh: $*" >&2; }
bah() { buildah --storage-driver vfs "$@"; }
for t in go buildah skopeo busybox; do
  command -v "$t" >/dev/null || die "$t not found: run bash hack/install-tools.sh (go: Debian golang or Go 1.26 from the machine)"
done
[[ $(id -u) -eq 0 ]] || die "run as root (buildah mount of a scratch container)"
CA=/etc/ssl/certs/ca-certificates.crt
[[ -s $CA ]] || die "$CA missing: apt-get install -y ca-certificates"

export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" CGO_ENABLED=0 GOFLAGS=-buildvcs=false
mkdir -p "$bin"

# ------------------------------------------------------------------ binary
build_binary() {
  local t0 ldflags
  t0=$(date +%s)
  ldflags="-s -w -X $MODULE/pkg/version.version=$TAG"
  if GOBIN="$bin" go install -ldflags "$ldflags" "$MODULE/cmd/executor@$TAG" 2>"$bin/go-install.log"; then
    log "go install $MODULE/cmd/executor@$TAG: $(( $(date +%s) - t0 )) s"
    return
  fi
  if [[ -n "${KANIKO_EXECUTOR:-}" ]]; then
    [[ -x "$KANIKO_EXECUTOR" ]] || die "KANIKO_EXECUTOR=$KANIKO_EXECUTOR is not an executable file"
    "$KANIKO_EXECUTOR" version 2>/dev/null | grep "$TAG" >/dev/null \
      || die "KANIKO_EXECUTOR=$KANIKO_EXECUTOR does not report version $TAG"
    cp "$KANIKO_EXECUTOR" "$bin/executor.tmp" && mv "$bin/executor.tmp" "$bin/executor"
    log "executor $TAG taken from KANIKO_EXECUTOR=$KANIKO_EXECUTOR"
    return
  fi
  die "the Go module proxy did not serve $MODULE@$TAG ($(tail -1 "$bin/go-install.log")); set KANIKO_EXECUTOR to a static executor $TAG binary"
}
if [[ $FORCE == 1 || ! -x "$bin/executor" ]]; then
  build_binary
else
  log "executor $TAG cached ($bin/executor)"
fi
# (no grep -q at the end of a pipeline under pipefail: SIGPIPE)
info="$(file -b "$bin/executor")"
[[ $info == *"statically linked"* || $info == *"static-pie linked"* ]] || die "$bin/executor is not static: $info"

# ------------------------------------------------------------------ images
label_of() { bah inspect --type image --format '{{index .OCIv1.Config.Labels "io.leanode.kaniko-build"}}' "$1" 2>/dev/null || true; }
remote_label() { skopeo inspect --tls-verify=false --config "docker://$1" 2>/dev/null \
  | sed -n 's/.*"io.leanode.kaniko-build": *"\([^"]*\)".*/\1/p' | sed -n 1p || true; }
# the build id: binary + CA bundle, so a new CA or a rebuilt binary repackages
build_id="$( (sha256sum "$bin/executor" "$CA" | cut -c1-64) | sha256sum | cut -c1-16)"

package_kaniko() {
  local ctr mnt
  ctr=$(bah from --pull=never scratch)
  mnt=$(bah mount "$ctr")
  install -d -m 0777 "$mnt/kaniko"
  install -d -m 0755 "$mnt/kaniko/.docker" "$mnt/kaniko/ssl/certs" "$mnt/etc" "$mnt/workspace" "$mnt/root"
  install -m 0755 "$bin/executor" "$mnt/kaniko/executor"
  install -m 0644 "$CA" "$mnt/kaniko/ssl/certs/ca-certificates.crt"
  printf 'passwd:         compat\ngroup:          compat\nshadow:         compat\nhosts:          files dns\nnetworks:       files\n' \
    >"$mnt/etc/nsswitch.conf"
  bah umount "$ctr" >/dev/null
  bah config \
    --env HOME=/root --env USER=root --env PATH=/usr/local/bin:/kaniko \
    --env SSL_CERT_DIR=/kaniko/ssl/certs --env DOCKER_CONFIG=/kaniko/.docker/ \
    --workingdir /workspace --entrypoint '["/kaniko/executor"]' --cmd '' \
    --label "io.leanode.kaniko-build=$build_id" --label "io.leanode.kaniko-version=$TAG" \
    "$ctr"
  bah commit --quiet --rm "$ctr" "$IMAGE" >/dev/null
}

package_busybox() {
  local ctr mnt bb
  bb="$(readlink -f "$(command -v busybox)")"
  ctr=$(bah from --pull=never scratch)
  mnt=$(bah mount "$ctr")
  install -d "$mnt/bin" "$mnt/tmp" "$mnt/etc"
  chmod 1777 "$mnt/tmp"
  install -m 0755 "$bb" "$mnt/bin/busybox"
  for a in $("$bb" --list); do [[ $a == busybox ]] || ln -s busybox "$mnt/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$mnt/etc/passwd"
  bah umount "$ctr" >/dev/null
  bah config --env PATH=/bin --cmd sh --label "io.leanode.kaniko-build=busybox-$(sha256sum "$bb" | cut -c1-16)" "$ctr"
  bah commit --quiet --rm "$ctr" "$BUSYBOX_LOCAL" >/dev/null
  bah tag "$BUSYBOX_LOCAL" "$BUSYBOX_IMAGE"
}

if [[ $FORCE == 1 || "$(label_of "$IMAGE")" != "$build_id" ]]; then
  package_kaniko
  log "packaged $IMAGE"
fi
bb_id="busybox-$(sha256sum "$(readlink -f "$(command -v busybox)")" | cut -c1-16)"
if [[ $FORCE == 1 || "$(label_of "$BUSYBOX_LOCAL")" != "$bb_id" ]]; then
  package_busybox
  log "packaged $BUSYBOX_LOCAL"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$REGISTRY/v2/" || true)
[[ $code == 200 ]] || die "registry $REGISTRY not answering (run bash hack/registry.sh start)"
if [[ "$(remote_label "$IMAGE")" != "$build_id" ]]; then
  bah push --quiet --tls-verify=false "$IMAGE" "docker://$IMAGE"
  log "pushed $IMAGE"
fi
if [[ "$(remote_label "$BUSYBOX_IMAGE")" != "$bb_id" ]]; then
  bah push --quiet --tls-verify=false "$BUSYBOX_IMAGE" "docker://$BUSYBOX_IMAGE"
  log "pushed $BUSYBOX_IMAGE"
fi
# the busybox base also in the htpasswd registry (the pull-secret tests use it as a mirror)
AUTH_REGISTRY="${LEANODE_TEST_AUTH_REGISTRY:-127.0.0.1:5001}"
AUTH_CREDS="${LEANODE_TEST_REGISTRY_USER:-leanode}:${LEANODE_TEST_REGISTRY_PASSWORD:-leanode-test}"
auth_bb="$AUTH_REGISTRY/library/busybox:1.37.0"
if [[ "$(skopeo inspect --tls-verify=false --creds "$AUTH_CREDS" --config "docker://$auth_bb" 2>/dev/null \
      | sed -n 's/.*"io.leanode.kaniko-build": *"\([^"]*\)".*/\1/p' | sed -n 1p || true)" != "$bb_id" ]]; then
  skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false --dest-creds "$AUTH_CREDS" \
    "docker://$BUSYBOX_IMAGE" "docker://$auth_bb"
  log "copied $BUSYBOX_IMAGE to $auth_bb"
fi
echo "$IMAGE"
