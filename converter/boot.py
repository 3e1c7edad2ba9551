"""`c2w boot`: run a raw kernel on the engine, natively or as engine.wasm on a WASI runtime."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from c2w_run import registry
from c2w_run.process import run
from c2w_run.spec import Invocation, LaunchSpec, MapDir, StdinMode

from . import components
from .errors import ConvertError


@dataclass
class BootRequest:
    kernel: Path
    initrd: Path | None = None
    drive: Path | None = None
    append: str | None = None
    memory: int | None = None
    runtime: str | None = None
    native: bool = False
    timeout: float | None = None
    stats: bool = False


def engine_args(req: BootRequest, path_of: dict[str, str]) -> list[str]:
    args = ["--kernel", path_of["kernel"]]
    if req.initrd:
        args += ["--initrd", path_of["initrd"]]
    if req.drive:
        args += ["--drive", path_of["drive"]]
    if req.append is not None:
        args += ["--append", req.append]
    if req.memory is not None:
        args += ["--memory", str(req.memory)]
    if req.stats:
        args.append("--stats")
    return args


def files(req: BootRequest) -> dict[str, Path]:
    out = {"kernel": req.kernel}
    if req.initrd:
        out["initrd"] = req.initrd
    if req.drive:
        out["drive"] = req.drive
    for what, p in out.items():
        if not p.is_file():
            raise ConvertError(f"--{what} {p}: no such file")
    return out


def invocation(req: BootRequest, given: dict[str, Path]) -> tuple[Invocation, LaunchSpec]:
    if req.native:
        engine = components.locate(components.ENGINE_NATIVE)
        spec = LaunchSpec(module=engine, args=engine_args(req, {k: str(v) for k, v in given.items()}))
        return Invocation([str(engine), *spec.args]), spec
    spec = LaunchSpec(module=components.locate(components.ENGINE))
    paths = {}
    for i, (what, p) in enumerate(given.items()):  # each file's directory at /c2w-boot/N
        guest = f"/c2w-boot/{i}"
        spec.mapdirs.append(MapDir(p.resolve().parent, guest))
        paths[what] = f"{guest}/{p.name}"
    spec.args = engine_args(req, paths)
    name = registry.resolve_name(req.runtime).name if req.runtime else registry.default_runtime()
    return registry.invocation(registry.require(name), spec), spec


def boot(req: BootRequest) -> int:
    inv, spec = invocation(req, files(req))
    spec.stdin = StdinMode.INHERIT
    spec.tty = sys.stdin.isatty()
    spec.timeout = req.timeout
    outcome = run(inv, spec)
    if outcome.timed_out:
        print(f"c2w boot: timed out after {req.timeout:g} s", file=sys.stderr)
    return outcome.exit_code
