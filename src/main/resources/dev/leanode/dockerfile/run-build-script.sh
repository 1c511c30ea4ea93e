#!/bin/sh
# builder stage: run spec.app.buildScript (@SCRIPT@, single-quoted) with the decided manager.
# $y is "yarn" or "corepack yarn": unquoted on purpose, it splits into words.
case "$(cat .leanode-pm)" in
  pnpm) corepack pnpm run @SCRIPT@ ;;
  berry) corepack yarn run @SCRIPT@ ;;
  yarn) if command -v yarn >/dev/null 2>&1; then y=yarn; else command -v corepack >/dev/null 2>&1 || npm install -g corepack; y='corepack yarn'; fi; $y run @SCRIPT@ ;;
  *) npm run @SCRIPT@ ;;
esac;
rm -rf /tmp/leanode-cache .leanode-pm;
find . -type d \( -name node_modules \) -prune -exec rm -rf {} +;
