#!/bin/sh
# Starts FerretDB the way the official mongo image starts mongod, as far as the compose files rely on it:
# with MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD (or MONGO_INITDB_ROOT_PASSWORD_FILE)
# set, clients must authenticate, and that user is created in the admin database on first start.
# FerretDB 1.x calls this "new authentication" and still marks it as a test feature; it has no roles.
set -eu

if [ -n "${MONGO_INITDB_ROOT_PASSWORD_FILE:-}" ]; then
  MONGO_INITDB_ROOT_PASSWORD=$(cat "$MONGO_INITDB_ROOT_PASSWORD_FILE")
fi
if [ -n "${MONGO_INITDB_ROOT_USERNAME:-}" ] && [ -n "${MONGO_INITDB_ROOT_PASSWORD:-}" ]; then
  export FERRETDB_TEST_ENABLE_NEW_AUTH=true FERRETDB_SETUP_DATABASE=admin
  export FERRETDB_SETUP_USERNAME="$MONGO_INITDB_ROOT_USERNAME" FERRETDB_SETUP_PASSWORD="$MONGO_INITDB_ROOT_PASSWORD"
fi
unset MONGO_INITDB_ROOT_USERNAME MONGO_INITDB_ROOT_PASSWORD MONGO_INITDB_ROOT_PASSWORD_FILE

# mongod's own listening options, as a compose `command:` gives them to the official image:
# --bind_ip <address> and --bind_ip_all become FerretDB's --listen-addr (the last one given wins).
# --tlsMode requireTLS with --tlsCertificateKeyFile <certificate and key in one PEM> (compose/parts/
# mongodb-tls.yml) becomes a TLS listener in its place, on the same port.
listen=0.0.0.0
tls_mode=disabled
tls_pem=
set -- "$@" --end-of-mongod-options
while [ "$1" != --end-of-mongod-options ]; do
  case "$1" in
    --bind_ip) listen=$2; shift 2 ;;
    --bind_ip=*) listen=${1#--bind_ip=}; shift ;;
    --bind_ip_all) listen=0.0.0.0; shift ;;
    --tlsMode) tls_mode=$2; shift 2 ;;
    --tlsCertificateKeyFile) tls_pem=$2; shift 2 ;;
    mongod) shift ;; # the official image takes "mongod --bind_ip ..." too
    *) set -- "$@" "$1"; shift ;;
  esac
done
shift
plain="$listen:27017"
if [ "$tls_mode" = requireTLS ]; then
  set -- --listen-tls="$plain" --listen-tls-cert-file="$tls_pem" --listen-tls-key-file="$tls_pem" "$@"
  plain=
fi

# exec: ferretdb becomes PID 1 and gets SIGTERM itself, so `docker stop` is quick.
# --test-enable-sort-pushdown (sort-pushdown.patch): SQLite serves the list's sort and limit and the
# duplicate check's name from the API's indexes, instead of FerretDB reading the whole collection.
exec /usr/local/bin/ferretdb \
  --handler=sqlite \
  --sqlite-url=file:/data/db/ \
  --listen-addr="$plain" \
  --state-dir=/var/lib/ferretdb \
  --debug-addr=127.0.0.1:8088 \
  --telemetry=disable \
  --test-enable-sort-pushdown \
  "$@"
