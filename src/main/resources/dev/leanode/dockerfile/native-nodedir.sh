#!/bin/sh
# node-gyp compiles against the base image's own Node headers instead of downloading them.
if [ -f /usr/local/include/node/common.gypi ]; then export npm_config_nodedir=/usr/local; fi;
