#!/usr/bin/env bash
# Assembles Drydock's capture helper image OFFLINE: air-gapped Docker hosts cannot pull, so Drydock
# carries this image and loads it through the Engine API when a host lacks it.
#
# Contents: Debian's tcpdump, yara and nft (nftables: the quarantine of a Swarm task adds and removes
# its own table in the task's network namespace), util-linux's fallocate (the memory reader reserves
# its chunk files' tmpfs pages before its first read: busybox's fallocate cannot keep a file's size)
# and exactly the shared libraries they link (ldd), busybox-static
# (for `timeout` and `cat`, which the connection-discovery helper uses on /proc/net/*), and a minimal
# /etc/passwd. Output, next to this script:
#   drydock-capture-helper.tar   a `docker load`-able image (docker save layout, one layer)
#   drydock-capture-helper.json  its tag, image ID, architecture, versions and the tar's SHA-256
# The tar is byte-reproducible for the same Debian packages (sorted entries, epoch mtimes, numeric
# owners), so two builds from one machine image give the same SHA-256, which Drydock records in the
# audit log whenever it loads the bundle onto a host.
#
# Usage: build-bundle.sh [--force] [OUTPUT_DIR]   (idempotent: an up-to-date bundle is kept)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/offline-image.sh
. "$here/../lib/offline-image.sh"
force=""
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
out=${1:-$here}
tar_out="$out/drydock-capture-helper.tar"
json_out="$out/drydock-capture-helper.json"

die() { echo "build-bundle: $*" >&2; exit 1; }
for tool in tcpdump yara nft fallocate ldd busybox sha256sum tar dpkg-query; do
  command -v "$tool" >/dev/null 2>&1 || die "needs '$tool' on this machine (apt-get install tcpdump yara nftables busybox-static)"
done
tcpdump_bin=$(command -v tcpdump)
yara_bin=$(command -v yara)
nft_bin=$(command -v nft)
fallocate_bin=$(command -v fallocate)
busybox_bin=$(command -v busybox)
# GNU tar (not busybox's): the drift helper streams overlay2 layer trees with their trusted.overlay.* attributes.
tar_bin=$(command -v tar)
"$tar_bin" --version 2>/dev/null | head -n 1 | grep -q 'GNU tar' || die "$tar_bin is not GNU tar (apt-get install tar)"
# Only a static busybox works in an image with no libc of its own for it.
if ldd "$busybox_bin" >/dev/null 2>&1; then die "$busybox_bin is dynamically linked: install busybox-static"; fi

tcpdump_version=$(dpkg-query -W -f='${Version}' tcpdump 2>/dev/null || true)
libpcap_version=$(dpkg-query -W -f='${Version}' 'libpcap0.8*' 2>/dev/null | head -c 64 || true)
busybox_version=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || true)
tar_version=$(dpkg-query -W -f='${Version}' tar 2>/dev/null || true)
yara_version=$(dpkg-query -W -f='${Version}' yara 2>/dev/null || true)
nft_version=$(dpkg-query -W -f='${Version}' nftables 2>/dev/null || true)
util_linux_version=$(dpkg-query -W -f='${Version}' util-linux 2>/dev/null || true)
[ -n "$util_linux_version" ] || die "fallocate is not from Debian's util-linux package here (dpkg-query found no version)"
[ -n "$nft_version" ] || die "nft is not from Debian's nftables package here (dpkg-query found no version)"
[ -n "$yara_version" ] || die "yara is not a Debian package here (dpkg-query found no version)"
[ -n "$tcpdump_version" ] || die "tcpdump is not a Debian package here (dpkg-query found no version)"
image_arch

# This script and the image library it sources: a change to either makes the bundle out of date.
script_sha=$(cat "$here/build-bundle.sh" "$here/../lib/offline-image.sh" | sha256sum | cut -d" " -f1)
# Up to date: the recorded versions match what is installed now and the tar hashes as recorded.
if [ -z "$force" ] && [ -s "$tar_out" ] && [ -s "$json_out" ] \
  && grep -q "\"tcpdump\": \"$tcpdump_version\"" "$json_out" \
  && grep -q "\"yara\": \"$yara_version\"" "$json_out" \
  && grep -q "\"nftables\": \"$nft_version\"" "$json_out" \
  && grep -q "\"tar\": \"$tar_version\"" "$json_out" \
  && grep -q "\"util-linux\": \"$util_linux_version\"" "$json_out" \
  && grep -q "\"script\": \"$script_sha\"" "$json_out" \
  && grep -q "\"sha256\": \"$(sha256sum "$tar_out" | cut -d' ' -f1)\"" "$json_out"; then
  echo "build-bundle: $tar_out is up to date"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,etc,usr/bin,proc,sys,dev,tmp}
chmod 1777 "$root/tmp"

cp -L "$tcpdump_bin" "$root/usr/bin/tcpdump"
cp -L "$tar_bin" "$root/usr/bin/tar"
cp -L "$yara_bin" "$root/usr/bin/yara"
cp -L "$nft_bin" "$root/usr/bin/nft"
cp -L "$fallocate_bin" "$root/usr/bin/fallocate"
# Every library the dynamic loader would map, at the path it would look for it, plus the loader.
{ ldd "$tcpdump_bin"; ldd "$yara_bin"; ldd "$tar_bin"; ldd "$nft_bin"; ldd "$fallocate_bin"; } | grep -o "/[^ ]*" | sort -u | while read -r lib; do
  [ -f "$lib" ] || die "ldd names $lib, which does not exist"
  [ -e "$root$lib" ] && continue
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
chmod 0755 "$root/usr/bin/tcpdump" "$root/usr/bin/yara" "$root/usr/bin/tar" "$root/usr/bin/nft" "$root/usr/bin/fallocate"
# nft prints the xtables matches of iptables-nft rules (Docker's own, in a task's namespace) through
# these extensions (Debian ships them in iptables); without them those rules would be listed as opaque blobs.
xt_dir=$(dpkg-query -L iptables 2>/dev/null | grep -m1 '/xtables$' || true)
if [ -d "$xt_dir" ]; then mkdir -p "$root$xt_dir" && cp -L "$xt_dir"/*.so "$root$xt_dir/"; fi

cp -L "$busybox_bin" "$root/bin/busybox"
for applet in cat timeout readlink ls head sleep sh true env; do
  ln -s busybox "$root/bin/$applet"
done

# tcpdump drops privileges to 'tcpdump' unless told otherwise; Drydock runs it with -Z root and
# no capability but NET_RAW/NET_ADMIN, so these names only have to resolve.
printf 'root:x:0:0:root:/:/bin/false\ntcpdump:x:101:101:tcpdump:/nonexistent:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\ntcpdump:x:101:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hosts: files\n' >"$root/etc/nsswitch.conf"
# No resolver configuration: the helper never resolves names inside a suspect's namespace.
: >"$root/etc/hosts"

find "$root" -exec touch -h -d @0 {} +
labels="\"org.drydock.helper\":\"capture\",\"org.drydock.tcpdump\":\"$tcpdump_version\",\"org.drydock.libpcap\":\"$libpcap_version\",\"org.drydock.busybox\":\"$busybox_version\",\"org.drydock.yara\":\"$yara_version\",\"org.drydock.tar\":\"$tar_version\",\"org.drydock.nftables\":\"$nft_version\",\"org.drydock.util-linux\":\"$util_linux_version\""
assemble_image "$root" "drydock/capture-helper" "{\"User\":\"0:0\",\"Env\":[\"PATH=/usr/bin:/bin\"],\"Entrypoint\":null,\"Cmd\":[\"/usr/bin/tcpdump\",\"--version\"],\"WorkingDir\":\"/\",\"Labels\":{$labels}}" "resources/capture-helper/build-bundle.sh" "$tar_out.tmp"
cat >"$json_out.tmp" <<EOF
{
  "format": 1,
  "tag": "$tag",
  "imageId": "sha256:$config_sha",
  "architecture": "$arch",
  "tcpdump": "$tcpdump_version",
  "libpcap": "$libpcap_version",
  "busybox": "$busybox_version",
  "tar": "$tar_version",
  "yara": "$yara_version",
  "nftables": "$nft_version",
  "util-linux": "$util_linux_version",
  "size": $size,
  "script": "$script_sha",
  "sha256": "$bundle_sha"
}
EOF
mv "$tar_out.tmp" "$tar_out"
mv "$json_out.tmp" "$json_out"
echo "build-bundle: $tar_out ($size bytes, sha256 $bundle_sha, $tag)"
