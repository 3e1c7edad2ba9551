"""How to run a WASI preview1 command module on each runtime we measure.

This is the probes' own small runner table (used by the probe smoke tests and
by measure.py); the launcher's adapters (c2w_run/runtimes/) are the product.
Each recipe maps: preopened dirs (host -> guest path), environment, guest
arguments (byte-exact, may start with '-'), and a preopened TCP listener.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_RUNNER = HERE / "runners" / "node_wasi.mjs"
CACHE = Path(os.environ.get("C2W_CACHE", Path.home() / ".cache" / "c2w"))

# Runtimes in the order a "first available" choice prefers them.
RUNTIMES = ("wasmtime46", "wasmtime", "wazero", "iwasm", "iwasm-fast-interp", "node", "wasmer")


class Unsupported(Exception):
    """The runtime has no way to express the requested feature."""


@dataclass
class Launch:
    wasm: Path
    args: list[str] = field(default_factory=list)
    dirs: list[tuple[str, str]] = field(default_factory=list)  # (host, guest)
    env: dict[str, str] = field(default_factory=dict)
    listen: str | None = None  # "127.0.0.1:PORT": a preopened listening socket
    addr_pool: str | None = None  # WAMR: CIDR list the guest may bind/connect


def find_runtime(name: str) -> str | None:
    """Path of a runtime binary: $C2W_<NAME>, the cache's bin/, then PATH."""
    env_name = "C2W_" + name.upper().replace("-", "_")
    if os.environ.get(env_name):
        return os.environ[env_name]
    cached = CACHE / "bin" / name
    if cached.exists() and os.access(cached, os.X_OK):
        return str(cached)
    return shutil.which(name)


def command(runtime: str, binary: str, spec: Launch) -> list[str]:
    """The argv that runs spec on runtime (binary = its executable)."""
    wasm = str(spec.wasm)
    if runtime in ("wasmtime", "wasmtime46"):
        argv = [binary, "run"]
        for host, guest in spec.dirs:
            argv += ["--dir", f"{host}::{guest}"]
        for k, v in spec.env.items():
            argv += ["--env", f"{k}={v}"]
        if spec.listen:
            if runtime != "wasmtime46":
                raise Unsupported("wasmtime >= 47 has no preview1 preopened sockets")
            argv += ["-S", "preview2=n", "-S", f"tcplisten={spec.listen}"]
        if spec.addr_pool:
            raise Unsupported("wasmtime has no WAMR socket extension")
        # wasmtime stops option parsing at the module path: guest args follow as is
        return argv + [wasm, *spec.args]
    if runtime == "wazero":
        argv = [binary, "run"]
        for host, guest in spec.dirs:
            argv.append(f"-mount={host}:{guest}")
        for k, v in spec.env.items():
            argv.append(f"-env={k}={v}")
        if spec.listen:
            argv.append(f"-listen={spec.listen}")
        if spec.addr_pool:
            raise Unsupported("wazero has no WAMR socket extension")
        # wazero drops one "--" right after the module path when more args
        # follow, but passes a lone trailing "--" to the guest: add it only
        # before arguments.
        return argv + [wasm] + (["--", *spec.args] if spec.args else [])
    if runtime in ("iwasm", "iwasm-fast-interp"):
        argv = [binary]
        for host, guest in spec.dirs:
            argv.append(f"--map-dir={guest}::{host}")
        for k, v in spec.env.items():
            argv.append(f"--env={k}={v}")
        if spec.listen:
            raise Unsupported("iwasm has no preopened listening sockets (use --addr-pool + sock_bind)")
        if spec.addr_pool:
            argv.append(f"--addr-pool={spec.addr_pool}")
        return argv + [wasm, *spec.args]
    if runtime == "node":
        argv = [binary, "--no-warnings", str(NODE_RUNNER)]
        for host, guest in spec.dirs:
            argv += ["--dir", f"{host}::{guest}"]
        for k, v in spec.env.items():
            argv += ["--env", f"{k}={v}"]
        if spec.listen or spec.addr_pool:
            raise Unsupported("node:wasi has no sockets")
        return argv + ["--", wasm, *spec.args]
    if runtime == "wasmer":
        argv = [binary, "run"]
        for host, guest in spec.dirs:
            argv.append(f"--volume={host}:{guest}")
        for k, v in spec.env.items():
            argv.append(f"--env={k}={v}")
        if spec.listen or spec.addr_pool:
            raise Unsupported("wasmer has no preview1 preopened sockets")
        return argv + [wasm, "--", *spec.args]
    raise ValueError(f"unknown runtime {runtime!r}")


def available() -> dict[str, str]:
    """Installed runtimes: name -> binary."""
    found = {}
    for name in RUNTIMES:
        path = find_runtime(name)
        if path:
            found[name] = path
    return found
