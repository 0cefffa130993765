#!/usr/bin/env bash
# The resolvers (`manage.py resolvers`) run Debian's unbound: install it when it is missing.
set -euo pipefail
UNBOUND="${RESOLVER_UNBOUND:-/usr/sbin/unbound}"
[ -x "$UNBOUND" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "unbound is not installed; installing Debian's unbound for the resolvers..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unbound >/dev/null
else
  echo "The resolvers need unbound at $UNBOUND: install it (apt-get install unbound) or set RESOLVER_UNBOUND." >&2
  exit 1
fi
