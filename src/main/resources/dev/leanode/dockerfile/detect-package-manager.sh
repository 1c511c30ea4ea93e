#!/bin/sh
# packageManager: auto: the lockfile decides, then package.json "packageManager", else npm.
if [ -f pnpm-lock.yaml ]; then pm=pnpm;
elif [ -f yarn.lock ]; then pm=yarn;
elif [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then pm=npm;
else pm=$(node -p "String(require('./package.json').packageManager||'npm').split('@')[0]"); fi;
case "$pm" in npm|yarn|pnpm) ;; *) pm=npm ;; esac;
