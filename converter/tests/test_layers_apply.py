"""Layers are verified and applied with docker's semantics, and nothing escapes the rootfs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from converter import layers
from converter.errors import ConvertError
from converter.sources import docker_archive, oci_layout
from testsupport.oci import (
    LayoutWriter, chardev, directory, docker_archive as make_archive, file, hardlink, oci_layout as make_layout,
    symlink,
)


def unpack(tmp_path: Path, layer_list: list, **kw: object) -> Path:
    image = oci_layout.load(make_layout(tmp_path / "img", layer_list, **kw))
    tree = layers.merge(image)
    dest = tmp_path / "rootfs"
    layers.materialize(image, tree, dest)
    return dest


def test_files_dirs_symlinks_and_hardlinks_are_applied(tmp_path: Path) -> None:
    root = unpack(tmp_path, [[directory("etc"), file("etc/hosts", "127.0.0.1 localhost\n"),
                              file("bin/tool", "#!/bin/sh\n", mode=0o755), symlink("bin/alias", "tool"),
                              hardlink("bin/tool2", "bin/tool")]])
    assert (root / "etc/hosts").read_text() == "127.0.0.1 localhost\n"
    assert os.readlink(root / "bin/alias") == "tool"
    assert (root / "bin/tool").stat().st_mode & 0o777 == 0o755
    assert (root / "bin/tool").stat().st_ino == (root / "bin/tool2").stat().st_ino


def test_whiteout_removes_and_opaque_dir_hides_lower_layers(tmp_path: Path) -> None:
    root = unpack(tmp_path, [
        [file("a/keep", "1"), file("a/gone", "2"), file("b/old1", "3"), file("b/old2", "4")],
        [file("a/.wh.gone"), file("b/.wh..wh..opq"), file("b/new", "5")],
    ])
    assert (root / "a/keep").exists() and not (root / "a/gone").exists()
    assert sorted(p.name for p in (root / "b").iterdir()) == ["new"]


def test_upper_layer_replaces_file_with_directory(tmp_path: Path) -> None:
    root = unpack(tmp_path, [[file("x", "file")], [directory("x"), file("x/y", "inside")]])
    assert (root / "x/y").read_text() == "inside"


def test_device_nodes_are_recorded(tmp_path: Path) -> None:
    image = oci_layout.load(make_layout(tmp_path / "img", [[chardev("dev/null", 1, 3)]]))
    tree = layers.merge(image)
    e = tree.entries["dev/null"]
    assert (e.kind, e.devmajor, e.devminor) == ("chr", 1, 3)


@pytest.mark.parametrize("entries, message", [
    ([file("../evil", "x")], "escapes the rootfs"),
    ([file("/etc/abs", "x")], "absolute path"),
    ([hardlink("h", "../../etc/passwd")], "escapes the rootfs"),
    ([hardlink("h", "missing")], "not a file in the rootfs"),
    ([file(".wh.", "")], "whiteout"),
])
def test_hostile_entries_are_refused(tmp_path: Path, entries: list, message: str) -> None:
    image = oci_layout.load(make_layout(tmp_path / "img", [entries]))
    with pytest.raises(ConvertError, match=message):
        layers.merge(image)


def test_write_through_symlink_from_a_lower_layer_is_refused(tmp_path: Path) -> None:
    image = oci_layout.load(make_layout(tmp_path / "img", [[symlink("evil", "/etc")], [file("evil/passwd", "x")]]))
    with pytest.raises(ConvertError, match="through the symlink 'evil'"):
        layers.merge(image)


def test_layer_digest_mismatch_is_refused(tmp_path: Path) -> None:
    root = make_layout(tmp_path / "img", [[file("a", "1")]])
    blobs = sorted((root / "blobs/sha256").iterdir(), key=lambda p: p.stat().st_size)
    # corrupt the layer blob (gzip): flip its last byte
    import json
    index = json.loads((root / "index.json").read_text())
    manifest = json.loads((root / "blobs/sha256" / index["manifests"][0]["digest"][7:]).read_text())
    layer_blob = root / "blobs/sha256" / manifest["layers"][0]["digest"][7:]
    data = bytearray(layer_blob.read_bytes())
    data[-5] ^= 0xFF
    layer_blob.write_bytes(bytes(data))
    assert blobs
    with pytest.raises(ConvertError, match="layer 1"):
        layers.merge(oci_layout.load(root))


def test_rootfs_size_limit_stops_a_bomb(tmp_path: Path) -> None:
    image = oci_layout.load(make_layout(tmp_path / "img", [[file("big", b"x" * 4096)]]))
    with pytest.raises(ConvertError, match="exceed"):
        layers.merge(image, max_bytes=1024)


def test_docker_archive_is_read_and_verified(tmp_path: Path) -> None:
    path = make_archive(tmp_path / "img.tar", [[file("hello", "world")]])
    image = docker_archive.load(path)
    tree = layers.merge(image)
    assert tree.entries["hello"].size == 5
    assert image.architecture == "riscv64"


def test_two_platform_index_selects_requested_platform(tmp_path: Path) -> None:
    w = LayoutWriter(tmp_path / "img")
    w.index([w.image([[file("arch", "amd64")]], arch="amd64"), w.image([[file("arch", "riscv64")]])], tag=None)
    assert oci_layout.load(tmp_path / "img", platform="linux/riscv64").architecture == "riscv64"
    assert oci_layout.load(tmp_path / "img", platform="linux/amd64").architecture == "amd64"
    assert oci_layout.load(tmp_path / "img").architecture == "riscv64"
    with pytest.raises(ConvertError, match="linux/amd64, linux/riscv64"):
        oci_layout.load(tmp_path / "img", platform="linux/arm64")


def test_rootfs_becomes_an_ext4_image_with_the_files(tmp_path: Path) -> None:
    from converter import diskimage

    root = unpack(tmp_path, [[file("etc/motd", "hi there\n"), symlink("lnk", "etc/motd")]])
    out = tmp_path / "rootfs.img"
    size = diskimage.make_ext4(root, out, seed="x")
    assert size == out.stat().st_size > 0
    import subprocess

    cat = subprocess.run(["debugfs", "-R", "cat /etc/motd", str(out)], capture_output=True, text=True)
    assert cat.stdout == "hi there\n"
    stat = subprocess.run(["debugfs", "-R", "stat /lnk", str(out)], capture_output=True, text=True)
    assert "Fast link dest: \"etc/motd\"" in stat.stdout


def test_ext4_image_is_reproducible(tmp_path: Path) -> None:
    from converter import diskimage

    root = unpack(tmp_path, [[file("a", "1"), file("d/b", "2")]])
    a, b = tmp_path / "a.img", tmp_path / "b.img"
    diskimage.make_ext4(root, a, seed="same")
    diskimage.make_ext4(root, b, seed="same")
    import subprocess
    diff = subprocess.run(["cmp", "-l", a, b], capture_output=True, text=True).stdout.splitlines()
    assert diff == []
