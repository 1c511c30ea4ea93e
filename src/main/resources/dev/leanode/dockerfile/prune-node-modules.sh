#!/bin/sh
# deps stage, spec.app.prune: safe: prune.cjs (written by the prune stage) over the production
# node_modules. @KEEP@ is spec.app.pruneKeep, each glob single-quoted (validated: no quotes).
node /leanode/prune.cjs node_modules @KEEP@;
