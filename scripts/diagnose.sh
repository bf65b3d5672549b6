#!/usr/bin/env bash
# Looks at a Docker network from the inside, the way the lessons do by hand: starts a throwaway
# probe container on NETWORK and prints one table with the resolver it gets, what HOST resolves to,
# whether PORT answers, and which networks the container behind HOST is on.
#   scripts/diagnose.sh NETWORK HOST [PORT]        e.g. scripts/diagnose.sh favorites-net mongodb 27017
# Exits 0 when HOST:PORT answers, 1 when it does not, 2 on bad arguments or a missing network.
# The probe is the pinned Node image (compose/.env, or its offline stand-in): bash, getent and timeout.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: scripts/diagnose.sh NETWORK HOST [PORT]" >&2
  exit 2
fi
network=$1 host=$2 port=${3:-27017}
cd "$(dirname "$0")/.."

pin() { # the last value of $1 in compose/.env, then compose/offline.env (the stand-ins win, as in compose)
  local value=${!1:-}
  [ -n "$value" ] && { echo "$value"; return; }
  cat compose/.env compose/offline.env 2>/dev/null | sed -n "s/^$1=//p" | tail -n 1 | tr -d "'\""
}
image=$(pin FAVORITES_NODE_IMAGE)

if ! driver=$(docker network inspect --format '{{.Driver}} {{.Internal}}' "$network" 2>/dev/null); then
  echo "no network named $network here (docker network ls lists them)" >&2
  exit 2
fi

# Everything the probe learns, one "key value" line each; it never talks to anything but HOST:PORT.
probe=$(docker run --rm --network "$network" --entrypoint bash "$image" -c '
  host=$1 port=$2
  echo "resolver $(sed -n "s/^nameserver //p" /etc/resolv.conf | head -n 1)"
  echo "address $(getent hosts "$host" | cut -d " " -f 1 | paste -sd " " -)"
  if timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then echo "tcp open"; else echo "tcp closed"; fi
' probe "$host" "$port")
value() { sed -n "s/^$1 //p" <<<"$probe"; }
resolver=$(value resolver) address=$(value address) tcp=$(value tcp)

# The container that answers to HOST on this network: by name, service alias or network alias.
target=
for container in $(docker network inspect --format '{{range .Containers}}{{.Name}} {{end}}' "$network"); do
  # A container removed since the listing (a busy network, the default bridge above all) is skipped.
  names=$(docker inspect --format "{{with index .NetworkSettings.Networks \"$network\"}}{{join .DNSNames \" \"}} {{join .Aliases \" \"}}{{end}}" "$container" 2>/dev/null) || continue
  if [ "$container" = "$host" ] || tr ' ' '\n' <<<"$names" | grep -qxF -- "$host"; then target=$container; break; fi
done

read -r kind internal <<<"$driver"
row() { printf '%-10s %s\n' "$1" "$2"; }
row network "$network ($kind$([ "$internal" = true ] && echo ', internal: nothing leaves it'))"
if [ "$resolver" = 127.0.0.11 ]; then
  row resolver "127.0.0.11, Docker's embedded DNS: container names and aliases on this network resolve"
else
  row resolver "${resolver:-none}, not Docker's embedded DNS: container names do not resolve here (the default bridge has none)"
fi
row name "$host $([ -n "$address" ] && echo "resolves to $address" || echo 'does not resolve')"
if [ -z "$address" ]; then
  row port "$port not tried: the name does not resolve"
else
  row port "$port $([ "$tcp" = open ] && echo 'answers' || echo 'does not answer within 2 s')"
fi
if [ -n "$target" ]; then
  row target "$target, on networks: $(docker inspect --format '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}' "$target" | xargs)"
else
  row target "no container on $network answers to $host"
fi
[ "$tcp" = open ]
