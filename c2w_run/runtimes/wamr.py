"""WAMR's iwasm (real WebAssembly Micro Runtime, built by `make runtimes`).

Its `--map-dir` order is GUEST::HOST. Listening sockets: WAMR's guest binds them itself
through WAMR's socket extension, allowed by `--addr-pool`.
"""

from __future__ import annotations

from ..adapter import BIND, NET_STDIO, Adapter, Capabilities, RuntimeInfo, dir_env_flags
from ..spec import Invocation, LaunchSpec

INSTALL = "make runtimes (WAMR built with cmake from the sources a crates.io crate vendors)"
CAPABILITIES = Capabilities(
    sockets=BIND, net_transports=(NET_STDIO,),
    net_note="iwasm pre-opens no socket (its guests bind their own through WAMR-only imports)",
)


def iwasm_argv(command: list[str], spec: LaunchSpec, module: str | None = None) -> list[str]:
    """iwasm's argv for `spec` (shared by every WAMR mode; `module` replaces the .wasm path,
    e.g. with a compiled .aot file)."""
    argv = [*command, *dir_env_flags(spec, lambda m: [f"--map-dir={m.guest}::{m.host}"],
                                     lambda k, v: [f"--env={k}={v}"])]
    if spec.listen is not None:
        argv.append(f"--addr-pool={spec.listen.host}/32")
    argv += spec.runtime_flags
    argv += [module or str(spec.module), *spec.args]
    return argv


class Iwasm(Adapter):
    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        return Invocation(iwasm_argv(command, spec))


ADAPTERS = (
    Iwasm(RuntimeInfo(name="wamr", description="WAMR iwasm (interpreter / fast-JIT)", env_var="C2W_IWASM",
                      executables=("iwasm",), install=INSTALL, aliases=("iwasm",), capabilities=CAPABILITIES)),
    Iwasm(RuntimeInfo(name="wamr-interp", description="WAMR iwasm, fast interpreter (no JIT)",
                      env_var="C2W_IWASM_INTERP", executables=("iwasm-fast-interp",), install=INSTALL,
                      capabilities=CAPABILITIES)),
)
