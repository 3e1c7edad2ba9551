#!/bin/sh
# Build the bare-metal ISA test programs into the content-addressed cache and print the
# directory (last line of stdout). No-op when that directory already exists.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CROSS=${CROSS:-riscv64-linux-gnu-}
CC="${CROSS}gcc"
command -v "$CC" >/dev/null 2>&1 || { echo "build.sh: $CC not found (install gcc-riscv64-linux-gnu)" >&2; exit 1; }

cd "$here"
tests=$(ls *.S | grep -v '^crt\.S$')
hash=$( { cat build.sh link.ld *.h crt.S $tests; "$CC" --version | head -1; } | sha256sum | cut -c1-16)
out="${C2W_CACHE:-$HOME/.cache/c2w}/isa/$hash"
if [ -d "$out" ]; then
  echo "$out"
  exit 0
fi
tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
CFLAGS="-nostdlib -nostartfiles -static -march=rv64gc -mabi=lp64d -mcmodel=medany -Wl,--no-relax -Wl,-T,link.ld -Wl,--build-id=none -I."
for t in $tests; do
  name=${t%.S}
  $CC $CFLAGS -o "$tmp/$name.elf" crt.S "$t" >&2
done
mv "$tmp" "$out"
trap - EXIT
echo "$out"
