"""Run a WASI command module with wasmtime's Python API.

usage: python -m c2w_run.runtimes.wasmtime_py_runner [--dir=HOST::GUEST[::ro]]... [--env=K=V]... -- MODULE [ARG...]
"""

from __future__ import annotations

import signal
import sys


def main(argv: list[str]) -> int:
    # Python handles SIGINT only between bytecodes, never while wasm runs: let it kill us, as
    # it would a runtime written in C (the launcher reports 128+2)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    import wasmtime

    dirs: list[tuple[str, str, bool]] = []
    env: list[tuple[str, str]] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            break
        if a.startswith("--dir="):
            parts = a[len("--dir="):].split("::")
            dirs.append((parts[0], parts[1] if len(parts) > 1 else parts[0], parts[2:] == ["ro"]))
        elif a.startswith("--env="):
            key, _, value = a[len("--env="):].partition("=")
            env.append((key, value))
        else:
            print(f"wasmtime-py runner: unknown option {a}", file=sys.stderr)
            return 2
    if i >= len(argv):
        print("wasmtime-py runner: no module given", file=sys.stderr)
        return 2
    module_path, args = argv[i], argv[i + 1:]

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = [module_path, *args]
    wasi.env = env
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    for host, guest, readonly in dirs:
        wasi.preopen_dir(host, guest, not readonly)  # wasmtime-py >= 30: fs_mutable
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, module_path)
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except wasmtime.ExitTrap as e:
        return e.code
    except wasmtime.Trap as e:
        print(f"wasmtime-py: {e.message.splitlines()[0] if e.message else 'trap'}", file=sys.stderr)
        return 134
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    sys.exit(main(sys.argv[1:]))
