"""A c2w container image (out.wasm): recognising it, and its run-time protocol.

A c2w image carries a custom section `c2w.meta` (JSON, written by the converter:
converter/metadata.py uses META_SECTION and read_section from here); finding it reads only
section headers, so large images are not read into memory.

`ImageProtocol` is everything c2w-run tells an image at run time (DESIGN.md, run-time interface
of out.wasm), composed once into the launch's args, env and mapdirs: the image options (before a
`--` that ends them, so the container command is passed verbatim), `--net`/`--mac`, the window
size, the stdin wait mode the runtime needs, and the status channel.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import tempdirs
from .adapter import NET_STDIO, Capabilities
from .spec import MapDir

META_SECTION = "c2w.meta"
WASM_HEADER = b"\0asm\x01\0\0\0"


def _uleb(f: BinaryIO) -> int:
    result = shift = 0
    while True:
        b = f.read(1)
        if not b:
            raise EOFError
        result |= (b[0] & 0x7F) << shift
        shift += 7
        if not b[0] & 0x80:
            return result


class NotWasm(ValueError):
    """Not a WebAssembly 1.0 module (or a truncated one)."""


def _custom_section(f: BinaryIO, name: str) -> int | None:
    """Leave `f` at the contents of custom section `name` and return their size (None: absent)."""
    want = name.encode()
    if f.read(8) != WASM_HEADER:
        raise NotWasm("not a WebAssembly 1.0 module")
    while True:
        sid = f.read(1)
        if not sid:
            return None
        size = _uleb(f)
        start = f.tell()
        if sid == b"\0":
            n = _uleb(f)
            if n == len(want) and f.read(n) == want:
                return size - (f.tell() - start)
        f.seek(start + size)


def read_section(path: Path, name: str = META_SECTION) -> bytes | None:
    """The contents of custom section `name` of the module at `path` (None: no such section).
    OSError if the file cannot be read, NotWasm if it is no WebAssembly module."""
    with open(path, "rb") as f:
        try:
            size = _custom_section(f, name)
        except EOFError:
            raise NotWasm("truncated WebAssembly module") from None
        return f.read(size) if size is not None else None


def is_c2w_image(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return _custom_section(f, META_SECTION) is not None
    except (OSError, EOFError, NotWasm):
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
WINSIZE_ENV = "C2W_WINSIZE"  # ROWSxCOLS: WASI has no window size (hidden from the container)


class StatusChannel:
    """For runtimes whose proc_exit cannot carry statuses above `max_exit_status`: the engine
    writes the container's exit status (decimal) to a file in a private preopen."""

    def __init__(self) -> None:
        self._dir = tempdirs.make("status")
        self.mapdir = MapDir(self._dir, STATUS_DIR)
        self.path = self._dir / "status"

    def status(self, fallback: int) -> int:
        try:
            text = self.path.read_text().strip()
        except OSError:
            return fallback
        return int(text) if text.isdigit() and int(text) <= 255 else fallback

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


@dataclass
class ImageProtocol:
    """What c2w-run tells a c2w image, composed once for one runtime (its capability record)."""

    options: ImageOptions
    net: bool = False
    mac: str | None = None
    winsize: str | None = None  # ROWSxCOLS of the terminal (with -t)

    @staticmethod
    def needs_status_channel(caps: Capabilities) -> bool:
        return caps.max_exit_status < 255

    def compose(self, command: list[str], env: dict[str, str], caps: Capabilities, net_transport: str | None,
                channel: StatusChannel | None) -> tuple[list[str], dict[str, str], list[MapDir]]:
        """The module's args, the environment (`env` plus the engine's own variables) and the
        extra preopens for a launch of `command` in the image."""
        args: list[str] = []
        if self.options.stdin_mode is None and caps.image_stdin_mode:
            args += ["--stdin-mode", caps.image_stdin_mode]
        if self.net:
            args += ["--net=stdio" if net_transport == NET_STDIO else "--net", *(["--mac", self.mac] if self.mac else [])]
        args += self.options.argv(command)
        env = dict(env)
        if self.winsize:
            env.setdefault(WINSIZE_ENV, self.winsize)
        mapdirs = []
        if channel is not None:
            mapdirs.append(channel.mapdir)
            env[STATUS_ENV] = f"{STATUS_DIR}/status"
        return args, env, mapdirs
