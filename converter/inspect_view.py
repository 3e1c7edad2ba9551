"""`c2w inspect` as a rich table."""

from __future__ import annotations

import json
import shlex

from rich.console import Console
from rich.table import Table


def _mb(n: int | None) -> str:
    return "" if n is None else f"{n / 1e6:.1f} MB"


def render(meta: dict) -> None:
    src = meta.get("source", {})
    t = Table(show_header=False, title=f"c2w image (format {meta.get('format')})")
    t.add_column(style="bold")
    t.add_column()
    t.add_row("source", str(src.get("reference", "")))
    t.add_row("manifest digest", str(src.get("manifest_digest") or "-"))
    t.add_row("config digest", str(src.get("config_digest", "")))
    t.add_row("platform", str(meta.get("platform") or f"{meta.get('os')}/{meta.get('architecture')}"))
    emu = meta.get("emulation") or {"mode": "native"}
    if emu.get("mode") == "user":
        t.add_row("emulation", f"qemu-user: {emu.get('emulator')} ({emu.get('package')}), "
                               f"binfmt_misc flags {emu.get('binfmt_flags')}")
    elif emu.get("mode") == "system":
        t.add_row("emulation", f"full system: {emu.get('machine')} on {emu.get('engine')}")
    else:
        t.add_row("emulation", "none (riscv64 runs on the engine directly)")
    for key, value in meta.get("config", {}).items():
        t.add_row(key, json.dumps(value))
    t.add_row("layers", str(len(meta.get("layers", []))))
    for kind, p in meta.get("payloads", {}).items():
        t.add_row(f"payload {kind}", _mb(p.get("size")))
    t.add_row("kernel", str(meta.get("kernel", {}).get("version", "")))
    engine = meta.get("engine", {})
    t.add_row("engine", f"{engine.get('kind', 'c2w-riscv64')} {str(engine.get('digest', ''))[:23]}")
    aot = engine.get("aot")
    t.add_row("translated pages", f"{aot.get('pages')} ({aot.get('instructions')} instructions, trained on "
                                  f"{shlex.join(aot.get('train') or []) or 'the entrypoint/cmd'})" if aot else "none (interpreter only)")
    t.add_row("snapshot", "yes (pre-booted)" if meta.get("snapshot") else "no (cold boot)")
    t.add_row("file size", _mb(meta.get("file_size")))
    Console().print(t)
