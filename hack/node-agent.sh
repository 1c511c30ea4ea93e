#!/usr/bin/env bash
# The local playground's kubelet: runs the test node agent (src/test/java/dev/leanode/e2e/NodeAgent)
# as a background process against hack/cluster.sh's control plane, so `kubectl apply` of a
# NodeAppImage really builds (with the buildah stand-in for Kaniko, as the tests do).
# Not for CI: the tests start an agent of their own and refuse to run next to this one.
# Usage: hack/node-agent.sh start|stop|status   (log: $LEANODE_STATE_DIR/cluster/node-agent.log)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}/cluster"
pidf="$DIR/node-agent.pid"
alive() { [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; }
case "${1:-}" in
  start)
    alive && { echo "node-agent: already running (pid $(cat "$pidf"))"; exit 0; }
    eval "$(bash "$here/cluster.sh" env)"
    cd "$repo"
    ./mvnw -B -q -ntp test-compile dependency:build-classpath -Dmdep.outputFile="$DIR/node-agent.classpath" >&2
    cp="$repo/target/test-classes:$repo/target/classes:$(cat "$DIR/node-agent.classpath")"
    setsid nohup java -cp "$cp" dev.leanode.e2e.NodeAgent "$DIR/node-agent-work" </dev/null >>"$DIR/node-agent.log" 2>&1 &
    echo $! > "$pidf"
    echo "node-agent: started (pid $!, log $DIR/node-agent.log)" ;;
  stop)
    if alive; then kill "$(cat "$pidf")"; echo "node-agent: stopped"; fi
    rm -f "$pidf" ;;
  status)
    if alive; then echo "node-agent running (pid $(cat "$pidf"))"; else echo "node-agent not running"; exit 1; fi ;;
  *) echo "usage: hack/node-agent.sh start|stop|status" >&2; exit 2 ;;
esac
