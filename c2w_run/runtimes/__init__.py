"""Built-in runtime adapters: one module per runtime, each a pluggy plugin."""

from . import browser, node, wamr, wamr_aot, wasmedge, wasmer, wasmtime, wasmtime_py, wazero

BUILTIN = (wasmtime, wasmtime_py, wamr, wamr_aot, wazero, wasmer, wasmedge, node, browser)
