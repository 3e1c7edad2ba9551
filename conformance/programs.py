"""Where the programs cases run come from: probes built by conformance/probes/build.sh,
and (image level) converted images, NAME.wasm in a directory given by --images or $C2W_IMAGES."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).parent
PROBES_SRC = HERE / "probes"
PROBES_BUILD = PROBES_SRC / "build.sh"


class ProgramMissing(LookupError):
    pass


class OptionalImageAbsent(ProgramMissing):
    """An image other than "default" (e.g. the foreign-architecture arm64.wasm) is not in the
    images directory: its cases are skipped, not errors."""


def build_probes() -> Path:
    """Build (or find cached) probes; returns the directory holding NAME.wasm files."""
    done = subprocess.run([str(PROBES_BUILD)], capture_output=True, text=True)
    if done.returncode != 0:
        raise ProgramMissing(f"building the probes failed: {done.stderr.strip()[-400:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def probe_sources(name: str) -> list[Path]:
    """The probe's C source and every local header it includes (transitively)."""
    first = PROBES_SRC / f"{name}.c"
    if not first.is_file():
        raise ProgramMissing(f"no source for probe {name!r}")
    out: list[Path] = []
    todo = [first]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out.append(p)
        for inc in re.findall(r'^#include "([^"]+)"', p.read_text(), re.MULTILINE):
            h = PROBES_SRC / inc
            if h.is_file():
                todo.append(h)
    return out


class Programs:
    def __init__(self, probes: Path | None = None, images: Path | None = None):
        self._probes = probes
        env_images = os.environ.get("C2W_IMAGES")
        self.images = images or (Path(env_images) if env_images else None)

    @property
    def probes(self) -> Path:
        if self._probes is None:
            self._probes = build_probes()
        return self._probes

    def path(self, level: str, name: str) -> Path:
        if level == "suite":  # an external suite's test: its own path
            if not Path(name).is_file():
                raise ProgramMissing(f"suite test {name} not found")
            return Path(name)
        if level == "image" and self.images is None:
            raise ProgramMissing(f"image {name!r}: no images directory (give --images DIR or set C2W_IMAGES)")
        base = self.probes if level == "probe" else self.images
        assert base is not None
        p = base / f"{name}.wasm"
        if not p.is_file():
            if level == "image" and name != "default":
                raise OptionalImageAbsent(f"no {name}.wasm in {base} (convert one to run these cases)")
            raise ProgramMissing(f"{level} program {name!r} not found in {base}")
        return p
