#!/usr/bin/env bash
# Removes from the shared podman/buildah store what earlier test runs left there: the images the
# tests pushed to the local registries and pulled back (127.0.0.1:5000|5001/<test repo>), the
# build stand-in's local tags (localhost/leanode-stand-in/*) and dangling layers. Kept: the local
# base images (library/*), the operator image and its JRE base (leanode/*), Docker Hub names.
# vfs stores a full copy of every layer, so a machine that runs the ITs again and again (a CI
# machine that is only "fresh-ish") fills its disk without this. Prints the disk before and after.
set -euo pipefail
df -h / | sed 's/^/clean-test-images.sh: /'
stale=()
mapfile -t stale < <(podman images --format '{{.ID}} {{.Repository}}' |
  awk '$2 ~ /^127\.0\.0\.1:500[01]\// && $2 !~ /^127\.0\.0\.1:500[01]\/(library|leanode)\// {print $1}
       $2 ~ /^localhost\/leanode-stand-in\// {print $1}' | sort -u)
for id in "${stale[@]}"; do
  kept=0
  for name in $(podman image inspect --format '{{join .RepoTags " "}}' "$id" 2>/dev/null); do
    case "$name" in
    127.0.0.1:500[01]/library/* | 127.0.0.1:500[01]/leanode/* | docker.io/*) kept=1 ;;
    *) ;;
    esac
  done
  if ((kept)); then
    # also tagged with a kept name: only the stale tags go
    for name in $(podman image inspect --format '{{join .RepoTags " "}}' "$id" 2>/dev/null); do
      case "$name" in
      127.0.0.1:500[01]/library/* | 127.0.0.1:500[01]/leanode/* | docker.io/*) ;;
      *) podman untag "$id" "$name" 2>/dev/null || true ;;
      esac
    done
  else
    # without --force: an image a container still uses stays
    podman rmi "$id" >/dev/null 2>&1 || true
  fi
done
podman image prune -f >/dev/null 2>&1 || true
echo "clean-test-images.sh: $(podman images -q | wc -l) images left"
df -h / | sed 's/^/clean-test-images.sh: /'
