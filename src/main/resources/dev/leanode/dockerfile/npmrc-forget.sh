#!/bin/sh
# The build script runs the app's own code: the npmrc copy is deleted before it starts.
rm -f @NPMRC@;
