"""Temp dirs of one c2w-run process, named after its pid (`c2w-run-KIND-PID-XXXX`), so that a run
killed with SIGKILL (no cleanup code runs) leaves nothing for long: the next c2w-run removes the
dirs of dead c2w-run processes of the same user."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

NAME = re.compile(r"c2w-run-[a-z]+-(\d+)-")


def make(kind: str) -> Path:
    """A fresh temp dir for this process (the caller removes it when done)."""
    return Path(tempfile.mkdtemp(prefix=f"c2w-run-{kind}-{os.getpid()}-"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_stale(root: Path | None = None) -> list[Path]:
    """Remove the temp dirs of c2w-run processes that no longer exist; returns them."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for e in entries:
        m = NAME.match(e.name)
        if not m or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        try:
            if not e.is_dir(follow_symlinks=False) or e.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
        except OSError:
            continue
        shutil.rmtree(e.path, ignore_errors=True)
        removed.append(Path(e.path))
    return removed
