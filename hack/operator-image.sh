#!/usr/bin/env bash
# Build the operator image without a Docker engine (Quarkus's Jib extension) and push it.
#   --base release  (default) on registry.access.redhat.com/ubi9/openjdk-17-runtime (the release
#                   base of application.properties; needs that registry, so not on our machines)
#   --base local    on the local JRE stand-in of hack/jre-base-image.sh (built first, fast path)
#   --image REF     where to push (default $LEANODE_OPERATOR_IMAGE or
#                   127.0.0.1:5000/leanode/leanode-operator:dev); a plain-HTTP registry on
#                   127.0.0.1/localhost is allowed (quarkus.container-image.insecure)
#   --maven-args    print the Maven -D flags only (for `./mvnw verify $(...)`: .ci/run builds the
#                   image in the package phase of the test run instead of a second build)
# Writes $LEANODE_STATE_DIR/operator-image.env (LEANODE_TEST_OPERATOR_IMAGE=REF), which the
# Helm-on-the-real-cluster ITs read.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
STATE_DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}"
base=release
image="${LEANODE_OPERATOR_IMAGE:-127.0.0.1:5000/leanode/leanode-operator:dev}"
print_only=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base) base="$2"; shift 2 ;;
    --image) image="$2"; shift 2 ;;
    --maven-args) print_only=1; shift ;;
    *) echo "usage: $0 [--base release|local] [--image REF] [--maven-args]" >&2; exit 2 ;;
  esac
done
die() { echo "operator-image.sh: $*" >&2; exit 1; }

# REF = registry/group/name:tag, as Quarkus's container-image properties want it
[[ "$image" =~ ^([^/]+)/(.+)/([^/:]+):([^/:]+)$ ]] || die "--image must be REGISTRY/GROUP/NAME:TAG, got $image"
registry="${BASH_REMATCH[1]}" group="${BASH_REMATCH[2]}" name="${BASH_REMATCH[3]}" tag="${BASH_REMATCH[4]}"
args=(-Dquarkus.container-image.build=true -Dquarkus.container-image.push=true
  "-Dquarkus.container-image.registry=$registry" "-Dquarkus.container-image.group=$group"
  "-Dquarkus.container-image.name=$name" "-Dquarkus.container-image.tag=$tag")
case "$registry" in
  127.0.0.1:*|localhost:*) args+=(-Dquarkus.container-image.insecure=true) ;;
esac
case "$base" in
  release) ;;
  local)
    jre="$(bash "$here/jre-base-image.sh" | tail -1)"
    # The stand-in base has UBI's run-java.sh path but not UBI's name, so Quarkus would not pick
    # UBI's entry point and environment by itself: name them as Quarkus does for UBI.
    args+=("-Dquarkus.jib.base-jvm-image=$jre"
      -Dquarkus.jib.jvm-entrypoint=/opt/jboss/container/java/run/run-java.sh
      -Dquarkus.jib.environment-variables.JAVA_APP_JAR=/home/jboss/quarkus-run.jar
      -Dquarkus.jib.environment-variables.JAVA_APP_DIR=/home/jboss
      -Dquarkus.jib.environment-variables.JAVA_OPTS_APPEND=-Djava.util.logging.manager=org.jboss.logmanager.LogManager)
    ;;
  *) die "--base must be release or local, got $base" ;;
esac
mkdir -p "$STATE_DIR"
echo "export LEANODE_TEST_OPERATOR_IMAGE=$image" > "$STATE_DIR/operator-image.env"
if [[ $print_only -eq 1 ]]; then
  printf '%s\n' "${args[@]}"
  exit 0
fi
cd "$repo"
./mvnw -B -ntp package -DskipTests "${args[@]}"
echo "operator-image.sh: pushed $image ($(skopeo inspect --raw --tls-verify=false "docker://$image" | jq '[.config.size, .layers[].size] | add') bytes compressed) in ${SECONDS}s"
