#!/usr/bin/env python3
"""Wall time of the full conformance matrix on this machine.

Runs `c2w-matrix run` over every installed runtime (with the image-level cases when --images DIR
holds default.wasm, else probe level only) and prints the wall time, the runs per second, the
time per runtime (sum of its case durations) and the parallel speed-up against running the same
cases one after another (the sum of all durations, measured in the same run). Not a test.

Usage: bench/matrix/run.py [--images DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", help="directory holding default.wasm (image-level cases)")
    ap.add_argument("--jobs", type=int, default=2)
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="c2w-bench-") as tmp:
        out = Path(tmp) / "results.json"
        cmd = [str(ROOT / ".venv/bin/c2w-matrix"), "run", "-q", "-j", str(ns.jobs), "-o", str(out)]
        if ns.images:
            cmd += ["--images", ns.images]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=False, cwd=ROOT, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        doc = json.loads(out.read_text())
    per_runtime: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for r in doc["results"]:
        per_runtime[r["runtime"]] += float(r.get("duration") or 0.0)
        counts[r["runtime"]] += 1
    serial = sum(per_runtime.values())
    runs = len(doc["results"])
    print(f"full matrix: {runs} runs in {wall:.1f} s wall ({runs / wall:.1f} runs/s, -j {ns.jobs}); "
          f"the same runs one after another: {serial:.1f} s -> parallel speed-up {serial / wall:.2f}x")
    for rt in sorted(per_runtime, key=per_runtime.get, reverse=True):  # type: ignore[arg-type]
        print(f"  {rt:<12} {counts[rt]:4d} runs  {per_runtime[rt]:7.1f} s  ({per_runtime[rt] / serial:5.1%} of the work)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
