"""Measure boot-to-READY and RUN-to-EXIT under qemu-system-riscv64 (TCG) with the real init.

Usage: python3 tests/measure_boot.py [RUNS]   (builds/uses the cached kernel, init, image)
Prints medians: wall time QEMU start -> READY, guest uptime at READY, wall time to poweroff.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import run_build  # noqa: E402
from ctlpeer import Guest, RunRequest, boot_and_run  # noqa: E402
from guestrootfs import make_image, unpack_oci_layout  # noqa: E402


def main(runs: int) -> None:
    kernel = run_build("build-kernel.sh")
    initrd = run_build("build-initramfs.sh", "--init")
    layout = run_build("build-default-image.sh")
    init_size = (initrd.parent / "init").stat().st_size
    with tempfile.TemporaryDirectory() as tmp:
        unpack_oci_layout(layout, Path(tmp) / "tree")
        for fstype in ("ext4", "erofs"):
            img = make_image(Path(tmp) / "tree", Path(tmp) / f"root.{fstype}", fstype)
            g = Guest(kernel, initrd, img)
            ready, uptime, total = [], [], []
            for _ in range(runs):
                r = boot_and_run(g, RunRequest(args=["true"]), debug=True)
                assert r.status == 0, r.console[-2000:]
                ready.append(r.ready_s)
                total.append(r.total_s)
                m = re.search(r"c2w-init\[([0-9.]+)\]: READY", r.console)
                if m:
                    uptime.append(float(m.group(1)))
            print(f"{fstype}: QEMU start->READY {statistics.median(ready):.3f} s, guest uptime at "
                  f"READY {statistics.median(uptime):.3f} s, start->poweroff "
                  f"{statistics.median(total):.3f} s (median of {runs})")
    print(f"init: {init_size} bytes static stripped; initramfs.cpio.gz {initrd.stat().st_size} bytes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
