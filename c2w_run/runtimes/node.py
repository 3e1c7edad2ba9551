"""Node.js `node:wasi`, through the runner script shipped in this package."""

from __future__ import annotations

from pathlib import Path

from ..adapter import NET_STDIO, Adapter, Capabilities, RuntimeInfo, dir_env_flags
from ..spec import Invocation, LaunchSpec

RUNNER = Path(__file__).with_name("node_runner.mjs")


class Node(Adapter):
    info = RuntimeInfo(
        name="node",
        description="Node.js node:wasi",
        env_var="C2W_NODE",
        executables=("node",),
        install="install Node.js >= 20 (Debian: nodejs)",
        capabilities=Capabilities(net_transports=(NET_STDIO,), net_note="node:wasi has no sockets"),
    )

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        # Not --single-threaded-gc: with it, node 20 segfaults (139) part-way through a Linux boot
        # on the engine (measured: 4 of 4 runs); without it the same boot and a 160 MiB
        # memory.grow both exit cleanly.
        # --no-flush-bytecode: node 20's V8 flushes the bytecode of node:wasi's start() while it
        # is still on the stack under a long-running module; proc_exit's unwind (returnOnExit)
        # then reads a freed handler table and node dies with SIGSEGV (139): a cold-booted x86_64
        # image, 7 of 7 runs (converter/bochs/README.md); 0 of 3 with the flag.
        flags = dir_env_flags(spec, lambda m: [f"--dir={m.guest}={m.host}"], lambda k, v: [f"--env={k}={v}"])
        return Invocation([*command, "--no-warnings", "--no-flush-bytecode", str(RUNNER), *flags, *spec.runtime_flags,
                           "--", str(spec.module), *spec.args])


ADAPTERS = (Node(),)
