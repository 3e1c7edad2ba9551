"""WasmEdge CLI. Modules are AOT-compiled once (`wasmedge compile`) and cached by content hash.

No package of wasmedge is reachable from this project's registries; the adapter is complete
and its argv translation is unit-tested against the documented flags
(`wasmedge [OPTIONS] [--] WASM_OR_SO [ARG ...]`, `--dir GUEST:HOST[:readonly]`, `--env K=V`).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from ..hookspecs import RuntimeInfo, hookimpl
from ..locate import cache_dir
from ..spec import Invocation, LaunchSpec, reject_listen

INFO = RuntimeInfo(
    name="wasmedge",
    description="WasmEdge (AOT-compiled modules cached)",
    env_var="C2W_WASMEDGE",
    executables=("wasmedge",),
    install="install WasmEdge from https://wasmedge.org (no Debian/PyPI/npm/crates package) "
    "and put `wasmedge` on PATH or set C2W_WASMEDGE",
)


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [INFO]


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


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name != INFO.name:
        return None
    reject_listen(runtime.name, spec)
    argv = list(command)
    for m in spec.mapdirs:
        argv += ["--dir", f"{m.guest}:{m.host}{':readonly' if m.readonly else ''}"]
    for key, value in spec.env.items():
        argv += ["--env", f"{key}={value}"]
    argv += spec.runtime_flags
    argv += ["--", str(aot_compile(command, spec.module)), *spec.args]
    return Invocation(argv)
