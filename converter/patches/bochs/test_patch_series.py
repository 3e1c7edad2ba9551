"""The patch series applies, in order, to Debian's pristine Bochs 3.0 tarball (in `make test`: a
second or two once the tarball is cached; the Bochs builds and boots are `make test-x86`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOCHS = HERE.parents[1] / "bochs"


def test_series_applies_to_the_pristine_tarball(tmp_path: Path) -> None:
    tree = tmp_path / "src"
    proc = subprocess.run([str(BOCHS / "build.sh"), "--apply", str(tree)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (tree / "directboot.cc").is_file()
    assert "directboot" in (tree / "config.cc").read_text(errors="replace")


def test_every_patch_says_why() -> None:
    patches = sorted(HERE.glob("*.patch"))
    assert patches
    for p in patches:
        head = p.read_text().split("\ndiff --git", 1)[0]
        assert head.startswith("c2w-run patch "), p.name
        assert "Why:" in head, p.name


def test_apply_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("")
    proc = subprocess.run([str(BOCHS / "build.sh"), "--apply", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "is not empty" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
