"""A corpus of hostile and corrupt images, built here: each is refused with one line naming the
problem, a non-zero exit, no output file and nothing written outside the working directory;
the legal ones among them convert and run."""

from __future__ import annotations

import gzip
import io
import json
import os
from stat import S_ISCHR as stat_is_chr
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from testsupport import oci as t
from testsupport.oci import REPO

HELLO = [t.directory("bin"), t.file("bin/hello", "hi", 0o755)]


def sparse_bomb(size: int = 10 << 30) -> bytes:
    """A layer holding one GNU sparse file of `size` bytes whose stored data is one block."""
    hdr = bytearray(512)
    hdr[0:4] = b"bomb"
    hdr[100:108] = b"0000644\0"
    hdr[108:116] = b"0000000\0"
    hdr[116:124] = b"0000000\0"
    hdr[124:136] = b"%011o\0" % 512  # stored bytes
    hdr[136:148] = b"%011o\0" % 1700000000
    hdr[156:157] = b"S"  # GNU sparse
    hdr[257:265] = b"ustar  \0"
    hdr[386:398] = b"%011o\0" % (size - 512)  # sparse map: one chunk at the end
    hdr[398:410] = b"%011o\0" % 512
    hdr[483:495] = b"%011o\0" % size  # real size
    hdr[148:156] = b" " * 8
    hdr[148:156] = b"%06o\0 " % sum(hdr)
    return bytes(hdr) + b"x" * 512 + b"\0" * 1024


def many_files(n: int = 100_000) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        d = tarfile.TarInfo("many")
        d.type, d.mode = tarfile.DIRTYPE, 0o755
        tf.addfile(d)
        for i in range(n):
            ti = tarfile.TarInfo(f"many/{i:06d}")
            ti.size = 1
            tf.addfile(ti, io.BytesIO(b"x"))
    return buf.getvalue()


def _corrupt_blob(layout: Path, pick: Callable[[bytes], bool], change: Callable[[bytes], bytes]) -> None:
    for b in (layout / "blobs/sha256").iterdir():
        if pick(b.read_bytes()):
            b.write_bytes(change(b.read_bytes()))
            return
    raise AssertionError("no such blob")


def _is_gzip(b: bytes) -> bool:
    return b[:2] == b"\x1f\x8b"


def _is_config(b: bytes) -> bool:
    return b.startswith(b"{") and b'"rootfs"' in b


def _manifest(layout: Path) -> tuple[Path, dict]:
    index = json.loads((layout / "index.json").read_text())
    p = layout / "blobs/sha256" / index["manifests"][0]["digest"].split(":")[1]
    return p, json.loads(p.read_text())


def _set_manifest(layout: Path, manifest: dict) -> None:
    """Rewrite the manifest and point index.json at it (a valid digest for a hostile manifest)."""
    w = t.LayoutWriter(layout)
    raw = json.dumps(manifest).encode()
    index = json.loads((layout / "index.json").read_text())
    index["manifests"][0].update(digest=w.blob(raw), size=len(raw))
    (layout / "index.json").write_text(json.dumps(index))


def build(name: str, root: Path) -> Path:
    img = root / "img"
    if name == "dotdot":
        t.oci_layout(img, [[t.file("a/../../escape", "x")]])
    elif name == "absolute":
        t.oci_layout(img, [[t.file("/etc/evil", "x")]])
    elif name == "symlink-escape-write":
        t.oci_layout(img, [[t.symlink("link", "../../outside")], [t.file("link/pwned", "x")]])
    elif name == "hardlink-outside":
        t.oci_layout(img, [[t.hardlink("stolen", "../../../etc/passwd")]])
    elif name == "bad-layer-digest":
        t.oci_layout(img, [HELLO])
        _corrupt_blob(img, _is_gzip, lambda b: gzip.compress(gzip.decompress(b) + b"\0" * 512, mtime=0))
    elif name == "bad-config-digest":
        t.oci_layout(img, [HELLO])
        _corrupt_blob(img, _is_config, lambda b: b.replace(b'"os": "linux"', b'"os": "linux" '))
    elif name == "truncated-layer":
        t.oci_layout(img, [HELLO])
        _corrupt_blob(img, _is_gzip, lambda b: b[: len(b) // 2])
    elif name == "missing-blob":
        t.oci_layout(img, [HELLO])
        _corrupt_blob(img, _is_gzip, lambda b: b)  # find it, then delete it
        next(b for b in (img / "blobs/sha256").iterdir() if _is_gzip(b.read_bytes())).unlink()
    elif name == "ia64":
        t.oci_layout(img, [HELLO], arch="ia64")
    elif name == "unknown-media-type":
        t.oci_layout(img, [HELLO])
        _, m = _manifest(img)
        m["layers"][0]["mediaType"] = "application/x-unknown"
        _set_manifest(img, m)
    elif name == "empty":
        t.oci_layout(img, [])
    elif name == "no-platform":
        w = t.LayoutWriter(img)
        w.index([w.image([HELLO], "arm64"), w.image([HELLO], "s390x")])
    elif name == "whiteout-root":
        t.oci_layout(img, [HELLO, [t.file(".wh..", "")]])
    elif name == "sparse-bomb":
        t.oci_layout(img, [sparse_bomb()])
    elif name == "device-nodes":
        t.oci_layout(img, [[*HELLO, t.directory("dev"), t.chardev("dev/null2", 1, 3)]])
    else:
        raise AssertionError(name)
    return img


REFUSED = {
    "dotdot": "escape",
    "absolute": "absolute",
    "symlink-escape-write": "symlink",
    "hardlink-outside": "'../../../etc/passwd' escapes the rootfs",
    "bad-layer-digest": "digest",
    "bad-config-digest": "digest",
    "truncated-layer": "layer 1",
    "missing-blob": "missing blob",
    "ia64": "no emulator for linux/ia64",
    "unknown-media-type": "unknown layer media type 'application/x-unknown'",
    "empty": "the image has no layers",
    "no-platform": "the index has: linux/arm64, linux/s390x",
    "whiteout-root": "whiteout",
    "sparse-bomb": "the rootfs would exceed 8192 MiB at 'bomb' (10240 MiB); raise --max-rootfs-size",
}


def convert(img: Path, work: Path, *extra: str) -> subprocess.CompletedProcess:
    tmpdir = work / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "converter.cli", "-q", *extra, str(img), "out.wasm"],
                          capture_output=True, text=True, timeout=600, cwd=work, env=env)


def snapshot_tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_image_is_refused_cleanly(name: str, tmp_path: Path) -> None:
    img = build(name, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    before = snapshot_tree(tmp_path)
    r = convert(img, work)
    lines = r.stderr.strip().splitlines()
    assert r.returncode != 0
    assert len(lines) == 1 and lines[0].startswith("c2w: error: "), r.stderr
    assert REFUSED[name] in lines[0], lines[0]
    after = snapshot_tree(tmp_path)
    assert after - before == {"work/tmpdir"}, after - before  # no output, no temp left, nothing outside


@pytest.mark.parametrize("rootfs", ["erofs", "ext4"])
def test_device_nodes_are_recorded_in_the_disk(tmp_path: Path, rootfs: str) -> None:
    img = build("device-nodes", tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    r = convert(img, work, "--no-snapshot", "--rootfs", rootfs)
    assert r.returncode == 0, r.stderr
    from converter import wasm

    disk = tmp_path / "disk.img"
    disk.write_bytes(wasm.read_payloads((work / "out.wasm").read_bytes())["disk"])
    if rootfs == "ext4":
        stat = subprocess.run(["debugfs", "-R", "stat /dev/null2", str(disk)], capture_output=True, text=True).stdout
        assert "Type: character special" in stat and "Device major/minor number: 01:03" in stat
    else:
        subprocess.run(["fsck.erofs", f"--extract={tmp_path / 'x'}", str(disk)], check=True, capture_output=True)
        st = os.lstat(tmp_path / "x/dev/null2")
        assert stat_is_chr(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == (1, 3)


def test_a_layer_with_100000_tiny_files_converts_and_runs(default_image: Path, tmp_path: Path) -> None:
    layout = t.LayoutWriter(tmp_path / "img")
    index = json.loads((default_image / "index.json").read_text())
    import shutil

    shutil.rmtree(tmp_path / "img")
    shutil.copytree(default_image, tmp_path / "img")
    m_path, manifest = _manifest(tmp_path / "img")
    raw = many_files()
    blob = gzip.compress(raw, compresslevel=1, mtime=0)
    layout = t.LayoutWriter(tmp_path / "img")
    manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                               "digest": layout.blob(blob), "size": len(blob)})
    cfg_path = tmp_path / "img/blobs/sha256" / manifest["config"]["digest"].split(":")[1]
    cfg = json.loads(cfg_path.read_text())
    cfg["rootfs"]["diff_ids"].append(t.digest(raw))
    raw_cfg = json.dumps(cfg).encode()
    manifest["config"].update(digest=layout.blob(raw_cfg), size=len(raw_cfg))
    _set_manifest(tmp_path / "img", manifest)
    del index
    work = tmp_path / "work"
    work.mkdir()
    r = convert(tmp_path / "img", work)
    assert r.returncode == 0, r.stderr
    run = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", str(work / "out.wasm"),
                          "sh", "-c", "ls /many | wc -l; cat /many/099999"], capture_output=True, text=True,
                         timeout=300, cwd=REPO, stdin=subprocess.DEVNULL)
    assert (run.returncode, run.stdout.split()) == (0, ["100000", "x"]), run.stderr
