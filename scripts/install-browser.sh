#!/usr/bin/env bash
# Vendor the browser runtime's npm packages (pinned in c2w_run/browser/package-lock.json, with
# integrity hashes) into c2w_run/browser/static/vendor/, the package data the page loads (no CDN).
#   npm ci runs once per lockfile into ${C2W_CACHE:-$HOME/.cache/c2w}/browser-npm/<lock hash>/;
#   a vendor dir that is already up to date is only checked.
# Never downloads a browser: the runtime uses Debian's chromium (scripts/setup-system.sh).
# Last stdout line: the vendor directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PKG="$HERE/../c2w_run/browser"
PKG="$(cd "$PKG" && pwd)"
CACHE="${C2W_CACHE:-$HOME/.cache/c2w}"
HASH="$(cat "$PKG/package.json" "$PKG/package-lock.json" | sha256sum | cut -c1-16)"
NPM_DIR="$CACHE/browser-npm/$HASH"
VENDOR="$PKG/static/vendor"

command -v npm >/dev/null || { echo "install-browser: npm is not installed (Debian package: nodejs/npm)" >&2; exit 1; }

if [ ! -d "$NPM_DIR/node_modules" ]; then
  mkdir -p "$CACHE/browser-npm"
  tmp="$(mktemp -d "$CACHE/browser-npm/.tmp-XXXXXX")"
  cp "$PKG/package.json" "$PKG/package-lock.json" "$tmp/"
  echo "installing the browser runtime's npm packages (npm ci)..." >&2
  if ! (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1); then
    echo "install-browser: npm ci failed (log: $tmp/npm.log)" >&2; exit 1
  fi
  mv -T "$tmp" "$NPM_DIR" 2>/dev/null || rm -rf "$tmp"   # another install won the race
fi

if [ "$(cat "$VENDOR/.hash" 2>/dev/null)" != "$HASH" ]; then
  tmp="$(mktemp -d "$PKG/static/.vendor-XXXXXX")"
  nm="$NPM_DIR/node_modules"
  mkdir -p "$tmp/browser_wasi_shim" "$tmp/xterm"
  cp "$nm/@bjorn3/browser_wasi_shim/dist/"*.js "$nm/@bjorn3/browser_wasi_shim/LICENSE-MIT" "$tmp/browser_wasi_shim/"
  cp "$nm/@xterm/xterm/lib/xterm.mjs" "$nm/@xterm/xterm/css/xterm.css" "$nm/@xterm/xterm/LICENSE" "$tmp/xterm/"
  cp "$nm/@xterm/addon-fit/lib/addon-fit.mjs" "$tmp/xterm/"
  echo "$HASH" >"$tmp/.hash"
  rm -rf "$VENDOR.old"; [ -d "$VENDOR" ] && mv "$VENDOR" "$VENDOR.old"
  mv "$tmp" "$VENDOR"; rm -rf "$VENDOR.old"
fi
echo "$VENDOR"
