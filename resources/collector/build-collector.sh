#!/usr/bin/env bash
# Assembles Drydock's fleet collector image OFFLINE (`drydock fleet triage` runs it on every node of
# a swarm as a global-job service; nodes cannot pull, so Drydock loads it through each node's engine).
#
# Contents: Debian's /usr/bin/node (the nodejs package) and exactly the shared libraries it links
# (ldd), the compiled CLI (dist/main, dist/shared, bin/drydock.js, package.json), the production
# node_modules (npm ls --omit=dev, better-sqlite3's Node build included, UI-only packages left out),
# and the capture helper bundle (resources/capture-helper), which the collector loads onto its own
# node when a drift read needs it. Output, next to this script:
#   drydock-collector.tar   a `docker load`-able image (docker save layout, one layer)
#   drydock-collector.json  its tag, image ID, architecture, node version and the tar's SHA-256
# The tar is byte-reproducible for the same inputs (sorted entries, epoch mtimes, numeric owners);
# Drydock records its SHA-256 in the audit log whenever it loads it onto a node.
#
# Usage: build-collector.sh [OUTPUT_DIR]   (needs `npm run build:node` first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/offline-image.sh
. "$here/../lib/offline-image.sh"
repo=$(cd "$here/../.." && pwd)
out=${1:-$here}
tar_out="$out/drydock-collector.tar"
json_out="$out/drydock-collector.json"

die() { echo "build-collector: $*" >&2; exit 1; }
for tool in ldd sha256sum tar dpkg-query npm; do
  command -v "$tool" >/dev/null 2>&1 || die "needs '$tool' on this machine"
done
node_bin=/usr/bin/node
[ -x "$node_bin" ] || die "needs Debian's nodejs package (/usr/bin/node)"
node_version=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null || true)
[ -n "$node_version" ] || die "/usr/bin/node is not from Debian's nodejs package here (dpkg-query found no version)"
[ -f "$repo/dist/main/cli/index.js" ] || die "the CLI is not built: run npm run build:node first"
[ -f "$repo/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ] || die "better-sqlite3 has no Node build (npm ci)"
image_arch
drydock_version=$("$node_bin" -p "require('$repo/package.json').version")
libc_version=$(dpkg-query -W -f='${Version}' libc6 2>/dev/null || true)
libstdcxx_version=$(dpkg-query -W -f='${Version}' libstdc++6 2>/dev/null || true)
script_sha=$(cat "$here/build-collector.sh" "$here/../lib/offline-image.sh" | sha256sum | cut -d' ' -f1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
app="$root/opt/drydock"
mkdir -p "$root"/{etc,usr/bin,proc,sys,dev,tmp,out} "$app/bin" "$app/dist" "$app/node_modules" "$app/resources"
chmod 1777 "$root/tmp"

cp -L "$node_bin" "$root/usr/bin/node"
chmod 0755 "$root/usr/bin/node"
ldd "$node_bin" | grep -o "/[^ ]*" | sort -u | while read -r lib; do
  [ -f "$lib" ] || die "ldd names $lib, which does not exist"
  [ -e "$root$lib" ] && continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

cp "$repo/package.json" "$app/package.json"
cp "$repo/bin/drydock.js" "$app/bin/drydock.js"
cp -r "$repo/dist/main" "$repo/dist/shared" "$app/dist/"
# The production dependency tree, as npm resolved it; UI-only packages (renderer, PDF) stay out.
# npm ls exits non-zero on a peer-dependency complaint but still lists the tree: the list is what counts.
(cd "$repo" && npm ls --omit=dev --all --parseable 2>/dev/null || true) >"$work/deps"
grep -q "/node_modules/better-sqlite3$" "$work/deps" || die "npm ls lists no production dependencies (run npm ci first)"
while read -r dir; do
  [ "$dir" = "$repo" ] && continue
  rel=${dir#"$repo/"}
  case "$rel" in
    node_modules/react|node_modules/react-dom|node_modules/playwright-core|node_modules/scheduler|node_modules/@types/*) continue ;;
  esac
  [ -d "$dir" ] || continue
  mkdir -p "$app/$(dirname "$rel")"
  [ -e "$app/$rel" ] || cp -r "$dir" "$app/$rel"
done <"$work/deps"
# better-sqlite3 needs only its JS and its Node binding at run time, not its sources and build objects.
bs="$app/node_modules/better-sqlite3"
rm -rf "$bs/deps" "$bs/src" "$bs/build/Release/obj" "$bs/build/Release/obj.target" "$bs/build/Release/.deps" \
  "$bs/build/Release/sqlite3.a" "$bs/build/Release/test_extension.node" "$bs/build/deps"
if [ -s "$repo/resources/capture-helper/drydock-capture-helper.tar" ]; then
  mkdir -p "$app/resources/capture-helper"
  cp "$repo/resources/capture-helper/drydock-capture-helper.tar" "$repo/resources/capture-helper/drydock-capture-helper.json" \
    "$app/resources/capture-helper/"
fi

printf 'root:x:0:0:root:/tmp:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hosts: files\n' >"$root/etc/nsswitch.conf"
: >"$root/etc/hosts"

find "$root" -exec touch -h -d @0 {} +
labels="\"org.drydock.collector\":\"fleet\",\"org.drydock.version\":\"$drydock_version\",\"org.drydock.nodejs\":\"$node_version\",\"org.drydock.libc6\":\"$libc_version\""
assemble_image "$root" "drydock/collector" "{\"User\":\"0:0\",\"Env\":[\"PATH=/usr/bin:/bin\",\"HOME=/tmp\",\"TZ=UTC\",\"NODE_ENV=production\"],\"Entrypoint\":[\"/usr/bin/node\",\"/opt/drydock/bin/drydock.js\"],\"Cmd\":[\"--help\"],\"WorkingDir\":\"/opt/drydock\",\"Labels\":{$labels}}" "resources/collector/build-collector.sh" "$tar_out.tmp"
cat >"$json_out.tmp" <<JSON
{
  "format": 1,
  "tag": "$tag",
  "imageId": "sha256:$config_sha",
  "architecture": "$arch",
  "drydock": "$drydock_version",
  "nodejs": "$node_version",
  "libc6": "$libc_version",
  "libstdc++6": "$libstdcxx_version",
  "script": "$script_sha",
  "size": $size,
  "sha256": "$bundle_sha"
}
JSON
mv "$tar_out.tmp" "$tar_out"
mv "$json_out.tmp" "$json_out"
echo "build-collector: $tar_out ($size bytes, sha256 $bundle_sha, $tag)"
