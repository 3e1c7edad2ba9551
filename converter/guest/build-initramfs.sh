#!/usr/bin/env bash
# Build a gzip'd newc cpio initramfs for the guest, without root (cpio.py writes the archive).
#
# Usage: build-initramfs.sh [--smoke]       (the only variant so far)
#   --smoke: /init is smoke-init.sh run by static busybox (from fetch-userland.sh): prints a line,
#            `uname -a`, `ls /`, then `poweroff -f` (-> SBI SRST).
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/initramfs/<hash>/initramfs.cpio.gz; prints the path as
# the last line of stdout; a no-op when it already exists.
set -euo pipefail
die() { echo "build-initramfs: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
variant=smoke
case "${1:-}" in
  ""|--smoke) ;;
  *) die "unknown option '$1' (expected --smoke)" ;;
esac

userland=$("$here/fetch-userland.sh" busybox-static | tail -n1)
busybox=$userland/root/usr/bin/busybox
[ -x "$busybox" ] || die "no busybox in $userland"

cache=${C2W_CACHE:-$HOME/.cache/c2w}/initramfs
hash=$( { echo "$variant"; cat "$0" "$here/cpio.py" "$here/smoke-init.sh" "$busybox"; } | sha256sum | cut -c1-16)
out=$cache/$hash
if [ -f "$out/initramfs.cpio.gz" ]; then echo "$out/initramfs.cpio.gz"; exit 0; fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.tmp-$hash.XXXXXX"); chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT

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
python3 "$here/cpio.py" "$tmp/list" "$tmp/initramfs.cpio.gz" || die "cpio.py failed"
rm "$tmp/list"
rm -rf "$out"; mv "$tmp" "$out"; trap - EXIT
echo "$out/initramfs.cpio.gz"
