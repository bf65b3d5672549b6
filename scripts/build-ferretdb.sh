#!/usr/bin/env bash
# Builds FerretDB (a MongoDB-compatible server in Go, SQLite backend) from the Go module proxy,
# for machines with no MongoDB and no image registry. Installs it as $FERRETDB_BIN
# (default /usr/local/bin/ferretdb); skips the build when that binary already has the version.
set -euo pipefail

version=${FERRETDB_VERSION:-v1.24.2}
dest=${FERRETDB_BIN:-/usr/local/bin/ferretdb}
log() { printf '[build-ferretdb] %s\n' "$*"; }

if [ -x "$dest" ] && "$dest" --version 2>/dev/null | grep -q "version: $version"; then
  log "$dest is already $version"
  exit 0
fi

command -v go >/dev/null || { log "Go is needed to build FerretDB"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log "fetching github.com/FerretDB/FerretDB@$version"
# `go install pkg@version` is refused by the proxy here (it asks for the version list), so
# resolve the module from a throwaway module instead.
(cd "$work" && go mod init ferretdb-build >/dev/null 2>&1 &&
  go mod download -json "github.com/FerretDB/FerretDB@$version" >"$work/module.json")
src_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/module.json")
cp -r "$src_dir" "$work/src"
chmod -R u+w "$work/src"
# The release build writes this file with `git describe`; a module copy has none.
echo "$version" >"$work/src/build/version/version.txt"

log "building (CGO_ENABLED=0, about a minute the first time)"
(cd "$work/src" && CGO_ENABLED=0 go build -trimpath -o "$work/ferretdb" ./cmd/ferretdb)
install -D -m 0755 "$work/ferretdb" "$dest"
log "installed $dest: $("$dest" --version | head -n 1)"
