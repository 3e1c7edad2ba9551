"""The guest kernel + smoke initramfs boot under qemu-system-riscv64 -M virt and power off."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

GUEST = Path(__file__).resolve().parent.parent


def boot(qemu: str, kernel: Path, initrd: Path, console: str) -> tuple[int, str, float]:
    if console == "ttyS0":
        dev = ["-nographic"]
    else:
        dev = [
            "-nodefaults", "-display", "none", "-serial", "none",
            "-chardev", "stdio,id=c0,signal=off",
            "-device", "virtio-serial-device", "-device", "virtconsole,chardev=c0",
        ]
    cmd = [qemu, "-M", "virt", "-m", "256", *dev, "-kernel", str(kernel),
           "-initrd", str(initrd), "-append", f"console={console}"]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode(errors="replace"), time.monotonic() - t0


@pytest.mark.parametrize("console", ["ttyS0", "hvc0"])
def test_smoke_initramfs_runs_busybox_and_powers_off(
    qemu: str, kernel_image: Path, smoke_initramfs: Path, console: str
) -> None:
    rc, out, secs = boot(qemu, kernel_image, smoke_initramfs, console)
    assert rc == 0, out[-3000:]
    assert "c2w-smoke: init running as pid 1" in out
    assert re.search(r"Linux \S+ 6\.1\.\d+ .* riscv64 GNU/Linux", out), out[-3000:]
    # busybox ls / of the initramfs
    assert re.search(r"bin\s+dev\s+init\s+proc", out), out[-3000:]
    m = re.search(r"c2w-smoke: uptime ([0-9.]+)", out)
    assert m and float(m.group(1)) < 5.0
    assert secs < 30


def test_kernel_config_keeps_every_fragment_line(kernel_image: Path) -> None:
    config = (kernel_image.parent / "config").read_text().splitlines()
    for line in (GUEST / "kernel.fragment").read_text().splitlines():
        if line.startswith("CONFIG_"):
            assert line in config
        elif line.startswith("# CONFIG_") and line.endswith(" is not set"):
            sym = line.split()[1]
            assert not any(c.startswith(sym + "=") for c in config), sym


def test_kernel_build_is_cached_and_prints_same_path(kernel_image: Path) -> None:
    t0 = time.monotonic()
    proc = subprocess.run([str(GUEST / "build-kernel.sh")], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout.strip().splitlines()[-1] == str(kernel_image)
    assert time.monotonic() - t0 < 5
