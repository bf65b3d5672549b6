#!/usr/bin/env bash
# Installs an engine of the matrix (docs/engines.md) beside the default one, as root on Debian; the
# project runs it only when asked (npm run test:engines, node scripts/engines.js). Safe to run again.
#   podman     Debian's podman, with netavark and aardvark-dns so that containers resolve names
#   docker-28  docker.io from Debian's testing suite (forky), unpacked into its own folder: the
#              installed engine and its packages stay as they are
set -euo pipefail
cd "$(dirname "$0")"
. lib/apt.sh

log() { printf '[engine-setup] %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { log "run me as root (sudo bash $0 $*)"; exit 1; }

name=${1:?usage: engine-setup.sh podman|docker-28}
state=/var/lib/favorites-engines/$name

case "$name" in
podman)
  if command -v podman >/dev/null && [ -x /usr/lib/podman/netavark ]; then
    log "already installed: $(podman --version)"
    exit 0
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman netavark aardvark-dns >/dev/null
  log "installed: $(podman --version)"
  ;;
docker-28)
  if [ -x "$state/root/usr/sbin/dockerd" ]; then
    log "already unpacked: $("$state/root/usr/sbin/dockerd" --version)"
    exit 0
  fi
  suite=forky
  mirror=$(debian_mirror)
  # A private apt configuration with Debian's testing suite only: the system's apt setup is never changed.
  conf=$(mktemp -d)
  trap 'rm -rf "$conf"' EXIT
  mkdir -p "$conf/sources.list.d" "$conf/preferences.d" "$conf/lists/partial" "$conf/debs"
  chmod 755 "$conf"
  chown -R _apt:root "$conf/lists" "$conf/debs" 2>/dev/null || true
  : >"$conf/sources.list"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" "$suite" >"$conf/sources.list.d/$suite.sources"
  apt=(-o "Dir::Etc::SourceList=$conf/sources.list" -o "Dir::Etc::SourceParts=$conf/sources.list.d"
    -o "Dir::Etc::PreferencesParts=$conf/preferences.d" -o "Dir::State::Lists=$conf/lists")
  log "downloading docker.io from Debian $suite ($mirror)"
  apt-get "${apt[@]}" update -qq
  (cd "$conf/debs" && apt-get "${apt[@]}" download -qq docker.io 2>/dev/null)
  mkdir -p "$state"
  rm -rf "$state/root"
  # Its dockerd and docker-proxy need only glibc >= 2.34 and the containerd and runc already installed.
  dpkg-deb -x "$conf"/debs/docker.io_*.deb "$state/root"
  version=$("$state/root/usr/sbin/dockerd" --version)
  case "$version" in
  "Docker version 28."*) log "unpacked: $version" ;;
  *) log "Debian $suite now has $version, not 28: rename the engine in scripts/lib/engine.js"; exit 1 ;;
  esac
  ;;
*) log "no such engine: $name"; exit 1 ;;
esac
