#!/usr/bin/env bash
# End-to-end check of the daemonless image-build recipe the real-build tests use:
#   tiny Express app -> multi-stage Dockerfile FROM node:22-alpine (local stand-in)
#   -> buildah bud (vfs, chroot, --pull=never, host CA mounted into RUN steps)
#   -> push to 127.0.0.1:5000 (no auth) and 127.0.0.1:5001 (basic auth)
#   -> skopeo inspect --raw -> podman run + curl -> podman stop timings (SIGTERM)
# Prints the time of every step. Exits non-zero when a step fails; never fails
# on a time (the stop times are figures, not assertions).
# Prerequisites (done here if needed): hack/install-tools.sh was run;
# registries and base image are (re)started/built via hack/registry.sh and
# hack/base-image.sh (both fast no-ops when already done).
# Usage: hack/smoke-build.sh [--keep]   (--keep: leave the temp dir and images)
set -euo pipefail

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}"
KEEP=0
[[ "${1:-}" == "--keep" ]] && KEEP=1

# The exact flags the tests must use (see hack/README.md).
BUILDAH=(buildah --storage-driver vfs)
PODMAN=(podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs --events-backend file)
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
CA_IN_BUILD=/etc/ssl/leanode/ca.crt
PORT=18080

die() { echo "smoke-build: FAILED: $*" >&2; exit 1; }
for t in buildah skopeo podman runc curl jq npm docker-registry; do
  command -v "$t" >/dev/null || die "$t not found: run hack/install-tools.sh"
done
[[ -s "$CA_BUNDLE" ]] || die "$CA_BUNDLE missing: apt-get install -y ca-certificates"

declare -a STEP_NAMES=() STEP_SECS=()
now() { date +%s.%N; }
T0=
begin() { T0=$(now); echo "==> $*"; CUR="$*"; }
end() {
  local s; s=$(awk -v a="$T0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')
  STEP_NAMES+=("$CUR"); STEP_SECS+=("$s"); echo "    ($s s)"
}

WORK=$(mktemp -d /tmp/leanode-smoke.XXXXXX)
TAG="smoke-$$"
IMG_LOCAL="" IMG_AUTH=""   # set once registry.env is read
CONTAINERS=()
cleanup() {
  local c
  for c in "${CONTAINERS[@]}"; do "${PODMAN[@]}" rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  if [[ $KEEP -eq 0 ]]; then
    [[ -n "$IMG_LOCAL" ]] && { "${BUILDAH[@]}" rmi "$IMG_LOCAL" "$IMG_AUTH" >/dev/null 2>&1 || true; }
    rm -rf "$WORK"
  else
    echo "kept: $WORK, images $IMG_LOCAL $IMG_AUTH"
  fi
}
trap cleanup EXIT

# ------------------------------------------------------------ prerequisites
begin "registries up (hack/registry.sh start)"
"$HACK_DIR/registry.sh" start
# shellcheck disable=SC1091
source "$STATE_DIR/registry.env"
IMG_LOCAL="$LEANODE_TEST_REGISTRY/leanode-smoke/express:$TAG"
IMG_AUTH="$LEANODE_TEST_AUTH_REGISTRY/leanode-smoke/express:$TAG"
end

begin "base image node:22-alpine present (hack/base-image.sh)"
"$HACK_DIR/base-image.sh"
end

# ------------------------------------------------------------------ the app
begin "write Express app + lockfile (npm install --package-lock-only on the host)"
mkdir -p "$WORK/app"
cd "$WORK/app"
cat > package.json <<'EOF'
{
  "name": "leanode-smoke",
  "version": "1.0.0",
  "private": true,
  "main": "index.js",
  "scripts": { "start": "node index.js" },
  "dependencies": { "express": "^4.21.2" }
}
EOF
cat > index.js <<'EOF'
const express = require('express');
const app = express();
const port = Number(process.env.PORT || 8080);
app.get('/', (req, res) => res.json({ ok: true, node: process.version, pid: process.pid }));
app.listen(port, () => console.log(`listening on ${port}`));
EOF
cat > Dockerfile <<'EOF'
FROM node:22-alpine AS deps
# Build-time only: the host CA bundle is bind-mounted at this path by the
# builder; ARGs are not persisted into the image (ENV would be).
ARG npm_config_cafile
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --no-update-notifier

FROM node:22-alpine
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json index.js ./
USER node
EXPOSE 8080
CMD ["node", "index.js"]
EOF
printf 'node_modules\n.git\n' > .dockerignore
npm install --package-lock-only --ignore-scripts --no-audit --no-fund --silent </dev/null
[[ -s package-lock.json ]] || die "no package-lock.json"
# generic "exit promptly on SIGTERM/SIGINT when PID 1" preload; defers to the app's own handlers
cat > "$WORK/sigterm.js" <<'EOF'
'use strict';
for (const [sig, code] of [['SIGTERM', 143], ['SIGINT', 130]]) {
  process.on(sig, function leanodeExit() {
    if (process.listenerCount(sig) === 1) process.exit(code);
  });
}
EOF
end

# -------------------------------------------------------------------- build
begin "buildah bud (vfs, chroot, --pull=never, CA volume + build-args)"
"${BUILDAH[@]}" bud --isolation chroot --pull=never --layers=false \
  --volume "$CA_BUNDLE:$CA_IN_BUILD:ro" \
  --build-arg "npm_config_cafile=$CA_IN_BUILD" \
  --build-arg "NODE_EXTRA_CA_CERTS=$CA_IN_BUILD" \
  -t "$IMG_LOCAL" . </dev/null > "$WORK/build.log" 2>&1 \
  || { tail -30 "$WORK/build.log" >&2; die "buildah bud"; }
grep -E 'STEP|^added' "$WORK/build.log" | sed 's/^/    /'
# no test-environment settings may leak into the image config
env_json=$("${BUILDAH[@]}" inspect --type image --format '{{.OCIv1.Config.Env}}' "$IMG_LOCAL")
if grep -q -E 'cafile|EXTRA_CA' <<<"$env_json"; then die "CA build-args leaked into image ENV: $env_json"; fi
end

begin "buildah push -> $LEANODE_TEST_REGISTRY (no auth)"
"${BUILDAH[@]}" push --quiet --tls-verify=false "$IMG_LOCAL" "docker://$IMG_LOCAL"
end

begin "skopeo inspect --raw (manifest from the registry)"
manifest=$(skopeo inspect --raw --tls-verify=false "docker://$IMG_LOCAL")
echo "$manifest" | jq -c '{mediaType, config: .config.size, layers: [.layers[].size]}' | sed 's/^/    /'
reg_size=$(echo "$manifest" | jq '[.config.size] + [.layers[].size] | add')
digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$IMG_LOCAL")
echo "    compressed size (config + layers) = $reg_size bytes, digest $digest"
end

begin "buildah push -> $LEANODE_TEST_AUTH_REGISTRY (--creds), unauthenticated read refused"
"${BUILDAH[@]}" tag "$IMG_LOCAL" "$IMG_AUTH"
"${BUILDAH[@]}" push --quiet --tls-verify=false \
  --creds "$LEANODE_TEST_REGISTRY_USER:$LEANODE_TEST_REGISTRY_PASSWORD" "$IMG_AUTH" "docker://$IMG_AUTH"
if skopeo inspect --raw --tls-verify=false "docker://$IMG_AUTH" >/dev/null 2>&1; then
  die "auth registry served a manifest without credentials"
fi
auth_manifest=$(skopeo inspect --raw --tls-verify=false \
  --creds "$LEANODE_TEST_REGISTRY_USER:$LEANODE_TEST_REGISTRY_PASSWORD" "docker://$IMG_AUTH")
[[ "$(echo "$auth_manifest" | jq '[.config.size] + [.layers[].size] | add')" == "$reg_size" ]] \
  || die "size differs between the two registries"
end

# ---------------------------------------------------------------------- run
wait_http() { # $1 = container; bounded: 100 x 0.1 s
  local i body
  for i in $(seq 1 100); do
    body=$(curl -s --max-time 1 "http://127.0.0.1:$PORT/" 2>/dev/null || true)
    if [[ "$body" == *'"ok":true'* ]]; then echo "    GET / -> $body"; return 0; fi
    sleep 0.1
  done
  "${PODMAN[@]}" logs "$1" >&2 || true
  die "container $1 did not answer on 127.0.0.1:$PORT"
}

# $1 = label, rest = extra podman run args and optional command
run_and_stop() {
  local label="$1"; shift
  local name="leanode-smoke-$label-$$"
  CONTAINERS+=("$name")
  begin "podman run [$label] + curl"
  "${PODMAN[@]}" run -d --name "$name" --network host \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -e PORT=$PORT "$@" >/dev/null
  wait_http "$name"
  end
  begin "podman stop -t 10 [$label]"
  "${PODMAN[@]}" stop -t 10 "$name" >/dev/null 2>"$WORK/stop-$label.err" || true
  local code; code=$("${PODMAN[@]}" inspect --format '{{.State.ExitCode}}' "$name")
  echo "    exit code $code $(grep -o 'resorting to SIGKILL' "$WORK/stop-$label.err" || true)"
  end
  STOP_RESULTS+=("$label: ${STEP_SECS[-1]} s (exit $code)")
  "${PODMAN[@]}" rm -f -t 0 "$name" >/dev/null 2>&1 || true
}

STOP_RESULTS=()
# 1. as built: CMD ["node","index.js"], node is PID 1 and has no SIGTERM handler
run_and_stop plain "$IMG_LOCAL"
# 2. CMD ["node","--require","/leanode/sigterm.js","index.js"]
run_and_stop require -v "$WORK/sigterm.js:/leanode/sigterm.js:ro" "$IMG_LOCAL" \
  node --require /leanode/sigterm.js index.js
# 3. unchanged CMD, preload through the environment
run_and_stop node-options -v "$WORK/sigterm.js:/leanode/sigterm.js:ro" \
  -e NODE_OPTIONS=--require=/leanode/sigterm.js "$IMG_LOCAL"
# 4. podman --init (catatonit as PID 1) when catatonit is installed
if [[ -x /usr/libexec/podman/catatonit ]]; then
  run_and_stop init --init "$IMG_LOCAL"
fi

echo
echo "==== smoke-build timings ===="
for i in "${!STEP_NAMES[@]}"; do printf '%7s s  %s\n' "${STEP_SECS[$i]}" "${STEP_NAMES[$i]}"; done
echo "==== SIGTERM stop times (podman stop -t 10) ===="
printf '  %s\n' "${STOP_RESULTS[@]}"
echo "smoke-build: OK ($IMG_LOCAL, $reg_size bytes compressed, $digest)"
