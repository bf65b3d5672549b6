#!/bin/sh
# The lesson's checks, run from inside a container's network namespace (stack.js debug starts this
# image with --network container:<c>). DB_HOST and DB_PORT: the database the target is configured
# with; API_PORT: where the API listens, on the namespace's shared localhost (unset: not an API).
# Each check prints the command a user would type, then what it printed; a failed check goes on.
: "${DB_HOST:?DB_HOST: the database host to check}" "${DB_PORT:=27017}"

run() {
  printf '\n$ %s\n' "$*"
  "$@" 2>&1
}

# With --network container:, Docker hands this container the target's own resolv.conf and hosts.
run cat /etc/resolv.conf
# What the API's resolver does: /etc/hosts first, then the nameserver above. An address needs no lookup.
case "$DB_HOST" in
  *[!0-9.]*) is_name=true ;;
  *) is_name=false ;;
esac
case "$DB_HOST" in *:*) is_name=false ;; esac
if ! $is_name; then
  resolved='is an address: nothing to resolve'
elif addresses=$(getent ahosts "$DB_HOST" | awk '{print $1}' | sort -u | tr '\n' ' '); [ -n "$addresses" ]; then
  printf '\n$ getent ahosts %s\n%s\n' "$DB_HOST" "${addresses% }"
  resolved="resolves to ${addresses% }"
else
  printf '\n$ getent ahosts %s\n(no answer)\n' "$DB_HOST"
  resolved='does not resolve'
fi
# The DNS server alone (no /etc/hosts): Docker's embedded 127.0.0.11 on a user-defined network.
if $is_name; then run nslookup -timeout=3 -retry=1 "$DB_HOST"; fi
if run nc -z -v -w 3 "$DB_HOST" "$DB_PORT"; then answered='answers'; else answered='does not answer'; fi
if [ -n "${API_PORT:-}" ]; then
  # The API's own verdict, with its driver's error: localhost here is the API's, as the namespace is shared.
  run curl -sS -m 5 "http://127.0.0.1:$API_PORT/readyz"
  echo
fi
run ip route
run ip -brief address

printf '\nSummary: %s %s; %s:%s %s.\n' "$DB_HOST" "$resolved" "$DB_HOST" "$DB_PORT" "$answered"
