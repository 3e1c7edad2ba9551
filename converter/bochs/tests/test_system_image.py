"""`c2w --platform linux/amd64` (the default for amd64: `--emulation system`): the amd64 test image (Debian amd64
busybox-static + glibc hello, converter/guest/build-default-image.sh amd64) converted for the
x86_64 engine (Bochs, patches 0004-0007: payloads, our init, the control protocol) runs with the
riscv64 image's run-time interface on every runtime: `uname -m` (a real x86_64 kernel),
glibc `hello`, stdin with EOF, a mapped directory, `--net` (passt, a page served on the host's
loopback), the exit status and stdout/stderr apart. Also `c2w inspect` and `c2w boot --arch
x86_64`. The image is pre-booted (wizer at the init's READY, patch 0009): a run sends RUN."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT

from testsupport import runtimes
from testsupport.oci import project_image
from testsupport.servers import http_server

RUNTIMES = ["wasmtime", "wamr", "wazero", "node"]
BODY = b"served on the host's loopback\n"


def c2w(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "converter.cli", *args], capture_output=True, text=True,
                          timeout=1800, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="session")
def amd64_layout() -> Path:
    return project_image("amd64")


@pytest.fixture(scope="session")
def system_module(amd64_layout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("system") / "amd64.wasm"
    r = c2w("-q", "--platform", "linux/amd64", f"oci:{amd64_layout}:latest", str(out))  # system by default
    assert r.returncode == 0, r.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def installed() -> frozenset[str]:
    return runtimes.installed()


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    with http_server(BODY) as port:
        yield port


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_amd64_image_runs_on_the_x86_64_engine(runtime: str, system_module: Path, installed: set[str],
                                               http_port: int, tmp_path: Path) -> None:
    if runtime not in installed:
        pytest.skip(f"{runtime} is not installed on this machine")
    if shutil.which("passt") is None:
        pytest.skip("passt is not installed (Debian package passt, scripts/setup-system.sh)")
    script = ("uname -m; grep -c GenuineIntel /proc/cpuinfo; hello; cat; echo written > /out/note; "
              f"wget -q -O - http://10.0.2.2:{http_port}/; echo to-stderr >&2; exit 7")
    r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", runtime, "--net", "-v", f"{tmp_path}:/out",
                        str(system_module), "sh", "-c", script], input=b"stdin line\n", capture_output=True,
                       timeout=1800, cwd=ROOT)
    err = r.stderr.decode(errors="replace")
    assert r.returncode == 7, err[-2000:]
    assert r.stdout == b"x86_64\n1\nHello, world!\nstdin line\n" + BODY, err[-2000:]
    assert err == "to-stderr\n"
    assert (tmp_path / "note").read_text() == "written\n"


def test_inspect_shows_the_engine_kind(system_module: Path) -> None:
    meta = json.loads(c2w("inspect", "--json", str(system_module)).stdout)
    assert meta["platform"] == "linux/amd64"
    assert meta["emulation"] == {"mode": "system", "engine": "bochs", "machine": "x86_64"}
    assert meta["engine"]["kind"] == "bochs-x86_64"
    assert meta["kernel"]["version"].startswith("Linux version 6.1.")
    assert meta["snapshot"] is True  # wizer.initialize booted it to READY (patch 0009)


def test_same_image_converts_to_the_same_bytes(system_module: Path, amd64_layout: Path, tmp_path: Path) -> None:
    # the boot to READY sees no host time or entropy (patch 0010): the snapshot is reproducible
    again = tmp_path / "again.wasm"
    r = c2w("-q", "--platform", "linux/amd64", f"oci:{amd64_layout}:latest", str(again))
    assert r.returncode == 0, r.stderr[-3000:]
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(system_module.read_bytes()).digest()


def test_resumed_run_has_the_hosts_time_and_fresh_entropy(system_module: Path) -> None:
    # the snapshot's RTC says 2000-01-01; RUN carries the host's time and entropy (the init sets
    # CLOCK_REALTIME and reseeds the CRNG), so each run starts at the host's time with its own bytes
    seen = []
    for _ in range(2):
        before = time.time()
        r = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", str(system_module), "sh",
                            "-c", "date +%s; head -c 16 /dev/urandom | od -An -tx1"], capture_output=True,
                           timeout=900, cwd=ROOT)
        after = time.time()
        assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
        guest, random = r.stdout.decode().split("\n", 1)
        # (the guest clock counts instructions between RUN and `date`: a second or two ahead at most)
        assert int(before) - 1 <= int(guest) <= after + 5, (before, guest, after)
        seen.append(random)
    assert seen[0] != seen[1]


@pytest.fixture(scope="session")
def cold_module(amd64_layout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cold") / "cold.wasm"
    r = c2w("-q", "--platform", "linux/amd64", "--emulation", "system", "--no-snapshot",
            f"oci:{amd64_layout}:latest", str(out))
    assert r.returncode == 0, r.stderr[-3000:]
    return out


# node: the cold boot runs long enough for V8 to flush node:wasi's start() bytecode under the
# module; c2w-run's node adapter passes --no-flush-bytecode, without which the exit is SIGSEGV (139)
@pytest.mark.parametrize("runtime", ["wasmtime", "node"])
def test_no_snapshot_image_boots_cold_with_the_same_interface(runtime: str, cold_module: Path,
                                                              installed: set[str]) -> None:
    if runtime not in installed:
        pytest.skip(f"{runtime} is not installed on this machine")
    assert json.loads(c2w("inspect", "--json", str(cold_module)).stdout)["snapshot"] is False
    p = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", runtime, str(cold_module), "sh", "-c",
                        "cat; uname -m; exit 3"], input=b"in\n", capture_output=True, timeout=900, cwd=ROOT)
    assert (p.returncode, p.stdout) == (3, b"in\nx86_64\n"), p.stderr.decode(errors="replace")[-2000:]


def test_boot_arch_x86_64_natively_and_under_wasmtime(x86_kernel: Path, x86_smoke_initramfs: Path,
                                                      installed: set[str]) -> None:
    for where in (["--native"], ["--runtime", "wasmtime"] if "wasmtime" in installed else None):
        if where is None:
            continue
        r = subprocess.run([sys.executable, "-m", "converter.cli", "boot", "--arch", "x86_64", *where,
                            "--kernel", str(x86_kernel), "--initrd", str(x86_smoke_initramfs)],
                           capture_output=True, text=True, timeout=900, cwd=ROOT, stdin=subprocess.DEVNULL,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert r.returncode == 0, (where, r.stderr[-2000:])
        assert "c2w-smoke: init running as pid 1 on x86_64" in r.stdout, (where, r.stdout[-2000:])
        assert "c2w-bochs:" not in r.stderr, where  # the stats line only with --stats


def test_emulation_system_refuses_a_riscv64_image(tmp_path: Path) -> None:
    from testsupport import oci as t

    t.oci_layout(tmp_path / "img", [[t.directory("bin"), t.file("bin/x", b"x\n")]], arch="riscv64")
    r = c2w("--emulation", "system", f"oci:{tmp_path / 'img'}", str(tmp_path / "out.wasm"))
    assert r.returncode == 2 and "--emulation system runs linux/amd64 images only" in r.stderr
    assert not (tmp_path / "out.wasm").exists()
