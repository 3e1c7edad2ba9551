#!/usr/bin/env bash
# The README's main job: convert the embedded default image (a small riscv64 busybox image
# built from Debian packages) and run `uname -a` and `ls /` in it on every installed runtime.
# Called by `make demo` after the runtimes are installed. Output: build/demo/default.wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VENV:-.venv}
image=$(converter/guest/build-default-image.sh | tail -n1)
mkdir -p build/demo
out=build/demo/default.wasm
"$venv/bin/c2w" "oci:$image:latest" "$out"
"$venv/bin/c2w" inspect "$out"
runtimes=$("$venv/bin/c2w-run" runtimes --json |
  "$venv/bin/python" -c 'import json,sys; print(" ".join(r["name"] for r in json.load(sys.stdin) if r["installed"]))')
status=0
for rt in $runtimes; do
  echo "=== $rt: uname -a; ls /"
  if ! "$venv/bin/c2w-run" --runtime "$rt" --no-stdin --timeout 120 "$out" uname -a ||
     ! "$venv/bin/c2w-run" --runtime "$rt" --no-stdin --timeout 120 "$out" ls /; then
    echo "=== $rt: FAILED" >&2
    status=1
  fi
done
exit $status
