#!/bin/sh
# deps stage of a workspace member: which workspace folders the image needs (the app's and every
# workspace package a node_modules link points at), then the root's node_modules and those folders'
# moved to /leanode/node_modules-tree at their own paths (relative links stay valid under /app;
# pnpm makes a node_modules in every workspace package, needed or not); no cache stays. pnpm's
# hidden hoist (node_modules/.pnpm/node_modules) links every workspace package, needed or not: it
# decides nothing, and its links to folders left out are removed.
mkdir -p @APP_PATH@/node_modules /leanode/node_modules-tree;
find . -path '*node_modules*' ! -path '*/node_modules/.pnpm/*' -type l | while read -r l; do
  t=$(readlink -f "$l" || true);
  case "$t" in */node_modules/*|/app/node_modules) ;; /app/*) echo "${t#/app/}" ;; esac;
done | sort -u > /leanode/workspace-packages;
echo @APP_PATH@ >> /leanode/workspace-packages;
find . -path '*/node_modules/.pnpm/node_modules/*' -type l | while read -r l; do
  t=$(readlink -f "$l" || true);
  case "$t" in */node_modules/*|/app/node_modules) ;; /app/*) grep -qxF "${t#/app/}" /leanode/workspace-packages || rm -f "$l" ;; esac;
done;
find . -name node_modules -type d -prune > /tmp/leanode-node-modules;
while read -r d; do
  p=$(dirname "$d"); p=${p#./};
  if [ "$p" = . ] || grep -qxF "$p" /leanode/workspace-packages; then mkdir -p "/leanode/node_modules-tree/$p" && mv "$d" "/leanode/node_modules-tree/$d"; fi;
done < /tmp/leanode-node-modules;
rm -rf /tmp/leanode-cache /tmp/leanode-node-modules;
chmod -R a+rX,go-w /leanode/node_modules-tree;
echo "leanode: workspace folders in the image: $(tr '\n' ' ' < /leanode/workspace-packages)";
