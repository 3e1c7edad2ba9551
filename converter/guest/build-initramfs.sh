#!/usr/bin/env bash
# Build a gzip'd newc cpio initramfs for the guest, without root (cpio.py writes the archive).
#
# Usage: build-initramfs.sh [--arch riscv64|x86_64] [--init | --smoke]   (default: riscv64, --init)
#   --init:  /init is our static C init (init/*.c, -static), the PID 1 that speaks PROTOCOL.md
#            with the engine: riscv64-linux-gnu-gcc, or the host gcc for x86_64 (the Bochs engine).
#            Also keeps the unstripped binary as init.debug.
#   --smoke: /init is the architecture's smoke-init.sh (riscv64: smoke-init.sh, x86_64:
#            x86_64/smoke-init.sh) run by static busybox (riscv64: from fetch-userland.sh; x86_64:
#            the host's busybox-static): prints what the kernel and its devices give, then powers off.
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/initramfs[-x86_64]/<hash>/initramfs.cpio.gz, <hash>
# covering the inputs (sources, compiler version, this script); prints the path as the last line
# of stdout; a no-op when it already exists.
#
# Env: C2W_CACHE, C2W_CC (default riscv64-linux-gnu-gcc; gcc for x86_64).
set -euo pipefail
die() { echo "build-initramfs: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
arch=riscv64
if [ "${1:-}" = --arch ]; then arch=${2:-}; shift 2 || die "--arch needs riscv64 or x86_64"; fi
variant=init
case "${1:-}" in
  ""|--init) ;;
  --smoke) variant=smoke ;;
  *) die "unknown option '$1' (expected [--arch riscv64|x86_64] --init or --smoke)" ;;
esac
[ $# -le 1 ] || die "too many arguments (expected one of --init, --smoke)"

cflags=(-std=c11 -Os -static -Wall -Wextra -Werror)
case $arch in
  riscv64) cc=${C2W_CC:-riscv64-linux-gnu-gcc}; cache=${C2W_CACHE:-$HOME/.cache/c2w}/initramfs
           smoke_init=$here/smoke-init.sh ;;
  x86_64)  cc=${C2W_CC:-gcc}; smoke_init=$here/x86_64/smoke-init.sh
           # the init shares the riscv64 init's cache (its hash covers the compiler);
           # the smoke initramfs has its own
           cache=${C2W_CACHE:-$HOME/.cache/c2w}/initramfs; [ $variant = init ] || cache=$cache-x86_64
           case "$("$cc" -dumpmachine 2>/dev/null)" in
             x86_64-*) ;;
             *) die "$cc does not target x86_64 (needed for the x86_64 init)" ;;
           esac ;;
  *) die "unknown architecture '$arch' (expected riscv64 or x86_64)" ;;
esac

if [ $variant = smoke ]; then
  if [ $arch = riscv64 ]; then
    userland=$("$here/fetch-userland.sh" busybox-static | tail -n1)
    busybox=$userland/root/usr/bin/busybox
    [ -x "$busybox" ] || die "no busybox in $userland"
  else
    busybox=/bin/busybox
    [ -x "$busybox" ] || die "missing $busybox (install busybox-static: scripts/setup-system.sh)"
    [ "$(od -An -tx1 -j18 -N2 "$busybox" | tr -d ' ')" = 3e00 ] \
      || die "$busybox is not an x86-64 binary (install busybox-static on an amd64 host)"
  fi
  hash=$( { echo "$variant $arch"; cat "$0" "$here/cpio.py" "$smoke_init" "$busybox"; } | sha256sum | cut -c1-16)
else
  command -v "$cc" >/dev/null || die "missing $cc (install gcc-riscv64-linux-gnu: scripts/setup-system.sh)"
  ccver=$("$cc" --version | head -n1)
  hash=$( { echo "$variant $ccver ${cflags[*]}"; cat "$0" "$here/cpio.py"; \
            for f in "$here"/init/*.c "$here"/init/*.h; do echo "$(basename "$f")"; cat "$f"; done; } \
          | sha256sum | cut -c1-16)
fi
out=$cache/$hash
if [ -f "$out/initramfs.cpio.gz" ]; then echo "$out/initramfs.cpio.gz"; exit 0; fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.tmp-$hash.XXXXXX"); chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

if [ $variant = smoke ]; then
  cat > "$tmp/list" <<LIST
dir /dev 0755
nod /dev/console 0600 c 5 1
dir /proc 0555
dir /sys 0555
dir /tmp 01777
dir /bin 0755
file /bin/busybox 0755 $busybox
slink /bin/sh busybox
file /init 0755 $smoke_init
LIST
else
  "$cc" "${cflags[@]}" -o "$tmp/init.debug" "$here"/init/*.c >&2 || die "compiling the init failed"
  "${cc%gcc}strip" -o "$tmp/init" "$tmp/init.debug" 2>/dev/null || cp "$tmp/init.debug" "$tmp/init"
  cat > "$tmp/list" <<LIST
dir /dev 0755
nod /dev/console 0600 c 5 1
file /init 0755 $tmp/init
LIST
fi
python3 "$here/cpio.py" "$tmp/list" "$tmp/initramfs.cpio.gz" || die "cpio.py failed"
rm "$tmp/list"
rm -rf "$out"; mv "$tmp" "$out"; trap - EXIT
echo "$out/initramfs.cpio.gz"
