# The Go settings of the offline FerretDB build (scripts/offline-images.sh). Sourced, not run.

# Sets up the environment so that every module is checked against the Go checksum database, with no
# exemption and no module edits, whatever this machine's Go settings say. Settings made with
# `go env -w` live in a file that an empty variable does not override (GONOSUMDB= still reads the
# file's value), so that file is not read at all (GOENV=off); only its module proxy is kept, the
# machine's mirror. GOFLAGS is ours alone.
isolate_go_env() {
  local proxy
  proxy=$(go env GOPROXY) || return 1
  export GOENV=off GOPROXY="$proxy" GOFLAGS="-mod=readonly -buildvcs=false"
  export GONOSUMDB= GOINSECURE= GOPRIVATE=
}
