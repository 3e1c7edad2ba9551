"""wasmer CLI (`wasmer run`), installed by `make runtimes-all` (cargo install wasmer-cli)."""

from __future__ import annotations

from ..hookspecs import RuntimeInfo, hookimpl
from ..spec import Invocation, LaunchSpec, Unsupported, reject_listen, reject_readonly

INFO = RuntimeInfo(
    name="wasmer",
    description="Wasmer CLI",
    env_var="C2W_WASMER",
    executables=("wasmer",),
    install="make runtimes-all (cargo install wasmer-cli; a long build)",
    # its poll_oneoff misreports stdin: with `poll`, a typed line is answered only after the next one
    image_stdin_mode="idle",
)


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [INFO]


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name != INFO.name:
        return None
    reject_listen(runtime.name, spec)
    reject_readonly(runtime.name, spec)
    argv = [*command, "run"]
    for m in spec.mapdirs:  # wasmer 7: --volume HOST:GUEST (--mapdir GUEST:HOST is deprecated)
        argv.append(f"--volume={m.host}:{m.guest}")
    for key, value in spec.env.items():
        if value == "":
            raise Unsupported(f"wasmer cannot pass an empty environment value ({key}=); its CLI rejects it")
        argv.append(f"--env={key}={value}")
    argv += spec.runtime_flags
    argv += [str(spec.module), "--", *spec.args]
    return Invocation(argv)
