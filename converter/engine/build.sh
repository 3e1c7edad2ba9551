#!/usr/bin/env bash
# Build the engine: ./build.sh native|wasm
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/engine/<target>-<hash>/{c2w-engine|engine.wasm}; the
# directory is printed as the last stdout line. No-op when that output already exists (the hash
# covers every input: this script, compiler, flags, sources, headers, translated pages).
# C2W_ENGINE_RAM_MB (wasm only, default 128): guest RAM reserved in the initial linear memory.
# C2W_ENGINE_AOT=DIR|FILE.c: link these translated guest pages (made by converter/aot: every *.c
#   of DIR, one unit per page plus the table unit, or one file) instead of aot_none.c's empty table.
# Every C file is compiled on its own to an object cached under $C2W_CACHE/aot-obj/<target>-<hash>.o
# (hash of compiler, flags, the headers it can include and its text: a translated page's object
# is reused by any engine that links that page), C2W_BUILD_JOBS (default nproc) at a time, then
# one link (clang runs wasm-opt -O2 on the result when it is on PATH).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
target="${1:-}"
. "$here/sources.sh"
srcs=("${engine_srcs[@]}" main.c) # relative to here: __FILE__ names no checkout path
aot="${C2W_ENGINE_AOT:-$here/aot_none.c}"
if [ -d "$aot" ]; then
  units=("$(cd "$aot" && pwd)"/*.c)
  [ -f "${units[0]}" ] || { echo "build.sh: C2W_ENGINE_AOT=$aot: no .c files in this directory" >&2; exit 2; }
elif [ -f "$aot" ]; then
  units=("$(cd "$(dirname "$aot")" && pwd)/$(basename "$aot")")
else
  echo "build.sh: C2W_ENGINE_AOT=$aot: no such file or directory" >&2
  exit 2
fi
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
cd "$here"
c2w_cache="${C2W_CACHE:-$HOME/.cache/c2w}"
objdir="$c2w_cache/aot-obj"

# What every object depends on besides its own text: compiler and flags. Engine sources may include
# any engine header; translated units include aot_rt.h only (its closure from the compiler).
tool="$(
  echo "$target ${cc[*]} ${flags[*]}"
  command -v "${cc[0]}"
  "${cc[0]}" --version
)"
engine_headers="$(cat "$here"/*.h | sha256sum | cut -c1-64)"
rt_deps=($("${cc[@]}" "${flags[@]}" -MM aot_rt.h | sed -e 's/^[^:]*://' -e 's/\\$//'))
rt_headers="$(cat "${rt_deps[@]}" | sha256sum | cut -c1-64)"
key() { # key SRC HEADERS_HASH: the object's cache key
  { echo "$tool"; echo "$2"; cat "$1"; } | sha256sum | cut -c1-16
}
objs=()
todo=() # indexes into all/objs of the objects to compile
all=("${srcs[@]}" "${units[@]}")
for i in "${!all[@]}"; do
  if [ "$i" -lt "${#srcs[@]}" ]; then h="$engine_headers"; else h="$rt_headers"; fi
  objs+=("$objdir/$target-$(key "${all[$i]}" "$h").o")
  [ -f "${objs[$i]}" ] || todo+=("$i")
done

hash="$(
  {
    echo "$target ${libs[*]}"
    cat "$here/build.sh"
    printf '%s\n' "${objs[@]##*/}"
  } | sha256sum | cut -c1-16
)"
cache="$c2w_cache/engine/$target-$hash"
if [ -f "$cache/$out_name" ]; then
  echo "$cache"
  exit 0
fi

compile() { # compile SRC OBJ: to a temporary name, renamed when complete
  local tmp="$2.tmp.$BASHPID"
  if "${cc[@]}" "${flags[@]}" -c -o "$tmp" "$1"; then
    mv "$tmp" "$2"
  else
    rm -f "$tmp"
    echo "build.sh: compiling $1 failed" >&2
    return 1
  fi
}
if [ "${#todo[@]}" -gt 0 ]; then
  mkdir -p "$objdir"
  jobs="${C2W_BUILD_JOBS:-$(nproc)}"
  echo "build.sh: $target: compiling ${#todo[@]} of ${#all[@]} objects, $jobs at a time" >&2
  # largest first: the translated pages dominate and vary in size
  mapfile -t todo < <(for i in "${todo[@]}"; do echo "$(stat -c %s "${all[$i]}") $i"; done | sort -rn | cut -d' ' -f2)
  running=0
  failed=0
  for i in "${todo[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
      wait -n || failed=1
      running=$((running - 1))
    fi
    [ "$failed" = 0 ] || break
    compile "${all[$i]}" "${objs[$i]}" &
    running=$((running + 1))
  done
  while [ "$running" -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
  done
  [ "$failed" = 0 ] || exit 1
fi

mkdir -p "$cache"
tmp="$cache/.$out_name.tmp.$$"
"${cc[@]}" "${flags[@]}" -o "$tmp" "${objs[@]}" "${libs[@]}"
mv "$tmp" "$cache/$out_name"
echo "$cache"
