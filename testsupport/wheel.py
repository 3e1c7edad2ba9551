"""The c2w-run wheel (scripts/build-wheel.sh) installed into a fresh venv whose PATH holds nothing but
that venv (no clang, riscv64 cross compiler, linux-source, mkfs.erofs or skopeo) and whose C2W_CACHE
is empty: what a user without the project's toolchains has."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from testsupport.oci import REPO

HIDDEN = ("clang", "riscv64-linux-gnu-gcc", "gcc", "cc", "make", "mkfs.erofs", "mke2fs", "skopeo", "bash")


def build_wheel(outdir: Path, *options: str) -> Path:
    """scripts/build-wheel.sh [OPTIONS] OUTDIR: the wheel's path (parts from the project's cache)."""
    r = subprocess.run([str(REPO / "scripts/build-wheel.sh"), *options, str(outdir)], capture_output=True,
                       text=True, timeout=3600, env={**os.environ, "PYTHON": sys.executable})
    assert r.returncode == 0, r.stderr[-2000:]
    return Path(r.stdout.strip().splitlines()[-1])


@dataclass
class CleanVenv:
    """A fresh venv in `root` with the wheel installed; `run` runs commands with only it on PATH."""
    root: Path

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def cache(self) -> Path:
        return self.root / "cache"

    def env(self) -> dict[str, str]:
        """Only the venv on PATH, a fresh cache, none of the project's overrides."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("C2W_", "PYTHON", "VIRTUAL_ENV"))}
        env.update(PATH=str(self.venv / "bin"), C2W_CACHE=str(self.cache))
        return env

    def run(self, *argv: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([str(a) for a in argv], capture_output=True, env=self.env(), cwd=self.root,
                              stdin=subprocess.DEVNULL, timeout=timeout)

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def nothing_was_built(self) -> bool:
        return not self.cache.exists() or not any(self.cache.iterdir())


def install(wheel: Path, root: Path) -> CleanVenv:
    """Create the venv, check no toolchain is reachable from its PATH, pip-install the wheel."""
    v = CleanVenv(root)
    subprocess.run([sys.executable, "-m", "venv", str(v.venv)], check=True, timeout=300)
    path = v.env()["PATH"].split(":")
    assert not [t for t in HIDDEN if any((Path(d) / t).exists() for d in path)]
    r = v.run(v.bin("python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel)
    assert r.returncode == 0, r.stderr[-2000:]
    r = v.run(v.bin("python"), "-c", "import converter, c2w_run; print(converter.__file__, c2w_run.__file__)")
    assert r.returncode == 0 and str(REPO) not in r.stdout.decode(), r  # the installed copy, not this checkout
    assert str(v.venv) in r.stdout.decode()
    return v
