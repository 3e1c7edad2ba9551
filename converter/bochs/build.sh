#!/usr/bin/env bash
# Build Bochs 3.0 (the x86_64 engine) from Debian's pristine orig tarball plus our patch series
# converter/patches/bochs/*.patch, applied in name order.
#
#   build.sh native        gcc build for development and tests  -> .../bochs
#   build.sh wasi          clang++ wasm32-wasi build + Asyncify  -> .../bochs.wasm
#                          (also bochs-noasyncify.wasm, for the size comparison)
#   build.sh --apply DIR   unpack the pristine tree into DIR and apply the series (no build)
#
# Output: ${C2W_CACHE:-$HOME/.cache/c2w}/bochs/<target>-<hash>/, printed as the last stdout line;
# <hash> covers the tarball's sha256, every patch, the configure flags, the compiler version and
# this script. A no-op when that output exists. Build logs go to stderr only on failure.
# The tarball itself is cached by content: .../bochs/src/<sha256>.tar.xz.
#
# Env: C2W_CACHE (cache root), C2W_JOBS (make -j, default 2).
set -euo pipefail
die() { echo "build-bochs: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
patches=$here/../patches/bochs
engine=$(cd "$here/../engine" && pwd)
# converter/engine's shared parts linked into Bochs (patches 0004, 0005: c2w_virtio.cc), compiled
# against Bochs' struct Machine (c2w_machine.h, the host state of hostio.h)
engine_srcs=(virtio.c virtio_rng.c virtio_blk.c virtio_console.c ctl.c host.c virtio_9p.c p9/server.c
  virtio_net.c net.c runtime.c payload.c)
url=http://deb.debian.org/debian/pool/main/b/bochs/bochs_3.0+dfsg.orig.tar.xz
sha=78f6c73d4a6472d5130a87ab9dc306d02c7c71ed8e25b3a8ef642e2a7acd282b
cache=${C2W_CACHE:-$HOME/.cache/c2w}/bochs
jobs=${C2W_JOBS:-2}

# configure: an x86_64 CPU (P6-class and up), no GUI, no plugins/threads/sockets, only the
# legacy PC devices the kernel needs (PIC, PIT, CMOS, keyboard controller for reset, serial,
# IOAPIC); no BIOS (directboot). The speedups that are plain C stay on.
common_flags=(--enable-x86-64 --enable-cpu-level=6 --with-nogui --without-x11 --without-x
  --disable-plugins --disable-pci --disable-cdrom --disable-sb16 --disable-es1370 --disable-ne2000
  --disable-usb --disable-gameport --disable-busmouse --disable-docbook --disable-xpm
  --disable-show-ips --disable-debugger --disable-gdb-stub --disable-readline --disable-iodebug
  --disable-vmx --disable-svm --disable-stats --disable-large-ramfile
  --enable-repeat-speedups --enable-fast-function-calls --enable-handlers-chaining --enable-a20-pin)

fetch() {
  local dst=$cache/src/$sha.tar.xz
  if [ ! -f "$dst" ]; then
    mkdir -p "$cache/src"
    local tmp; tmp=$(mktemp "$cache/src/.dl.XXXXXX")
    echo "build-bochs: fetching $url" >&2
    curl -sSfL --retry 3 -o "$tmp" "$url" || { rm -f "$tmp"; die "download failed: $url"; }
    local got; got=$(sha256sum "$tmp" | cut -d' ' -f1)
    [ "$got" = "$sha" ] || { rm -f "$tmp"; die "sha256 mismatch for $url: got $got, want $sha"; }
    mv "$tmp" "$dst"
  fi
  echo "$dst"
}

# unpack the pristine tree into $1 and apply the series
prepare() {
  local dir=$1 tarball p
  tarball=$(fetch)
  mkdir -p "$dir"
  tar -xJf "$tarball" -C "$dir" --strip-components=1
  [ -f "$dir/configure" ] || die "unexpected tarball layout: no configure in $dir"
  for p in "$patches"/*.patch; do
    [ -e "$p" ] || continue
    patch -d "$dir" -p1 -s --no-backup-if-mismatch -F0 < "$p" >&2 \
      || die "patch $(basename "$p") does not apply to the pristine tree"
  done
}

case "${1:-}" in
  --apply)
    [ $# -eq 2 ] || die "usage: build.sh --apply DIR"
    [ ! -e "$2" ] || [ -z "$(ls -A "$2")" ] || die "$2 is not empty"
    prepare "$2"
    echo "$2"
    exit 0 ;;
  native)
    cxx=g++; cc=gcc
    flags=("${common_flags[@]}")
    cflags="-O2"
    out_name=bochs ;;
  wasi)
    # Debian clang 14 + wasi-libc + libc++ for wasm32 (libc++-14-dev-wasm32); the emulated
    # signal/mman/clock/getpid parts of wasi-libc; setjmp/longjmp from patch 0003 + Asyncify
    cxx="clang++ --target=wasm32-wasi --sysroot=/usr"; cc="clang --target=wasm32-wasi --sysroot=/usr"
    flags=("${common_flags[@]}" --host=wasm32-unknown-wasi --build=x86_64-pc-linux-gnu)
    wasi_defs="-D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_GETPID"
    cflags="-O2 $wasi_defs"
    wasi_libs="-lwasi-emulated-signal -lwasi-emulated-mman -lwasi-emulated-process-clocks -lwasi-emulated-getpid"
    asyncify=(--asyncify --pass-arg=asyncify-ignore-imports -O2)
    for tool in clang clang++ llvm-ar-14 llvm-ranlib-14 wasm-opt; do
      command -v $tool >/dev/null || die "missing $tool (run scripts/setup-system.sh)"
    done
    [ -f /usr/lib/wasm32-wasi/libc++.a ] || die "missing libc++ for wasm32 (install libc++-14-dev-wasm32)"
    out_name=bochs.wasm ;;
  *) die "usage: build.sh native | wasi | --apply DIR" ;;
esac
[ $# -eq 1 ] || die "too many arguments"
command -v "${cxx%% *}" >/dev/null || die "missing ${cxx%% *}"

target=$1
engine_hdrs=($(cd "$engine" && ls ./*.h | sed 's|^\./||'))
hash=$( { echo "$sha $target ${flags[*]} $cflags ${asyncify[*]:-}"; ${cxx%% *} --version | head -n1;
          [ "$target" = wasi ] && wasm-opt --version; cat "$0";
          for f in "${engine_srcs[@]}" "${engine_hdrs[@]}"; do echo "$f"; cat "$engine/$f"; done;
          for p in "$patches"/*.patch; do [ -e "$p" ] && { basename "$p"; cat "$p"; }; done; } \
        | sha256sum | cut -c1-16)
out=$cache/$target-$hash
if [ -f "$out/$out_name" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache"
exec 9>"$cache/.lock-$target"
flock 9
if [ -f "$out/$out_name" ]; then echo "$out"; exit 0; fi

tmp=$(mktemp -d "$cache/.tmp-$target-$hash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prepare "$tmp/src"
log=$tmp/build.log
echo "build-bochs: building $target (configure + make -j$jobs, a few minutes)" >&2
start=$(date +%s)
mkdir -p "$tmp/out" "$tmp/src/c2w"
engine_objs=()
for f in "${engine_srcs[@]}"; do
  o=$tmp/src/c2w/$(basename "${f%.c}").o
  engine_objs+=("$o")
  $cc $cflags -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$engine" -I"$tmp/src" \
      '-DC2W_ENGINE_MACHINE="c2w_machine.h"' -c "$engine/$f" -o "$o" \
    || die "compiling converter/engine/$f failed"
done
if [ "$target" = native ]; then
  # the engine's objects need Bochs' side of the shim: link them only into bochs, not into
  # configure's test programs (make's LIBS replaces configure's, which is empty here)
  if ! (cd "$tmp/src" && CC=$cc CXX=$cxx CFLAGS="$cflags" CXXFLAGS="$cflags" ./configure "${flags[@]}" \
          && make -j"$jobs" C2W_ENGINE="$engine" LIBS="${engine_objs[*]}" bochs) > "$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "$target build failed (log above)"
  fi
  cp "$tmp/src/bochs" "$tmp/out/bochs"
else
  src=$tmp/src
  if ! (cd "$src" && $cc $cflags -Wall -Wextra -Werror -c wasi/wasi_jmp.c -o wasi/wasi_jmp.o \
          && CC=$cc CXX=$cxx AR=llvm-ar-14 RANLIB=llvm-ranlib-14 \
             CFLAGS="$cflags -I$src/wasi" CXXFLAGS="$cflags -fno-exceptions -I$src/wasi" \
             LIBS="$src/wasi/wasi_jmp.o $wasi_libs" ./configure "${flags[@]}" \
          && make -j"$jobs" MAKELIB='llvm-ar-14 rv $@' C2W_ENGINE="$engine" \
                  LIBS="$src/wasi/wasi_jmp.o ${engine_objs[*]} $wasi_libs -Wl,--export=c2w_payload -nostartfiles" bochs) > "$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "$target build failed (log above)"
  fi
  cp "$src/bochs" "$tmp/out/bochs-noasyncify.wasm"
  wasm-opt "${asyncify[@]}" "$src/bochs" -o "$tmp/out/bochs.wasm" > "$log" 2>&1 \
    || { tail -n 20 "$log" >&2; die "wasm-opt --asyncify failed (log above)"; }
fi
echo "$(( $(date +%s) - start ))" > "$tmp/out/build-seconds"
rm -rf "$out"
mv "$tmp/out" "$out"
echo "$out"
