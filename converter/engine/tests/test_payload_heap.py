"""wasi-libc's malloc never hands out payload memory: payload.c's sbrk jumps over the payloads
that converter/wasm.py places above the module's initial memory (see PAYLOAD.md)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from engine_helpers import ENGINE_DIR, HERE
from testsupport.runtimes import argv as runtime_argv


def test_malloc_skips_payloads_and_leaves_them_intact(tmp_path: Path) -> None:
    if shutil.which("clang") is None:
        pytest.skip("clang not installed (scripts/setup-system.sh)")
    from converter import wasm

    mod = tmp_path / "heapcheck.wasm"
    subprocess.run(["clang", "--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-std=c11", "-Wall", "-Wextra",
                    "-Werror", "-Wl,--export=c2w_payload", "-o", str(mod), str(HERE / "heap" / "heapcheck.c"),
                    str(ENGINE_DIR / "payload.c")], check=True, timeout=120)
    blobs = [("disk", bytes((i * 7 + 2) % 256 for i in range(3 * 65536 + 123))),
             ("config", bytes((i * 7 + 3) % 256 for i in range(65536)))]
    out = tmp_path / "with-payloads.wasm"
    out.write_bytes(wasm.add_payloads(mod.read_bytes(), blobs))
    p = subprocess.run(runtime_argv("wasmtime", out), capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.startswith("ok 512 "), p.stdout
