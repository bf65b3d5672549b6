#!/usr/bin/env bash
# Installs and starts a current Docker engine, with BuildKit (buildx) and compose v2, on Debian 12
# or 13, as root. Safe to run again: it skips what is already there.
#
# Debian 13 packages engine 26 and compose 2.26. Debian 12 packages engine 20.10 (end of life in
# 2023) and compose v1 only, so on Debian 12 the three docker packages are taken from Debian 13
# (they need glibc >= 2.34; Debian 12 has 2.36) while every dependency stays Debian 12's own.
set -euo pipefail
cd "$(dirname "$0")"
. lib/apt.sh

log() { printf '[docker-setup] %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || { log "run me as root (sudo bash $0)"; exit 1; }

PACKAGES=(docker.io docker-buildx docker-compose)
ENGINE_MAJOR_WANTED=26

engine_major() { { dockerd --version 2>/dev/null || true; } | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p'; }

install_packages() {
  local codename
  codename=$(debian_codename)
  if [ "$codename" != bookworm ]; then
    log "installing ${PACKAGES[*]} from Debian $codename"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
    return
  fi
  local mirror
  mirror=$(debian_mirror)
  log "Debian 12: installing ${PACKAGES[*]} from Debian 13 ($mirror), dependencies from Debian 12"
  # A private apt configuration: the machine's own sources plus Debian 13 at a low priority, in a
  # temporary folder. The system's apt setup is never changed, so an interrupted run leaves nothing.
  local conf
  conf=$(mktemp -d)
  mkdir -p "$conf/sources.list.d" "$conf/preferences.d" "$conf/lists/partial"
  # apt downloads as its own unprivileged user, as it does into its usual lists folder.
  chmod 755 "$conf"
  chown -R _apt:root "$conf/lists" 2>/dev/null || true
  cp /etc/apt/sources.list.d/*.sources "$conf/sources.list.d/" 2>/dev/null || true
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$conf/sources.list" || : >"$conf/sources.list"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" \
    >"$conf/sources.list.d/favorites-trixie.sources"
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >"$conf/preferences.d/favorites-trixie"
  local apt=(-o "Dir::Etc::SourceList=$conf/sources.list" -o "Dir::Etc::SourceParts=$conf/sources.list.d"
    -o "Dir::Etc::PreferencesParts=$conf/preferences.d" -o "Dir::State::Lists=$conf/lists")
  apt-get "${apt[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive apt-get "${apt[@]}" install -y -qq --no-install-recommends \
    "${PACKAGES[@]/%//trixie}" >/dev/null
  rm -rf "$conf"
}

major=$(engine_major)
if [ -n "$major" ] && [ "$major" -ge "$ENGINE_MAJOR_WANTED" ] && docker compose version >/dev/null 2>&1 &&
  docker buildx version >/dev/null 2>&1; then
  log "already installed: $(dockerd --version), $(docker compose version)"
else
  install_packages
  # An engine that was already running is the old one: restart it below.
  if [ -n "$major" ] && docker info >/dev/null 2>&1; then
    log "stopping the old engine ($major)"
    pkill -x dockerd || true
    while pgrep -x dockerd >/dev/null; do sleep 0.2; done
  fi
  log "installed: $(dockerd --version)"
fi

if docker info >/dev/null 2>&1; then
  log "engine answering: server $(docker info --format '{{.ServerVersion}}')"
  exit 0
fi
# No systemd in containers and CI sandboxes: start the daemon directly, in the background.
log "starting dockerd (log: /var/log/dockerd.log)"
nohup dockerd >/var/log/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine answering: server $(docker info --format '{{.ServerVersion}}'), $(docker compose version)"
    exit 0
  fi
  sleep 0.5
done
log "dockerd did not answer within 30 s; last lines of /var/log/dockerd.log:"
tail -n 20 /var/log/dockerd.log >&2 || true
exit 1
