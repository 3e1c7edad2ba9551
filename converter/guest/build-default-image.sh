#!/usr/bin/env bash
# Build the default riscv64 test image as an OCI image layout: busybox-static, hello (glibc,
# dynamically linked) with libc6, /etc/passwd and /etc/group; Cmd ["/bin/sh"]. No Docker, no root.
#
# Usage: build-default-image.sh [DEBIAN_ARCH]
#   DEBIAN_ARCH (default riscv64, from trixie): the same image for another architecture from
#   Debian bookworm (arm64, amd64, armhf, i386, ppc64el, s390x): the foreign-architecture test
#   images (converter/tests/test_foreign_images.py, bench/foreign).
#
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/default-image/<hash>/ (an OCI layout, tag "latest");
# prints the directory as the last line of stdout; a no-op when it already exists.
set -euo pipefail
die() { echo "build-default-image: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
arch=${1:-riscv64}
[ $# -le 1 ] || die "usage: build-default-image.sh [DEBIAN_ARCH]"
if [ "$arch" = riscv64 ]; then
  userland=$("$here/fetch-userland.sh" busybox-static hello | tail -n1)
else
  userland=$(C2W_DEBIAN_ARCH=$arch C2W_DEBIAN_SUITE=${C2W_DEBIAN_SUITE:-bookworm} \
             "$here/fetch-userland.sh" busybox-static hello | tail -n1)
fi
[ -d "$userland/debs" ] || die "fetch-userland.sh gave no debs"

cache=${C2W_CACHE:-$HOME/.cache/c2w}/default-image
hash=$( { echo "$arch"; cat "$userland/manifest.txt" "$0" "$here/default_image.py"; } | sha256sum | cut -c1-16)
out=$cache/$hash
if [ -f "$out/index.json" ]; then echo "$out"; exit 0; fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.tmp-$hash.XXXXXX"); chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
python3 "$here/default_image.py" "$userland/debs" "$tmp/layout" "$arch" || die "default_image.py failed"
rm -rf "$out"; mv "$tmp/layout" "$out"
echo "$out"
