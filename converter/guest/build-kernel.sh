#!/usr/bin/env bash
# Build a c2w guest kernel (Linux 6.1) from Debian's linux-source-6.1 and the kernel.fragment of
# its architecture:
#   riscv64 (default): converter/guest/kernel.fragment, riscv64-linux-gnu-gcc -> Image
#   x86_64 (the Bochs engine): converter/guest/x86_64/kernel.fragment, host gcc -> bzImage
#
# Usage: build-kernel.sh [--arch riscv64|x86_64]
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/kernel[-x86_64]/<hash>/{Image|bzImage} (plus config),
# where <hash> covers the fragment, the linux-source-6.1 package version, the compiler version
# and this script. Prints that path as the last line of stdout; a no-op when it already exists.
# Progress and build logs go to stderr. The unpacked source tree is shared by both
# architectures (out-of-tree builds never write to it); each has its own object dir.
#
# Env: C2W_CACHE (cache root), C2W_JOBS (make -j, default 2).
set -euo pipefail

arch=riscv64
case "${1:-}" in
  "") ;;
  --arch) arch=${2:?build-kernel: --arch needs riscv64 or x86_64} ;;
  --arch=*) arch=${1#--arch=} ;;
  *) echo "build-kernel: unknown argument: $1 (usage: build-kernel.sh [--arch riscv64|x86_64])" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=${C2W_CACHE:-$HOME/.cache/c2w}
case "$arch" in
  riscv64)
    name=build-kernel; fragment=$here/kernel.fragment; cache=$root/kernel
    cc=riscv64-linux-gnu-gcc; cc_pkg=gcc-riscv64-linux-gnu
    arch_args=(ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-); target=Image; built=arch/riscv/boot/Image ;;
  x86_64)
    name=build-kernel-x86_64; fragment=$here/x86_64/kernel.fragment; cache=$root/kernel-x86_64
    cc=gcc; cc_pkg=gcc
    [ "$(uname -m)" = x86_64 ] || { echo "$name: needs an x86_64 host gcc (this host is $(uname -m))" >&2; exit 1; }
    arch_args=(ARCH=x86_64); target=bzImage; built=arch/x86/boot/bzImage ;;
  *) echo "build-kernel: unknown architecture: $arch (riscv64 or x86_64)" >&2; exit 2 ;;
esac

die() { echo "$name: $*" >&2; exit 1; }

tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${C2W_JOBS:-2}

[ -f "$fragment" ] || die "missing config fragment: $fragment"
[ -f "$tarball" ] || die "missing $tarball (install linux-source-6.1: scripts/setup-system.sh)"
command -v "$cc" >/dev/null || die "missing $cc (install $cc_pkg)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || die "linux-source-6.1 is not installed"
ccver=$("$cc" --version | head -n1)

hash=$( { echo "linux-source-6.1 $srcver"; echo "$arch $ccver"; cat "$fragment" "$0"; } | sha256sum | cut -c1-16)
out=$cache/$hash
if [ -f "$out/$target" ]; then echo "$out/$target"; exit 0; fi

mkdir -p "$cache" "$root/kernel"
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/$target" ]; then echo "$out/$target"; exit 0; fi

# 1. Unpacked source, shared by every build of this package version (and both architectures).
srcroot=$root/kernel/src-$srcver
src=$srcroot/linux-source-6.1
exec 8>"$root/kernel/.src-lock"
flock 8
if [ ! -f "$srcroot/.complete" ]; then
  echo "$name: unpacking $tarball" >&2
  rm -rf "$srcroot"
  mkdir -p "$srcroot"
  tar -xJf "$tarball" -C "$srcroot"
  [ -f "$src/Makefile" ] || die "unexpected tarball layout: no $src/Makefile"
  touch "$srcroot/.complete"
fi
flock -u 8

# 2. Out-of-tree object dir, reused across fragment changes (incremental rebuilds).
obj=$cache/obj-$srcver
mkdir -p "$obj"
export KBUILD_BUILD_TIMESTAMP="2024-01-01 00:00:00 UTC" KBUILD_BUILD_USER=c2w KBUILD_BUILD_HOST=c2w
mk() { make -s -C "$src" O="$obj" "${arch_args[@]}" "$@" >&2; }

echo "$name: configuring (tinyconfig + $(basename "$(dirname "$fragment")")/kernel.fragment)" >&2
mk tinyconfig
(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >/dev/null) \
  || die "merge_config.sh failed"
mk olddefconfig

# 3. Every fragment line must have survived olddefconfig.
bad=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*)
      grep -qxF -- "$line" "$obj/.config" || { echo "$name: fragment line lost: $line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$obj/.config" || echo absent))" >&2; bad=1; } ;;
    "# CONFIG_"*" is not set")
      sym=${line#\# }; sym=${sym%% *}
      if grep -q "^$sym=" "$obj/.config"; then
        echo "$name: fragment line lost: $line (got: $(grep "^$sym=" "$obj/.config"))" >&2; bad=1
      fi ;;
  esac
done < "$fragment"
[ $bad -eq 0 ] || die "kernel config does not match its kernel.fragment"

echo "$name: make -j$jobs $target (a few minutes)" >&2
mk -j"$jobs" "$target"

tmp=$(mktemp -d "$cache/.tmp-$hash.XXXXXX"); chmod 755 "$tmp"
cp "$obj/$built" "$tmp/$target"
cp "$obj/.config" "$tmp/config"
echo "linux-source-6.1 $srcver" > "$tmp/source-version"
rm -rf "$out"
mv "$tmp" "$out"
echo "$out/$target"
