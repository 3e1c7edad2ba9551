"""The wheel (scripts/build-wheel.sh, `make wheel`) carries the prebuilt engine, kernel, init and
default image: installed with pip into a fresh venv whose PATH holds nothing but that venv (no
clang, no riscv64 cross compiler, no linux-source, no mkfs.erofs, no skopeo) and with an empty
C2W_CACHE, it converts the default image and an OCI layout and runs both on wasmtime."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testsupport.oci import REPO, derive

HIDDEN = ("clang", "riscv64-linux-gnu-gcc", "gcc", "cc", "make", "mkfs.erofs", "mke2fs", "skopeo", "bash")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    r = subprocess.run([str(REPO / "scripts/build-wheel.sh"), str(tmp_path_factory.mktemp("dist"))],
                       capture_output=True, text=True, timeout=3600, env={**os.environ, "PYTHON": sys.executable})
    assert r.returncode == 0, r.stderr[-2000:]
    return Path(r.stdout.strip().splitlines()[-1])


def clean_env(tmp: Path, venv: Path) -> dict[str, str]:
    """Only the venv on PATH, a fresh cache, none of the project's overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("C2W_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=str(venv / "bin"), C2W_CACHE=str(tmp / "cache"))
    return env


def test_the_wheel_converts_and_runs_images_without_any_toolchain(wheel: Path, default_image: Path,
                                                                  tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = clean_env(tmp_path, venv)
    assert not [t for t in HIDDEN if any((Path(d) / t).exists() for d in env["PATH"].split(":"))]

    def run(*argv: str | Path, timeout: float = 900) -> subprocess.CompletedProcess:
        return subprocess.run([str(a) for a in argv], capture_output=True, env=env, cwd=tmp_path,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    t0 = time.monotonic()
    r = run(venv / "bin/python", "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel)
    assert r.returncode == 0, r.stderr[-2000:]
    t_install = time.monotonic() - t0
    r = run(venv / "bin/python", "-c", "import converter, c2w_run; print(converter.__file__, c2w_run.__file__)")
    assert r.returncode == 0 and str(REPO) not in r.stdout.decode(), r  # the installed copy, not this checkout
    assert str(venv) in r.stdout.decode()

    t0 = time.monotonic()
    r = run(venv / "bin/c2w", "-q", "c2w:default", "default.wasm")
    assert r.returncode == 0, r.stderr[-2000:]
    t_convert = time.monotonic() - t0
    layout = derive(default_image, tmp_path / "layout", Env=["PATH=/usr/bin:/bin", "GREETING=from a layout"],
                    Cmd=["sh", "-c", 'echo "$GREETING"; hello'])
    r = run(venv / "bin/c2w", "-q", f"oci:{layout}:latest", "layout.wasm")
    assert r.returncode == 0, r.stderr[-2000:]
    meta = json.loads(run(venv / "bin/c2w", "inspect", "--json", "default.wasm").stdout)
    assert meta["source"]["reference"] == "c2w:default" and meta["snapshot"]

    r = run(venv / "bin/c2w-run", "--runtime", "wasmtime", "default.wasm", "uname", "-m", timeout=300)
    assert (r.returncode, r.stdout) == (0, b"riscv64\n"), r.stderr[-2000:]
    r = run(venv / "bin/c2w-run", "--runtime", "wasmtime", "layout.wasm", timeout=300)
    assert (r.returncode, r.stdout) == (0, b"from a layout\nHello, world!\n"), r.stderr[-2000:]
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())  # nothing was built
    print(f"wheel {wheel.stat().st_size / 1e6:.1f} MB, pip install {t_install:.0f} s, "
          f"convert c2w:default {t_convert:.1f} s")
