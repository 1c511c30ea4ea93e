#!/bin/sh
# context stage of a workspace member: every workspace package's package.json joins the root's
# manifests at its own path (the install validates the lockfile against all of them).
find . -name node_modules -prune -o -name package.json -type f -print | while read -r f; do
  mkdir -p "/leanode/manifests/$(dirname "$f")" && cp -p "$f" "/leanode/manifests/$f";
done;
