"""What to run: the runtime-neutral description every adapter translates."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class StdinMode(enum.Enum):
    """Where the module's stdin comes from."""

    INHERIT = "inherit"  # the caller's stdin (a terminal stays interactive)
    DATA = "data"  # bytes given in LaunchSpec.stdin_data, then EOF
    NONE = "none"  # empty stdin (EOF at once)


class Unsupported(Exception):
    """An adapter cannot honour part of a LaunchSpec on its runtime (one-line message)."""


@dataclass(frozen=True)
class MapDir:
    """A host directory made visible to the module at a guest path."""

    host: Path
    guest: str
    readonly: bool = False


@dataclass(frozen=True)
class ListenSocket:
    """A TCP listening socket pre-opened for the module (WASI preview1 sock_accept)."""

    host: str
    port: int


@dataclass(frozen=True)
class Publish:
    """-p [IP:]HOST:GUEST: a host TCP port forwarded into the container (c2w images, --net)."""

    ip: str | None
    host_port: int
    guest_port: int


@dataclass(frozen=True)
class NetConfig:
    """--net for a c2w image: the container gets a network from passt on the host."""

    transport: str = "auto"  # "auto", "socket" or "stdio" (c2w_run/net/transports.py)
    publish: tuple[Publish, ...] = ()
    mac: str | None = None


@dataclass
class LaunchSpec:
    """Runtime-neutral launch request. Adapters turn it into a runtime invocation."""

    module: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    mapdirs: list[MapDir] = field(default_factory=list)
    stdin: StdinMode = StdinMode.INHERIT
    stdin_data: bytes = b""
    tty: bool = False
    listen: ListenSocket | None = None
    net: NetConfig | None = None  # c2w_run/net sets up passt and fills `listen`
    timeout: float | None = None
    runtime_flags: list[str] = field(default_factory=list)


@dataclass
class Invocation:
    """How to start one runtime process for a LaunchSpec."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)  # added to the inherited environment
    cwd: Path | None = None
