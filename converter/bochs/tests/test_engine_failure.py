"""An image whose x86_64 engine fails (patch 0011) exits 125, docker's "the engine failed, not the
container", with one `c2w:` line on stderr, as the riscv64 engine does: a Bochs panic (a disk
payload that is not a multiple of 512 bytes) and a kernel payload directboot cannot load. The
modules are bochs.wasm plus payloads made here (converter/wasm.py), no conversion and no boot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from converter import wasm


def image(bochs_wasm: Path, out: Path, kernel: bytes, initrd: bytes, disk: bytes) -> Path:
    out.write_bytes(wasm.add_payloads(bochs_wasm.read_bytes(),
                                      [("kernel", kernel), ("initrd", initrd), ("disk", disk)]))
    return out


def run_image(module: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", str(module), "true"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT, stdin=subprocess.DEVNULL)


def test_bochs_panic_in_an_image_exits_125_with_one_line(bochs_wasm: Path, x86_kernel: Path,
                                                         x86_init_initramfs: Path, tmp_path: Path,
                                                         wasmtime_cmd: list[str]) -> None:
    module = image(bochs_wasm, tmp_path / "bad-disk.wasm", x86_kernel.read_bytes(),
                   x86_init_initramfs.read_bytes(), b"\0" * 1000)
    p = run_image(module)
    assert p.returncode == 125, p.stderr[-2000:]
    assert p.stderr.splitlines() == [
        "c2w: the x86_64 engine failed: c2w virtio: disk payload is missing or not a non-zero "
        "multiple of 512 bytes"], p.stderr[-2000:]
    assert p.stdout == ""


def test_unloadable_kernel_payload_exits_125(bochs_wasm: Path, x86_init_initramfs: Path, tmp_path: Path,
                                             wasmtime_cmd: list[str]) -> None:
    module = image(bochs_wasm, tmp_path / "bad-kernel.wasm", b"not a kernel\n" * 512,
                   x86_init_initramfs.read_bytes(), b"\0" * 4096)
    p = run_image(module)
    assert p.returncode == 125, p.stderr[-2000:]
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and "is not a Linux bzImage" in lines[0], p.stderr[-2000:]
