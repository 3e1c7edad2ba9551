"""wasmtime's Python API (PyPI `wasmtime`), run in a Python process of its own.

Useful where no runtime CLI can be installed. No pre-opened sockets in this API.
"""

from __future__ import annotations

import sys

from ..hookspecs import RuntimeInfo, hookimpl
from ..spec import Invocation, LaunchSpec, reject_listen

INFO = RuntimeInfo(
    name="wasmtime-py",
    description="wasmtime Python API (in-process)",
    env_var="C2W_WASMTIME_PY",
    install="pip install 'c2w-run[wasmtime]' (PyPI wasmtime)",
    max_exit_status=125,  # proc_exit(126..255) traps: "invalid exit status"
)
RUNNER = "c2w_run.runtimes.wasmtime_py_runner"


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [INFO]


@hookimpl
def c2w_runtime_locate(runtime: RuntimeInfo) -> list[str] | None:
    if runtime.name != INFO.name:
        return None
    try:
        import wasmtime  # noqa: F401  # type: ignore[import-not-found]
    except ImportError:
        return None
    return [sys.executable, "-m", RUNNER]


@hookimpl
def c2w_runtime_version(runtime: RuntimeInfo, command: list[str]) -> str | None:
    if runtime.name != INFO.name:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"wasmtime-py {version('wasmtime')}"
    except PackageNotFoundError:
        return None


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name != INFO.name:
        return None
    reject_listen(runtime.name, spec)
    argv = list(command)
    for m in spec.mapdirs:
        argv.append(f"--dir={m.host}::{m.guest}{'::ro' if m.readonly else ''}")
    for key, value in spec.env.items():
        argv.append(f"--env={key}={value}")
    argv += spec.runtime_flags
    argv += ["--", str(spec.module), *spec.args]
    return Invocation(argv)
