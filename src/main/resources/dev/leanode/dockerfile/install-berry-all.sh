#!/bin/sh
if [ -f yarn.lock ]; then corepack yarn install --immutable; else corepack yarn install; fi
