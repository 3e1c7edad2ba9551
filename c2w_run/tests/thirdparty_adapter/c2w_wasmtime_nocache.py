"""Runtime "wasmtime-nocache": the wasmtime CLI with its compilation cache off.

Written only against c2w_run's adapter API, the way any third-party adapter would be. It
declares no capabilities (the cautious defaults), so the registry refuses `:ro` mappings and
listening sockets for it: the adapter itself only translates.
"""

from __future__ import annotations

import subprocess

from c2w_run.hookspecs import Adapter, RuntimeInfo, RuntimeRegister, hookimpl
from c2w_run.spec import Invocation, LaunchSpec


class WasmtimeNoCache(Adapter):
    info = RuntimeInfo(
        name="wasmtime-nocache",
        description="wasmtime CLI without its compilation cache (third-party example)",
        env_var="C2W_WASMTIME_NOCACHE",
        executables=("wasmtime",),
        install="pip install c2w-run-wasmtime-nocache",
    )

    def version(self, command: list[str]) -> str | None:
        out = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=30)
        return f"{out.stdout.strip()} (cache off)"

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        argv = [*command, "run", "-C", "cache=n"]
        for m in spec.mapdirs:
            argv += ["--dir", f"{m.host}::{m.guest}"]
        for key, value in spec.env.items():
            argv += ["--env", f"{key}={value}"]
        return Invocation([*argv, "--", str(spec.module), *spec.args])


@hookimpl
def c2w_run_register_runtimes(register: RuntimeRegister) -> None:
    register.add(WasmtimeNoCache())
