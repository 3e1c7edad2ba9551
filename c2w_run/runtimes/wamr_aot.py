"""WAMR ahead-of-time: `wamrc -o OUT.aot IN.wasm` once per module, then `iwasm OUT.aot`.

Compiled files are cached under $C2W_CACHE/aot/wamr/<sha256 of module + wamrc version>.aot
(written to a temporary name, then renamed). iwasm runs them with the wamr adapter's flags.
Installed by `make runtimes-all` (scripts/install-runtimes.sh --only wamrc: LLVM 14).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

from ..adapter import Adapter, RuntimeInfo
from ..locate import cache_dir, find_executable, from_env, version_of
from ..spec import Invocation, LaunchSpec, Unsupported
from .wamr import CAPABILITIES, iwasm_argv

INFO = RuntimeInfo(
    name="wamr-aot",
    description="WAMR iwasm running modules AOT-compiled by wamrc (LLVM), cached",
    env_var="C2W_IWASM_AOT",
    install="make runtimes-all (builds wamrc with LLVM 14; set C2W_WAMRC to use another wamrc)",
    capabilities=CAPABILITIES,
)
WAMRC_ENV = "C2W_WAMRC"


def wamrc_command() -> list[str] | None:
    """The wamrc command line: $C2W_WAMRC, else `wamrc` in the cache bin dir or on PATH."""
    cmd = from_env(WAMRC_ENV)
    if cmd:
        return cmd
    exe = find_executable(("wamrc",))
    return [exe] if exe else None


def aot_path(module: Path, wamrc_version: str) -> Path:
    """Where the compiled form of `module` is cached for this wamrc."""
    h = hashlib.sha256()
    with open(module, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    h.update(b"\0" + wamrc_version.encode())
    return cache_dir() / "aot" / "wamr" / f"{h.hexdigest()}.aot"


def aot_compile(wamrc: list[str], module: Path) -> Path:
    """The cached .aot of `module`, compiled now if missing; Unsupported if wamrc fails."""
    version = version_of(wamrc)
    if version is None:
        raise Unsupported(f"wamr-aot: `{' '.join(wamrc)} --version` does not run; {INFO.install}")
    try:
        out = aot_path(module, version)
    except OSError as e:
        raise Unsupported(f"wamr-aot: cannot read module {module}: {e.strerror}") from None
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out.stem[:16] + ".", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        done = subprocess.run([*wamrc, "-o", str(tmp), str(module)], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0 or tmp.stat().st_size == 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            why = lines[-1] if lines else f"exit status {done.returncode}"
            raise Unsupported(f"wamr-aot: wamrc cannot compile {module}: {why}")
        tmp.chmod(0o644)  # mkstemp makes it 0600
        tmp.replace(out)
    except OSError as e:
        raise Unsupported(f"wamr-aot: cannot run wamrc ({wamrc[0]}): {e.strerror}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return out


class WamrAot(Adapter):
    info = INFO

    def locate(self) -> list[str] | None:
        """iwasm, but only when wamrc is installed too (else the runtime is not installed)."""
        if wamrc_command() is None:
            return None
        iwasm = find_executable(("iwasm",))
        return [iwasm] if iwasm else None

    def version(self, command: list[str]) -> str | None:
        wamrc = wamrc_command()
        parts = [version_of(command), version_of(wamrc) if wamrc else None]
        return ", ".join(p for p in parts if p) or None

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        # the registry has refused what the record does not declare, before a possibly long compile
        wamrc = wamrc_command()
        if wamrc is None:
            raise Unsupported(f"wamr-aot: wamrc is not installed; {INFO.install}")
        return Invocation(iwasm_argv(command, spec, module=str(aot_compile(wamrc, spec.module))))


ADAPTERS = (WamrAot(),)
