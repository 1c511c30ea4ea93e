#!/usr/bin/env bash
# Build the local stand-in for the operator image's release base,
# registry.access.redhat.com/ubi9/openjdk-17-runtime (no Red Hat registry here), with buildah,
# from scratch, and push it to the local registry:
#   - a Java 17 runtime made by jlink from the machine's JDK (java.se + the jdk.* modules the
#     operator's libraries load: unsupported, crypto.ec, management, naming.dns, zipfs, net, jfr),
#     stripped (no debug symbols, headers, man pages), with the JDK's cacerts as a real file
#   - glibc: the ldd closure of bin/java and every .so of that runtime, plus libnss_*/libresolv and
#     the loader, copied from this host (as hack/base-image.sh does for node)
#   - static busybox for /bin/sh (the entrypoint script below and `kubectl exec` debugging)
#   - the user 185 ("jboss", group 0, home /home/jboss) and the UBI image's entry point
#     /opt/jboss/container/java/run/run-java.sh, reduced to what the chart relies on:
#     `exec java -XX:MaxRAMPercentage=$JAVA_MAX_RAM_RATIO(80) $JAVA_OPTS $JAVA_OPTS_APPEND -jar $JAVA_APP_JAR`
#   - USER 185, WORKDIR /home/jboss, ENV JAVA_HOME, PATH, LANG
# Selected for the operator image with hack/operator-image.sh --base local.
#
# Fast path: the image in the registry carries the label io.leanode.jre-build equal to the hash of
# this script and the JDK's release file -> no work.
# Usage: hack/jre-base-image.sh [--force]; prints the pushed reference on its last line.
# Env: LEANODE_JRE_BASE_IMAGE (default 127.0.0.1:5000/leanode/openjdk-17-runtime:17-local),
#      JAVA_HOME (default: the JDK of `javac` on PATH).
set -euo pipefail

HACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${LEANODE_STATE_DIR:-/tmp/leanode-ci}"
IMAGE="${LEANODE_JRE_BASE_IMAGE:-127.0.0.1:5000/leanode/openjdk-17-runtime:17-local}"
STORAGE_DRIVER=vfs # all buildah/podman users of this store pass --storage-driver vfs
MODULES=java.se,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.net,jdk.jfr
LIBDIR=/lib/x86_64-linux-gnu
JAVA_USER=185

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

die() { echo "jre-base-image.sh: $*" >&2; exit 1; }
log() { echo "jre-base-image.sh: $*" >&2; }
bah() { buildah --storage-driver "$STORAGE_DRIVER" "$@"; }

[[ $(id -u) -eq 0 ]] || die "run as root (buildah mount of a scratch container needs root)"
for t in buildah skopeo busybox jq; do
  command -v "$t" >/dev/null || die "$t not found: run hack/install-tools.sh"
done
JDK="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[[ -x "$JDK/bin/jlink" && -d "$JDK/jmods" ]] || die "no jlink/jmods in $JDK: apt-get install -y openjdk-17-jdk-headless"
grep -q 'JAVA_VERSION="17' "$JDK/release" || die "$JDK is not a JDK 17 (the operator targets Java 17)"

want=$( (cat "${BASH_SOURCE[0]}" "$JDK/release") | sha256sum | cut -c1-16)
remote_label() {
  skopeo inspect --tls-verify=false "docker://$IMAGE" 2>/dev/null \
    | jq -r '.Labels["io.leanode.jre-build"] // empty' 2>/dev/null || true
}

mkdir -p "$STATE_DIR"
exec 9>"$STATE_DIR/.jre-base-image.lock"
flock -w 600 9 || die "timed out waiting for $STATE_DIR/.jre-base-image.lock"
if [[ $FORCE -eq 0 && "$(remote_label)" == "$want" ]]; then
  log "$IMAGE up to date ($want)"
  echo "$IMAGE"
  exit 0
fi

work=$(mktemp -d)
ctr=""
# shellcheck disable=SC2064
trap "[[ -n \"\$ctr\" ]] && buildah --storage-driver '$STORAGE_DRIVER' rm \"\$ctr\" >/dev/null 2>&1; rm -rf '$work'" EXIT

log "jlink $MODULES from $JDK"
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$work/jre"
# the Debian JDK's security files are links into /etc: make them real files in the image
for f in "$work/jre/lib/security/"*; do
  [[ -L "$f" ]] && cp --remove-destination -L "$f" "$f"
done
[[ -f "$work/jre/conf/security/java.security" ]] || die "jlink output has no conf/security/java.security"
find "$work/jre/conf" -type l -exec sh -c 'cp --remove-destination -L "$1" "$1"' _ {} \;

ctr=$(bah from --name "leanode-jre-base-$$" scratch)
mnt=$(bah mount "$ctr")
mkdir -p "$mnt"/{bin,usr/bin,usr/lib/jvm,etc,tmp,home/jboss,opt/jboss/container/java/run,lib64,"$LIBDIR"}
chmod 1777 "$mnt/tmp"
cp -a "$work/jre" "$mnt/usr/lib/jvm/jre-17"
ln -s /usr/lib/jvm/jre-17/bin/java "$mnt/usr/bin/java"

install -m 0755 "$(readlink -f "$(command -v busybox)")" "$mnt/bin/busybox"
for applet in sh cat ls ps env id wget; do ln -s busybox "$mnt/bin/$applet"; done

# glibc: everything bin/java and the runtime's libraries link against
mapfile -t libs < <(
  {
    echo "$LIBDIR/libresolv.so.2"
    ls "$LIBDIR"/libnss_{files,dns}.so.2 2>/dev/null
    for f in "$work/jre/bin/java" $(find "$work/jre/lib" -name '*.so'); do
      ldd "$f" 2>/dev/null | awk '/=>/ && $3 ~ /^\// {print $3} /^\t\// {print $1}'
    done
  } | sort -u
)
for f in "${libs[@]}"; do
  case "$f" in "$work"/*|*/ld-linux-x86-64.so.2) continue ;; esac
  cp -L "$f" "$mnt/$LIBDIR/$(basename "$f")"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$mnt/lib64/ld-linux-x86-64.so.2"

cat > "$mnt/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
jboss:x:$JAVA_USER:0:JBoss user:/home/jboss:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
EOF
printf 'root:x:0:\nnobody:x:65534:\n' > "$mnt/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$mnt/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$mnt/etc/hosts"
chown "$JAVA_USER:0" "$mnt/home/jboss"
chmod 775 "$mnt/home/jboss"
# The part of UBI's run-java.sh the chart and Quarkus's Jib layout rely on (JAVA_APP_JAR,
# JAVA_OPTS_APPEND, heap from the container limit); UBI's default ratio is 80 %.
cat > "$mnt/opt/jboss/container/java/run/run-java.sh" <<'EOF'
#!/bin/sh
# Leanode's local stand-in for UBI openjdk-17-runtime's run-java.sh (see hack/jre-base-image.sh)
cd "${JAVA_APP_DIR:-/home/jboss}" || exit 1
# shellcheck disable=SC2086 # JAVA_OPTS and JAVA_OPTS_APPEND are word lists by contract
exec java -XX:MaxRAMPercentage="${JAVA_MAX_RAM_RATIO:-80}" -XX:+ExitOnOutOfMemoryError \
  $JAVA_OPTS $JAVA_OPTS_APPEND -jar "${JAVA_APP_JAR:?JAVA_APP_JAR is not set}" "$@"
EOF
chmod 755 "$mnt/opt/jboss/container/java/run/run-java.sh"
bah umount "$ctr" >/dev/null

bah config \
  --env JAVA_HOME=/usr/lib/jvm/jre-17 \
  --env PATH=/usr/local/bin:/usr/bin:/bin \
  --env LANG=C.UTF-8 \
  --user "$JAVA_USER" \
  --workingdir /home/jboss \
  --entrypoint '["/opt/jboss/container/java/run/run-java.sh"]' \
  --os linux --arch amd64 \
  --label io.leanode.jre-build="$want" \
  --label io.leanode.test-only="local stand-in for registry.access.redhat.com/ubi9/openjdk-17-runtime" \
  --label io.leanode.versions="java=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$JDK/release") modules=$MODULES" \
  "$ctr"
bah commit --quiet --rm "$ctr" "$IMAGE" >/dev/null
ctr=""

check=$(bah from --quiet --pull=never --name "leanode-jre-check-$$" "$IMAGE")
rc=0
out=$(bah run --isolation chroot --user "$JAVA_USER" "$check" -- java -version 2>&1) || rc=$?
bah rm "$check" >/dev/null 2>&1 || true
[[ $rc -eq 0 ]] || die "sanity check failed (rc $rc): $out"
log "sanity: $(echo "$out" | head -1)"

bash "$HACK_DIR/registry.sh" start >/dev/null 9>&-
bah push --quiet --tls-verify=false "$IMAGE" "docker://$IMAGE"
log "pushed $IMAGE in ${SECONDS}s ($(skopeo inspect --raw --tls-verify=false "docker://$IMAGE" | jq '[.layers[].size] | add') bytes compressed)"
echo "$IMAGE"
