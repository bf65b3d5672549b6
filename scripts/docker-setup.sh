#!/usr/bin/env bash
# Makes sure a Docker engine and the compose v2 plugin are installed and running.
# Installs both from Debian's packages when missing (Debian 12 and 13), then starts dockerd
# in the background if nothing answers. Safe to run again: it skips what is already there.
set -euo pipefail

log() { printf '[docker-setup] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

apt_updated=
apt_update() {
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    $SUDO apt-get update -qq
    apt_updated=1
  fi
}

debian_major() { cut -d. -f1 /etc/debian_version; }

# 1. The engine. `docker` alone may be a client only, so look for dockerd.
if ! command -v dockerd >/dev/null 2>&1; then
  log "no dockerd: installing docker.io from Debian"
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker.io >/dev/null
else
  log "dockerd present: $(dockerd --version)"
fi

# 2. The compose v2 plugin.
plugin_dir=/usr/local/lib/docker/cli-plugins
if docker compose version >/dev/null 2>&1; then
  log "compose present: $(docker compose version)"
elif [ "$(debian_major)" -ge 13 ]; then
  log "installing docker-compose (v2) from Debian"
  apt_update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker-compose >/dev/null
else
  # Debian 12 only packages compose v1; Debian 13's v2 binary runs here (glibc >= 2.34),
  # so fetch that one .deb from trixie and unpack just the plugin.
  log "Debian $(cat /etc/debian_version): taking the compose v2 plugin from Debian 13's package"
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  src=/etc/apt/sources.list.d/favorites-trixie.sources
  work=$(mktemp -d)
  cleanup_trixie() { $SUDO rm -f "$src"; rm -rf "$work"; $SUDO apt-get update -qq || true; }
  trap cleanup_trixie EXIT
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
    | $SUDO tee "$src" >/dev/null
  $SUDO apt-get update -qq
  (cd "$work" && apt-get download -qq docker-compose/trixie)
  dpkg -x "$work"/docker-compose_*.deb "$work/root"
  $SUDO install -D -m 0755 "$work/root/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose"
  cleanup_trixie
  trap - EXIT
  log "compose installed: $(docker compose version)"
fi

# 3. The daemon.
if docker info >/dev/null 2>&1; then
  log "engine answering: server $(docker info --format '{{.ServerVersion}}')"
  exit 0
fi
log "starting dockerd (log: /var/log/dockerd.log)"
$SUDO sh -c 'nohup dockerd > /var/log/dockerd.log 2>&1 &'
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine answering: server $(docker info --format '{{.ServerVersion}}')"
    exit 0
  fi
  sleep 0.5
done
log "dockerd did not answer within 30 s; last lines of /var/log/dockerd.log:"
tail -n 20 /var/log/dockerd.log >&2 || true
exit 1
