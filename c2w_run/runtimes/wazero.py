"""wazero CLI (`wazero run`), installed by `make runtimes` (go install)."""

from __future__ import annotations

from ..hookspecs import RuntimeInfo, hookimpl
from ..locate import version_of
from ..spec import Invocation, LaunchSpec

INFO = RuntimeInfo(
    name="wazero",
    description="wazero CLI (Go)",
    env_var="C2W_WAZERO",
    executables=("wazero",),
    install="make runtimes (go install github.com/tetratelabs/wazero/cmd/wazero)",
)


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [INFO]


@hookimpl
def c2w_runtime_version(runtime: RuntimeInfo, command: list[str]) -> str | None:
    return version_of([*command, "version"], flag="") if runtime.name == INFO.name else None


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name != INFO.name:
        return None
    argv = [*command, "run"]
    for m in spec.mapdirs:
        argv.append(f"-mount={m.host}:{m.guest}{':ro' if m.readonly else ''}")
    for key, value in spec.env.items():
        argv.append(f"-env={key}={value}")
    if spec.listen is not None:
        argv.append(f"-listen={spec.listen.host}:{spec.listen.port}")
    argv += spec.runtime_flags
    # wazero hands a lone trailing `--` to the module as an argument: only separate real args
    argv += [str(spec.module), *(["--", *spec.args] if spec.args else [])]
    return Invocation(argv)
