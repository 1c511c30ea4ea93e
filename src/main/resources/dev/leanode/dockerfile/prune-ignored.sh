#!/bin/sh
# The ignore list (docs/dockerfile.md, "Runtime files and the ignore list").
# SC2035: a top-level file named like "-x.md" would be read as an option and fail the build
# (rm -rf cannot be tricked into more than that); adding "--" would change every generated
# Dockerfile and so every build input hash.
# shellcheck disable=SC2035
rm -rf .[!.]* ..?* test tests __tests__ __mocks__ coverage docs *.md Dockerfile* docker-compose*.yml docker-compose*.yaml compose.yml compose.yaml package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml;
find . -type d \( -name node_modules -o -name __tests__ -o -name __mocks__ \) -prune -exec rm -rf {} +;
