"""Runtime "wasmtime-nocache": the wasmtime CLI with its compilation cache off.

Written only against c2w_run's hookspecs, the way any third-party adapter would be.
"""

from __future__ import annotations

import subprocess

from c2w_run.hookspecs import RuntimeInfo, hookimpl
from c2w_run.spec import Invocation, LaunchSpec

INFO = RuntimeInfo(
    name="wasmtime-nocache",
    description="wasmtime CLI without its compilation cache (third-party example)",
    env_var="C2W_WASMTIME_NOCACHE",
    executables=("wasmtime",),
    install="pip install c2w-run-wasmtime-nocache",
)


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [INFO]


@hookimpl
def c2w_runtime_version(runtime: RuntimeInfo, command: list[str]) -> str | None:
    if runtime.name != INFO.name:
        return None
    out = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=30)
    return f"{out.stdout.strip()} (cache off)"


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name != INFO.name:
        return None
    argv = [*command, "run", "-C", "cache=n"]
    for m in spec.mapdirs:
        argv += ["--dir", f"{m.host}::{m.guest}"]
    for key, value in spec.env.items():
        argv += ["--env", f"{key}={value}"]
    return Invocation([*argv, "--", str(spec.module), *spec.args])
