"""Node.js `node:wasi`, through the runner script shipped in this package."""

from __future__ import annotations

from pathlib import Path

from ..hookspecs import RuntimeInfo, hookimpl
from ..spec import Invocation, LaunchSpec, reject_listen, reject_readonly

INFO = RuntimeInfo(
    name="node",
    description="Node.js node:wasi",
    env_var="C2W_NODE",
    executables=("node",),
    install="install Node.js >= 20 (Debian: nodejs)",
)
RUNNER = Path(__file__).with_name("node_runner.mjs")


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [INFO]


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name != INFO.name:
        return None
    reject_listen(runtime.name, spec)
    reject_readonly(runtime.name, spec)
    # Not --single-threaded-gc: with it, node 20 segfaults (139) part-way through a Linux boot
    # on the engine (measured: 4 of 4 runs); without it the same boot and a 160 MiB
    # memory.grow both exit cleanly.
    argv = [*command, "--no-warnings", str(RUNNER)]
    for m in spec.mapdirs:
        argv.append(f"--dir={m.guest}={m.host}")
    for key, value in spec.env.items():
        argv.append(f"--env={key}={value}")
    argv += spec.runtime_flags
    argv += ["--", str(spec.module), *spec.args]
    return Invocation(argv)
