#!/bin/sh
# Yarn Berry has no "install --production": focus all workspaces on production dependencies.
corepack yarn workspaces focus --all --production
