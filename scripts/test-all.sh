#!/usr/bin/env bash
# The one command that runs every check on a fresh machine: system prerequisites, dependencies,
# typecheck, lint, then unit + integration + UI tests against a real Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 TZ=UTC

cleanup() {
  # Containers, networks and helper containers the tests created, even when a test died mid-way.
  local ids
  ids=$(docker ps -aq --filter label=drydock.test 2>/dev/null; docker ps -aq --filter label=drydock.helper 2>/dev/null) || true
  [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1 || true
  ids=$(docker network ls -q --filter label=drydock.test 2>/dev/null) || true
  [ -n "$ids" ] && docker network rm $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT

bash scripts/test-host-setup.sh
echo "== npm ci"
npm ci --no-audit --no-fund
echo "== typecheck"
npm run typecheck
echo "== lint"
npm run lint
echo "== format"
npx prettier --check . >/dev/null || { npx prettier --check . | tail -20; echo "format: run npx prettier --write . (or on the files above)"; exit 1; }
echo "== tests"
npm test
