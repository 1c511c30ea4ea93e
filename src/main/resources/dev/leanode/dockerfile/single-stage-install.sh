#!/bin/sh
# The single-stage comparison with packageManager auto: the lockfile decides, as in the lean image.
if [ -f pnpm-lock.yaml ]; then corepack pnpm install; elif [ -f yarn.lock ]; then yarn install; else npm install; fi
