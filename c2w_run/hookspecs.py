"""The adapter contract: one pluggy hook, in the style of tox's `tox_register_tox_env`.

A plugin (a module or object) implements `c2w_run_register_runtimes(register)` and calls
`register.add(adapter)` once per runtime it provides (an `Adapter`, c2w_run/adapter.py).
Built-in adapters live in `c2w_run.runtimes`; third-party ones register a module under the
entry point group `c2w_run.runtimes`. From there on the registry looks adapters up by name.
"""

from __future__ import annotations

from typing import Protocol

import pluggy

from .adapter import Adapter, Capabilities, RuntimeInfo

PROJECT = "c2w_run"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["Adapter", "Capabilities", "RuntimeInfo", "RuntimeRegister", "hookimpl", "hookspec"]


class RuntimeRegister(Protocol):
    def add(self, adapter: Adapter) -> None:
        """Register one runtime's adapter (its `info.name` and aliases become look-up keys)."""


@hookspec
def c2w_run_register_runtimes(register: RuntimeRegister) -> None:
    """Add this plugin's adapters: `register.add(adapter)` for each runtime it provides."""
