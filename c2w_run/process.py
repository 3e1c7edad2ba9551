"""Running a runtime process: stdio, exit status, signal forwarding, timeouts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from .spec import Invocation, LaunchSpec, StdinMode

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
TIMEOUT_EXIT = 124  # like timeout(1)


@dataclass
class Outcome:
    exit_code: int
    timed_out: bool
    duration: float
    stdout: bytes | None = None
    stderr: bytes | None = None


def exit_status(returncode: int) -> int:
    """Shell convention: a child killed by signal N gives 128+N."""
    return 128 - returncode if returncode < 0 else returncode


def _foreground_tty() -> int | None:
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return None
    if not os.isatty(fd):
        return None
    try:
        return fd if os.tcgetpgrp(fd) == os.getpgrp() else None
    except OSError:
        return None


def run(inv: Invocation, spec: LaunchSpec, capture: bool = False) -> Outcome:
    """Start the runtime in its own process group, pass stdio through (or capture it),
    forward SIGINT/SIGTERM/SIGHUP/SIGQUIT, and kill the whole group on timeout."""
    env = {**os.environ, **inv.env}
    stdin: int | None
    if spec.stdin is StdinMode.INHERIT:
        stdin = None
    elif spec.stdin is StdinMode.DATA:
        stdin = subprocess.PIPE
    else:
        stdin = subprocess.DEVNULL
    out = subprocess.PIPE if capture else None
    tty = _foreground_tty() if spec.stdin is StdinMode.INHERIT else None

    start = time.monotonic()
    proc = subprocess.Popen(
        inv.argv, stdin=stdin, stdout=out, stderr=out, env=env, cwd=inv.cwd, process_group=0
    )
    old_handlers = {}
    old_ttou = None
    if tty is not None:  # hand the terminal to the runtime's group so it stays interactive
        old_ttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            os.tcsetpgrp(tty, proc.pid)
        except OSError:
            pass

    def forward(signum: int, _frame: object) -> None:
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass

    if threading.current_thread() is threading.main_thread():
        for s in FORWARDED:
            old_handlers[s] = signal.signal(s, forward)

    timed_out = False
    captured: tuple[bytes | None, bytes | None] = (None, None)
    try:
        try:
            captured = proc.communicate(
                input=spec.stdin_data if spec.stdin is StdinMode.DATA else None, timeout=spec.timeout
            )
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc.pid)
            captured = proc.communicate()
    finally:
        kill_group(proc.pid)  # leave nothing behind
        for s, h in old_handlers.items():
            signal.signal(s, h)
        if tty is not None:
            try:
                os.tcsetpgrp(tty, os.getpgrp())
            except OSError:
                pass
            signal.signal(signal.SIGTTOU, old_ttou)
    code = TIMEOUT_EXIT if timed_out else exit_status(proc.returncode)
    return Outcome(code, timed_out, time.monotonic() - start, captured[0], captured[1])


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    """Kill every process left in the runtime's process group."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return
