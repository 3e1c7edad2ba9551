"""Container mode on Bochs (patch 0006): our guest init built for x86_64 speaks the control
protocol with converter/engine's ctl.c over the virtio console; the run-time options, exit
status, stdin EOF and the stdout/stderr split are the riscv64 image's."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bochsrun import bochsrc

CMDLINE = "console=hvc0 quiet panic=-1 mitigations=off"


@pytest.fixture(scope="module")
def rc(x86_kernel: Path, x86_init_initramfs: Path, x86_rootfs: Path,
       tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ctl") / "bochsrc"
    path.write_text(bochsrc(x86_kernel, x86_init_initramfs, CMDLINE, c2w=f"ctl=1, disk={x86_rootfs}"))
    return path


def run(bochs: Path, rc: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(bochs), "-q", "-f", str(rc), "-c2w", *args], input=stdin,
                          capture_output=True, timeout=300)


def test_command_runs_on_x86_64_with_its_exit_status_and_streams_apart(bochs_native: Path, rc: Path) -> None:
    p = run(bochs_native, rc, "--", "/bin/sh", "-c",
            "echo out; uname -m; grep -m1 vendor_id /proc/cpuinfo; echo err >&2; exit 3")
    assert p.returncode == 3, p.stderr.decode(errors="replace")[-3000:]
    assert p.stdout.decode().splitlines()[:2] == ["out", "x86_64"]
    assert "vendor_id" in p.stdout.decode()
    assert p.stderr.decode().splitlines()[-1] == "err"  # the banner goes to stderr too, first


def test_stdin_reaches_the_container_and_ends_with_eof(bochs_native: Path, rc: Path) -> None:
    p = run(bochs_native, rc, "--", "/bin/sh", "-c", "wc -l", stdin=b"one\ntwo\nthree\n")
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-3000:]
    assert p.stdout.decode().strip() == "3"


def test_missing_command_is_the_init_error_and_127(bochs_native: Path, rc: Path) -> None:
    p = run(bochs_native, rc, "--", "/no/such/cmd")
    assert p.returncode == 127, p.stderr.decode(errors="replace")[-3000:]
    assert "c2w: " in p.stderr.decode()


def test_bad_run_option_is_one_line_and_status_2(bochs_native: Path, rc: Path) -> None:
    p = run(bochs_native, rc, "--bogus")
    assert p.returncode == 2
    assert "unknown option --bogus" in p.stderr.decode()
