#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, built from Go modules (hack/k8s/build.sh):
# etcd, kube-apiserver (RBAC, service-account token issuing, its own serving certificate) and
# kube-controller-manager (job, garbage-collector, ttl-after-finished, serviceaccount,
# serviceaccount-token, namespace, root-ca-publisher, deployment, replicaset), one Node object for the test node agent
# (src/test/java/dev/leanode/cluster/NodeAgent.java), and the local registries (hack/registry.sh).
# There is no kubelet and no scheduler: the node agent binds and runs pods (test code).
#
# Usage: hack/cluster.sh start [--fresh]|env|stop|status
#   start  idempotent; builds the binaries on first use (cold: see hack/README.md); --fresh: if
#          etcd is not running, start it with empty data (what CI does)
#   env    prints export lines: KUBECONFIG (admin), PATH (our kubectl first),
#          LEANODE_BUILD_KANIKO_IMAGE / LEANODE_BUILD_CONTEXT_INIT_IMAGE (locally served images)
#   stop   stops the processes; `rm -rf "$LEANODE_STATE_DIR/cluster"` wipes the data too
# State under ${LEANODE_STATE_DIR:-/tmp/leanode-ci}/cluster: pki/, etcd/, *.kubeconfig, logs, pids.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
STATE_DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}"
DIR="$STATE_DIR/cluster"
PKI="$DIR/pki"
HOST=127.0.0.1
API_PORT="${LEANODE_API_PORT:-16443}"
ETCD_PORT="${LEANODE_ETCD_PORT:-12379}"
ETCD_PEER_PORT=$((ETCD_PORT + 1))
KCM_PORT="${LEANODE_KCM_PORT:-10257}"
NODE_NAME="${LEANODE_NODE_NAME:-leanode-node}"
SERVICE_CIDR=10.96.0.0/16
REGISTRY="${LEANODE_TEST_REGISTRY:-127.0.0.1:5000}"

die() { echo "cluster.sh: $*" >&2; exit 1; }
log() { echo "cluster.sh: $*" >&2; }

bin_dir() { cat "$DIR/bin-dir" 2>/dev/null || true; }

pid_alive() { # $1 = name
  local f="$DIR/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid=$(cat "$f" 2>/dev/null || true)
  # the pid must still be that component (after a stop of the machine's processes a pid is reused)
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -- "/$1 " >/dev/null
}

# ------------------------------------------------------------------ certificates

pki() {
  mkdir -p "$PKI"
  [[ -s "$PKI/ca.crt" && -s "$PKI/admin.crt" ]] && return
  command -v openssl >/dev/null || die "openssl not found: apt-get install -y openssl"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=leanode-test-ca" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  # the API server's serving certificate: loopback and the in-cluster names
  cat > "$PKI/apiserver.ext" <<EOF
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth
EOF
  client_cert apiserver "/CN=kube-apiserver" "$PKI/apiserver.ext"
  printf 'extendedKeyUsage=clientAuth\n' > "$PKI/client.ext"
  client_cert admin "/O=system:masters/CN=leanode-admin" "$PKI/client.ext"
  client_cert kcm "/CN=system:kube-controller-manager" "$PKI/client.ext"
  # the service-account token signing key (API server signs, controller-manager signs legacy ones)
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
}

# The kubelet's side of `kubectl logs`: the API server dials the node agent's log endpoint
# (src/test/java/dev/leanode/e2e/KubeletLogServer.java) with a client certificate and checks the
# agent's serving certificate against our CA, as it would a kubelet's. Separate from pki() so a
# cluster made before this step gains the files on its next start.
kubelet_pki() {
  [[ -s "$PKI/kubelet.crt" && -s "$PKI/apiserver-kubelet-client.crt" ]] && return
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$PKI/kubelet.ext"
  client_cert kubelet "/CN=leanode-node-agent" "$PKI/kubelet.ext"
  printf 'extendedKeyUsage=clientAuth\n' > "$PKI/client.ext"
  client_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$PKI/client.ext"
}

client_cert() { # name subject extfile
  openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$PKI/$1.key" -out "$PKI/$1.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -extfile "$3" -out "$PKI/$1.crt" 2>/dev/null
}

kubeconfig() { # name user-cert-name
  cat > "$DIR/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: leanode-test
  cluster:
    server: https://$HOST:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $2
  user:
    client-certificate: $PKI/$2.crt
    client-key: $PKI/$2.key
contexts:
- name: leanode-test
  context: {cluster: leanode-test, user: $2}
current-context: leanode-test
EOF
}

# ------------------------------------------------------------------ processes

spawn() { # name args...
  local name="$1"; shift
  setsid nohup "$@" </dev/null >>"$DIR/$name.log" 2>&1 9>&- &
  echo $! > "$DIR/$name.pid"
  log "$name starting (pid $!, log $DIR/$name.log)"
}

wait_for() { # name what-to-run... (bounded: 600 x 0.2 s)
  local name="$1"; shift
  for _ in $(seq 1 600); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    pid_alive "$name" || { tail -30 "$DIR/$name.log" >&2; die "$name exited during start-up"; }
    sleep 0.2
  done
  tail -30 "$DIR/$name.log" >&2
  die "$name did not become ready in 120 s"
}

api_ready() {
  curl -sf --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://$HOST:$API_PORT/readyz" | grep -x ok
}

start_etcd() {
  pid_alive etcd && return
  # --fresh (CI): a cluster that is not running starts empty, not with what an earlier session's
  # tests left in etcd (their namespaces, NodeAppImages and pods would be reconciled again)
  [[ "$FRESH" == 1 ]] && rm -rf "$DIR/etcd"
  mkdir -p "$DIR/etcd"
  spawn etcd "$1/etcd" --name leanode-test --data-dir "$DIR/etcd" \
    --listen-client-urls "http://$HOST:$ETCD_PORT" --advertise-client-urls "http://$HOST:$ETCD_PORT" \
    --listen-peer-urls "http://$HOST:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://$HOST:$ETCD_PEER_PORT" \
    --initial-cluster "leanode-test=http://$HOST:$ETCD_PEER_PORT" \
    --listen-metrics-urls "http://$HOST:$((ETCD_PORT + 2))" \
    --quota-backend-bytes=$((2 * 1024 * 1024 * 1024)) --log-level=warn --unsafe-no-fsync
  wait_for etcd curl -sf --max-time 2 "http://$HOST:$ETCD_PORT/health"
}

start_apiserver() {
  if pid_alive kube-apiserver; then
    tr '\0' ' ' <"/proc/$(cat "$DIR/kube-apiserver.pid")/cmdline" | grep -q -- --kubelet-client-certificate \
      || log "kube-apiserver runs without the kubelet client flags (started before they existed): 'cluster.sh stop && cluster.sh start' enables kubectl logs"
    return
  fi
  # --endpoint-reconciler-type=none: the 'kubernetes' Service's endpoint would be 127.0.0.1,
  # which Endpoints validation refuses (loopback); nothing here dials the Service's IP.
  spawn kube-apiserver "$1/kube-apiserver" \
    --bind-address=$HOST --advertise-address=$HOST --secure-port="$API_PORT" \
    --etcd-servers="http://$HOST:$ETCD_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" \
    --authorization-mode=RBAC --anonymous-auth=false \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range=$SERVICE_CIDR --endpoint-reconciler-type=none \
    --allow-privileged=true --profiling=false --cert-dir="$DIR/apiserver-certs" \
    --event-ttl=1h --v=1
  wait_for kube-apiserver api_ready
}

start_kcm() {
  # Only the controllers a build and the chart's Deployment need (deployment + replicaset: the
  # operator installed with helm). nodelifecycle stays off: the node agent keeps its Node Ready,
  # but a controller that evicts pods from a node without a kubelet would be a test of the
  # harness, not of Leanode.
  local controllers=job-controller,garbage-collector-controller,ttl-after-finished-controller
  controllers+=,serviceaccount-controller,serviceaccount-token-controller,namespace-controller
  controllers+=,root-ca-certificate-publisher-controller,deployment-controller,replicaset-controller
  if pid_alive kube-controller-manager; then
    # a running controller-manager of an older cluster.sh (other controllers): restart it
    [[ "$(cat "$DIR/kcm.controllers" 2>/dev/null || true)" == "$controllers" ]] && return
    local pid
    pid=$(cat "$DIR/kube-controller-manager.pid")
    log "kube-controller-manager: restarting with controllers $controllers"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  echo "$controllers" > "$DIR/kcm.controllers"
  spawn kube-controller-manager "$1/kube-controller-manager" \
    --kubeconfig="$DIR/kcm.kubeconfig" \
    --authentication-kubeconfig="$DIR/kcm.kubeconfig" --authorization-kubeconfig="$DIR/kcm.kubeconfig" \
    --bind-address=$HOST --secure-port="$KCM_PORT" \
    --controllers="$controllers" \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --use-service-account-credentials=true --leader-elect=false \
    --concurrent-job-syncs=10 --concurrent-gc-syncs=10 --v=1
  wait_for kube-controller-manager curl -sfk --max-time 2 "https://$HOST:$KCM_PORT/healthz"
}

ensure_node() {
  local kubectl="$1/kubectl"
  # the default ServiceAccount appears once the serviceaccount controller has synced
  "$kubectl" --kubeconfig "$DIR/admin.kubeconfig" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $NODE_NAME
  labels:
    kubernetes.io/hostname: $NODE_NAME
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    leanode.dev/node-agent: "true"
EOF
  for _ in $(seq 1 300); do
    "$kubectl" --kubeconfig "$DIR/admin.kubeconfig" -n default get serviceaccount default >/dev/null 2>&1 && return
    sleep 0.2
  done
  die "the default ServiceAccount did not appear (serviceaccount controller not running?)"
}

start() {
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 1200 9 || die "timed out waiting for $DIR/.lock"
  bash "$here/registry.sh" start >&2
  local bin t0
  t0=$(date +%s)
  bin="$(bash "$here/k8s/build.sh" | tail -1)"
  [[ -x "$bin/kube-apiserver" ]] || die "hack/k8s/build.sh did not produce $bin/kube-apiserver"
  echo "$bin" > "$DIR/bin-dir"
  log "binaries ready in $bin ($(( $(date +%s) - t0 )) s)"
  pki
  kubelet_pki
  kubeconfig admin admin
  kubeconfig kcm kcm
  t0=$(date +%s)
  start_etcd "$bin"
  start_apiserver "$bin"
  start_kcm "$bin"
  ensure_node "$bin"
  write_env
  log "up in $(( $(date +%s) - t0 )) s: https://$HOST:$API_PORT ($("$bin/kubectl" --kubeconfig "$DIR/admin.kubeconfig" version -o json 2>/dev/null | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)); eval \"\$(bash hack/cluster.sh env)\""
}

write_env() {
  local bin; bin="$(bin_dir)"
  cat > "$DIR/cluster.env" <<EOF
export KUBECONFIG=$DIR/admin.kubeconfig
export PATH=$bin:\$PATH
export LEANODE_TEST_CLUSTER_DIR=$DIR
export LEANODE_TEST_NODE_NAME=$NODE_NAME
export LEANODE_BUILD_KANIKO_IMAGE=$REGISTRY/leanode/kaniko-executor:$(cat "$here/kaniko/KANIKO_VERSION" 2>/dev/null || echo v1.28.3)
export LEANODE_BUILD_CONTEXT_INIT_IMAGE=$REGISTRY/library/busybox:1.37.0
EOF
}

env_() {
  [[ -f "$DIR/cluster.env" ]] || die "no cluster here: run 'bash hack/cluster.sh start' first"
  cat "$DIR/cluster.env"
}

stop() {
  local name pid
  for name in kube-controller-manager kube-apiserver etcd; do
    if pid_alive "$name"; then
      pid=$(cat "$DIR/$name.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      log "$name stopped"
    fi
    rm -f "$DIR/$name.pid"
  done
}

status() {
  local name rc=0
  for name in etcd kube-apiserver kube-controller-manager; do
    if pid_alive "$name"; then echo "$name running (pid $(cat "$DIR/$name.pid"))"; else echo "$name not running"; rc=1; fi
  done
  return $rc
}

FRESH=0
[[ "${2:-}" == --fresh ]] && FRESH=1
case "${1:-}" in
  start) start ;;
  env) env_ ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: hack/cluster.sh start|env|stop|status" ;;
esac
