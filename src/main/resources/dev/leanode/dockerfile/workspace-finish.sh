#!/bin/sh
# deps stage of a workspace member: which workspace folders the image needs (the app's and every
# workspace package a node_modules link points at), then every node_modules moved to
# /leanode/node_modules-tree at its own path (relative links stay valid under /app); no cache stays.
mkdir -p @APP_PATH@/node_modules /leanode/node_modules-tree;
find . -path '*node_modules*' -type l | while read -r l; do
  t=$(readlink -f "$l" || true);
  case "$t" in */node_modules/*|/app/node_modules) ;; /app/*) echo "${t#/app/}" ;; esac;
done | sort -u > /leanode/workspace-packages;
echo @APP_PATH@ >> /leanode/workspace-packages;
find . -name node_modules -type d -prune > /tmp/leanode-node-modules;
while read -r d; do
  mkdir -p "/leanode/node_modules-tree/$(dirname "$d")" && mv "$d" "/leanode/node_modules-tree/$d";
done < /tmp/leanode-node-modules;
rm -rf /tmp/leanode-cache /tmp/leanode-node-modules;
chmod -R a+rX,go-w /leanode/node_modules-tree;
echo "leanode: workspace folders in the image: $(tr '\n' ' ' < /leanode/workspace-packages)";
