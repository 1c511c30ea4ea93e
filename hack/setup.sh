#!/usr/bin/env bash
# Everything the test suite needs on this machine, idempotent (fast when already done):
# Debian tools (buildah, skopeo, podman, docker-registry, ...), the two local registries on
# 127.0.0.1:5000 (no auth) and :5001 (htpasswd), the local node:22-alpine stand-in image, and the
# node:22-bookworm-slim stand-in (Debian, debootstrap: native-addon builds apt-get their toolchain),
# and the real control plane of hack/cluster.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/install-tools.sh"
bash "$here/registry.sh" start
bash "$here/base-image.sh"
bash "$here/base-image-debian.sh"
# the real control plane (etcd, kube-apiserver, kube-controller-manager built from Go modules;
# cold build ~10 min on 2 cores, cached under .cache/ afterwards)
# CI starts the cluster empty (a stopped cluster's etcd may hold an earlier session's test objects)
if [[ "${CI:-}" == true ]]; then bash "$here/cluster.sh" start --fresh; else bash "$here/cluster.sh" start; fi
# Not here: hack/kaniko.sh (the real Kaniko executor). The Go module proxy refuses
# github.com/osscontainertools/kaniko (403 "This module version is not available"), so the executor
# cannot be built on these machines; RealKanikoIT is opt-in (-Preal-kaniko), see hack/README.md.
