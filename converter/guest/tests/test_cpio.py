"""cpio.py writes newc archives that GNU cpio reads back, and rejects malformed lists."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GUEST = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(GUEST))
import cpio  # noqa: E402


def test_cpio_archive_lists_and_extracts_with_gnu_cpio(tmp_path: Path) -> None:
    if shutil.which("cpio") is None:
        pytest.skip("cpio is not installed (scripts/setup-system.sh installs it)")
    (tmp_path / "hello").write_bytes(b"hello\n" * 3 + b"x")
    lst = tmp_path / "list"
    lst.write_text(
        "# comment\ndir /etc 0755\nfile /etc/hello 0640 hello\nslink /etc/link hello\n"
        "nod /dev/console 0600 c 5 1\n"
    )
    out = tmp_path / "a.cpio.gz"
    assert cpio.main(["cpio.py", str(lst), str(out)]) == 0
    raw = gzip.decompress(out.read_bytes())
    listing = subprocess.run(["cpio", "-itv"], input=raw, capture_output=True, check=True).stdout.decode()
    assert "etc/hello" in listing and "etc/link -> hello" in listing
    assert "crw-------" in listing
    dest = tmp_path / "x"
    dest.mkdir()
    subprocess.run(["cpio", "-id", "--quiet", "etc/hello"], input=raw, cwd=dest, check=True)
    assert (dest / "etc/hello").read_bytes() == b"hello\n" * 3 + b"x"


def test_cpio_output_is_reproducible(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    lst = tmp_path / "list"
    lst.write_text("file /f 0644 f\n")
    a, b = tmp_path / "a.gz", tmp_path / "b.gz"
    cpio.main(["cpio.py", str(lst), str(a)])
    (tmp_path / "f").touch()
    cpio.main(["cpio.py", str(lst), str(b)])
    assert a.read_bytes() == b.read_bytes()


def test_cpio_rejects_bad_list_line_with_line_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lst = tmp_path / "list"
    lst.write_text("dir /a 0755\nfile /b\n")
    assert cpio.main(["cpio.py", str(lst), str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err and err.count("\n") == 1
