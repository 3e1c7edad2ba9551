"""`c2w boot` boots a raw kernel + initramfs on the engine, natively and as engine.wasm on every
installed WASI runtime, and exits 0 after the guest's clean SBI poweroff."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testsupport.runtimes import installed

REPO = Path(__file__).resolve().parents[2]
GUEST = REPO / "converter/guest"
RUNTIMES = ["wasmtime", "wamr", "node", "wazero", "wasmtime-py"]


def built(*cmd: str) -> Path:
    r = subprocess.run([str(GUEST / cmd[0]), *cmd[1:]], capture_output=True, text=True, timeout=3600)
    assert r.returncode == 0, r.stderr[-2000:]
    return Path(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def kernel() -> Path:
    return built("build-kernel.sh")


@pytest.fixture(scope="module")
def smoke_initrd() -> Path:
    return built("build-initramfs.sh", "--smoke")


def boot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "converter.cli", "boot", *args], capture_output=True,
                          text=True, timeout=300, cwd=REPO, stdin=subprocess.DEVNULL)


def assert_smoke_ran(r: subprocess.CompletedProcess) -> None:
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    out = r.stdout
    assert "c2w-smoke: init running as pid 1" in out
    assert "riscv64 GNU/Linux" in out  # busybox uname -a
    assert "init" in out.split("riscv64 GNU/Linux", 1)[1]  # busybox ls /


@pytest.mark.parametrize("where", ["native", *RUNTIMES])
def test_kernel_boots_to_init_and_powers_off_with_status_0(where: str, kernel: Path, smoke_initrd: Path) -> None:
    target = ["--native"] if where == "native" else ["--runtime", where]
    if where != "native" and where not in installed():
        pytest.skip(f"{where} is not installed on this machine")
    r = boot("--kernel", str(kernel), "--initrd", str(smoke_initrd), "--append", "console=hvc0 quiet",
             "--timeout", "120", *target)
    assert_smoke_ran(r)
