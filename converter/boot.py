"""`c2w boot`: run a raw kernel on the engine, natively or as engine.wasm on a WASI runtime; with
--arch x86_64 a bzImage on the x86_64 engine (Bochs: converter/bochs), console on stdio."""

from __future__ import annotations

import sys
import tempfile
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
    arch: str = "riscv64"  # or x86_64 (Bochs)


ARCHES = ("riscv64", "x86_64")
X86_CMDLINE = "console=hvc0 panic=-1"
X86_MEMORY_MB = 256


def bochsrc(req: BootRequest, path_of: dict[str, str]) -> str:
    """The x86_64 engine's configuration: direct boot, the virtio console on stdio, the drive."""
    mb = req.memory or X86_MEMORY_MB
    cmdline = X86_CMDLINE if req.append is None else req.append
    if '"' in cmdline:
        raise ConvertError("--append: the x86_64 engine's command line cannot hold a double quote")
    disk = f", disk={path_of['drive']}" if req.drive else ""
    return "\n".join([
        f"memory: guest={mb}, host={mb}", "cpu: count=1, reset_on_triple_fault=1",
        "display_library: nogui", "log: -", "info: action=ignore", "debug: action=ignore",
        "error: action=ignore", "panic: action=fatal", f"c2w: console=1{disk}",
        f'directboot: kernel={path_of["kernel"]}, initrd={path_of.get("initrd", "")}'
        + (", stats=1" if req.stats else "") + f', cmdline="{cmdline}"',
    ]) + "\n"


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


def x86_invocation(req: BootRequest, given: dict[str, Path], rcdir: Path) -> tuple[Invocation, LaunchSpec]:
    rc = rcdir / "bochsrc"
    if req.native:
        engine = components.locate(components.BOCHS_NATIVE)
        rc.write_text(bochsrc(req, {k: str(v.resolve()) for k, v in given.items()}))
        spec = LaunchSpec(module=engine, args=["-q", "-f", str(rc)])
        return Invocation([str(engine), *spec.args]), spec
    spec = LaunchSpec(module=components.locate(components.BOCHS))
    paths = map_files(spec, given)
    spec.mapdirs.append(MapDir(rcdir, "/c2w-boot/rc"))
    rc.write_text(bochsrc(req, paths))
    spec.args = ["-q", "-f", "/c2w-boot/rc/bochsrc"]
    return runtime_invocation(req, spec), spec


def map_files(spec: LaunchSpec, given: dict[str, Path]) -> dict[str, str]:
    """Map each given file's directory at /c2w-boot/N; return the files' guest paths."""
    paths = {}
    for i, (what, p) in enumerate(given.items()):
        guest = f"/c2w-boot/{i}"
        spec.mapdirs.append(MapDir(p.resolve().parent, guest))
        paths[what] = f"{guest}/{p.name}"
    return paths


def runtime_invocation(req: BootRequest, spec: LaunchSpec) -> Invocation:
    """`spec` on the requested runtime (--runtime, else c2w-run's default)."""
    name = registry.resolve_name(req.runtime).name if req.runtime else registry.default_runtime()
    return registry.invocation(registry.require(name), spec)


def invocation(req: BootRequest, given: dict[str, Path]) -> tuple[Invocation, LaunchSpec]:
    if req.native:
        engine = components.locate(components.ENGINE_NATIVE)
        spec = LaunchSpec(module=engine, args=engine_args(req, {k: str(v) for k, v in given.items()}))
        return Invocation([str(engine), *spec.args]), spec
    spec = LaunchSpec(module=components.locate(components.ENGINE))
    spec.args = engine_args(req, map_files(spec, given))
    return runtime_invocation(req, spec), spec


def boot(req: BootRequest) -> int:
    if req.arch not in ARCHES:
        raise ConvertError(f"--arch {req.arch}: expected one of {', '.join(ARCHES)}")
    if req.arch == "x86_64":
        with tempfile.TemporaryDirectory(prefix="c2w-boot-") as rcdir:
            inv, spec = x86_invocation(req, files(req), Path(rcdir))
            return _run(req, inv, spec)
    inv, spec = invocation(req, files(req))
    return _run(req, inv, spec)


def _run(req: BootRequest, inv: Invocation, spec: LaunchSpec) -> int:
    spec.stdin = StdinMode.INHERIT
    spec.tty = sys.stdin.isatty()
    spec.timeout = req.timeout
    outcome = run(inv, spec)
    if outcome.timed_out:
        print(f"c2w boot: timed out after {req.timeout:g} s", file=sys.stderr)
    return outcome.exit_code
