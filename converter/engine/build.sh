#!/usr/bin/env bash
# Build the engine: ./build.sh native|wasm
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/engine/<hash>/{c2w-engine|engine.wasm}; the directory is
# printed as the last stdout line. No-op when that output already exists.
# C2W_ENGINE_RAM_MB (wasm only, default 128): guest RAM reserved in the initial linear memory.
# C2W_ENGINE_AOT=FILE.c: link these translated guest pages (made by converter/aot) instead of
# aot_none.c's empty table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:-}"
. "$here/sources.sh"
srcs=("${engine_srcs[@]}" main.c)
aot="${C2W_ENGINE_AOT:-$here/aot_none.c}"
[ -f "$aot" ] || { echo "build.sh: C2W_ENGINE_AOT=$aot: no such file" >&2; exit 2; }
aot="$(cd "$(dirname "$aot")" && pwd)/$(basename "$aot")"
warn=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -I.)
case "$target" in
  native)
    cc=(gcc)
    flags=(-O2 "${warn[@]}" -frounding-math)
    libs=(-lm)
    out_name=c2w-engine
    ;;
  wasm)
    ram_mb="${C2W_ENGINE_RAM_MB:-128}"
    cc=(clang --target=wasm32-wasi --sysroot=/usr)
    flags=(-O2 "${warn[@]}" -DC2W_RAM_MAX_MB="$ram_mb" -Wno-unused-command-line-argument)
    libs=(-Wl,-z,stack-size=1048576 -Wl,--max-memory=2147483648 -Wl,--export=c2w_payload)
    out_name=engine.wasm
    ;;
  *)
    echo "usage: $0 native|wasm" >&2
    exit 2
    ;;
esac
command -v "${cc[0]}" >/dev/null || { echo "build.sh: ${cc[0]} not found (run scripts/setup-system.sh)" >&2; exit 1; }

hash="$(
  {
    echo "$target ${cc[*]} ${flags[*]} ${libs[*]}"
    "${cc[0]}" --version | head -1
    cat "$here/build.sh"
    for f in "${srcs[@]}" "$here"/*.h; do cat "$here/${f#"$here/"}"; done
    cat "$aot"
  } | sha256sum | cut -c1-16
)"
cache="${C2W_CACHE:-$HOME/.cache/c2w}/engine/$target-$hash"
if [ ! -f "$cache/$out_name" ]; then
  mkdir -p "$cache"
  tmp="$cache/.$out_name.tmp.$$"
  (cd "$here" && "${cc[@]}" "${flags[@]}" -o "$tmp" "${srcs[@]}" "$aot" "${libs[@]}")
  mv "$tmp" "$cache/$out_name"
fi
echo "$cache"
