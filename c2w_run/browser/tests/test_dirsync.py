"""Packing a host directory for the page and writing the page's tree back: only what changed,
atomically, never a path outside the directory, never an entry the page could not see."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from c2w_run.browser.dirsync import DIR, FILE, LINK, DirSyncError, _record, pack, unpack, write_back


def tree(root: Path) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames:
            out[os.path.relpath(Path(dirpath, n), root)] = None
        for n in filenames:
            p = Path(dirpath, n)
            out[os.path.relpath(p, root)] = p.read_text() if not p.is_symlink() else "->" + os.readlink(p)
    return out


def test_unchanged_tree_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f").write_text("1")
    (tmp_path / "link").symlink_to("d/f")
    os.chmod(tmp_path / "d" / "f", 0o600)
    blob, loaded = pack(tmp_path)
    before = os.stat(tmp_path / "d" / "f").st_ino
    write_back(loaded, blob)
    assert tree(tmp_path) == {"d": None, "d/f": "1", "link": "->d/f"}
    assert os.stat(tmp_path / "d" / "f").st_ino == before  # not rewritten


def test_changes_are_applied_and_modes_kept(tmp_path: Path) -> None:
    (tmp_path / "keep").write_text("k")
    (tmp_path / "edit").write_text("old")
    os.chmod(tmp_path / "edit", 0o751)
    (tmp_path / "gone").mkdir()
    (tmp_path / "gone" / "x").write_text("x")
    _, loaded = pack(tmp_path)
    new = _record(FILE, "keep", b"k") + _record(FILE, "edit", b"new") + _record(DIR, "n", b"") + \
        _record(FILE, "n/f", b"f")
    write_back(loaded, new)
    assert tree(tmp_path) == {"keep": "k", "edit": "new", "n": None, "n/f": "f"}
    assert os.stat(tmp_path / "edit").st_mode & 0o777 == 0o751


def test_a_path_leaving_the_directory_is_refused(tmp_path: Path) -> None:
    _, loaded = pack(tmp_path)
    with pytest.raises(DirSyncError, match="bad path"):
        write_back(loaded, _record(FILE, "../escape", b"x"))
    assert not (tmp_path.parent / "escape").exists()


def test_blob_round_trip_keeps_bytes_and_order(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.bin").write_bytes(bytes(range(256)))
    blob, _ = pack(tmp_path)
    assert unpack(blob) == {"a": (DIR, b""), "a/b.bin": (FILE, bytes(range(256)))}


def test_symlinks_go_to_the_page_and_come_back(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("1")
    (tmp_path / "old").symlink_to("f")
    blob, loaded = pack(tmp_path)
    assert unpack(blob)["old"] == (LINK, b"f")
    write_back(loaded, _record(FILE, "f", b"1") + _record(LINK, "new", b"../outside"))
    assert tree(tmp_path) == {"f": "1", "new": "->../outside"}


def test_names_that_are_not_utf8_are_neither_loaded_nor_deleted(tmp_path: Path) -> None:
    odd = os.fsdecode(b"\xff.bin")
    (tmp_path / odd).write_text("x")
    blob, loaded = pack(tmp_path)
    assert blob == b""
    write_back(loaded, b"")
    assert (tmp_path / odd).read_text() == "x"
