#!/bin/sh
# deps/builder stage of an app whose dependencies compile native addons (node-gyp): python3, make
# and g++ from the base image's own package manager. These stages are never shipped: production
# copies only node_modules from them, so no compiler, header or package index reaches the image.
if command -v apk >/dev/null 2>&1; then apk add --no-cache python3 make g++;
elif command -v apt-get >/dev/null 2>&1; then apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*;
else echo "leanode: the base image has neither apk nor apt-get to install python3, make and g++ (spec.app.nativeBuild); use a baseImage that has them" >&2; exit 1; fi;
