#!/usr/bin/env bash
# Build an x86_64 initramfs (gzip'd newc cpio, without root).
#
# Usage: build-initramfs.sh --smoke | --init
#   --smoke: static busybox from Debian's busybox-static (amd64, the host's) and smoke-init.sh
#            as /init.
#   --init:  our guest init (converter/guest/init, PROTOCOL.md) built static with the host gcc:
#            converter/guest/build-initramfs.sh --init with C2W_CC=gcc (its cache, its output).
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/initramfs-x86_64/<hash>/initramfs.cpio.gz, <hash> covering
# busybox, smoke-init.sh, cpio.py and this script; prints the path as the last line of stdout;
# a no-op when it already exists.
set -euo pipefail
die() { echo "build-initramfs-x86_64: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] && { [ "$1" = --smoke ] || [ "$1" = --init ]; } || die "usage: build-initramfs.sh --smoke | --init"
if [ "$1" = --init ]; then
  case "$(gcc -dumpmachine 2>/dev/null)" in
    x86_64-*) ;;
    *) die "the host gcc does not target x86_64 (needed for the x86_64 init)" ;;
  esac
  C2W_CC=gcc exec "$here/../build-initramfs.sh" --init
fi
busybox=/bin/busybox
[ -x "$busybox" ] || die "missing $busybox (install busybox-static: scripts/setup-system.sh)"
[ "$(od -An -tx1 -j18 -N2 "$busybox" | tr -d ' ')" = 3e00 ] \
  || die "$busybox is not an x86-64 binary (install busybox-static on an amd64 host)"
cpio_py=$here/../cpio.py
cache=${C2W_CACHE:-$HOME/.cache/c2w}/initramfs-x86_64

hash=$( { cat "$0" "$cpio_py" "$here/smoke-init.sh" "$busybox"; } | sha256sum | cut -c1-16)
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
python3 "$cpio_py" "$tmp/list" "$tmp/initramfs.cpio.gz" || die "cpio.py failed"
rm "$tmp/list"
rm -rf "$out"; mv "$tmp" "$out"; trap - EXIT
echo "$out/initramfs.cpio.gz"
