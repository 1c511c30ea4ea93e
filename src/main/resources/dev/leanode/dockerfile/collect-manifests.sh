#!/bin/sh
# context stage: set the install manifests apart, so the install stages' layers are keyed on them
# only (COPY --from of a folder instead of COPY globs that may match nothing).
mkdir -p /leanode/manifests;
for f in package.json package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml pnpm-workspace.yaml .npmrc .yarnrc .yarnrc.yml .pnpmfile.cjs; do
  if [ -f "$f" ]; then cp -p "$f" /leanode/manifests/; fi;
done;
for d in .yarn/releases .yarn/plugins .yarn/patches patches; do
  if [ -d "$d" ]; then mkdir -p "/leanode/manifests/$d" && cp -Rp "$d/." "/leanode/manifests/$d/"; fi;
done;
