"""wazero CLI (`wazero run`), installed by `make runtimes` (go install)."""

from __future__ import annotations

from ..adapter import NET_SOCKET, NET_STDIO, PREOPEN, Adapter, Capabilities, RuntimeInfo, dir_env_flags
from ..locate import version_of
from ..spec import Invocation, LaunchSpec


class Wazero(Adapter):
    info = RuntimeInfo(
        name="wazero",
        description="wazero CLI (Go)",
        env_var="C2W_WAZERO",
        executables=("wazero",),
        install="make runtimes (go install github.com/tetratelabs/wazero/cmd/wazero)",
        capabilities=Capabilities(readonly_mapdir=True, sockets=PREOPEN, net_transports=(NET_SOCKET, NET_STDIO)),
    )

    def version(self, command: list[str]) -> str | None:
        return version_of([*command, "version"], flag="")

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        argv = [*command, "run", *dir_env_flags(spec, lambda m: [f"-mount={m.host}:{m.guest}{':ro' if m.readonly else ''}"],
                                                lambda k, v: [f"-env={k}={v}"])]
        if spec.listen is not None:
            argv.append(f"-listen={spec.listen.host}:{spec.listen.port}")
        argv += spec.runtime_flags
        # wazero hands a lone trailing `--` to the module as an argument: only separate real args
        argv += [str(spec.module), *(["--", *spec.args] if spec.args else [])]
        return Invocation(argv)


ADAPTERS = (Wazero(),)
