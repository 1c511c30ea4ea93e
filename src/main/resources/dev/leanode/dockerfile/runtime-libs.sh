#!/bin/sh
# runtime stage (spec.app.runtime: minimal): the base's node binary and every shared object it
# links, as the base's own loader resolves them, written to /leanode/runtime/node and
# /leanode/runtime/libs (one absolute path a line, the loader among them). The list comes from
# ldd when the base has it (glibc, musl), else from node's own report of what it loaded. A base
# without node, or with a library the loader cannot find, fails the build saying so.
mkdir -p /leanode/runtime;
node_bin=$(command -v node || true);
if [ -z "$node_bin" ]; then echo "leanode: error: runtime minimal: the base image has no node on PATH; take it apart by hand or use spec.app.runtime: standard" >&2; exit 1; fi;
node_bin=$(readlink -f "$node_bin");
echo "$node_bin" > /leanode/runtime/node;
if command -v ldd >/dev/null 2>&1; then ldd "$node_bin" > /leanode/runtime/ldd.txt 2>&1 || true;
else node -p "process.report.getReport().sharedObjects.join(String.fromCharCode(10))" > /leanode/runtime/ldd.txt; fi;
if grep -q 'not found' /leanode/runtime/ldd.txt; then echo "leanode: error: runtime minimal: the loader cannot find a library of $node_bin:" >&2; cat /leanode/runtime/ldd.txt >&2; exit 1; fi;
sed -n -e 's#^.*=> \(/[^ ]*\).*$#\1#p' -e 's#^[[:space:]]*\(/[^ ]*\).*$#\1#p' /leanode/runtime/ldd.txt | sort -u > /leanode/runtime/libs;
if ! grep -q -e '/ld-' /leanode/runtime/libs; then echo "leanode: error: runtime minimal: found no dynamic loader (ld-*.so) for $node_bin in:" >&2; cat /leanode/runtime/ldd.txt >&2; exit 1; fi;
echo "leanode: runtime minimal: node is $node_bin, it links:"; cat /leanode/runtime/libs;
