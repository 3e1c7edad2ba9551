"""The pure-Python erofs writer (converter.erofs, used when mkfs.erofs is absent) gives an image
that erofs-utils reads back file for file: contents of every size class (inline tail, whole
blocks, exact blocks, near-block tails), symlinks, hard links, a directory over several blocks,
fifos, owners and device nodes from fix-ups; the same tree gives the same bytes."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from converter.erofs import make_erofs_py
from converter.layers import Entry

UUID = "0123456789abcdef0123456789abcdef"
SIZES = {"empty": 0, "small": 2, "mid": 10000, "exact": 8192, "near": 4090, "big": 3 * 4096 + 4033}

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/fsck.erofs"),
                                reason="fsck.erofs (Debian erofs-utils, scripts/setup-system.sh) reads the image back")


def make_tree(root: Path) -> None:
    (root / "a/b").mkdir(parents=True)
    for name, size in SIZES.items():
        (root / "a" / name).write_bytes(bytes((i * 7 + size) % 251 for i in range(size)))
    (root / "a/b/link").symlink_to("../small")
    os.link(root / "a/mid", root / "a/b/hard")
    for i in range(300):  # ~300 entries of ~40 bytes: the directory spans several blocks
        (root / "a/b" / f"applet-with-a-rather-long-name-{i:04}").symlink_to("/usr/bin/busybox")
    os.mkfifo(root / "fifo")
    (root / "dev").mkdir()
    os.utime(root / "a/small", (1, 123456789))


def listing(root: Path) -> list[tuple]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = os.lstat(p)
            kind = stat.S_IFMT(st.st_mode)
            data = os.readlink(p) if stat.S_ISLNK(st.st_mode) else p.read_bytes() if stat.S_ISREG(st.st_mode) else b""
            out.append((str(p.relative_to(root)), kind, stat.S_IMODE(st.st_mode), int(st.st_mtime) if not stat.S_ISLNK(kind) else 0, data))
    return sorted(out)


def dump(image: Path, path: str) -> str:
    return subprocess.run(["dump.erofs", f"--path={path}", str(image)], capture_output=True, text=True, check=True).stdout


def test_erofs_utils_read_back_every_file_link_and_owner(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    make_tree(tree)
    fixups = [("dev/null2", Entry("chr", 0o666, 0, 0, 0, devmajor=1, devminor=3)),
              ("a/small", Entry("file", 0o644, 1000, 1001, 1))]
    image = tmp_path / "root.erofs"
    size = make_erofs_py(tree, image, UUID, fixups=fixups)
    assert size == image.stat().st_size and size % 4096 == 0
    done = subprocess.run(["fsck.erofs", f"--extract={tmp_path / 'x'}", str(image)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    null2 = os.lstat(tmp_path / "x/dev/null2")
    assert stat.S_ISCHR(null2.st_mode) and (os.major(null2.st_rdev), os.minor(null2.st_rdev)) == (1, 3)
    dev = os.stat(tmp_path / "x/dev")
    os.unlink(tmp_path / "x/dev/null2")  # (the staging tree has no such node: it came from a fix-up)
    os.utime(tmp_path / "x/dev", ns=(dev.st_atime_ns, dev.st_mtime_ns))
    assert listing(tmp_path / "x") == listing(tree)
    small = dump(image, "/a/small")
    assert "Uid: 1000   Gid: 1001" in small
    assert "Links: 2" in dump(image, "/a/b/hard") and dump(image, "/a/b/hard").split("NID:")[1].split()[0] == \
        dump(image, "/a/mid").split("NID:")[1].split()[0]
    assert "Links: 3" in dump(image, "/a")  # ., its entry in /, and b/..


def test_same_tree_gives_the_same_bytes(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    make_tree(tree)
    make_erofs_py(tree, tmp_path / "1.erofs", UUID)
    make_erofs_py(tree, tmp_path / "2.erofs", UUID)
    assert (tmp_path / "1.erofs").read_bytes() == (tmp_path / "2.erofs").read_bytes()
