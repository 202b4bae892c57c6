#!/usr/bin/env bash
# A small incident scene to practise on, made without a registry (the README's quick start uses
# it): a web server, an app that keeps fetching from it, and a "backdoor" container with the
# Docker socket mounted and a dropped file. Everything is labelled drydock.demo=1 and named
# dd-demo-*, so `down` removes exactly what `up` made: the containers, the network and the image.
#
# The image, drydock-demo/busybox:1, is busybox from the busybox-static Debian package, imported
# into the local engine (docker import); where that package is missing, `docker pull busybox` is
# tried instead (and the pulled busybox tag dropped again when it was not there before).
#
# Usage: bash scripts/demo-scenario.sh up|down   (DOCKER_HOST is honoured, like the docker CLI)
set -euo pipefail
image=drydock-demo/busybox:1
network=dd-demo-net
label=drydock.demo=1

# The containers and the network (up starts from a clean scene but keeps the image it made).
scene_down() {
  local ids
  ids=$(docker ps -aq --filter "label=$label")
  [ -z "$ids" ] || docker rm -f $ids >/dev/null
  docker network rm "$network" >/dev/null 2>&1 || true
}

down() {
  scene_down
  local removed="the dd-demo-* containers and network"
  if docker image inspect "$image" >/dev/null 2>&1; then
    if docker image rm "$image" >/dev/null; then
      removed="$removed, and the image $image"
    else
      echo "demo-scenario: could not remove the image $image (a container outside the demo uses it?)" >&2
    fi
  fi
  echo "demo-scenario: removed $removed"
}

image_up() {
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  local busybox=""
  for candidate in /bin/busybox /usr/bin/busybox; do
    if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then busybox=$candidate; break; fi
  done
  if [ -z "$busybox" ]; then
    echo "demo-scenario: no static busybox here (apt-get install busybox-static); trying docker pull busybox" >&2
    local had=0
    ! docker image inspect busybox:1.36 >/dev/null 2>&1 || had=1
    if docker pull -q busybox:1.36 >/dev/null && docker tag busybox:1.36 "$image"; then
      # Pulled for the demo only: the demo's tag is all that stays, so down leaves nothing behind.
      [ "$had" = 1 ] || docker image rm busybox:1.36 >/dev/null
      return 0
    fi
    echo "demo-scenario: cannot make the demo image: install busybox-static or let the engine pull busybox" >&2
    exit 1
  fi
  local work
  work=$(mktemp -d)
  mkdir -p "$work"/{bin,etc,tmp,var/www,proc,sys,dev}
  chmod 1777 "$work/tmp"
  cp "$busybox" "$work/bin/busybox"
  for applet in $("$work/bin/busybox" --list); do [ -e "$work/bin/$applet" ] || ln -s busybox "$work/bin/$applet"; done
  printf 'root:x:0:0:root:/:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/bin/false\n' >"$work/etc/passwd"
  printf 'root:x:0:\nwww-data:x:33:\n' >"$work/etc/group"
  printf '<h1>dd-demo</h1>\n' >"$work/var/www/index.html"
  tar -C "$work" --numeric-owner -c . | docker import --change 'CMD ["/bin/sh"]' --change "LABEL $label" - "$image" >/dev/null
  rm -rf "$work"
}

up() {
  scene_down
  image_up
  docker network create --label "$label" "$network" >/dev/null
  docker run -d --name dd-demo-web --label "$label" --network "$network" "$image" \
    httpd -f -p 8080 -h /var/www >/dev/null
  docker run -d --name dd-demo-app --label "$label" --network "$network" "$image" \
    sh -c 'while true; do wget -q -O /dev/null http://dd-demo-web:8080/ || true; sleep 1; done' >/dev/null
  docker run -d --name dd-demo-backdoor --label "$label" -v /var/run/docker.sock:/var/run/docker.sock "$image" \
    sh -c 'mkdir -p /tmp/.x && cp /bin/busybox /tmp/.x/kworker && echo "* * * * * /tmp/.x/kworker" >/etc/crontab && exec sleep 86400' >/dev/null
  # The scene is ready when the app has reached the web server once and the drop is in place.
  for _ in $(seq 1 50); do
    if docker exec dd-demo-app wget -q -O /dev/null http://dd-demo-web:8080/ 2>/dev/null && docker exec dd-demo-backdoor test -s /etc/crontab 2>/dev/null; then
      echo "demo-scenario: dd-demo-web, dd-demo-app and dd-demo-backdoor are running (network $network)"
      return 0
    fi
    sleep 0.2
  done
  echo "demo-scenario: the containers started but the scene did not come up; see docker logs dd-demo-app" >&2
  exit 1
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: bash scripts/demo-scenario.sh up|down" >&2; exit 2 ;;
esac
