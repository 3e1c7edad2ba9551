"""What a runtime adapter is: its runtime's facts, its capability record, and its translation.

An adapter is an object (subclass `Adapter`) registered through the one hook in
`c2w_run/hookspecs.py`. Everything the project knows about a runtime is in its `RuntimeInfo`
and the `Capabilities` record inside it; the registry refuses, for every adapter alike, what a
record does not declare (`refusal`), so an adapter's `invocation` only translates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .spec import Invocation, LaunchSpec, MapDir

# how a runtime honours LaunchSpec.listen (c2w-run --wasi-listen)
PREOPEN = "preopen"  # the runtime pre-opens the listener (WASI preview1 sock_accept)
BIND = "bind"  # the module binds and listens itself; the runtime allows the address (WAMR)
NO_SOCKETS = "none"
SOCKETS = (PREOPEN, BIND, NO_SOCKETS)

# how a c2w image's frames can travel under `c2w-run --net` (c2w_run/net/README.md)
NET_SOCKET = "socket"  # needs sockets == PREOPEN
NET_STDIO = "stdio"  # the stdin/stdout multiplex: needs working stdin polling
NET_TRANSPORTS = (NET_SOCKET, NET_STDIO)

STDIN_MODES = ("poll", "nonblock", "idle", "none")  # a c2w image's --stdin-mode


@dataclass(frozen=True)
class Capabilities:
    """What a runtime can do, as its adapter declares it. The defaults are the cautious ones:
    an adapter that declares nothing gets `:ro` mappings and listening sockets refused.

    The fields a probe case measures (`readonly_mapdir`, `sockets`, `max_exit_status`) are
    compared with `c2w-matrix capabilities` of a real matrix run (matrix/tests/test_capabilities_match_adapters.py).
    """

    readonly_mapdir: bool = False  # -v HOST:GUEST:ro as a read-only preopen (else refused)
    sockets: str = NO_SOCKETS  # how LaunchSpec.listen is honoured (else refused)
    max_exit_status: int = 255  # highest status proc_exit gives (wasmtime traps on 126..255);
    # a c2w image reports higher ones through a status file on such runtimes (c2w_run/image.py)
    empty_env_value: bool = True  # can pass K= (else refused)
    image_stdin_mode: str | None = None  # a c2w image's --stdin-mode when the user gives none
    net_transports: tuple[str, ...] = ()  # for `c2w-run --net`, best first
    net_note: str = ""  # why the runtime has no (or no socket) network transport
    tty_on_pipes: bool = False  # the module sees pipes as a terminal (c2w images always get --tty/--no-tty)

    def __post_init__(self) -> None:
        if self.sockets not in SOCKETS:
            raise ValueError(f"sockets must be one of {', '.join(SOCKETS)}, not {self.sockets!r}")
        if not 1 <= self.max_exit_status <= 255:
            raise ValueError(f"max_exit_status must be 1..255, not {self.max_exit_status}")
        if self.image_stdin_mode is not None and self.image_stdin_mode not in STDIN_MODES:
            raise ValueError(f"image_stdin_mode must be one of {', '.join(STDIN_MODES)}")
        bad = [t for t in self.net_transports if t not in NET_TRANSPORTS]
        if bad:
            raise ValueError(f"unknown network transport {bad[0]!r} (known: {', '.join(NET_TRANSPORTS)})")
        if NET_SOCKET in self.net_transports and self.sockets != PREOPEN:
            raise ValueError("the socket network transport needs sockets = 'preopen'")

    def to_json(self) -> dict[str, object]:
        return {"readonly_mapdir": self.readonly_mapdir, "sockets": self.sockets,
                "max_exit_status": self.max_exit_status, "empty_env_value": self.empty_env_value,
                "image_stdin_mode": self.image_stdin_mode, "net_transports": list(self.net_transports),
                "net_note": self.net_note, "tty_on_pipes": self.tty_on_pipes}


@dataclass(frozen=True)
class RuntimeInfo:
    """Static facts about one runtime."""

    name: str
    description: str
    env_var: str  # full command line override, shlex-split (e.g. C2W_WASMTIME)
    executables: tuple[str, ...] = ()  # names looked up in the extras/cache dir and on PATH
    install: str = ""  # how to install it (shown when missing)
    aliases: tuple[str, ...] = field(default_factory=tuple)
    capabilities: Capabilities = field(default_factory=Capabilities)


class Adapter:
    """One runtime. Subclasses set `info` and implement `invocation`; `locate` and `version`
    have generic defaults (the registry's search: env var, cache bin dir, PATH; `--version`)."""

    info: RuntimeInfo

    def __init__(self, info: RuntimeInfo | None = None) -> None:
        if info is not None:
            self.info = info
        if not isinstance(getattr(self, "info", None), RuntimeInfo):
            raise TypeError(f"{type(self).__name__} has no RuntimeInfo (set `info` or pass one)")

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def capabilities(self) -> Capabilities:
        return self.info.capabilities

    def locate(self) -> list[str] | None:
        """The base command line if only this adapter knows how to find the runtime (e.g. a
        package extra); None for the generic search."""
        return None

    def version(self, command: list[str]) -> str | None:
        """The version string of the located runtime; None for the first line of `--version`."""
        return None

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        """Translate `spec` (already checked against the capability record) into the runtime's
        own invocation, starting from `command` (the located base command line)."""
        raise NotImplementedError


def dir_env_flags(spec: LaunchSpec, mapdir: Callable[[MapDir], list[str]],
                  env: Callable[[str, str], list[str]]) -> list[str]:
    """`spec`'s mapdirs, then its environment, each in one runtime's syntax."""
    out: list[str] = []
    for m in spec.mapdirs:
        out += mapdir(m)
    for key, value in spec.env.items():
        out += env(key, value)
    return out


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def refusal(info: RuntimeInfo, spec: LaunchSpec, others: list[RuntimeInfo]) -> str | None:
    """Why `spec` cannot run on `info`'s runtime by its capability record (one line), or None.
    `others`: every registered runtime, to name the ones that can."""
    caps = info.capabilities
    ro = [m for m in spec.mapdirs if m.readonly]
    if ro and not caps.readonly_mapdir:
        can = [o.name for o in others if o.capabilities.readonly_mapdir]
        return (f"{info.name} cannot map a directory read-only ({ro[0].host}:{ro[0].guest}:ro); drop ':ro'"
                + (f" or use {_either(can)}" if can else ""))
    if spec.listen is not None and caps.sockets == NO_SOCKETS:
        can = [o.name for o in others if o.capabilities.sockets != NO_SOCKETS]
        return ("{0} cannot give the module a pre-opened listening socket (WASI preview1 sockets{1})"
                .format(info.name, f": use {_either(can)}" if can else ""))
    if not caps.empty_env_value:
        empty = [k for k, v in spec.env.items() if v == ""]
        if empty:
            return f"{info.name} cannot pass an empty environment value ({empty[0]}=); its CLI rejects it"
    return None
