# Helpers for scripts that install from Debian's archive. Sourced, not run.

# This host's Debian codename (bookworm, trixie, ...).
debian_codename() {
  . /etc/os-release && printf '%s\n' "${VERSION_CODENAME:?no VERSION_CODENAME in /etc/os-release}"
}

# The archive this machine's apt already uses for its own release, read from apt's configuration
# (every sources format): a mirror is the machine's business, never the project's.
debian_mirror() {
  local codename uri
  codename=$(debian_codename)
  uri=$(apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 'Identifier: Packages' 2>/dev/null |
    awk -v release="$codename" '$1 == release {print $2; exit}')
  if [ -z "$uri" ]; then
    echo "cannot find the Debian archive for $codename in apt's sources (apt-get indextargets); add one and run again" >&2
    return 1
  fi
  printf '%s\n' "${uri%/}"
}
