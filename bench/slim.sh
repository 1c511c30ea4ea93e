#!/usr/bin/env bash
# Below-the-floor benchmark: every reference app built with Leanode's Dockerfile three ways on the
# same local base, each image pushed, measured and run:
#   standard       spec.app.runtime: standard, prune: off   (the floor: base + production deps + app)
#   minimal        runtime: minimal, prune: off              (FROM scratch + node and what it links)
#   minimal+prune  runtime: minimal, prune: safe             (the new default prune on top)
# (standard+prune, prune without the minimal runtime, with BENCH_VARIANTS="standard+prune"; its
# dependencies layer is the same as minimal+prune's.)
# Columns: compressed = config + layers of the pushed manifest (skopeo inspect --raw); base = the
# base image's layers (standard) or the runtime layer (minimal); app = the rest; uncompressed =
# podman image inspect .Size; answered = GET / on the running image (podman, host network) said
# "hello from <app>". Then start-up to first answer, standard vs minimal, seed app, median of 5
# fresh containers (podman run -d .. first HTTP 200). Figures only; nothing here fails on a number.
# Usage: bench/slim.sh [APP...]   (needs ./mvnw -B -q -ntp package -DskipTests and the local base)
# Results: $STATE/results.tsv, the Markdown table on stdout (goes into docs/benchmarks.md by hand).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APPS_DIR="$ROOT/src/test/resources/apps"
REG="${LEANODE_TEST_REGISTRY:-127.0.0.1:5000}"
BASE=docker.io/library/node:22-alpine
CA=/etc/ssl/certs/ca-certificates.crt
CA_IN_BUILD=/leanode/ca/ca.crt
STATE="${BENCH_STATE:-/var/tmp/leanode-slim}"
STORE="${BENCH_STORAGE_ROOT:-$STATE/storage}"
RUNROOT="${BENCH_RUNROOT:-/run/leanode-slim}"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
ALL_APPS=(seed-express express-heavy-dev typescript-dist yarn-app pnpm-app static-public monorepo)
# name:leanode dockerfile options; BENCH_VARIANTS picks some (e.g. "minimal+prune")
ALL_VARIANTS=("standard:--prune off" "minimal:--runtime minimal --prune off" "minimal+prune:--runtime minimal --prune safe" "standard+prune:--prune safe")
VARIANTS=()
for v in "${ALL_VARIANTS[@]}"; do
  if [[ -z "${BENCH_VARIANTS:-}" && "$v" != standard+prune:* ]] || [[ " ${BENCH_VARIANTS:-} " == *" ${v%%:*} "* ]]; then VARIANTS+=("$v"); fi
done

bah() { buildah --root "$STORE" --runroot "$RUNROOT" --storage-driver vfs "$@"; }
pod() { podman --root "$STORE" --runroot "$RUNROOT" --storage-driver vfs --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"; }
log() { echo "slim $(date +%H:%M:%S): $*" >&2; }
mib() { awk -v b="$1" 'BEGIN { if (b == "" || b == "-") print "-"; else printf "%.1f", b / 1048576 }'; }
app_dir() { if [[ "$1" == monorepo ]]; then echo "$APPS_DIR/monorepo/services/api"; else echo "$APPS_DIR/$1"; fi; }

dockerfile() { # $1 app dir, then CLI options
  local dir="$1"; shift
  java -jar "$JAR" dockerfile --ca-bundle-path "$CA_IN_BUILD" "$@" "$dir" 2>/dev/null
}

answered() { # $1 image tag, $2 expected text -> "yes" / "no: ..."; $3 (optional) file for start-up seconds
  local port name t0 t1 body i
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  name="slim-$port"
  t0=$(date +%s.%N)
  pod run -d --rm --name "$name" --network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    -e "PORT=$port" "$1" >/dev/null 2>&1 || { echo "no: podman run failed"; return; }
  body=""
  for i in $(seq 1 600); do
    body=$(curl -s --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null || true)
    [[ -n "$body" ]] && break
    sleep 0.05
  done
  t1=$(date +%s.%N)
  [[ -n "${3:-}" ]] && awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >>"$3"
  pod rm -f -t 2 "$name" >/dev/null 2>&1 || true
  if [[ "$body" == *"$2"* ]]; then echo yes; else echo "no: ${body:0:60}"; fi
}

measure() { # $1 app, $2 variant name, $3 tag -> TSV line
  local ref="$REG/slim/$1:${2/+/-}" man total base app unc
  bah push --quiet --format v2s2 --tls-verify=false "$3" "docker://$ref" >/dev/null 2>&1
  man=$(skopeo inspect --raw --tls-verify=false "docker://$ref")
  total=$(jq '.config.size + ([.layers[].size] | add)' <<<"$man")
  if [[ "$2" == standard* ]]; then
    base=$(jq -r '.layers[] | "\(.digest) \(.size)"' <<<"$man" | grep -F -f "$STATE/base-layers" | awk '{s += $2} END {print s + 0}')
  else
    base=$(jq '.layers[0].size' <<<"$man")
  fi
  app=$(jq --argjson b "$base" '([.layers[].size] | add) - $b' <<<"$man")
  unc=$(pod image inspect --format '{{.Size}}' "$3")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$total" "$base" "$app" "$unc" "$(answered "$3" "hello from ${1%-api}")"
}

[[ -f "$JAR" ]] || { echo "needs the CLI: ./mvnw -B -q -ntp package -DskipTests" >&2; exit 1; }
mkdir -p "$STATE/logs"
if ! bah inspect --type image "$BASE" >/dev/null 2>&1; then
  log "seeding $STORE with $BASE from $REG"
  bah pull --quiet --tls-verify=false "docker://$REG/library/node:22-alpine" >/dev/null
  bah tag "$REG/library/node:22-alpine" "$BASE"
fi
skopeo inspect --raw --tls-verify=false "docker://$REG/library/node:22-alpine" | jq -r '.layers[].digest' >"$STATE/base-layers"

apps=("$@"); [[ ${#apps[@]} -gt 0 ]] || apps=("${ALL_APPS[@]}")
for app in "${apps[@]}"; do
  dir="$(app_dir "$app")"
  for v in "${VARIANTS[@]}"; do
    name="${v%%:*}"; read -r -a opts <<<"${v#*:}"
    df="$STATE/logs/$app-$name.Dockerfile"
    dockerfile "$dir" "${opts[@]}" >"$df"
    tag="localhost/slim/$app:${name/+/-}"
    log "$app $name: building"
    t0=$(date +%s)
    if timeout 1200 buildah --root "$STORE" --runroot "$RUNROOT" --storage-driver vfs bud --isolation chroot \
      --pull=never --layers --format docker --volume "$CA:$CA_IN_BUILD:ro" -f "$df" -t "$tag" "$dir" \
      >"$STATE/logs/$app-$name.log" 2>&1; then
      line=$(measure "$app" "$name" "$tag")
    else
      line=$(printf '%s\t%s\t-\t-\t-\t-\tdoes not build: %s' "$app" "$name" "$(grep -m1 'leanode:' "$STATE/logs/$app-$name.log" || tail -1 "$STATE/logs/$app-$name.log")")
    fi
    log "$app $name: done in $(( $(date +%s) - t0 )) s: $line"
    echo "$line" >>"$STATE/results.tsv"
  done
done

if [[ " ${apps[*]} " == *" seed-express "* ]]; then
  for name in standard minimal; do
    : >"$STATE/startup-$name"
    for _ in 1 2 3 4 5; do answered "localhost/slim/seed-express:$name" "hello from seed-express" "$STATE/startup-$name" >/dev/null; done
    printf 'startup\t%s\t%s\n' "$name" "$(sort -n "$STATE/startup-$name" | sed -n 3p)" >>"$STATE/results.tsv"
    log "start-up $name: $(tr '\n' ' ' <"$STATE/startup-$name")"
  done
fi

echo "| app | variant | compressed total MiB | base MiB | app MiB | uncompressed MiB | answered |"
echo "|---|---|---|---|---|---|---|"
grep -v '^startup' "$STATE/results.tsv" | while IFS=$'\t' read -r a v t b p u ok; do
  echo "| $a | $v | $(mib "$t") | $(mib "$b") | $(mib "$p") | $(mib "$u") | $ok |"
done
grep '^startup' "$STATE/results.tsv" || true
