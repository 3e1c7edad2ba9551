"""The wheel (scripts/build-wheel.sh, `make wheel`) carries the prebuilt engine, kernel, init and
default image: installed with pip into a fresh venv whose PATH holds nothing but that venv (no
clang, no riscv64 cross compiler, no linux-source, no mkfs.erofs, no skopeo) and with an empty
C2W_CACHE, it converts the default image and an OCI layout and runs both on wasmtime."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from testsupport.oci import derive
from testsupport.wheel import build_wheel, install


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


def test_the_wheel_converts_and_runs_images_without_any_toolchain(wheel: Path, default_image: Path,
                                                                  tmp_path: Path) -> None:
    t0 = time.monotonic()
    v = install(wheel, tmp_path)
    t_install = time.monotonic() - t0

    t0 = time.monotonic()
    r = v.run(v.bin("c2w"), "-q", "c2w:default", "default.wasm")
    assert r.returncode == 0, r.stderr[-2000:]
    t_convert = time.monotonic() - t0
    layout = derive(default_image, tmp_path / "layout", Env=["PATH=/usr/bin:/bin", "GREETING=from a layout"],
                    Cmd=["sh", "-c", 'echo "$GREETING"; hello'])
    r = v.run(v.bin("c2w"), "-q", f"oci:{layout}:latest", "layout.wasm")
    assert r.returncode == 0, r.stderr[-2000:]
    meta = json.loads(v.run(v.bin("c2w"), "inspect", "--json", "default.wasm").stdout)
    assert meta["source"]["reference"] == "c2w:default" and meta["snapshot"]

    r = v.run(v.bin("c2w-run"), "--runtime", "wasmtime", "default.wasm", "uname", "-m", timeout=300)
    assert (r.returncode, r.stdout) == (0, b"riscv64\n"), r.stderr[-2000:]
    r = v.run(v.bin("c2w-run"), "--runtime", "wasmtime", "layout.wasm", timeout=300)
    assert (r.returncode, r.stdout) == (0, b"from a layout\nHello, world!\n"), r.stderr[-2000:]
    assert v.nothing_was_built()
    print(f"wheel {wheel.stat().st_size / 1e6:.1f} MB, pip install {t_install:.0f} s, "
          f"convert c2w:default {t_convert:.1f} s")
