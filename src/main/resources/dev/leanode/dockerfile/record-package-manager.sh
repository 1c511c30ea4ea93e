#!/bin/sh
# The later stages read the decision from .leanode-pm; node_modules never comes from the context.
# SC2154: pm is set by detect-package-manager.sh (or the pinned choice), rendered before this.
# shellcheck disable=SC2154
echo "$pm" > /leanode/manifests/.leanode-pm;
find . -type d \( -name node_modules \) -prune -exec rm -rf {} +;
