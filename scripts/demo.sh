#!/usr/bin/env bash
# Runs one scenario end to end: brings its stack up, sends the course's requests, shows what
# /readyz says, and takes the stack down again (volumes included) when it exits.
#   scripts/demo.sh network|host|ip
# Uses compose/offline.env when scripts/offline-images.sh has written it (no registry needed).
# host: needs a MongoDB on this machine listening on 0.0.0.0:${MONGODB_PORT:-27017}; when none
# answers and `ferretdb` is installed (scripts/build-ferretdb.sh), the demo runs one meanwhile.
set -euo pipefail

scenario=${1:-}
case "$scenario" in
  network | host | ip) ;;
  *) echo "usage: $0 network|host|ip" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

compose=(docker compose -f "compose/$scenario.yml")
[ -f compose/offline.env ] && compose=(docker compose --env-file compose/offline.env -f "compose/$scenario.yml")
api=http://localhost:${FAVORITES_PORT:-3000}
mongo_port=${MONGODB_PORT:-27017}

host_db_pid=
host_db_dir=
cleanup() {
  echo
  echo "# taking the stack down"
  "${compose[@]}" down -v >/dev/null 2>&1 || true
  if [ -n "$host_db_pid" ]; then
    kill "$host_db_pid" 2>/dev/null || true
    wait "$host_db_pid" 2>/dev/null || true
    rm -rf "$host_db_dir"
  fi
}
trap cleanup EXIT

if [ "$scenario" = host ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$mongo_port") 2>/dev/null; then
  command -v ferretdb >/dev/null || { echo "no MongoDB on port $mongo_port and no ferretdb to start" >&2; exit 1; }
  echo "# no MongoDB on port $mongo_port: running FerretDB on 0.0.0.0:$mongo_port for the demo"
  host_db_dir=$(mktemp -d)
  ferretdb --handler=sqlite "--sqlite-url=file:$host_db_dir/" "--state-dir=$host_db_dir" \
    "--listen-addr=0.0.0.0:$mongo_port" --debug-addr=- --telemetry=disable --log-level=error &
  host_db_pid=$!
fi

echo "# ${compose[*]} up --build --wait"
"${compose[@]}" up --build --wait --quiet-pull 2>&1 | grep -v -e '^#' -e '^ *$' | tail -n 5

run() {
  printf '\n$ %s\n' "$*"
  "$@"
  echo
}
run curl -s "$api/readyz"
run curl -s -X POST "$api/favorites" -H 'Content-Type: application/json' \
  -d '{"type": "movie", "name": "A New Hope", "url": "https://swapi.dev/api/films/1/"}'
run curl -s "$api/favorites"
printf '\n$ curl -s %s/movies | head -c 300\n' "$api"
curl -s "$api/movies" | head -c 300
echo
