"""Shared fixtures for the converter's end-to-end tests: the default riscv64 image and a
conversion of it, made once per session with the real `c2w`."""

from __future__ import annotations

from pathlib import Path

import pytest

from testsupport.oci import project_image, run_c2w

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def default_image() -> Path:
    return project_image()


@pytest.fixture(scope="session")
def image_wasm(default_image: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("img") / "default.wasm"
    r = run_c2w(f"oci:{default_image}:latest", str(out))
    assert r.returncode == 0, r.stderr[-3000:]
    return out
