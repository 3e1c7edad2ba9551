#!/usr/bin/env python3
"""Conversion time per image source, for the same image, in one run.

Sources: an OCI layout, a docker-archive tar, Podman's Docker-API service (private socket), and a
registry on loopback (Debian's docker-registry), each timed end to end through `c2w` (median of
--runs), with and without the pre-boot snapshot. The OCI layout is the reference (1.00x).
Not a test: it prints numbers.

Usage: bench/convert/run.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from testsupport import servers  # noqa: E402


def convert(ref: str, out: Path, env: dict[str, str], *flags: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "converter.cli", "-q", *flags, ref, str(out)], check=True, cwd=ROOT,
                   env={**os.environ, **env})
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ns = ap.parse_args()
    layout = subprocess.run([str(ROOT / "converter/guest/build-default-image.sh")], check=True,
                            capture_output=True, text=True).stdout.split()[-1]
    with tempfile.TemporaryDirectory(prefix="c2w-bench-") as tmp_s:
        tmp = Path(tmp_s)
        archive = tmp / "image.tar"
        subprocess.run(["skopeo", "copy", "--quiet", f"oci:{layout}:latest", f"docker-archive:{archive}:c2w/bench:1"],
                       check=True)
        results: dict[str, dict[str, float]] = {}
        with servers.registry(tmp / "registry") as reg, servers.podman_service(tmp / "podman") as host:
            import docker  # type: ignore[import-untyped]

            docker.DockerClient(base_url=host).images.load(archive.read_bytes())
            servers.push(f"oci:{layout}:latest", f"{reg}/c2w/bench:1")
            sources = {
                "oci layout": (f"oci:{layout}:latest", {}, []),
                "docker-archive": (f"docker-archive:{archive}", {}, []),
                "podman Docker API": ("docker-daemon:c2w/bench:1", {"DOCKER_HOST": host}, []),
                "registry (loopback)": (f"docker://{reg}/c2w/bench:1", {}, ["--tls-verify=false"]),
            }
            for name, (ref, env, flags) in sources.items():
                results[name] = {}
                for variant, extra in (("snapshot", []), ("no snapshot", ["--no-snapshot"])):
                    results[name][variant] = statistics.median(
                        convert(ref, tmp / "out.wasm", env, *flags, *extra) for _ in range(ns.runs))
    base = results["oci layout"]
    print(f"conversion time of the default image, median of {ns.runs}:")
    print(f"  {'source':<22} {'snapshot':>10} {'':>7} {'no snapshot':>12} {'':>7}")
    for name, r in results.items():
        print(f"  {name:<22} {r['snapshot']:9.2f}s {r['snapshot'] / base['snapshot']:6.2f}x"
              f" {r['no snapshot']:11.2f}s {r['no snapshot'] / base['no snapshot']:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
