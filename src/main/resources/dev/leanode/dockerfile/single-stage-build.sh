#!/bin/sh
if [ -f pnpm-lock.yaml ]; then corepack pnpm run @SCRIPT@; elif [ -f yarn.lock ]; then yarn run @SCRIPT@; else npm run @SCRIPT@; fi
