"""Shared pieces of the engine's system tests: the engine builds, the guest kernel, the ctlpeer
initramfs (a static riscv64 /init speaking the control protocol), images assembled with the
converter's own `converter.wasm.add_payloads`, and the runtimes' binaries."""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from testsupport.runtimes import require_wasmtime_bin as wasmtime_bin  # noqa: F401  (engine tests import it from here)

HERE = Path(__file__).resolve().parent
ENGINE_DIR = HERE.parent
CONVERTER_DIR = ENGINE_DIR.parent
GUEST_DIR = CONVERTER_DIR / "guest"
REPO = CONVERTER_DIR.parent
CACHE = Path(os.environ.get("C2W_CACHE", Path.home() / ".cache" / "c2w"))

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def last_line(argv: list[str], timeout: float) -> Path:
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{' '.join(argv)} failed:\n{p.stderr[-3000:]}"
    return Path(p.stdout.strip().splitlines()[-1])


@functools.cache
def engine(kind: str) -> Path:
    d = last_line([str(ENGINE_DIR / "build.sh"), kind], timeout=900)
    return d / ("c2w-engine" if kind == "native" else "engine.wasm")


@functools.cache
def kernel() -> Path:
    if shutil.which("riscv64-linux-gnu-gcc") is None:
        pytest.skip("riscv64-linux-gnu-gcc not installed (Debian package gcc-riscv64-linux-gnu)")
    return last_line([str(GUEST_DIR / "build-kernel.sh")], timeout=1800)


@functools.cache
def peer_initramfs() -> Path:
    """initramfs whose /init is tests/peer/ctlpeer.c (static riscv64), cached by content."""
    cc = shutil.which("riscv64-linux-gnu-gcc")
    if cc is None:
        pytest.skip("riscv64-linux-gnu-gcc not installed (Debian package gcc-riscv64-linux-gnu)")
    src = HERE / "peer" / "ctlpeer.c"
    h = hashlib.sha256(src.read_bytes() + (GUEST_DIR / "cpio.py").read_bytes()).hexdigest()[:16]
    out = CACHE / "engine-test" / f"peer-{h}"
    cpio = out / "initramfs.cpio.gz"
    if cpio.exists():
        return cpio
    tmp = CACHE / "engine-test" / f".peer-{h}.{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    subprocess.run([cc, "-static", "-O2", "-Wall", "-o", str(tmp / "init"), str(src)], check=True, timeout=300)
    (tmp / "list").write_text(f"dir /dev 0755\nnod /dev/console 0600 c 5 1\nfile /init 0755 {tmp / 'init'}\n")
    subprocess.run([sys.executable, str(GUEST_DIR / "cpio.py"), str(tmp / "list"), str(tmp / "initramfs.cpio.gz")],
                   check=True, timeout=120)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return cpio


def field(tag: str, value: bytes | str) -> bytes:
    v = value.encode() if isinstance(value, str) else value
    return tag.encode() + struct.pack("<I", len(v)) + v


def make_image(out: Path, initrd: Path, config: bytes = b"", disk: bytes | None = None,
               cmdline: str = "console=hvc0 quiet panic=-1") -> Path:
    """engine.wasm + kernel + initrd (+ disk) + config + cmdline, with the converter's add_payloads."""
    from converter import wasm

    payloads: list[tuple[str, bytes]] = [("kernel", kernel().read_bytes()), ("initrd", initrd.read_bytes())]
    if disk is not None:
        payloads.append(("disk", disk))
    payloads += [("config", config), ("cmdline", cmdline.encode())]
    out.write_bytes(wasm.add_payloads(engine("wasm").read_bytes(), payloads))
    return out


def snapshot(cold: Path, out: Path, timeout: float = 600) -> Path:
    p = subprocess.run([wasmtime_bin(), "wizer", "-S", "cli", "-f", "wizer.initialize", "-o", str(out), str(cold)],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"wizer failed:\n{p.stderr[-3000:]}"
    return out


@functools.cache
def busybox() -> Path:
    root = last_line([str(GUEST_DIR / "fetch-userland.sh"), "busybox-static"], timeout=600)
    return root / "root" / "usr" / "bin" / "busybox"


def busybox_initramfs(tmp: Path, init_script: str) -> Path:
    """An initramfs whose /init is init_script, run by the static busybox."""
    (tmp / "init").write_text(init_script)
    (tmp / "list").write_text(
        "dir /dev 0755\nnod /dev/console 0600 c 5 1\ndir /proc 0555\ndir /sys 0555\ndir /tmp 01777\n"
        f"dir /bin 0755\nfile /bin/busybox 0755 {busybox()}\nslink /bin/sh busybox\nfile /init 0755 {tmp / 'init'}\n")
    out = tmp / "initramfs.cpio.gz"
    subprocess.run([sys.executable, str(GUEST_DIR / "cpio.py"), str(tmp / "list"), str(out)], check=True, timeout=120)
    return out


def cold_default_image(tmp: Path, name: str = "cold.wasm") -> Path:
    """The default image converted without a snapshot by this tree's engine.wasm, its payloads
    (kernel, initrd, disk, ...) written beside it as files named after their kind."""
    from converter import convert, wasm

    oci = last_line([str(GUEST_DIR / "build-default-image.sh")], timeout=1800)
    old = os.environ.get("C2W_ENGINE_WASM")
    os.environ["C2W_ENGINE_WASM"] = str(engine("wasm"))
    try:
        cold = tmp / name
        convert.convert(f"oci:{oci}", cold, convert.Options(snapshot=False))
    finally:
        if old is None:
            del os.environ["C2W_ENGINE_WASM"]
        else:
            os.environ["C2W_ENGINE_WASM"] = old
    for kind, blob in wasm.read_payloads(cold.read_bytes()).items():
        (tmp / kind).write_bytes(blob)
    return cold
