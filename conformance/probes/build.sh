#!/usr/bin/env bash
# Build every WASI probe (conformance/probes/*.c) for wasm32-wasi (preview1)
# with Debian's clang + wasi-libc + lld into
#   ${C2W_CACHE:-$HOME/.cache/c2w}/probes/<hash of sources, this script, clang version>/NAME.wasm
# and print that directory (last stdout line). A no-op when it exists.
# Extra link flags for one probe: a "c2w-ldflags: ..." line in its source.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${C2W_CACHE:-$HOME/.cache/c2w}"
CC="${C2W_WASI_CC:-clang}"
command -v "$CC" >/dev/null || { echo "probes/build.sh: $CC not found (run scripts/setup-system.sh)" >&2; exit 1; }
[ -f /usr/lib/wasm32-wasi/libc.a ] || { echo "probes/build.sh: wasi-libc missing (/usr/lib/wasm32-wasi/libc.a; run scripts/setup-system.sh)" >&2; exit 1; }

CFLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -std=c11 -Wall -Wextra -Werror)
key="$( { "$CC" --version | head -1; echo "${CFLAGS[*]}"; cat "$HERE/build.sh" "$HERE"/*.h;
          for f in "$HERE"/*.c; do basename "$f"; cat "$f"; done; } | sha256sum | cut -c1-16)"
out="$CACHE/probes/$key"
if [ -d "$out" ]; then echo "$out"; exit 0; fi

tmp="$(mktemp -d "$CACHE/probes.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$CACHE"; mktemp -d "$CACHE/probes.tmp.XXXXXX"; })"
trap 'rm -rf "$tmp"' EXIT
for src in "$HERE"/*.c; do
  name="$(basename "$src" .c)"
  read -r -a ld <<<"$(sed -n 's/.*c2w-ldflags:[[:space:]]*//p' "$src" | head -1)"
  if ! "$CC" "${CFLAGS[@]}" "$src" "${ld[@]}" -o "$tmp/$name.wasm"; then
    echo "probes/build.sh: compiling $name.c failed" >&2; exit 1
  fi
done
mkdir -p "$CACHE/probes"
chmod 755 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
