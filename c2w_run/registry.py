"""The plugin manager: built-in adapters plus third-party ones found by entry point."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pluggy

from . import hookspecs
from .locate import find_executable, from_env, version_of
from .spec import Invocation, LaunchSpec

ENTRY_POINT_GROUP = "c2w_run.runtimes"

# Default preference when neither --runtime nor C2W_RUNTIME says.
DEFAULT_ORDER = ("wasmtime", "wamr", "wazero", "wasmedge", "wasmer", "node")


class UnknownRuntime(LookupError):
    pass


class RuntimeNotInstalled(LookupError):
    pass


@dataclass(frozen=True)
class Located:
    info: hookspecs.RuntimeInfo
    command: list[str]


def builtin_modules() -> list[object]:
    from .runtimes import BUILTIN

    return list(BUILTIN)


@functools.lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for module in builtin_modules():
        pm.register(module)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return pm


def runtimes() -> dict[str, hookspecs.RuntimeInfo]:
    """Every runtime any adapter provides, by name (built-ins first, in registration order)."""
    found: dict[str, hookspecs.RuntimeInfo] = {}
    for infos in reversed(plugin_manager().hook.c2w_runtime_info()):
        for info in infos:
            found.setdefault(info.name, info)
    return found


def resolve_name(name: str) -> hookspecs.RuntimeInfo:
    table = runtimes()
    if name in table:
        return table[name]
    for info in table.values():
        if name in info.aliases:
            return info
    raise UnknownRuntime(f"unknown runtime {name!r}; known runtimes: {', '.join(sorted(table))}")


def locate(info: hookspecs.RuntimeInfo) -> list[str] | None:
    """Env var override first, then the adapter's own search (package extras), then the
    project's cache bin dir and PATH."""
    cmd = from_env(info.env_var)
    if cmd:
        return cmd
    cmd = plugin_manager().hook.c2w_runtime_locate(runtime=info)
    if cmd:
        return cmd
    exe = find_executable(info.executables) if info.executables else None
    return [exe] if exe else None


def require(name: str) -> Located:
    info = resolve_name(name)
    cmd = locate(info)
    if not cmd:
        raise RuntimeNotInstalled(f"runtime {info.name!r} is not installed; {info.install}")
    return Located(info, cmd)


@functools.lru_cache(maxsize=None)
def _version(name: str, command: tuple[str, ...]) -> str | None:
    info = resolve_name(name)
    found = plugin_manager().hook.c2w_runtime_version(runtime=info, command=list(command))
    return found if found is not None else version_of(list(command))  # default: `COMMAND --version`


def version(located: Located) -> str | None:
    return _version(located.info.name, tuple(located.command))


def invocation(located: Located, spec: LaunchSpec) -> Invocation:
    inv = plugin_manager().hook.c2w_runtime_invocation(
        runtime=located.info, command=list(located.command), spec=spec
    )
    if inv is None:
        raise UnknownRuntime(f"no adapter translates launches for runtime {located.info.name!r}")
    return inv


def default_runtime() -> str:
    import os

    env = os.environ.get("C2W_RUNTIME")
    if env:
        return env
    for name in DEFAULT_ORDER:
        try:
            require(name)
            return name
        except (UnknownRuntime, RuntimeNotInstalled):
            continue
    raise RuntimeNotInstalled(
        "no WASI runtime is installed; run `make runtimes` or `pip install 'c2w-run[wasmtime]'`"
    )
