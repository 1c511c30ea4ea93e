#!/bin/sh
# deps stage of a workspace member (@APP_PATH@, @APP_NAME@ single-quoted): only that workspace's
# production dependencies, its sibling workspace packages linked in. Lifecycle scripts of every
# workspace package go first: only the manifests are here. yarn 1 has no focus: it installs the
# production dependencies of every workspace.
find . -name node_modules -prune -o -name package.json -type f -print | while read -r f; do
  node -e "const fs=require('fs'),f=process.argv[1],p=JSON.parse(fs.readFileSync(f,'utf8'));if(p.scripts){for(const s of ['preinstall','install','postinstall','prepublish','preprepare','prepare','postprepare'])delete p.scripts[s];fs.writeFileSync(f,JSON.stringify(p,null,2))}" "$f";
done;
case "$(cat .leanode-pm)" in
  pnpm) command -v corepack >/dev/null 2>&1 || npm install -g corepack;
    corepack pnpm install --prod --frozen-lockfile --filter @APP_NAME@... ;;
  berry) command -v corepack >/dev/null 2>&1 || npm install -g corepack;
    corepack yarn workspaces focus @APP_NAME@ --production ;;
  yarn) if command -v yarn >/dev/null 2>&1; then y=yarn; else command -v corepack >/dev/null 2>&1 || npm install -g corepack; y='corepack yarn'; fi;
    $y install --production --frozen-lockfile --non-interactive ;;
  *) npm ci --omit=dev --workspace=@APP_PATH@ ;;
esac;
