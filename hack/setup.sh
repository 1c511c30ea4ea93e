#!/usr/bin/env bash
# Everything the test suite needs on this machine, idempotent (fast when already done):
# Debian tools (buildah, skopeo, podman, docker-registry, ...), the two local registries on
# 127.0.0.1:5000 (no auth) and :5001 (htpasswd), and the local node:22-alpine stand-in image.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/install-tools.sh"
bash "$here/registry.sh" start
bash "$here/base-image.sh"
bash "$here/kaniko.sh" >/dev/null
