"""Fixtures for the browser runtime's tests: real Debian Chromium, the real probes and the
default image converted by the real `c2w`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from c2w_run.browser import chromium
from c2w_run.browser.server import vendored
from testsupport.processes import descendants

REPO = Path(__file__).resolve().parents[3]
LAUNCHER = [sys.executable, "-m", "c2w_run.cli"]


@pytest.fixture(scope="session", autouse=True)
def browser_installed() -> None:
    if chromium.find() is None:
        pytest.skip("chromium is not installed (Debian package 'chromium', scripts/setup-system.sh)")
    assert vendored(), "the page's npm packages are missing: run scripts/install-browser.sh"


@pytest.fixture(scope="session")
def probes() -> Path:
    r = subprocess.run([str(REPO / "conformance/probes/build.sh")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    oci = subprocess.run([str(REPO / "converter/guest/build-default-image.sh")], capture_output=True, text=True,
                         check=True, timeout=1800).stdout.strip().splitlines()[-1]
    out = tmp_path_factory.mktemp("browserimg") / "out.wasm"
    subprocess.run([str(Path(sys.executable).parent / "c2w"), "-q", f"oci:{oci}:latest", str(out)], check=True,
                   timeout=1800)
    return out


def launch(*args: str, input: bytes | None = None, timeout: float = 90,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """`c2w-run --runtime browser ARGS...`, stdio captured."""
    return subprocess.run([*LAUNCHER, "--runtime", "browser", *args], input=input,
                          stdin=None if input is not None else subprocess.DEVNULL, capture_output=True,
                          timeout=timeout, cwd=REPO, env={**os.environ, **(env or {})})


def alive(pids: set[int]) -> set[int]:
    """Those of `pids` still running (zombies count as gone)."""
    left = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            left.add(pid)
    return left
