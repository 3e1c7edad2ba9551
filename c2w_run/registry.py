"""The runtime registry: adapters registered by plugins (built-in and entry points), looked up
by name; the capability records enforced for every adapter alike."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import pluggy

from . import hookspecs
from .adapter import Adapter, RuntimeInfo, refusal
from .locate import find_executable, from_env, version_of
from .spec import Invocation, LaunchSpec, Unsupported

ENTRY_POINT_GROUP = "c2w_run.runtimes"

# Default preference when neither --runtime nor C2W_RUNTIME says.
DEFAULT_ORDER = ("wasmtime", "wamr", "wazero", "wasmedge", "wasmer", "node")


class UnknownRuntime(LookupError):
    pass


class RuntimeNotInstalled(LookupError):
    pass


@dataclass(frozen=True)
class Located:
    info: RuntimeInfo
    command: list[str]


class Register:
    """What `c2w_run_register_runtimes` receives: name -> adapter, and alias -> name."""

    def __init__(self) -> None:
        self.adapters: dict[str, Adapter] = {}
        self.aliases: dict[str, str] = {}

    def add(self, adapter: Adapter) -> None:
        if not isinstance(adapter, Adapter):
            raise TypeError(f"register.add() takes a c2w_run Adapter, not {type(adapter).__name__}")
        name = adapter.info.name
        if name in self.adapters:  # the first registration wins (built-ins come first)
            return
        self.adapters[name] = adapter
        for alias in adapter.info.aliases:
            self.aliases.setdefault(alias, name)


@functools.lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    from . import runtimes as builtin  # one plugin for every built-in adapter (tryfirst)

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(builtin)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    return pm


@functools.lru_cache(maxsize=1)
def register() -> Register:
    """Every plugin's adapters: the built-ins first, then the entry points'."""
    reg = Register()
    plugin_manager().hook.c2w_run_register_runtimes(register=reg)
    return reg


def adapter(name: str) -> Adapter:
    """The adapter of runtime `name` (or of one of its aliases)."""
    reg = register()
    found = reg.adapters.get(reg.aliases.get(name, name))
    if found is None and "@" in name:  # FAMILY@VERSION: an installed release (runtimes/versioned.py)
        from .runtimes import versioned
        try:
            return versioned.resolve(name)
        except versioned.VersionError as exc:
            raise RuntimeNotInstalled(str(exc)) from None
    if found is None:
        raise UnknownRuntime(f"unknown runtime {name!r}; known runtimes: {', '.join(sorted(reg.adapters))}")
    return found


def runtimes() -> dict[str, RuntimeInfo]:
    """Every runtime any adapter provides, by name (built-ins first, in registration order)."""
    return {name: a.info for name, a in register().adapters.items()}


def resolve_name(name: str) -> RuntimeInfo:
    return adapter(name).info


def locate(info: RuntimeInfo) -> list[str] | None:
    """Env var override first, then the adapter's own search (package extras), then the
    project's cache bin dir and PATH."""
    cmd = from_env(info.env_var)
    if cmd:
        return cmd
    cmd = adapter(info.name).locate()
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
    found = adapter(name).version(list(command))
    return found if found is not None else version_of(list(command))  # default: `COMMAND --version`


def version(located: Located) -> str | None:
    return _version(located.info.name, tuple(located.command))


def check(info: RuntimeInfo, spec: LaunchSpec) -> None:
    """Refuse what `info`'s capability record does not declare (Unsupported, one line)."""
    why = refusal(info, spec, list(runtimes().values()))
    if why:
        raise Unsupported(why)


def invocation(located: Located, spec: LaunchSpec) -> Invocation:
    """`spec` checked against the runtime's capability record, then translated by its adapter."""
    check(located.info, spec)
    return adapter(located.info.name).invocation(list(located.command), spec)


def default_runtime() -> str:
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
