"""`c2w boot --arch x86_64 --stats` (patch 0012, `directboot: stats=1`): when the guest stops,
Bochs prints the riscv64 engine's first --stats line, `c2w-bochs: N instructions in T s: X MIPS,
exit S`, on stderr; the console and the exit status are unchanged. Checked under wasmtime (the
bochs.wasm a user runs); the numbers are checked for consistency, never for speed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

STATS = re.compile(r"^c2w-bochs: (\d+) instructions in ([0-9.]+) s: ([0-9.]+) MIPS, exit (-?\d+)$", re.M)


def boot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter.cli", "boot", "--arch", "x86_64", *args],
                          capture_output=True, text=True, timeout=900, cwd=ROOT, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_boot_x86_64_stats_prints_instructions_time_and_mips(x86_kernel: Path, x86_smoke_initramfs: Path,
                                                              bochs_wasm: Path, wasmtime_cmd: list[str]) -> None:
    r = boot("--stats", "--runtime", "wasmtime", "--kernel", str(x86_kernel), "--initrd", str(x86_smoke_initramfs))
    assert r.returncode == 0, r.stderr[-2000:]
    assert "c2w-smoke: init running as pid 1 on x86_64" in r.stdout, r.stdout[-2000:]
    found = STATS.findall(r.stderr)
    assert len(found) == 1, r.stderr[-2000:]
    n, secs, mips, status = int(found[0][0]), float(found[0][1]), float(found[0][2]), int(found[0][3])
    assert n > 10_000_000, found  # a Linux boot to the smoke init and its poweroff
    assert secs > 0 and status == 0
    assert abs(mips - n / secs / 1e6) <= 0.05 + mips * 0.01, found

