#!/usr/bin/env bash
# Build the libFuzzer harnesses (clang -fsanitize=fuzzer,address,undefined) over the engine's
# sources (all but main.c). Output: ${C2W_CACHE:-$HOME/.cache/c2w}/fuzz/<hash>/fuzz_{9p,virtq,payload,net,netmux};
# the directory is printed as the last stdout line. No-op when that output already exists.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
engine="$(dirname "$here")"
harnesses=(fuzz_9p fuzz_virtq fuzz_payload fuzz_net fuzz_netmux)
. "$engine/sources.sh"
srcs=("${engine_srcs[@]}" aot_none.c)
cc=(clang)
flags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -g -O1 -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
command -v clang >/dev/null || { echo "fuzz/build.sh: clang not found (run scripts/setup-system.sh)" >&2; exit 1; }
[ -n "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null | grep /)" ] &&
  [ -f "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ] ||
  { echo "fuzz/build.sh: libFuzzer missing: install libclang-rt-14-dev (scripts/setup-system.sh)" >&2; exit 1; }
hash="$(
  {
    echo "${cc[*]} ${flags[*]}"
    clang --version | head -1
    cat "$here/build.sh" "$here"/*.c "$here"/*.h "$engine"/*.h "$engine/sources.sh"
    for f in "${srcs[@]}"; do cat "$engine/$f"; done
  } | sha256sum | cut -c1-16
)"
out="${C2W_CACHE:-$HOME/.cache/c2w}/fuzz/$hash"
if [ ! -f "$out/fuzz_netmux" ]; then
  tmp="$(mkdir -p "$(dirname "$out")" && mktemp -d "$(dirname "$out")/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  objs=()
  for f in "${srcs[@]}"; do
    o="$tmp/$(echo "$f" | tr / _).o"
    # the engine objects get -fsanitize=fuzzer-no-link: coverage without a second main
    "${cc[@]}" "${flags[@]/-fsanitize=fuzzer,address,undefined/-fsanitize=fuzzer-no-link,address,undefined}" \
      -c -o "$o" "$engine/$f"
    objs+=("$o")
  done
  for h in "${harnesses[@]}"; do
    "${cc[@]}" "${flags[@]}" -o "$tmp/$h" "$here/$h.c" "${objs[@]}" -lm
  done
  rm -f "$tmp"/*.o
  mv "$tmp" "$out" 2>/dev/null || [ -f "$out/fuzz_netmux" ]  # another build won the race
  rm -rf "$tmp"
  trap - EXIT
fi
echo "$out"
