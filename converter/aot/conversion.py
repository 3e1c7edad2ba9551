"""`c2w --aot`: during conversion, profile the image on the engine (boot to READY plus a training
run), translate its hottest guest pages and build the engine that carries them.

The profiling run is the plain engine.wasm in development mode under wasmtime (the runtime the
pre-boot snapshot already needs), given the image's own payloads (kernel, initrd, disk, config,
cmdline) as files: it boots exactly as image mode does (container mode, deterministic boot),
keeps the deterministic clock through the training command (`--deterministic`: virtual time, no
host time or entropy), and writes `--profile-pages`. The same image and command thus give the
same profile, pages, engine and out.wasm every time. Only the final compile needs clang for
wasm32-wasi.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConvertError
from .profile import PageProfile, ProfileError, merge, read_profile, select
from .table import PageSource, units, write_units

MODES = ("auto", "on", "off")
DEFAULT_MAX_PAGES = 24
TRAIN_TIMEOUT = 1800.0  # profiling runs ~10-20x slower than the interpreter
ENGINE_DIR = Path(__file__).resolve().parents[1] / "engine"
CLANG_PACKAGES = "clang lld wasi-libc libclang-rt-14-dev-wasm32"


@dataclass
class AotEngine:
    engine: Path  # engine.wasm with the translated pages
    pages: int
    instructions: int
    profiled_pages: int
    train: list[str]  # the training command ([] = the image's entrypoint/cmd)
    seconds_profile: float
    seconds_build: float

    def describe(self) -> dict:
        return {"pages": self.pages, "instructions": self.instructions, "profiled_pages": self.profiled_pages,
                "train": self.train}


def parse_mode(value: str) -> str:
    if value not in MODES:
        raise ConvertError(f"--aot={value}: expected auto, on or off")
    return value


def parse_train(value: str | None) -> list[str]:
    if value is None:
        return []
    try:
        argv = shlex.split(value)
    except ValueError as e:
        raise ConvertError(f"--aot-train {value!r}: {e}") from None
    if not argv:
        raise ConvertError("--aot-train: empty command")
    return argv


def unavailable() -> str | None:
    """Why translated engines cannot be built here (None: they can): the engine sources and clang
    for wasm32-wasi with its libc, checked by linking a tiny program as build.sh would."""
    if not (ENGINE_DIR / "build.sh").is_file():
        return "the engine sources (converter/engine/build.sh) are not installed"
    clang = shutil.which("clang")
    if clang is None:
        return f"clang for wasm32-wasi not found (Debian packages: {CLANG_PACKAGES})"
    with tempfile.TemporaryDirectory(prefix="c2w-aot-probe-") as d:
        src = Path(d) / "probe.c"
        src.write_text("#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n")
        try:
            done = subprocess.run([clang, "--target=wasm32-wasi", "--sysroot=/usr", "-O1", "-o",
                                   str(Path(d) / "probe.wasm"), str(src)], capture_output=True, text=True,
                                  timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"clang for wasm32-wasi does not run ({e})"
        if done.returncode != 0:
            return f"clang cannot build for wasm32-wasi (Debian packages: {CLANG_PACKAGES})"
    return None


def _wasmtime() -> list[str]:
    from ..snapshot import wasmtime_command

    return wasmtime_command()


def profile(engine: Path, payloads: dict[str, bytes], memory_mb: int | None, train: list[str], workdir: Path,
            timeout: float = TRAIN_TIMEOUT) -> Path:
    """Boot the image's payloads on the plain engine in development mode and run `train` (or the
    image's entrypoint/cmd); return the page profile written at exit."""
    d = workdir / "aot-profile"
    d.mkdir()
    files = {}
    for kind in ("kernel", "initrd", "disk", "config"):
        if payloads.get(kind):
            files[kind] = d / kind
            files[kind].write_bytes(payloads[kind])
    prof = d / "train.prof"
    args = ["--kernel", str(files["kernel"]), "--append", payloads["cmdline"].decode(), "--no-stdin",
            "--profile-pages", str(prof), "--deterministic"]
    if "initrd" in files:
        args += ["--initrd", str(files["initrd"])]
    if "disk" in files:
        args += ["--drive", str(files["disk"])]
    if "config" in files:
        args += ["--config", str(files["config"])]
    if memory_mb:
        args += ["--memory", str(memory_mb)]
    args += ["--run", "--no-stdin", "--", *train]
    cmd = [*_wasmtime(), "run", "--dir", f"{d}::{d}", str(engine), *args]
    what = f"AOT training run ({shlex.join(train) if train else 'the image entrypoint/cmd'})"
    try:
        done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ConvertError(f"{what} did not finish within {timeout:g} s; give a short one with "
                           "--aot-train 'CMD ...'") from None
    if not prof.is_file():
        lines = [ln for ln in done.stderr.decode(errors="replace").splitlines() if ln.strip()]
        raise ConvertError(f"{what} wrote no page profile: {lines[-1] if lines else f'exit {done.returncode}'}")
    return prof


SEED_SHARE = 1000  # an entry offset seeds the translation when it has >= 1/SEED_SHARE of its page's entries


def seeds(page: PageProfile) -> dict[int, int]:
    """The entry offsets worth translating from, as emit.translate_page takes them (offset ->
    count): offset 0 and the often-entered ones. The rare ones are mostly resumes after an
    interrupt at whatever instruction it hit. The counts are quantized (16: frequent enough for
    emit.cuts_of) so that only the set of offsets reaches the C. Reproducibility no longer rests
    on this (the profiling run is deterministic); it keeps a page's unit, and so its cached
    object, the same for any training run that enters the page at the same frequent offsets
    (the kernel's pages across images and commands), whatever the counts."""
    keep = {o: 16 for o, k in page.entry_offsets.items() if k >= 2 and k * SEED_SHARE >= page.entries}
    return {0: 0, **keep}


def translate(prof: Path, out: Path, max_pages: int) -> tuple[int, int, int]:
    """Write the C units for the hottest pages of `prof` into the directory `out`: (pages,
    instructions, pages profiled)."""
    try:
        pages = merge([read_profile(prof)])
    except (OSError, ProfileError) as e:
        raise ConvertError(f"AOT: {e}") from None
    chosen = select(pages, 0.99, max_pages)
    u = units(PageSource(p.data, seeds(p)) for p in chosen)
    try:
        write_units(u, out)
    except OSError as e:
        raise ConvertError(f"AOT: {e}") from None
    return u.pages, u.instructions, len(pages)


def build_engine(aot_units: Path) -> Path:
    """engine.wasm linked with the translated pages in the directory `aot_units`: build.sh
    compiles each unit to an object cached by its contents (a page translated for another image
    or page count is not compiled again) and keys the engine on the hash of all its inputs."""
    env = dict(os.environ, C2W_ENGINE_AOT=str(aot_units))
    done = subprocess.run([str(ENGINE_DIR / "build.sh"), "wasm"], capture_output=True, text=True, env=env)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        err = [ln for ln in done.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in err if "error" in ln.lower()]
        raise ConvertError(f"building the AOT engine failed: {(errors or err or [f'exit {done.returncode}'])[0]}")
    path = Path(lines[-1]) / "engine.wasm"
    if not path.is_file():
        raise ConvertError(f"building the AOT engine: build.sh printed {lines[-1]}, which holds no engine.wasm")
    return path


def aot_engine(engine: Path, payloads: dict[str, bytes], memory_mb: int | None, train: list[str],
               max_pages: int, workdir: Path, progress: Callable[[str, int, int], None] = lambda s, d, t: None
               ) -> AotEngine:
    t0 = time.monotonic()
    progress("aot-profile", 0, 1)
    prof = profile(engine, payloads, memory_mb, train, workdir)
    progress("aot-profile", 1, 1)
    t1 = time.monotonic()
    aot_units = workdir / "aot"
    npages, ninsn, nprof = translate(prof, aot_units, max_pages)
    if npages == 0:
        raise ConvertError("AOT: the training run profiled no page worth translating")
    progress("aot-build", 0, 1)
    built = build_engine(aot_units)
    progress("aot-build", 1, 1)
    return AotEngine(built, npages, ninsn, nprof, train, t1 - t0, time.monotonic() - t1)
