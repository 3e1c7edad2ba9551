"""wasmtime's Python API (PyPI `wasmtime`), run in a Python process of its own.

Useful where no runtime CLI can be installed. No pre-opened sockets in this API.
"""

from __future__ import annotations

import sys

from ..adapter import NET_STDIO, Adapter, Capabilities, RuntimeInfo, dir_env_flags
from ..spec import Invocation, LaunchSpec
from .wasmtime import MAX_EXIT_STATUS

RUNNER = "c2w_run.runtimes.wasmtime_py_runner"


class WasmtimePy(Adapter):
    info = RuntimeInfo(
        name="wasmtime-py",
        description="wasmtime Python API (in-process)",
        env_var="C2W_WASMTIME_PY",
        install="pip install 'c2w-run[wasmtime]' (PyPI wasmtime)",
        capabilities=Capabilities(readonly_mapdir=True, max_exit_status=MAX_EXIT_STATUS,
                                  net_transports=(NET_STDIO,),
                                  net_note="the wasmtime Python API cannot pre-open a socket"),
    )

    def locate(self) -> list[str] | None:
        try:
            import wasmtime  # noqa: F401  # type: ignore[import-not-found]
        except ImportError:
            return None
        return [sys.executable, "-m", RUNNER]

    def version(self, command: list[str]) -> str | None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"wasmtime-py {version('wasmtime')}"
        except PackageNotFoundError:
            return None

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        flags = dir_env_flags(spec, lambda m: [f"--dir={m.host}::{m.guest}{'::ro' if m.readonly else ''}"],
                              lambda k, v: [f"--env={k}={v}"])
        return Invocation([*command, *flags, *spec.runtime_flags, "--", str(spec.module), *spec.args])


ADAPTERS = (WasmtimePy(),)
