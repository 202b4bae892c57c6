#!/usr/bin/env bash
# Runs the README's "Quick start" block literally, the way a newcomer would paste it: extracted
# from README.md between the quick-start markers, in bash with -e (any failing line fails the run),
# from the checkout, with a fresh HOME (so no saved profile, no Docker context, no case) and the
# default evidence store under it. Usage: bash scripts/run-quickstart.sh [HOME_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
block=$(awk '/^<!-- quick-start/{on=1; next} /^<!-- \/quick-start -->/{on=0} on' README.md | sed -e '/^```/d')
[ -n "$block" ] || { echo "run-quickstart: no quick-start block in README.md" >&2; exit 1; }
home=${1:-$(mktemp -d /tmp/drydock-quickstart-home-XXXXXX)}
mkdir -p "$home"
trap 'HOME="$home" bash scripts/demo-scenario.sh down >/dev/null 2>&1 || true' EXIT
echo "run-quickstart: HOME=$home"
printf '%s\n' "$block" | sed 's/^/  | /'
env -u DRYDOCK_STORE -u DOCKER_CONTEXT HOME="$home" DRYDOCK_EXAMINER="${DRYDOCK_EXAMINER:-quickstart}" bash -euo pipefail -c "$block"
