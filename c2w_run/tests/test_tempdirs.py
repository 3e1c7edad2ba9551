"""c2w_run/tempdirs.py: the temp dirs of dead c2w-run processes are removed, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from c2w_run import tempdirs


def test_reap_removes_only_the_dirs_of_dead_c2w_run_processes(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (tmp_path / f"c2w-run-net-{dead}-abc").mkdir()
    (tmp_path / f"c2w-run-status-{dead}-def").mkdir()
    (tmp_path / f"c2w-run-status-{dead}-def" / "status").write_text("0")
    (tmp_path / f"c2w-run-net-{os.getppid()}-live").mkdir()  # a live process (pytest's parent)
    (tmp_path / f"c2w-run-net-{os.getpid()}-ours").mkdir()
    (tmp_path / f"other-{dead}-x").mkdir()
    (tmp_path / f"c2w-run-file-{dead}-y").write_text("a file, not a dir")
    removed = tempdirs.reap_stale(tmp_path)
    assert sorted(p.name for p in removed) == [f"c2w-run-net-{dead}-abc", f"c2w-run-status-{dead}-def"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"c2w-run-file-{dead}-y", f"c2w-run-net-{os.getpid()}-ours", f"c2w-run-net-{os.getppid()}-live",
         f"other-{dead}-x"])
