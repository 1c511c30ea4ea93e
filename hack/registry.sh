#!/usr/bin/env bash
# Two local CNCF distribution (docker-registry 2.8) registries over plain HTTP:
#   127.0.0.1:5000  no auth
#   127.0.0.1:5001  htpasswd basic auth, user leanode / password leanode-test
# (ports overridable with LEANODE_REGISTRY_PORT / LEANODE_AUTH_REGISTRY_PORT for
#  isolated experiments; tests read the addresses from registry.env)
# State (config, storage, htpasswd, logs, pids) under ${LEANODE_STATE_DIR:-/tmp/leanode-ci}.
# Usage: hack/registry.sh start|stop|status
# After start:  source "${LEANODE_STATE_DIR:-/tmp/leanode-ci}/registry.env"
set -euo pipefail

STATE_DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}"
REG_DIR="$STATE_DIR/registry"
USER_NAME=leanode
USER_PASSWORD=leanode-test
HOST=127.0.0.1
PORT="${LEANODE_REGISTRY_PORT:-5000}"           # override only for isolated experiments
AUTH_PORT="${LEANODE_AUTH_REGISTRY_PORT:-5001}"
# name:port:auth
REGISTRIES=("noauth:$PORT:0" "auth:$AUTH_PORT:1")

die() { echo "registry.sh: $*" >&2; exit 1; }

pid_alive() { # $1 = pidfile; true only if that pid is still a docker-registry process
  [[ -f "$1" ]] || return 1
  local pid; pid=$(cat "$1" 2>/dev/null || true)
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep 'docker-registry serve' >/dev/null
}

http_code() { # $1 = port
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$HOST:$1/v2/" 2>/dev/null || true
}

is_up() { # $1 = port, $2 = auth(0|1)
  local code; code=$(http_code "$1")
  if [[ "$2" == 1 ]]; then [[ "$code" == 401 ]]; else [[ "$code" == 200 ]]; fi
}

write_config() { # $1 = name, $2 = port, $3 = auth
  local dir="$REG_DIR/$1"
  mkdir -p "$dir/storage"
  {
    cat <<YAML
version: 0.1
log:
  level: info
  fields:
    service: leanode-test-registry-$1
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $HOST:$2
  headers:
    X-Content-Type-Options: [nosniff]
YAML
    if [[ "$3" == 1 ]]; then
      cat <<YAML
auth:
  htpasswd:
    realm: leanode-test-registry
    path: $dir/htpasswd
YAML
    fi
  } > "$dir/config.yml"
  if [[ "$3" == 1 ]]; then
    htpasswd -Bbn "$USER_NAME" "$USER_PASSWORD" > "$dir/htpasswd"
  fi
}

write_env() {
  cat > "$STATE_DIR/registry.env" <<ENV
export LEANODE_TEST_REGISTRY=$HOST:$PORT
export LEANODE_TEST_AUTH_REGISTRY=$HOST:$AUTH_PORT
export LEANODE_TEST_REGISTRY_USER=$USER_NAME
export LEANODE_TEST_REGISTRY_PASSWORD=$USER_PASSWORD
ENV
}

start() {
  command -v docker-registry >/dev/null || die "docker-registry not found: run hack/install-tools.sh (apt-get install -y docker-registry apache2-utils)"
  command -v htpasswd >/dev/null || die "htpasswd not found: run hack/install-tools.sh (apt-get install -y apache2-utils)"
  mkdir -p "$REG_DIR"
  # serialize concurrent starts (e.g. parallel test JVMs)
  exec 9>"$REG_DIR/.lock"
  flock -w 60 9 || die "timed out waiting for $REG_DIR/.lock"
  local entry name port auth pidf
  for entry in "${REGISTRIES[@]}"; do
    IFS=: read -r name port auth <<<"$entry"
    pidf="$REG_DIR/$name.pid"
    if pid_alive "$pidf" && is_up "$port" "$auth"; then
      echo "registry $name already running on $HOST:$port (pid $(cat "$pidf"))"
      continue
    fi
    # something else (e.g. Debian's own docker-registry.service) on the port?
    if [[ -n "$(http_code "$port" | grep -v '^000$' || true)" ]]; then
      die "port $HOST:$port is already in use by a process not started by this script (stop it, e.g. 'systemctl stop docker-registry')"
    fi
    write_config "$name" "$port" "$auth"
    # 9>&-: the registry must not inherit (and hold forever) the start lock
    setsid nohup docker-registry serve "$REG_DIR/$name/config.yml" </dev/null >>"$REG_DIR/$name.log" 2>&1 9>&- &
    echo $! > "$pidf"
    echo "registry $name starting on $HOST:$port (pid $!, log $REG_DIR/$name.log)"
  done
  # bounded wait: 100 x 0.1 s
  for entry in "${REGISTRIES[@]}"; do
    IFS=: read -r name port auth <<<"$entry"
    local i ok=0
    for i in $(seq 1 100); do
      if is_up "$port" "$auth"; then ok=1; break; fi
      pid_alive "$REG_DIR/$name.pid" || break
      sleep 0.1
    done
    if [[ $ok -ne 1 ]]; then
      tail -20 "$REG_DIR/$name.log" >&2 || true
      die "registry $name did not come up on $HOST:$port (last /v2/ status: $(http_code "$port"))"
    fi
  done
  write_env
  echo "registries up: $HOST:$PORT (no auth), $HOST:$AUTH_PORT (auth $USER_NAME/$USER_PASSWORD); env: $STATE_DIR/registry.env"
}

stop() {
  local entry name port auth pidf pid
  for entry in "${REGISTRIES[@]}"; do
    IFS=: read -r name port auth <<<"$entry"
    pidf="$REG_DIR/$name.pid"
    if pid_alive "$pidf"; then
      pid=$(cat "$pidf")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
      echo "registry $name stopped (pid $pid)"
    else
      echo "registry $name not running"
    fi
    rm -f "$pidf"
  done
}

status() {
  local entry name port auth pidf rc=0
  for entry in "${REGISTRIES[@]}"; do
    IFS=: read -r name port auth <<<"$entry"
    pidf="$REG_DIR/$name.pid"
    if pid_alive "$pidf" && is_up "$port" "$auth"; then
      echo "registry $name: up on $HOST:$port (pid $(cat "$pidf"), /v2/ -> $(http_code "$port"))"
    else
      echo "registry $name: down ($HOST:$port, /v2/ -> $(http_code "$port"))"
      rc=1
    fi
  done
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
