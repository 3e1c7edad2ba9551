#!/usr/bin/env bash
# Build a gzip'd newc cpio initramfs for the guest, without root (cpio.py writes the archive).
#
# Usage: build-initramfs.sh [--init | --smoke]      (default: --init)
#   --init:  /init is our static C init (init/*.c, riscv64-linux-gnu-gcc -static), the PID 1 that
#            speaks PROTOCOL.md with the engine. Also keeps the unstripped binary as init.debug.
#   --smoke: /init is smoke-init.sh run by static busybox (from fetch-userland.sh): prints a line,
#            `uname -a`, `ls /`, then `poweroff -f` (-> SBI SRST).
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/initramfs/<hash>/initramfs.cpio.gz, <hash> covering the
# inputs (sources, compiler version, this script); prints the path as the last line of stdout;
# a no-op when it already exists.
#
# Env: C2W_CACHE, C2W_CC (default riscv64-linux-gnu-gcc).
set -euo pipefail
die() { echo "build-initramfs: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
variant=init
case "${1:-}" in
  ""|--init) ;;
  --smoke) variant=smoke ;;
  *) die "unknown option '$1' (expected --init or --smoke)" ;;
esac
[ $# -le 1 ] || die "too many arguments (expected one of --init, --smoke)"

cc=${C2W_CC:-riscv64-linux-gnu-gcc}
cflags=(-std=c11 -Os -static -Wall -Wextra -Werror)
cache=${C2W_CACHE:-$HOME/.cache/c2w}/initramfs

if [ $variant = smoke ]; then
  userland=$("$here/fetch-userland.sh" busybox-static | tail -n1)
  busybox=$userland/root/usr/bin/busybox
  [ -x "$busybox" ] || die "no busybox in $userland"
  hash=$( { echo "$variant"; cat "$0" "$here/cpio.py" "$here/smoke-init.sh" "$busybox"; } | sha256sum | cut -c1-16)
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
file /init 0755 $here/smoke-init.sh
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
