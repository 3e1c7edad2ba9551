"""How each runtime can carry the network frames of a c2w image (measured on this machine with
converter/engine/tests/test_net_engine.py and c2w_run/tests/test_net_cli.py).

- "socket": the runtime pre-opens a TCP listener for the module (WASI preview1 `sock_accept`);
  the engine accepts one connection and c2w-run hands it to passt.
- "stdio": frames and the container's stdin/stdout multiplexed over the runtime's stdin and
  stdout (a relay process, c2w_run/net/mux.py, speaks it); needs working stdin polling only.
"""

from __future__ import annotations

SOCKET = "socket"
STDIO = "stdio"

# runtime name -> transports, best first
TRANSPORTS: dict[str, tuple[str, ...]] = {
    "wasmtime46": (SOCKET, STDIO),  # -S preview2=n -S tcplisten=HOST:PORT
    "wazero": (SOCKET, STDIO),  # -listen=HOST:PORT
    "wasmtime": (STDIO,),
    "wasmtime-py": (STDIO,),
    "wamr": (STDIO,),
    "wamr-interp": (STDIO,),  # the same WASI implementation as wamr
    "wamr-aot": (STDIO,),
    "node": (STDIO,),
    "browser": (STDIO,),  # the multiplex rides the page's WebSocket (c2w_run/browser/README.md)
}

# why the others have none (shown in the one-line error)
MISSING: dict[str, str] = {
    "wasmtime": "wasmtime 47+ removed WASI preview1 pre-opened sockets (use --runtime wasmtime46)",
    "wasmtime-py": "the wasmtime Python API cannot pre-open a socket",
    "wamr": "iwasm pre-opens no socket (its guests bind their own through WAMR-only imports)",
    "wamr-interp": "iwasm pre-opens no socket (its guests bind their own through WAMR-only imports)",
    "wamr-aot": "iwasm pre-opens no socket (its guests bind their own through WAMR-only imports)",
    "node": "node:wasi has no sockets",
    "browser": "a web page has no sockets",
    "wasmer": "the stdio multiplex stalls on wasmer 7.4 (not investigated yet); no pre-opened sockets",
}


def transports(runtime: str) -> tuple[str, ...]:
    return TRANSPORTS.get(runtime, ())


def transport_for(runtime: str, wanted: str = "auto") -> str | None:
    """The transport to use on `runtime`, or None when it has none (or not the one wanted)."""
    have = transports(runtime)
    if wanted == "auto":
        return have[0] if have else None
    return wanted if wanted in have else None


def describe(runtime: str) -> str:
    """One cell for `c2w-run runtimes`: the transports, or '-'."""
    return ", ".join(transports(runtime)) or "-"


def missing_reason(runtime: str, wanted: str = "auto") -> str:
    if runtime in MISSING and runtime not in TRANSPORTS:
        return MISSING[runtime]
    if wanted == STDIO or (wanted == "auto" and runtime not in TRANSPORTS):
        return "its stdin polling is not known to work"
    return MISSING.get(runtime, "it has no pre-opened sockets")
