"""wasmer CLI (`wasmer run`), installed by `make runtimes-all` (cargo install wasmer-cli)."""

from __future__ import annotations

from ..adapter import Adapter, Capabilities, RuntimeInfo, dir_env_flags
from ..spec import Invocation, LaunchSpec


class Wasmer(Adapter):
    info = RuntimeInfo(
        name="wasmer",
        description="Wasmer CLI",
        env_var="C2W_WASMER",
        executables=("wasmer",),
        install="make runtimes-all (cargo install wasmer-cli; a long build)",
        capabilities=Capabilities(
            empty_env_value=False,  # its CLI rejects K=
            # its poll_oneoff misreports stdin: with `poll`, a typed line is answered only after the next one
            image_stdin_mode="idle",
            net_note="the stdio multiplex stalls on wasmer 7.4 (not investigated yet); no pre-opened sockets",
            tty_on_pipes=True,  # the engine sees a terminal on pipes (`hi\r\n`)
        ),
    )

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        # wasmer 7: --volume HOST:GUEST (--mapdir GUEST:HOST is deprecated)
        flags = dir_env_flags(spec, lambda m: [f"--volume={m.host}:{m.guest}"], lambda k, v: [f"--env={k}={v}"])
        return Invocation([*command, "run", *flags, *spec.runtime_flags, str(spec.module), "--", *spec.args])


ADAPTERS = (Wasmer(),)
