#!/bin/sh
# runtime stage (spec.app.runtime: minimal): /leanode/minimal becomes the final stage's only base
# layer: node at /usr/local/bin/node, each library of /leanode/runtime/libs at its own path
# (symlinks resolved), CA certificates, timezone data and nsswitch.conf when the base has them,
# /etc/passwd and /etc/group with root and node (1000:1000), /tmp (1777), /home/node.
r=/leanode/minimal;
mkdir -p "$r/usr/local/bin" "$r/etc" "$r/tmp" "$r/home/node";
cp -L "$(cat /leanode/runtime/node)" "$r/usr/local/bin/node";
while read -r lib; do mkdir -p "$r$(dirname "$lib")" && cp -L "$lib" "$r$lib"; done < /leanode/runtime/libs;
for f in /etc/ssl/certs/ca-certificates.crt /etc/ssl/cert.pem /etc/pki/tls/certs/ca-bundle.crt /etc/nsswitch.conf; do
  if [ -f "$f" ]; then mkdir -p "$r$(dirname "$f")" && cp -L "$f" "$r$f"; fi;
done;
if [ -d /usr/share/zoneinfo ]; then mkdir -p "$r/usr/share" && cp -RL /usr/share/zoneinfo "$r/usr/share/zoneinfo"; fi;
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'node:x:1000:1000:node:/home/node:/sbin/nologin' > "$r/etc/passwd";
printf '%s\n' 'root:x:0:' 'node:x:1000:' > "$r/etc/group";
chmod 1777 "$r/tmp";
chown 1000:1000 "$r/home/node";
chmod -R a+rX,go-w "$r/usr" "$r/etc";
