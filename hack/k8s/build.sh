#!/usr/bin/env bash
# Build the real control plane the tests run, from Go modules (no download sites needed):
# etcd, kube-apiserver, kube-controller-manager and kubectl at the release in hack/k8s/K8S_VERSION.
# Binaries, Go's module cache and build cache live under ${LEANODE_CACHE:-<repo>/.cache} (ignored
# by git), keyed by version, so a second run is a no-op and a version bump rebuilds only what moved.
# Prints the bin directory on stdout's last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${LEANODE_CACHE:-$repo/.cache}"
K8S_VERSION="$(cat "$here/K8S_VERSION")"
bin="$cache/bin/k8s-$K8S_VERSION"
export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
mkdir -p "$bin"
minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
cd "$here"
build() { # name package
  local name="$1" pkg="$2" t0
  if [[ -x "$bin/$name" ]]; then echo "k8s-build: $name $K8S_VERSION cached" >&2; return; fi
  t0=$(date +%s)
  go build -ldflags "$ldflags" -o "$bin/$name.tmp" "$pkg"
  mv "$bin/$name.tmp" "$bin/$name"
  echo "k8s-build: $name $K8S_VERSION built in $(( $(date +%s) - t0 )) s" >&2
}
build etcd ./etcd
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver
build kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager
build kubectl k8s.io/kubernetes/cmd/kubectl
echo "$bin"
