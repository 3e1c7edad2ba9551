"""WAMR's iwasm (real WebAssembly Micro Runtime, built by `make runtimes`).

Its `--map-dir` order is GUEST::HOST. Listening sockets: WAMR's guest binds them itself
through WAMR's socket extension, allowed by `--addr-pool`.
"""

from __future__ import annotations

from ..hookspecs import RuntimeInfo, hookimpl
from ..spec import Invocation, LaunchSpec, reject_readonly

INFO = RuntimeInfo(
    name="wamr",
    description="WAMR iwasm (interpreter / fast-JIT)",
    env_var="C2W_IWASM",
    executables=("iwasm",),
    install="make runtimes (WAMR built with cmake from the sources a crates.io crate vendors)",
    aliases=("iwasm",),
)
INTERP = RuntimeInfo(
    name="wamr-interp",
    description="WAMR iwasm, fast interpreter (no JIT)",
    env_var="C2W_IWASM_INTERP",
    executables=("iwasm-fast-interp",),
    install="make runtimes (WAMR built with cmake from the sources a crates.io crate vendors)",
)
NAMES = (INFO.name, INTERP.name)


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [INFO, INTERP]


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name not in NAMES:
        return None
    return Invocation(iwasm_argv(runtime.name, command, spec))


def iwasm_argv(runtime: str, command: list[str], spec: LaunchSpec, module: str | None = None) -> list[str]:
    """iwasm's argv for `spec` (shared by every WAMR mode; `module` replaces the .wasm path,
    e.g. with a compiled .aot file)."""
    reject_readonly(runtime, spec)
    argv = list(command)
    for m in spec.mapdirs:
        argv.append(f"--map-dir={m.guest}::{m.host}")
    for key, value in spec.env.items():
        argv.append(f"--env={key}={value}")
    if spec.listen is not None:
        argv.append(f"--addr-pool={spec.listen.host}/32")
    argv += spec.runtime_flags
    argv += [module or str(spec.module), *spec.args]
    return argv
