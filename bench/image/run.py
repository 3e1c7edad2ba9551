#!/usr/bin/env python3
"""Image benchmark: start-up of a converted image and the cost of converting it, in one run.

Measured (medians of --runs, wall clock on the host):
  - `wasmtime run out.wasm true` with the pre-boot snapshot and without it (cold boot), with a
    warm compilation cache (one untimed run first);
  - the snapshot image in headless Chromium (`c2w-run --runtime browser out.wasm true`: Chromium
    start, page load, module compile, run), with its phases (C2W_BROWSER_TIMINGS), when installed;
  - qemu-system-riscv64 (TCG, -M virt) booting the same kernel, init and rootfs disk and running
    `true` through the same control protocol (converter/guest/tests/ctlpeer.py);
  - conversion time per variant, out.wasm size against the rootfs disk image size.
Prints a table and ratios against QEMU. Not a test: it prints numbers.

Usage: bench/image/run.py [--runs N] [--image REF]   (default image: the project's default one)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from c2w_run import registry  # noqa: E402
from testsupport.runtimes import argv as runtime_argv  # noqa: E402
from converter import components, wasm  # noqa: E402


def ctlpeer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("ctlpeer", ROOT / "converter/guest/tests/ctlpeer.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["ctlpeer"] = mod
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def timed(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def convert(ref: str, out: Path, *flags: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "converter.cli", "-q", *flags, ref, str(out)], check=True, cwd=ROOT)
    return time.perf_counter() - t0


def browser_row(module: Path, runs: int, rows: list[tuple[str, float]], tmp: Path) -> dict[str, float]:
    """Start-up of `true` in headless Chromium; medians of the page's phases (ms)."""
    try:
        registry.require("browser")
    except (registry.UnknownRuntime, registry.RuntimeNotInstalled) as e:
        print(f"bench: no browser row: {e}", file=sys.stderr)
        return {}
    timings_file = tmp / "browser-timings.json"
    phases: list[dict[str, float]] = []

    def run_browser() -> None:
        r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "browser", str(module), "true"],
                           stdin=subprocess.DEVNULL, capture_output=True, cwd=ROOT,
                           env={**os.environ, "C2W_BROWSER_TIMINGS": str(timings_file)})
        if r.returncode != 0:
            raise SystemExit(f"bench: browser run failed: {r.stderr.decode()[-300:]}")
        phases.append(json.loads(timings_file.read_text()))

    run_browser()  # first run: the OS caches Chromium's files
    phases.clear()
    rows.append(("browser (headless Chromium), snapshot", timed(run_browser, runs)))
    keys = ("connect_ms", "compile_ms", "instantiate_ms", "ready_ms", "total_ms")
    return {k.removesuffix("_ms"): statistics.median(p[k] for p in phases) for k in keys if all(k in p for p in phases)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--image", help="image reference (default: the project's default image)")
    ns = ap.parse_args()
    ref = ns.image or "oci:" + subprocess.run([str(ROOT / "converter/guest/build-default-image.sh")], check=True,
                                              capture_output=True, text=True).stdout.split()[-1] + ":latest"
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="c2w-bench-") as tmp:
        snap, cold = Path(tmp) / "snap.wasm", Path(tmp) / "cold.wasm"
        t_snap = convert(ref, snap)
        t_cold = convert(ref, cold, "--no-snapshot")
        disk = wasm.read_payloads(cold.read_bytes())["disk"]
        (Path(tmp) / "rootfs.ext4").write_bytes(disk)

        def run_image(module: Path) -> None:
            r = subprocess.run(runtime_argv("wasmtime", module, ["true"]), stdin=subprocess.DEVNULL,
                               capture_output=True)
            if r.returncode != 0:
                raise SystemExit(f"bench: {module.name} failed: {r.stderr.decode()[-300:]}")

        for module in (snap, cold):
            run_image(module)  # warm wasmtime's compilation cache
        rows.append(("wasmtime, snapshot", timed(lambda: run_image(snap), ns.runs)))
        rows.append(("wasmtime, cold boot", timed(lambda: run_image(cold), ns.runs)))
        browser_phases = browser_row(snap, ns.runs, rows, Path(tmp))

        peer = ctlpeer()
        guest = peer.Guest(components.locate(components.KERNEL), components.locate(components.INITRD),
                           Path(tmp) / "rootfs.ext4", memory_mb=128)

        def run_qemu() -> None:
            res = peer.boot_and_run(guest, peer.RunRequest(args=["true"], image_env=["PATH=/usr/bin:/bin"]))
            if res.status != 0:
                raise SystemExit(f"bench: qemu run failed: {res}")

        rows.append(("qemu-system-riscv64 (TCG) boot", timed(run_qemu, ns.runs)))
        qemu = rows[-1][1]
        print(f"start-up, `true`, median of {ns.runs} (host wall clock):")
        for name, secs in rows:
            print(f"  {name:<32} {secs:7.3f} s   {secs / qemu:5.2f}x qemu")
        wasmtime_snap = rows[0][1]
        for name, secs in rows:
            if name.startswith("browser"):
                print(f"  {name} / wasmtime, snapshot: {secs / wasmtime_snap:.2f}x")
        if browser_phases:
            print("  browser phases (median ms): " + ", ".join(f"{k} {v:.0f}" for k, v in browser_phases.items()))
        print("conversion:")
        print(f"  with snapshot    {t_snap:7.2f} s   out.wasm {snap.stat().st_size / 1e6:6.1f} MB")
        print(f"  without snapshot {t_cold:7.2f} s   out.wasm {cold.stat().st_size / 1e6:6.1f} MB")
        print(f"  rootfs disk image {len(disk) / 1e6:6.1f} MB; snapshot image / rootfs = "
              f"{snap.stat().st_size / len(disk):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
