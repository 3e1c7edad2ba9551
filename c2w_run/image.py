"""Recognising a c2w container image (out.wasm) and building its run-time argv.

A c2w image carries a custom section `c2w.meta`; finding it reads only section headers, so
large images are not read into memory. Image options go before a `--` that ends them, so the
container command is passed verbatim (see DESIGN.md, run-time interface of out.wasm).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from .spec import LaunchSpec, MapDir

META_SECTION = b"c2w.meta"


def _uleb(f) -> int:  # type: ignore[no-untyped-def]
    result = shift = 0
    while True:
        b = f.read(1)
        if not b:
            raise EOFError
        result |= (b[0] & 0x7F) << shift
        shift += 7
        if not b[0] & 0x80:
            return result


def is_c2w_image(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            if f.read(8) != b"\0asm\x01\0\0\0":
                return False
            while True:
                sid = f.read(1)
                if not sid:
                    return False
                size = _uleb(f)
                start = f.tell()
                if sid == b"\0":
                    n = _uleb(f)
                    if n == len(META_SECTION) and f.read(n) == META_SECTION:
                        return True
                f.seek(start + size)
    except (OSError, EOFError):
        return False


@dataclass
class ImageOptions:
    entrypoint: str | None = None
    workdir: str | None = None
    user: str | None = None
    tty: bool = False
    no_stdin: bool = False
    stdin_mode: str | None = None

    def given(self) -> bool:
        return any(v is not None for v in (self.entrypoint, self.workdir, self.user, self.stdin_mode))

    def argv(self, command: list[str]) -> list[str]:
        out: list[str] = []
        if self.entrypoint is not None:
            out += ["--entrypoint", self.entrypoint]
        if self.workdir is not None:
            out += ["--workdir", self.workdir]
        if self.user is not None:
            out += ["--user", self.user]
        # always say which: docker's default is no terminal, and some runtimes (wasmer) show
        # pipes to the module as character devices, which the engine would take for a terminal
        out.append("--tty" if self.tty else "--no-tty")
        if self.no_stdin:
            out.append("--no-stdin")
        if self.stdin_mode is not None:
            out += ["--stdin-mode", self.stdin_mode]
        return [*out, "--", *command]


STATUS_DIR = "/.c2w-run"  # the engine neither mounts this preopen in the container nor passes
STATUS_ENV = "C2W_STATUS_FILE"  # this variable on; it writes the container's status there


class StatusChannel:
    """For runtimes whose proc_exit cannot carry statuses above `max_exit_status`: the engine
    writes the container's exit status (decimal) to a file in a private preopen."""

    def __init__(self, spec: LaunchSpec) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="c2w-run-status-")
        spec.mapdirs.append(MapDir(Path(self._dir.name), STATUS_DIR))
        spec.env[STATUS_ENV] = f"{STATUS_DIR}/status"
        self.path = Path(self._dir.name) / "status"

    def status(self, fallback: int) -> int:
        try:
            text = self.path.read_text().strip()
        except OSError:
            return fallback
        return int(text) if text.isdigit() and int(text) <= 255 else fallback

    def close(self) -> None:
        self._dir.cleanup()
