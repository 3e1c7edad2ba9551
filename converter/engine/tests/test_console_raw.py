"""Raw kernel mode (`c2w-engine --kernel ...`, what `c2w boot` runs): the console is hvc0 on
stdio. Host input waits until the guest has connected the console port (multiport PORT_OPEN):
Linux posts the port's receive buffers before it connects it and discards what arrives in
between, so input piped at once used to be lost."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from engine_helpers import busybox_initramfs, engine, kernel

SCRIPT = ("#!/bin/busybox sh\n/bin/busybox mount -t devtmpfs d /dev\necho ready\nread x\necho \"got $x\"\n"
          "/bin/busybox poweroff -f\n")


@pytest.mark.parametrize("delay", [0.0, 1.0])
def test_stdin_given_before_or_after_the_console_is_up_reaches_the_shell(tmp_path: Path, delay: float) -> None:
    ird = busybox_initramfs(tmp_path, SCRIPT)
    p = subprocess.Popen([str(engine("native")), "--kernel", str(kernel()), "--initrd", str(ird),
                          "--append", "console=hvc0 quiet"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdin and p.stdout
    time.sleep(delay)
    p.stdin.write(b"hello\n")
    p.stdin.close()
    try:
        rc = p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    out = p.stdout.read()
    assert rc == 0
    assert out.endswith(b"got hello\r\n"), out
