#!/bin/sh
# workspace stage: the listed workspace folders' files (sources, node_modules already dropped),
# each without the ignore list's tests, docs, dotfiles and lockfiles.
mkdir -p /leanode/image;
while read -r d; do
  if [ -d "/src/$d" ]; then mkdir -p "/leanode/image/$d" && cp -Rp "/src/$d/." "/leanode/image/$d/"; fi;
done < /leanode/workspace-packages;
while read -r d; do
  if [ -d "/leanode/image/$d" ]; then (cd "/leanode/image/$d" && rm -rf .[!.]* ..?* test tests __tests__ __mocks__ coverage docs ./*.md Dockerfile* package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml); fi;
done < /leanode/workspace-packages;
chmod -R a+rX,go-w /leanode/image;
