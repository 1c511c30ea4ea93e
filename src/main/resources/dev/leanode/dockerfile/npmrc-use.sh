#!/bin/sh
# Install steps with spec.build.npmrcSecretRef: npm, pnpm and yarn 1 read the private registries'
# settings from the copy in the build container's own volume (never a layer: Kaniko snapshots no
# mount). Absent on a cached build's skipped RUNs, which then need no registry.
if [ -f @NPMRC@ ]; then export npm_config_userconfig=@NPMRC@; fi;
