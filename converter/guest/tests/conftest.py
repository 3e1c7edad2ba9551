"""Fixtures: the guest artefacts, built (or taken from the cache) by the real build scripts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GUEST = Path(__file__).resolve().parent.parent
# pytest runs with --import-mode=importlib: make the helper modules beside this file importable
sys.path.insert(0, str(Path(__file__).resolve().parent))


def run_build(script: str, *args: str, timeout: float = 900) -> Path:
    """Run one of converter/guest's build scripts and return the path it prints last."""
    proc = subprocess.run(
        [str(GUEST / script), *args], capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stderr[-4000:]}"
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path.exists(), f"{script} printed {path}, which does not exist"
    return path


def need_tool(name: str) -> None:
    if shutil.which(name) is None:
        pytest.skip(f"{name} is not installed (scripts/setup-system.sh installs it)")


@pytest.fixture(scope="session")
def kernel_image() -> Path:
    need_tool("riscv64-linux-gnu-gcc")
    return run_build("build-kernel.sh")


@pytest.fixture(scope="session")
def smoke_initramfs() -> Path:
    return run_build("build-initramfs.sh", "--smoke")


@pytest.fixture(scope="session")
def qemu() -> str:
    need_tool("qemu-system-riscv64")
    return "qemu-system-riscv64"


@pytest.fixture(scope="session")
def default_image() -> Path:
    return run_build("build-default-image.sh")


@pytest.fixture(scope="session")
def init_initramfs() -> Path:
    need_tool("riscv64-linux-gnu-gcc")
    return run_build("build-initramfs.sh", "--init")


@pytest.fixture(scope="session")
def rootfs_tree(default_image: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from guestrootfs import unpack_oci_layout

    tree = tmp_path_factory.mktemp("rootfs") / "tree"
    unpack_oci_layout(default_image, tree)
    return tree


@pytest.fixture(scope="session")
def rootfs_images(rootfs_tree: Path) -> dict[str, Path]:
    from guestrootfs import make_image

    need_tool("mkfs.ext4")
    need_tool("mkfs.erofs")
    out = rootfs_tree.parent
    return {t: make_image(rootfs_tree, out / f"root.{t}", t) for t in ("ext4", "erofs")}


@pytest.fixture(scope="session")
def guest(qemu: str, kernel_image: Path, init_initramfs: Path, rootfs_images: dict[str, Path]):
    from ctlpeer import Guest

    return Guest(kernel_image, init_initramfs, rootfs_images["ext4"], qemu=qemu)
