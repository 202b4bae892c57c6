#!/usr/bin/env bash
# Prepares a machine to run Drydock's full test suite: the system packages the integration and UI
# tests use, and a Docker engine. Idempotent; works when dockerd already runs.
set -euo pipefail

APT_PACKAGES=(docker.io tcpdump chromium debootstrap busybox-static yara nftables openssh-server openssh-client iproute2 openssl ca-certificates procps iputils-ping rpm attr docker-registry poppler-utils)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-host-setup: missing packages: ${missing[*]} (run as root, or install them with apt-get)" >&2
    exit 1
  fi
  echo "test-host-setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-host-setup: no Docker engine answers on ${DOCKER_HOST:-/var/run/docker.sock} and I am not root to start one" >&2
    exit 1
  fi
  echo "test-host-setup: starting dockerd"
  mkdir -p /var/log
  nohup dockerd >/var/log/drydock-ci-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "test-host-setup: dockerd did not come up:" >&2; tail -30 /var/log/drydock-ci-dockerd.log >&2; exit 1; }
fi
echo "test-host-setup: Docker $(docker version --format '{{.Server.Version}}') ready"
