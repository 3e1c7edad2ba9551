"""Built-in runtime adapters: one module per runtime, each a pluggy plugin."""

from . import node, wamr, wasmedge, wasmer, wasmtime, wasmtime_py, wazero

BUILTIN = (wasmtime, wasmtime_py, wamr, wazero, wasmer, wasmedge, node)
