#!/usr/bin/env bash
# Build the c2w-run wheel with the prebuilt parts as package data (converter/data/): engine.wasm,
# the riscv64 kernel Image, the guest init initramfs and the default image (an OCI layout), so
# that `pip install c2w_run-*.whl` converts images with no C toolchain, cross compiler or kernel
# source. With --with-x86_64 it also carries the x86_64 full-system parts (bochs.wasm, bzImage and
# the x86_64 init initramfs: `c2w --emulation system` for amd64 images). The parts come from (or
# are built into) the project's cache by their own scripts.
#
# Usage: scripts/build-wheel.sh [--with-x86_64] [OUTDIR]   (default dist/; the python is $PYTHON or .venv/bin/python,
#        which needs PyPI `build` and setuptools: `make venv` installs them)
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/wheel/<hash>/c2w_run-*.whl, copied into OUTDIR; prints
# the copy's path as the last line of stdout; the build is a no-op when the cached wheel exists.
set -euo pipefail
die() { echo "build-wheel: $*" >&2; exit 1; }

cd "$(dirname "$0")/.."
x86=false
if [ "${1:-}" = --with-x86_64 ]; then x86=true; shift; fi
case "${1:-}" in -*) die "unknown option ${1}";; esac
outdir=${1:-dist}
py=${PYTHON:-.venv/bin/python}
[ -x "$py" ] || die "$py: no such python (run make venv)"
"$py" -c 'import build' 2>/dev/null || die "$py has no PyPI 'build' (run make venv)"

engine=$(converter/engine/build.sh wasm | tail -n1)/engine.wasm
kernel=$(converter/guest/build-kernel.sh | tail -n1)
initrd=$(converter/guest/build-initramfs.sh --init | tail -n1)
image=$(converter/guest/build-default-image.sh | tail -n1)
parts=("$engine" "$kernel" "$initrd")
if $x86; then  # the names converter/components.py looks for in converter/data/
  parts+=("$(converter/bochs/build.sh wasi | tail -n1)/bochs.wasm"
          "$(converter/guest/build-kernel.sh --arch x86_64 | tail -n1)"
          "$(converter/guest/build-initramfs.sh --arch x86_64 --init | tail -n1)")
fi
for f in "${parts[@]}" "$image/index.json"; do [ -f "$f" ] || die "$f: missing"; done

list=$(mktemp); trap 'rm -f "$list"' EXIT
git ls-files -co --exclude-standard -- pyproject.toml README.md c2w_run converter conformance matrix |
  while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done > "$list"
hash=$( { xargs -d '\n' sha256sum < "$list"; sha256sum "${parts[@]}";
          (cd "$image" && find . -type f | LC_ALL=C sort | xargs sha256sum); } | sha256sum | cut -c1-16)

cache=${C2W_CACHE:-$HOME/.cache/c2w}/wheel
out=$cache/$hash
if ! ls "$out"/*.whl >/dev/null 2>&1; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.tmp-$hash.XXXXXX")
  trap 'rm -f "$list"; rm -rf "$tmp"' EXIT
  mkdir "$tmp/src" "$tmp/dist"
  tar -cf - -T "$list" | tar -xf - -C "$tmp/src"
  data=$tmp/src/converter/data
  mkdir -p "$data"
  cp "$engine" "$data/engine.wasm"
  cp "$kernel" "$data/Image"
  cp "$initrd" "$data/initramfs.cpio.gz"
  if $x86; then
    cp "${parts[3]}" "$data/bochs.wasm"
    cp "${parts[4]}" "$data/bzImage"
    cp "${parts[5]}" "$data/initramfs-x86_64.cpio.gz"
  fi
  cp -r "$image" "$data/default-image"
  "$py" -m build --wheel --no-isolation --outdir "$tmp/dist" "$tmp/src" > "$tmp/build.log" 2>&1 ||
    die "python -m build failed: $(grep -i error "$tmp/build.log" | tail -n1)"
  ls "$tmp/dist"/*.whl >/dev/null 2>&1 || die "python -m build wrote no wheel"
  rm -rf "$out"; mv "$tmp/dist" "$out"
fi
mkdir -p "$outdir"
whl=$(ls "$out"/*.whl | head -n1)
cp "$whl" "$outdir/"
echo "$outdir/$(basename "$whl")"
