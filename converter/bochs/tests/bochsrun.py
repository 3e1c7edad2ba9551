"""Run Bochs with a generated bochsrc: direct kernel boot, the serial or the virtio console on
stdout, c2w-run's virtio devices (patches 0004, 0005)."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# c2w_virtio.cc appends virtio_mmio.device=... for its devices (one per 4 KiB page from
# 0xfeb00000, virtio-rng first) to the command line
SERIAL_CMDLINE = "console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 mitigations=off"
VIRTIO_CMDLINE = "console=hvc0 panic=-1 mitigations=off"


def bochsrc(kernel: Path, initrd: Path | None, cmdline: str, memory_mb: int = 256,
            c2w: str = "") -> str:
    """c2w: the `c2w:` directive's parameters (console=1, disk=..., share=...), if any."""
    lines = [
        f"memory: guest={memory_mb}, host={memory_mb}",
        "cpu: count=1, reset_on_triple_fault=1",
        "display_library: nogui",
        "log: -",
        "info: action=ignore",
        "debug: action=ignore",
        "error: action=ignore",
        "panic: action=fatal",
        *(["com1: enabled=1, mode=file, dev=-"] if "console=1" not in c2w else []),
        *([f"c2w: {c2w}"] if c2w else []),
        f'directboot: kernel={kernel}, initrd={initrd or ""}, cmdline="{cmdline}"',
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    seconds: float


def boot(argv: list[str], rc_path: Path, kernel: Path, initrd: Path | None,
         cmdline: str = SERIAL_CMDLINE, timeout: float = 300, c2w: str = "",
         stdin: bytes | None = None) -> Run:
    """Write the bochsrc to rc_path, run argv + [rc_path] (stdin: bytes to feed, else
    /dev/null), return status, output and time."""
    rc_path.write_text(bochsrc(kernel, initrd, cmdline, c2w=c2w))
    start = time.monotonic()
    proc = subprocess.run([*argv, str(rc_path)], capture_output=True, timeout=timeout,
                          **({"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}))
    def text(b: bytes) -> str:  # as text=True would: the guest tty's \r\n become \n
        return b.decode(errors="replace").replace("\r\n", "\n")

    return Run(proc.returncode, text(proc.stdout), text(proc.stderr), time.monotonic() - start)
