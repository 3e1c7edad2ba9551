"""WasmEdge CLI. Modules are AOT-compiled once (`wasmedge compile`) and cached by content hash.

No package of wasmedge is reachable from this project's registries; the adapter is complete
and its argv translation is unit-tested against the documented flags
(`wasmedge [OPTIONS] [--] WASM_OR_SO [ARG ...]`, `--dir GUEST:HOST[:readonly]`, `--env K=V`).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from ..adapter import Adapter, Capabilities, RuntimeInfo, dir_env_flags
from ..locate import cache_dir
from ..spec import Invocation, LaunchSpec


def aot_path(module: Path) -> Path:
    digest = hashlib.sha256(module.read_bytes()).hexdigest()[:32]
    return cache_dir() / "aot" / "wasmedge" / f"{digest}.so"


def aot_compile(command: list[str], module: Path) -> Path:
    """Compile once per module content; fall back to the plain module if compiling fails."""
    out = aot_path(module)
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    try:
        done = subprocess.run([*command, "compile", str(module), str(tmp)], capture_output=True)
    except OSError:
        return module
    if done.returncode != 0 or not tmp.is_file():
        return module
    tmp.replace(out)
    return out


class WasmEdge(Adapter):
    info = RuntimeInfo(
        name="wasmedge",
        description="WasmEdge (AOT-compiled modules cached)",
        env_var="C2W_WASMEDGE",
        executables=("wasmedge",),
        install="install WasmEdge from https://wasmedge.org (no Debian/PyPI/npm/crates package) "
        "and put `wasmedge` on PATH or set C2W_WASMEDGE",
        capabilities=Capabilities(readonly_mapdir=True),  # not measured here (not installable)
    )

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        flags = dir_env_flags(spec, lambda m: ["--dir", f"{m.guest}:{m.host}{':readonly' if m.readonly else ''}"],
                              lambda k, v: ["--env", f"{k}={v}"])
        return Invocation([*command, *flags, *spec.runtime_flags, "--", str(aot_compile(command, spec.module)),
                           *spec.args])


ADAPTERS = (WasmEdge(),)
