"""How a runtime can carry the network frames of a c2w image: its capability record's
`net_transports` (measured on this machine with converter/engine/tests/test_net_engine.py and
c2w_run/tests/test_net_cli.py; declared by each adapter).

- "socket": the runtime pre-opens a TCP listener for the module (WASI preview1 `sock_accept`);
  the engine accepts one connection and c2w-run hands it to passt.
- "stdio": frames and the container's stdin/stdout multiplexed over the runtime's stdin and
  stdout (a relay process, c2w_run/net/mux.py, speaks it); needs working stdin polling only.
"""

from __future__ import annotations

from ..adapter import NET_SOCKET as SOCKET
from ..adapter import NET_STDIO as STDIO
from ..adapter import RuntimeInfo

__all__ = ["SOCKET", "STDIO", "describe", "missing_reason", "transport_for"]


def transport_for(info: RuntimeInfo, wanted: str = "auto") -> str | None:
    """The transport to use on `info`'s runtime, or None when it has none (or not the one wanted)."""
    have = info.capabilities.net_transports
    if wanted == "auto":
        return have[0] if have else None
    return wanted if wanted in have else None


def describe(info: RuntimeInfo) -> str:
    """One cell for `c2w-run runtimes`: the transports, or '-'."""
    return ", ".join(info.capabilities.net_transports) or "-"


def missing_reason(info: RuntimeInfo, wanted: str = "auto") -> str:
    have, note = info.capabilities.net_transports, info.capabilities.net_note
    if note and not have:
        return note
    if wanted == STDIO or (wanted == "auto" and not have):
        return "its stdin polling is not known to work"
    return note or "it has no pre-opened sockets"
