"""Shared fixtures for the converter's end-to-end tests: the default riscv64 image and a
conversion of it, made once per session with the real `c2w`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from testsupport.oci import run_c2w

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def default_image() -> Path:
    r = subprocess.run([str(REPO / "converter/guest/build-default-image.sh")], capture_output=True,
                       text=True, timeout=1800)
    assert r.returncode == 0, r.stderr[-2000:]
    return Path(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def image_wasm(default_image: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("img") / "default.wasm"
    r = run_c2w(f"oci:{default_image}:latest", str(out))
    assert r.returncode == 0, r.stderr[-3000:]
    return out
