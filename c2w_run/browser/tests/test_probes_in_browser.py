"""WASI probe programs through `c2w-run --runtime browser` on real headless Chromium: bytes of
argv and environ, exit status, stdout/stderr apart, stdin to EOF, poll_oneoff on stdin plus a
clock, a trap, --timeout and SIGINT leaving no browser behind."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from .conftest import LAUNCHER, REPO, alive, descendants, launch


def test_args_and_env_arrive_byte_exact_and_the_exit_status_comes_back(probes: Path) -> None:
    r = launch("-e", "K=v a\nl", "-e", "U=ünï", "-e", "E=", str(probes / "args_env_exit.wasm"), "7", "a b", "", "ü")
    assert r.returncode == 7, r.stderr
    out = r.stdout.decode()
    for line in ("argv[2]=a b", "argv[3]=", "argv[4]=\\xc3\\xbc", "environ[0]=K=v a\\nl",
                 "environ[1]=U=\\xc3\\xbcn\\xc3\\xaf", "environ[2]=E="):
        assert line + "\n" in out, out


def test_stdout_and_stderr_stay_apart(probes: Path) -> None:
    r = launch(str(probes / "stdio.wasm"))
    assert (r.returncode, r.stdout, r.stderr) == (0, b"out 1\nout 2\n", b"err 1\nerr 2\n")


def test_binary_stdin_reaches_the_module_unchanged_then_eof(probes: Path) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value
    r = launch(str(probes / "stdin_cat.wasm"), input=data)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data
    assert r.stderr.startswith(b"bytes=1048576 ")


def test_poll_oneoff_waits_on_stdin_and_a_clock_together(probes: Path) -> None:
    p = subprocess.Popen([*LAUNCHER, "--runtime", "browser", str(probes / "stdin_poll.wasm"), "200", "3"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert p.stdout is not None and p.stdin is not None
    assert p.stdout.readline().startswith(b"fd0_filetype=")
    first = p.stdout.readline().decode()  # nothing typed: the clock fires after ~200 ms
    assert "fired=clock" in first, first
    p.stdin.write(b"typed\n")
    p.stdin.flush()
    second = p.stdout.readline().decode()
    assert "fired=stdin" in second and "data=typed\\n" in second, second
    p.stdin.close()
    p.stdin = None
    rest, _ = p.communicate(timeout=30)
    assert b"read=EOF" in rest and p.returncode == 0


def test_a_trap_exits_134_with_one_line(probes: Path) -> None:
    r = launch(str(probes / "trap.wasm"))
    assert r.returncode == 134
    assert r.stderr.decode().splitlines()[-1].startswith("browser: wasm trap:")


def watch(p: subprocess.Popen[bytes], seconds: float) -> set[int]:
    """The processes under `p` seen while it runs (at most `seconds`)."""
    seen: set[int] = set()
    end = time.monotonic() + seconds
    while p.poll() is None and time.monotonic() < end:
        seen |= descendants(p.pid)
        time.sleep(0.05)
    return seen


def test_timeout_ends_the_run_and_leaves_no_browser(probes: Path) -> None:
    t0 = time.monotonic()
    p = subprocess.Popen([*LAUNCHER, "--runtime", "browser", "--timeout", "3", str(probes / "sleep_forever.wasm")],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    seen = watch(p, 15)
    p.communicate(timeout=10)
    assert p.returncode == 124
    assert time.monotonic() - t0 < 8
    assert len(seen) > 2  # the driver and chromium's processes were there
    time.sleep(0.5)
    assert alive(seen) == set()


def test_sigint_ends_the_run_with_130_and_leaves_no_browser(probes: Path) -> None:
    p = subprocess.Popen([*LAUNCHER, "--runtime", "browser", str(probes / "sleep_forever.wasm")],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert p.stdout is not None
    assert p.stdout.readline()  # the probe runs
    seen = descendants(p.pid)
    assert len(seen) > 2
    p.send_signal(signal.SIGINT)
    p.wait(15)
    assert p.returncode == 130
    time.sleep(0.5)
    assert alive(seen) == set()
