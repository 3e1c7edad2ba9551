"""Pre-boot snapshot: run the engine's `wizer.initialize` (boot Linux until the guest init says
READY) under `wasmtime wizer`, which writes the module with that state as its initial memory."""

from __future__ import annotations

import subprocess
from pathlib import Path

from c2w_run import registry

from . import wasm
from .errors import ConvertError

INIT_FUNC = "wizer.initialize"


def wasmtime_command() -> list[str]:
    try:
        return list(registry.require("wasmtime").command)
    except LookupError:
        raise ConvertError("the pre-boot snapshot needs the wasmtime CLI (pip install 'c2w-run[wasmtime]'); "
                           "or convert with --no-snapshot") from None


def preboot(cold: Path, out: Path, timeout: float = 600) -> Path:
    if INIT_FUNC not in wasm.exports(cold.read_bytes()):
        raise ConvertError(f"this engine.wasm exports no {INIT_FUNC}: it cannot pre-boot; convert with --no-snapshot")
    cmd = [*wasmtime_command(), "wizer", "-S", "cli", "-f", INIT_FUNC, "-o", str(out), str(cold)]
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ConvertError(f"pre-boot snapshot: the guest did not become ready within {timeout:g} s") from None
    if done.returncode != 0 or not out.is_file():
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        raise ConvertError(f"pre-boot snapshot failed: {lines[-1] if lines else f'exit {done.returncode}'}")
    return out
