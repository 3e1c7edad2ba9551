"""Run Bochs with a generated bochsrc: direct kernel boot, serial console on stdout."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

# the devices of patch 0004 (c2w_virtio.cc): one per 4 KiB page from 0xfeb00000
VIRTIO_DEVICES = "virtio_mmio.device=0x200@0xfeb00000:5"
SERIAL_CMDLINE = f"console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 mitigations=off {VIRTIO_DEVICES}"


def bochsrc(kernel: Path, initrd: Path | None, cmdline: str, memory_mb: int = 256) -> str:
    lines = [
        f"memory: guest={memory_mb}, host={memory_mb}",
        "cpu: count=1, reset_on_triple_fault=1",
        "display_library: nogui",
        "log: -",
        "info: action=ignore",
        "debug: action=ignore",
        "error: action=ignore",
        "panic: action=fatal",
        "com1: enabled=1, mode=file, dev=-",
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
         cmdline: str = SERIAL_CMDLINE, timeout: float = 300) -> Run:
    """Write the bochsrc to rc_path, run argv + [rc_path], return status, output and time."""
    rc_path.write_text(bochsrc(kernel, initrd, cmdline))
    start = time.monotonic()
    proc = subprocess.run([*argv, str(rc_path)], capture_output=True, text=True,
                          errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
