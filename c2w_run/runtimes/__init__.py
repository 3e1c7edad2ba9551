"""Built-in runtime adapters: one module per runtime, all registered by this one plugin."""

from __future__ import annotations

from ..hookspecs import RuntimeRegister, hookimpl
from . import browser, node, wamr, wamr_aot, wasmedge, wasmer, wasmtime, wasmtime_py, wazero

MODULES = (wasmtime, wasmtime_py, wamr, wamr_aot, wazero, wasmer, wasmedge, node, browser)


@hookimpl(tryfirst=True)  # built-ins before any entry point's adapters (the first name wins)
def c2w_run_register_runtimes(register: RuntimeRegister) -> None:
    for module in MODULES:
        for adapter in module.ADAPTERS:
            register.add(adapter)
