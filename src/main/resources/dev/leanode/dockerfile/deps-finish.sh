#!/bin/sh
# An app without dependencies still gets the node_modules folder production copies; no cache stays.
mkdir -p node_modules;
rm -rf /tmp/leanode-cache;
chmod -R a+rX,go-w node_modules;
