"""`scripts/build-wheel.sh --with-x86_64` (what `make wheel` builds) also carries the x86_64
full-system parts: installed into a clean venv with no toolchain on PATH and an empty cache, it
converts the amd64 test image with `--emulation system` and runs it on wasmtime (a real x86_64
kernel), building nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from test_system_image import amd64_layout  # noqa: F401  (the session fixture)
from testsupport.wheel import build_wheel, install


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"), "--with-x86_64")


def test_the_wheel_with_x86_64_parts_converts_amd64_images_for_the_full_system(
        wheel: Path, amd64_layout: Path, tmp_path: Path) -> None:  # noqa: F811
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"converter/data/bochs.wasm", "converter/data/bzImage",
            "converter/data/initramfs-x86_64.cpio.gz", "converter/data/engine.wasm"} <= names
    v = install(wheel, tmp_path)
    r = v.run(v.bin("c2w"), "-q", "--platform", "linux/amd64", "--emulation", "system",
              f"oci:{amd64_layout}:latest", "amd64.wasm", timeout=1800)
    assert r.returncode == 0, r.stderr[-2000:]
    r = v.run(v.bin("c2w-run"), "--runtime", "wasmtime", "amd64.wasm", "sh", "-c", "uname -m; hello; exit 3",
              timeout=600)
    assert (r.returncode, r.stdout) == (3, b"x86_64\nHello, world!\n"), r.stderr[-2000:]
    assert v.nothing_was_built()
