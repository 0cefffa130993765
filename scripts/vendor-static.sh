#!/usr/bin/env bash
# Fetch the pinned browser libraries from the npm registry (no CDN at run time): uPlot and htmx
# into static/vendor/, which the console serves; axe-core into tests/e2e/vendor/, because only the
# browser tests inject it and it should not ship with the console (collectstatic would publish it).
#
#   scripts/vendor-static.sh          # fetch the versions pinned below
#
# To update one, change its version here, run the script, and commit the files it wrote
# (each library's LICENSE and a VERSION file come with it). Needs npm and tar.
set -euo pipefail

UPLOT_VERSION=1.6.32     # charts (static/vendor/uplot/)
HTMX_VERSION=2.0.11      # live status fragments (static/vendor/htmx/); the 2.x line, not 4.0's rewrite
AXE_CORE_VERSION=4.14.1  # accessibility sweep, injected only by the browser tests (tests/e2e/vendor/axe-core/)

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch PACKAGE VERSION DEST FILE... : copy package/FILE (paths inside the tarball) into DEST.
fetch() {
  local package="$1" version="$2" dest="$3"
  shift 3
  local unpacked="$WORK/$package"
  mkdir -p "$unpacked" "$dest"
  (cd "$WORK" && npm pack --silent "$package@$version" >/dev/null)
  tar -xzf "$WORK/${package//\//-}-$version.tgz" -C "$unpacked"
  for file in "$@"; do
    cp "$unpacked/package/$file" "$dest/"
  done
  echo "$package@$version" >"$dest/VERSION"
  echo "vendored $package@$version into ${dest#"$ROOT"/}"
}

fetch uplot "$UPLOT_VERSION" "$VENDOR/uplot" dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE
fetch htmx.org "$HTMX_VERSION" "$VENDOR/htmx" dist/htmx.min.js LICENSE
fetch axe-core "$AXE_CORE_VERSION" "$ROOT/tests/e2e/vendor/axe-core" axe.min.js LICENSE
