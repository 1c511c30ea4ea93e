#!/bin/sh
# Yarn is Berry (2+) when .yarnrc.yml exists or package.json says yarn@2 or later.
if [ "$pm" = yarn ] && { [ -f .yarnrc.yml ] || node -e "process.exit(/^yarn@([2-9]|[1-9][0-9])/.test(require('./package.json').packageManager||'')?0:1)"; }; then pm=berry; fi;
