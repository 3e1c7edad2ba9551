#!/usr/bin/env bash
# Build the x86_64 guest kernel (Linux 6.1 bzImage) for the Bochs engine from Debian's
# linux-source-6.1 and kernel.fragment beside this script, with the host gcc (x86_64).
#
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/kernel-x86_64/<hash>/bzImage (plus config), where <hash>
# covers the fragment, the linux-source-6.1 package version, the gcc version and this script.
# Prints that path as the last line of stdout; a no-op when it already exists. Progress and
# build logs go to stderr.
#
# The unpacked source tree of the riscv64 kernel build (converter/guest/build-kernel.sh) is
# reused read-only when it is complete (out-of-tree builds never write to it); else this script
# unpacks its own.
#
# Env: C2W_CACHE (cache root), C2W_JOBS (make -j, default 2).
set -euo pipefail

die() { echo "build-kernel-x86_64: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/kernel.fragment
tarball=/usr/src/linux-source-6.1.tar.xz
root=${C2W_CACHE:-$HOME/.cache/c2w}
cache=$root/kernel-x86_64
jobs=${C2W_JOBS:-2}
arch_args=(ARCH=x86_64)

[ -f "$fragment" ] || die "missing config fragment: $fragment"
[ -f "$tarball" ] || die "missing $tarball (install linux-source-6.1: scripts/setup-system.sh)"
command -v gcc >/dev/null || die "missing gcc"
[ "$(uname -m)" = x86_64 ] || die "needs an x86_64 host gcc (this host is $(uname -m))"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) || die "linux-source-6.1 is not installed"
gccver=$(gcc --version | head -n1)

hash=$( { echo "linux-source-6.1 $srcver"; echo "$gccver"; cat "$fragment" "$0"; } | sha256sum | cut -c1-16)
out=$cache/$hash
if [ -f "$out/bzImage" ]; then echo "$out/bzImage"; exit 0; fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/bzImage" ]; then echo "$out/bzImage"; exit 0; fi

# 1. Unpacked source: the riscv64 build's if complete, else our own.
if [ -f "$root/kernel/src-$srcver/.complete" ]; then
  src=$root/kernel/src-$srcver/linux-source-6.1
else
  src=$cache/src-$srcver/linux-source-6.1
  if [ ! -f "$cache/src-$srcver/.complete" ]; then
    echo "build-kernel-x86_64: unpacking $tarball" >&2
    rm -rf "$cache/src-$srcver"
    mkdir -p "$cache/src-$srcver"
    tar -xJf "$tarball" -C "$cache/src-$srcver"
    [ -f "$src/Makefile" ] || die "unexpected tarball layout: no $src/Makefile"
    touch "$cache/src-$srcver/.complete"
  fi
fi

# 2. Out-of-tree object dir, reused across fragment changes (incremental rebuilds).
obj=$cache/obj-$srcver
mkdir -p "$obj"
export KBUILD_BUILD_TIMESTAMP="2024-01-01 00:00:00 UTC" KBUILD_BUILD_USER=c2w KBUILD_BUILD_HOST=c2w
mk() { make -s -C "$src" O="$obj" "${arch_args[@]}" "$@" >&2; }

echo "build-kernel-x86_64: configuring (tinyconfig + kernel.fragment)" >&2
mk tinyconfig
(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >/dev/null) \
  || die "merge_config.sh failed"
mk olddefconfig

# 3. Every fragment line must have survived olddefconfig.
bad=0
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*)
      grep -qxF -- "$line" "$obj/.config" || { echo "build-kernel-x86_64: fragment line lost: $line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$obj/.config" || echo absent))" >&2; bad=1; } ;;
    "# CONFIG_"*" is not set")
      sym=${line#\# }; sym=${sym%% *}
      if grep -q "^$sym=" "$obj/.config"; then
        echo "build-kernel-x86_64: fragment line lost: $line (got: $(grep "^$sym=" "$obj/.config"))" >&2; bad=1
      fi ;;
  esac
done < "$fragment"
[ $bad -eq 0 ] || die "kernel config does not match kernel.fragment"

echo "build-kernel-x86_64: make -j$jobs bzImage (a few minutes)" >&2
mk -j"$jobs" bzImage

tmp=$(mktemp -d "$cache/.tmp-$hash.XXXXXX"); chmod 755 "$tmp"
cp "$obj/arch/x86/boot/bzImage" "$tmp/bzImage"
cp "$obj/.config" "$tmp/config"
echo "linux-source-6.1 $srcver" > "$tmp/source-version"
rm -rf "$out"
mv "$tmp" "$out"
echo "$out/bzImage"
