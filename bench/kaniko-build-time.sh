#!/usr/bin/env bash
# Build time with the REAL Kaniko executor (issue 9): the seed Express app, same base, three
# Dockerfiles side by side in one run — the seed's single-stage, the seed's multi-stage and
# Leanode's — each built cold (empty layer cache) and then rebuilt after a one-line source change,
# with --cache=true --cache-repo on, as the build Job runs it:
#   podman (runc, vfs, host network), the executor image from hack/kaniko.sh, uid 0 with the Job's
#   capabilities (drop ALL + CHOWN DAC_OVERRIDE FOWNER SETGID SETUID SETFCAP KILL), no-new-privileges,
#   the CA bundle at /leanode/ca/ca.crt, the Dockerfile at /leanode/dockerfile/Dockerfile, context
#   dir:///workspace, the base through --registry-mirror=127.0.0.1:5000, push to 127.0.0.1:5000.
# Prints a table (wall time of each executor run) and, for every build, the seconds between
# Kaniko's "Building stage" lines (--log-timestamp), so a slow stage shows. Figures, never asserts.
# Usage: bench/kaniko-build-time.sh [--keep]     (logs in ${OUT:-/tmp/leanode-bench-kaniko})
#        KANIKO_ENV=FF_KANIKO_SHARED_BASE_CACHE=true bench/kaniko-build-time.sh   (one env var for the executor)
# Needs: hack/setup.sh (tools, registries, base image, Kaniko image) and the CLI jar
#        (./mvnw -o -q package -DskipTests) for `leanode dockerfile`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${OUT:-/tmp/leanode-bench-kaniko}"
APP="$ROOT/src/test/resources/apps/seed-express"
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
REGISTRY="${LEANODE_TEST_REGISTRY:-127.0.0.1:5000}"
TAG="$(tr -d ' \n' <"$ROOT/hack/kaniko/KANIKO_VERSION")"
KANIKO="$REGISTRY/leanode/kaniko-executor:$TAG"
CA=/etc/ssl/certs/ca-certificates.crt
RUN_ID="$(date +%s)"
KEEP=0
[[ "${1:-}" == --keep ]] && KEEP=1

die() { echo "kaniko-build-time: $*" >&2; exit 1; }
pm() { podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs --events-backend file "$@"; }
[[ -f "$JAR" ]] || die "no $JAR: ./mvnw -o -q package -DskipTests"
buildah --storage-driver vfs inspect --type image "$KANIKO" >/dev/null 2>&1 || die "no $KANIKO: bash hack/kaniko.sh"
[[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/")" == 200 ]] || die "registry $REGISTRY down: bash hack/registry.sh start"

rm -rf "$OUT" && mkdir -p "$OUT/ca"
cp "$CA" "$OUT/ca/ca.crt"

# kaniko VARIANT PHASE: one executor run as the Job's kaniko container; prints wall seconds
kaniko() {
  local v="$1" phase="$2" t0 t1 rc=0
  local repo="$REGISTRY/bench-kaniko/$v-$RUN_ID"
  t0=$(date +%s.%N)
  pm run --rm --pull never --network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    --user 0:0 --cap-drop all \
    --cap-add CHOWN --cap-add DAC_OVERRIDE --cap-add FOWNER --cap-add SETGID --cap-add SETUID \
    --cap-add SETFCAP --cap-add KILL --security-opt no-new-privileges \
    -v "$OUT/$v/dockerfile:/leanode/dockerfile:ro" -v "$OUT/$v/context:/workspace" -v "$OUT/ca:/leanode/ca:ro" \
    ${KANIKO_ENV:+--env "$KANIKO_ENV"} \
    "$KANIKO" \
    --dockerfile=/leanode/dockerfile/Dockerfile --context=dir:///workspace \
    --destination="$repo:1" --cache=true --cache-repo="$repo/cache" \
    --registry-mirror="$REGISTRY" --log-timestamp=true \
    >"$OUT/$v.$phase.log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  [[ $rc == 0 ]] || { tail -20 "$OUT/$v.$phase.log" >&2; die "$v $phase: executor exit $rc"; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }'
}

# stages LOG: "idx:name=seconds ..." between successive 'Building stage' lines (the last one runs
# to the final push), then the seconds spent in "Unpacking rootfs" (until the next log line).
# Kaniko's timestamps have one-second resolution.
stages() {
  awk '
    function ts(line) { if (match(line, /[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z/)) return substr(line, RSTART, RLENGTH); return "" }
    function secs(t,  cmd, r) { cmd = "date -u -d " t " +%s"; cmd | getline r; close(cmd); return r + 0 }
    { t = ts($0); if (t == "") next; now = secs(t) }
    unpacking { unpack += now - unpack_from; unpacking = 0 }
    /Building stage/ { n = $0; sub(/.*\[idx: \x27/, "", n); sub(/\x27.*/, "", n)
                       if (prev != "") printf "stage %s %ds, ", prevn, now - prev; prev = now; prevn = n }
    /Unpacking rootfs/ { unpacking = 1; unpack_from = now }
    /Pushed / { last = now }
    END { if (prev != "") printf "stage %s+push %ds; unpacking rootfs %ds", prevn, last - prev, unpack }
  ' "$1"
}

declare -A FIRST REBUILD HITS
for v in single_stage seed_multi_stage leanode; do
  mkdir -p "$OUT/$v/dockerfile" "$OUT/$v/context"
  cp -R "$APP/." "$OUT/$v/context/"
  if [[ $v == leanode ]]; then
    java -Dquarkus.http.port=0 -jar "$JAR" dockerfile --ca-bundle-path /leanode/ca/ca.crt "$APP" >"$OUT/$v/dockerfile/Dockerfile" 2>/dev/null
  else
    java -Dquarkus.http.port=0 -jar "$JAR" dockerfile --variant "$v" --ca-bundle-path /leanode/ca/ca.crt "$APP" >"$OUT/$v/dockerfile/Dockerfile" 2>/dev/null
  fi
  grep -q '^FROM' "$OUT/$v/dockerfile/Dockerfile" || die "leanode dockerfile $v produced no Dockerfile"
done
# one variant after another, first builds then rebuilds, so each rebuild has the others' load too
for v in single_stage seed_multi_stage leanode; do
  FIRST[$v]=$(kaniko "$v" first)
  echo "kaniko-build-time: $v first build ${FIRST[$v]} s" >&2
done
for v in single_stage seed_multi_stage leanode; do
  echo "// one-line change $RUN_ID" >>"$OUT/$v/context/index.js"
  REBUILD[$v]=$(kaniko "$v" rebuild)
  HITS[$v]="$(grep -c 'Using caching version of cmd' "$OUT/$v.rebuild.log" || true)/$(grep -c 'Checking for cached layer' "$OUT/$v.rebuild.log" || true)"
  echo "kaniko-build-time: $v rebuild ${REBUILD[$v]} s" >&2
done

echo
echo "Real Kaniko $TAG${KANIKO_ENV:+ ($KANIKO_ENV)} in podman (vfs, runc), seed-express, base via --registry-mirror, cache on; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| Dockerfile | first build (s) | one-line rebuild (s) | rebuild: commands from the cache / cache lookups |"
echo "|---|---|---|---|"
for v in single_stage seed_multi_stage leanode; do
  echo "| $v | ${FIRST[$v]} | ${REBUILD[$v]} | ${HITS[$v]} |"
done
echo
echo "Stage times (between Kaniko's 'Building stage' log lines; the last one includes the push):"
for v in single_stage seed_multi_stage leanode; do
  for p in first rebuild; do
    echo "- $v $p: $(stages "$OUT/$v.$p.log")"
  done
done
if [[ $KEEP == 0 ]]; then
  rm -rf "$OUT"/*/context
fi
