"""The whole adapter contract: pluggy hookspecs.

A runtime adapter is a plugin (a module or object) implementing these hooks. Built-in
adapters live in ``c2w_run.runtimes``; third-party ones register a module under the
entry point group ``c2w_run.runtimes``. Hooks that take ``runtime`` must return None
for runtimes they do not provide, so that the first adapter that knows the runtime answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pluggy

from .spec import Invocation, LaunchSpec

PROJECT = "c2w_run"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@dataclass(frozen=True)
class RuntimeInfo:
    """Static facts about one runtime an adapter provides."""

    name: str
    description: str
    env_var: str  # full command line override, shlex-split (e.g. C2W_WASMTIME)
    executables: tuple[str, ...] = ()  # names looked up in the extras/cache dir and on PATH
    install: str = ""  # how to install it (shown when missing)
    aliases: tuple[str, ...] = field(default_factory=tuple)
    # highest exit status proc_exit can give (wasmtime traps on 126..255); c2w images report
    # higher statuses through a status file on such runtimes (see c2w_run/image.py)
    max_exit_status: int = 255
    # how a c2w image should wait for stdin on this runtime when the user does not choose
    # (`--stdin-mode`): the workaround the conformance matrix shows a runtime needs
    image_stdin_mode: str | None = None


@hookspec
def c2w_runtime_info() -> list[RuntimeInfo]:
    """Return the runtimes this plugin provides."""
    raise NotImplementedError


@hookspec(firstresult=True)
def c2w_runtime_locate(runtime: RuntimeInfo) -> list[str] | None:
    """Return the base command line of ``runtime`` if it is installed and only this
    plugin knows how to find it; None to use the generic search (env var, the
    package's extras and cache bin dir, PATH)."""
    raise NotImplementedError


@hookspec(firstresult=True)
def c2w_runtime_version(runtime: RuntimeInfo, command: list[str]) -> str | None:
    """Return the version string of the located runtime (default, when no plugin answers:
    the first line of ``COMMAND --version``)."""
    raise NotImplementedError


@hookspec(firstresult=True)
def c2w_runtime_invocation(
    runtime: RuntimeInfo, command: list[str], spec: LaunchSpec
) -> Invocation | None:
    """Translate ``spec`` into the runtime's own invocation, starting from ``command``
    (the located base command line)."""
    raise NotImplementedError
