# Shared by resources/capture-helper/build-bundle.sh and resources/collector/build-collector.sh:
# a one-layer image in `docker save` layout, byte-reproducible (sorted entries, epoch mtimes,
# numeric owners), so two builds from the same Debian packages give the same SHA-256. Sourced, not
# run; needs GNU tar, sha256sum and dpkg.

# Sets arch and variant to the OCI names for this machine's Debian architecture.
image_arch() {
  case "$(dpkg --print-architecture)" in
    amd64) arch=amd64; variant="" ;;
    arm64) arch=arm64; variant="v8" ;;
    armhf) arch=arm; variant="v7" ;;
    i386) arch=386; variant="" ;;
    *) arch=$(dpkg --print-architecture); variant="" ;;
  esac
}

# reproducible_tar DIR OUTPUT: DIR's entries, sorted, owned by 0:0, mtime 0 (uses $work for the list).
reproducible_tar() {
  (cd "$1" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$work/list"
  tar --create --file "$2" --directory "$1" --no-recursion --files-from "$work/list" \
    --format=gnu --owner=0 --group=0 --numeric-owner --mtime=@0
}

# assemble_image ROOT REPO CONFIG CREATED_BY OUTPUT: ROOT (its mtimes already at epoch) as the one
# layer of image REPO:<first 12 of the config's sha256>, CONFIG the image config's "config" object
# (JSON), written as a docker-save tar to OUTPUT. Needs $work, $arch and $variant (image_arch).
# Sets config_sha, tag, bundle_sha (OUTPUT's sha256) and size (OUTPUT's bytes).
assemble_image() {
  local root=$1 repo=$2 config=$3 created_by=$4 output=$5
  local image="$work/image" layer_sha variant_field=""
  mkdir -p "$image"
  reproducible_tar "$root" "$work/layer.tar"
  layer_sha=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  mkdir -p "$image/$layer_sha"
  mv "$work/layer.tar" "$image/$layer_sha/layer.tar"
  [ -n "$variant" ] && variant_field=",\"variant\":\"$variant\""
  printf '{"architecture":"%s"%s,"os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"%s"}]}' \
    "$arch" "$variant_field" "$config" "$layer_sha" "$created_by" >"$work/config.json"
  config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$image/$config_sha.json"
  tag="$repo:${config_sha:0:12}"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_sha" "$tag" "$layer_sha" >"$image/manifest.json"
  printf '{"%s":{"%s":"%s"}}' "$repo" "${config_sha:0:12}" "$layer_sha" >"$image/repositories"
  find "$image" -exec touch -h -d @0 {} +
  mkdir -p "$(dirname "$output")"
  reproducible_tar "$image" "$output"
  bundle_sha=$(sha256sum "$output" | cut -d' ' -f1)
  size=$(stat -c %s "$output")
}
