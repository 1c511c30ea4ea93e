#!/bin/sh
# deps and builder stages: install from the manifests alone. @PNPM_FLAGS@, @YARN_FLAGS@ and
# @NPM_FLAGS@ are " --prod", " --production", " --omit=dev" in deps and empty in builder;
# @BERRY_INSTALL@ is install-berry-production.sh or install-berry-all.sh.
# Root lifecycle scripts go first: only the manifests are here, so they could not work.
# $y is "yarn" or "corepack yarn": unquoted on purpose, it splits into words.
node -e "const fs=require('fs'),p=JSON.parse(fs.readFileSync('package.json','utf8'));if(p.scripts){for(const s of ['preinstall','install','postinstall','prepublish','preprepare','prepare','postprepare'])delete p.scripts[s];fs.writeFileSync('package.json',JSON.stringify(p,null,2))}";
case "$(cat .leanode-pm)" in
  pnpm) command -v corepack >/dev/null 2>&1 || npm install -g corepack;
    if [ -f pnpm-lock.yaml ]; then corepack pnpm install@PNPM_FLAGS@ --frozen-lockfile; else corepack pnpm install@PNPM_FLAGS@; fi ;;
  berry) command -v corepack >/dev/null 2>&1 || npm install -g corepack;
    @BERRY_INSTALL@ ;;
  yarn) if command -v yarn >/dev/null 2>&1; then y=yarn; else command -v corepack >/dev/null 2>&1 || npm install -g corepack; y='corepack yarn'; fi;
    if [ -f yarn.lock ]; then $y install@YARN_FLAGS@ --frozen-lockfile --non-interactive; else $y install@YARN_FLAGS@ --non-interactive; fi ;;
  *) if [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then npm ci@NPM_FLAGS@; else npm install@NPM_FLAGS@; fi ;;
esac;
