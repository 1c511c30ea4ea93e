#!/usr/bin/env bash
# Leanness benchmark: NOT a test (never run by mvn). For every reference app under
# src/test/resources/apps it builds five Dockerfiles on the SAME local base image
# (docker.io/library/node:22-alpine from hack/base-image.sh) and prints one table row each:
#   seed-1  the seed tutorial's single-stage Dockerfile
#   seed-ms the seed tutorial's multi-stage Dockerfile
#   leanode `leanode dockerfile APP_DIR` (the CLI; column n/a when the CLI is not built)
#   fly     @flydotio/dockerfile run offline on a copy of the app (FROM rewritten, see below)
#   floor   base + production node_modules + runtime files, one COPY layer (no Dockerfile logic)
# Sizes: compressed = config + layers from `skopeo inspect --raw` after a push to the local
# registry; uncompressed = `podman image inspect --format {{.Size}}` (vfs storage shared with
# buildah); app = compressed minus the base image's compressed size. Rebuild = wall time of a
# second `buildah bud --layers` after appending one comment line to the app's entry source, and
# whether the dependency-install step came from the layer cache.
#
# Fairness rewrites (same for every variant): RUN steps get the machine's CA bundle through
# `ARG NODE_EXTRA_CA_CERTS` / `ARG npm_config_cafile` lines inserted after each FROM (ARGs do not
# persist in the image) and a read-only --volume; fly's `FROM node:${NODE_VERSION}-slim` becomes
# `FROM node:22-alpine` and its `apt-get install build-essential node-gyp ...` step is dropped
# (the base has no apt; no reference app has native modules; that step only touches fly's build
# stage, never its final image).
#
# Usage: bench/leanness.sh [APP ...]      (default: all apps)   Output: docs/benchmarks.md
# Needs: bash hack/install-tools.sh && bash hack/registry.sh start && bash hack/base-image.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APPS_DIR="$ROOT/src/test/resources/apps"
REG="${LEANODE_TEST_REGISTRY:-127.0.0.1:5000}"
BASE=docker.io/library/node:22-alpine
CA=/etc/ssl/certs/ca-certificates.crt
OUT="${BENCH_OUT:-$ROOT/docs/benchmarks.md}"
WORK="$(mktemp -d /tmp/leanode-bench.XXXXXX)"
FLY_PREFIX="${FLY_PREFIX:-/tmp/leanode-bench-fly}"
LEANODE_JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
trap 'rm -rf "$WORK"' EXIT

bah() { buildah --storage-driver vfs "$@"; }
pod() { podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"; }
log() { echo "bench: $*" >&2; }
mib() { awk -v b="$1" 'BEGIN { if (b == "" || b == "-") print "-"; else printf "%.1f", b / 1048576 }'; }
compressed() { skopeo inspect --raw --tls-verify=false "docker://$1" | jq '.config.size + ([.layers[].size] | add)'; }

app_dir() { if [[ "$1" == monorepo ]]; then echo "$APPS_DIR/monorepo/services/api"; else echo "$APPS_DIR/$1"; fi; }
entry_source() { # the file a one-line source change touches
  if [[ -f "$1/src/index.ts" ]]; then echo src/index.ts; else echo index.js; fi
}

seed_single() { cat <<'D'
FROM node:22-alpine
WORKDIR /app
COPY package*.json ./
RUN npm install
COPY . .
ENV PORT=3000
CMD ["node", "index.js"]
D
}
seed_multi() { cat <<'D'
FROM node:22-alpine AS builder
WORKDIR /app
COPY package*.json ./
RUN npm install
COPY . .

FROM node:22-alpine AS production
WORKDIR /app
COPY --from=builder /app/package*.json ./
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/index.js ./
ENV PORT=3000
CMD ["node", "index.js"]
D
}

leanode_dockerfile() { # $1 app dir -> Dockerfile on stdout, or fail
  [[ -f "$LEANODE_JAR" ]] || return 1
  java -jar "$LEANODE_JAR" dockerfile "$1" 2>/dev/null
}

fly_dockerfile() { # $1 app copy dir (modified in place) -> Dockerfile on stdout
  if [[ ! -x "$FLY_PREFIX/node_modules/.bin/dockerfile" ]]; then
    log "installing @flydotio/dockerfile into $FLY_PREFIX"
    npm install --prefix "$FLY_PREFIX" --no-audit --no-fund --loglevel=error @flydotio/dockerfile >&2
  fi
  (cd "$1" && "$FLY_PREFIX/node_modules/.bin/dockerfile" --force >/dev/null </dev/null)
  sed -E -e 's#^FROM node:\$\{NODE_VERSION\}-slim#FROM node:22-alpine#' "$1/Dockerfile" \
    | awk '/^RUN apt-get/ { skip = 1 } skip { if ($0 !~ /\\$/) skip = 0; next } { print }'
}

floor_context() { # $1 app dir, $2 out dir: production deps + runtime files, prepared on the host
  cp -R "$1/." "$2/"
  rm -f "$2/Dockerfile" "$2/.dockerignore"
  if [[ -f "$2/tsconfig.json" ]]; then
    (cd "$2" && npm ci --no-audit --no-fund --loglevel=error >&2 && npm run -s build >&2 && rm -rf src tsconfig.json node_modules)
  fi
  (cd "$2" && npm install --omit=dev --no-audit --no-fund --loglevel=error --no-package-lock >&2 \
    && rm -f yarn.lock pnpm-lock.yaml && rm -rf "$HOME/.npm/_cacache/tmp")
  printf 'FROM node:22-alpine\nENV NODE_ENV=production\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\nCMD ["node", "%s"]\n' \
    "$(node -p "require('$2/package.json').main || 'index.js'")"
}

with_ca_args() { awk '{ print } /^FROM / { print "ARG NODE_EXTRA_CA_CERTS=/leanode/ca/ca.crt"; print "ARG npm_config_cafile=/leanode/ca/ca.crt" }'; }

bud() { # $1 Dockerfile, $2 context, $3 tag, $4 log
  bah bud --isolation chroot --pull=never --layers --format docker \
    --volume "$CA:/leanode/ca/ca.crt:ro" -f "$1" -t "$3" "$2" >"$4" 2>&1
}

deps_cached() { # $1 log of the rebuild: was the dependency-install RUN served from cache?
  awk '/STEP [0-9]+\/[0-9]+: RUN .*(npm (ci|install)|yarn|pnpm)/ { want = 1; next }
       want && /Using cache/ { hit = 1 } want && /STEP/ { want = 0 }
       END { print (hit ? "reused" : "rebuilt") }' "$1"
}

measure() { # $1 app, $2 variant, $3 Dockerfile path, $4 context -> row fields
  local app="$1" variant="$2" df="$3" ctx="$4" tag="localhost/leanode-bench/$1:$2" ref="$REG/leanode-bench/$1:$2"
  local l1="$WORK/$app-$variant.1.log" l2="$WORK/$app-$variant.2.log"
  with_ca_args <"$df" >"$df.ca"
  if ! bud "$df.ca" "$ctx" "$tag" "$l1"; then
    log "$app/$variant failed: $(grep -E 'error|Error' "$l1" | tail -2 | tr '\n' ' ')"
    echo "fails|-|-|-|-|-"; return
  fi
  bah push --quiet --tls-verify=false "$tag" "docker://$ref" >/dev/null
  local c u
  c=$(compressed "$ref"); u=$(pod image inspect --format '{{.Size}}' "$tag")
  local rebuild="-" deps="-"
  if [[ "$variant" != floor ]]; then
    local src; src="$ctx/$(entry_source "$ctx")"
    echo "// bench: one-line change $(date +%s%N)" >>"$src"
    local t0 t1; t0=$(date +%s.%N)
    if bud "$df.ca" "$ctx" "$tag-rebuild" "$l2"; then
      t1=$(date +%s.%N); rebuild=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s", b - a }')
      deps=$(deps_cached "$l2")
    fi
    bah rmi "$tag-rebuild" >/dev/null 2>&1 || true
  fi
  bah rmi "$tag" >/dev/null 2>&1 || true
  echo "ok|$c|$u|$((c - BASE_C))|$rebuild|$deps"
}

command -v buildah >/dev/null && command -v skopeo >/dev/null && command -v podman >/dev/null \
  || { echo "needs: bash hack/install-tools.sh && bash hack/registry.sh start && bash hack/base-image.sh" >&2; exit 1; }
BASE_C=$(compressed "$REG/library/node:22-alpine")
BASE_U=$(pod image inspect --format '{{.Size}}' "$BASE")

apps=("$@")
[[ ${#apps[@]} -gt 0 ]] || apps=(seed-express express-heavy-dev typescript-dist yarn-app pnpm-app static-public monorepo)

rows="$WORK/rows.md"; : >"$rows"
for app in "${apps[@]}"; do
  src="$(app_dir "$app")"
  for variant in seed-1 seed-ms leanode fly floor; do
    ctx="$WORK/ctx-$app-$variant"; mkdir -p "$ctx"; cp -R "$src/." "$ctx/"
    df="$WORK/Dockerfile.$app.$variant"
    case "$variant" in
      seed-1) seed_single >"$df" ;;
      seed-ms) seed_multi >"$df" ;;
      leanode) leanode_dockerfile "$ctx" >"$df" || { echo "| $app | $variant | n/a (CLI not built) | | | | |" >>"$rows"; continue; } ;;
      fly) fly_dockerfile "$ctx" >"$df" ;;
      floor) rm -rf "$ctx"; mkdir -p "$ctx"; floor_context "$src" "$ctx" >"$df" ;;
    esac
    log "$app / $variant"
    IFS='|' read -r st c u a r d < <(measure "$app" "$variant" "$df" "$ctx")
    if [[ "$st" == ok ]]; then
      echo "| $app | $variant | $(mib "$c") | $(mib "$u") | $(mib "$a") | $r | $d |" >>"$rows"
    else
      echo "| $app | $variant | build fails | | | | |" >>"$rows"
    fi
  done
done

{
  echo "# Leanness benchmark"
  echo
  echo "Generated by \`bench/leanness.sh\` on $(date -u +%Y-%m-%d) on $(uname -m), $(nproc) cores,"
  echo "$(. /etc/os-release; echo "$PRETTY_NAME"), buildah $(buildah --version | awk '{print $3}'), vfs storage."
  echo "Base image: local stand-in for node:22-alpine, $(mib "$BASE_C") MiB compressed / $(mib "$BASE_U") MiB uncompressed."
  echo
  echo "MiB = 2^20 bytes. compressed = config + layers (skopeo inspect --raw); uncompressed = podman image inspect .Size;"
  echo "app = compressed minus base; rebuild = second \`buildah bud --layers\` after a one-line source change;"
  echo "deps = whether the dependency-install step came from the layer cache on that rebuild."
  echo
  echo "| app | variant | compressed MiB | uncompressed MiB | app MiB | rebuild | deps |"
  echo "|---|---|---|---|---|---|---|"
  cat "$rows"
} >"$OUT.table"
if [[ -f "$OUT" ]] && grep -q '^## Notes' "$OUT"; then
  { cat "$OUT.table"; echo; sed -n '/^## Notes/,$p' "$OUT"; } >"$OUT.new" && mv "$OUT.new" "$OUT"
  rm -f "$OUT.table"
else
  mv "$OUT.table" "$OUT"
fi
cat "$OUT"
