"""A corpus of hostile and corrupt images, built here: each is refused with one line naming the
problem, a non-zero exit, no output file and nothing written outside the working directory;
the legal ones among them convert and run."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
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


def _blob(layout: Path, digest: str) -> Path:
    return layout / "blobs/sha256" / digest.split(":", 1)[1]


def _set_index(layout: Path, index: object) -> None:
    (layout / "index.json").write_text(json.dumps(index) if not isinstance(index, str) else index)


def _set_config(layout: Path, change: Callable[[dict], object]) -> None:
    """Rewrite the image config (then the manifest and index) with valid digests."""
    _, m = _manifest(layout)
    cfg = json.loads(_blob(layout, m["config"]["digest"]).read_bytes())
    new = change(cfg)
    raw = new if isinstance(new, bytes) else json.dumps(new).encode()
    m["config"].update(digest=t.LayoutWriter(layout).blob(raw), size=len(raw))
    _set_manifest(layout, m)


def _nested_index(layout: Path, depth: int) -> None:
    """Wrap the image's manifest in `depth` image indexes."""
    w = t.LayoutWriter(layout)
    index = json.loads((layout / "index.json").read_text())
    desc = index["manifests"][0]
    for _ in range(depth):
        raw = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                          "manifests": [desc]}).encode()
        desc = {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": w.blob(raw), "size": len(raw)}
    _set_index(layout, {"schemaVersion": 2, "manifests": [desc]})


def gzip_bomb(n: int) -> bytes:
    """A tar holding one file of n zero bytes (the layer writer gzips it to about n/1000 bytes)."""
    ti = tarfile.TarInfo("zeros")
    ti.size = n
    return ti.tobuf(format=tarfile.USTAR_FORMAT) + bytes(n + (-n) % 512 + 1024)


def _docker_archive(root: Path, change: Callable[[tarfile.TarFile, tarfile.TarFile], None] | None = None,
                    manifest: object = None) -> Path:
    """A docker-save tar of HELLO, copied member by member (change: may add or skip members)."""
    src = t.docker_archive(root / "src.tar", [HELLO])
    dst = root / "img.tar"
    with tarfile.open(src) as a, tarfile.open(dst, "w") as b:
        for m in a.getmembers():
            data = a.extractfile(m).read()  # type: ignore[union-attr]
            if m.name == "manifest.json" and manifest is not None:
                data = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
                m.size = len(data)
            if m.name.endswith("layer.tar") and change == "drop-layer":  # type: ignore[comparison-overlap]
                continue
            if m.name.endswith(".json") and m.name != "manifest.json" and change == "lie-config":  # type: ignore[comparison-overlap]
                data = data.replace(b'"os": "linux"', b'"os": "linux" ')
                m.size = len(data)
            b.addfile(m, io.BytesIO(data))
    src.unlink()
    return dst


def build(name: str, root: Path) -> Path | str:
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
    # ---- bad indexes and manifests
    elif name.startswith(("index-", "descriptor-", "manifest-", "config-", "layer-", "no-", "name-", "empty-",
                          "hardlink-to-", "symlink-chain", "gzip-", "plain-", "env-", "sparse-4g", "whiteout-storm")):
        t.oci_layout(img, [HELLO])
        index = json.loads((img / "index.json").read_text())
        desc = index["manifests"][0]
        m_path, manifest = _manifest(img)
        if name == "index-not-json":
            _set_index(img, '{"manifests": [')
        elif name == "index-not-object":
            _set_index(img, [desc])
        elif name == "index-manifests-not-list":
            _set_index(img, {"schemaVersion": 2, "manifests": desc})
        elif name == "descriptor-digest-not-string":
            _set_index(img, {"schemaVersion": 2, "manifests": [{**desc, "digest": 12345}]})
        elif name == "descriptor-digest-malformed":
            _set_index(img, {"schemaVersion": 2, "manifests": [{**desc, "digest": "sha256:../../etc/passwd"}]})
        elif name == "descriptor-digest-sha512":
            _set_index(img, {"schemaVersion": 2, "manifests": [{**desc, "digest": "sha512:" + "0" * 128}]})
        elif name == "descriptor-platform-not-object":
            _set_index(img, {"schemaVersion": 2, "manifests": [{**desc, "platform": "linux/riscv64"}, desc]})
        elif name == "manifest-not-json":
            _set_manifest(img, manifest)  # then replace the blob's bytes and its digest
            raw = b"{not json"
            index = json.loads((img / "index.json").read_text())
            index["manifests"][0].update(digest=t.LayoutWriter(img).blob(raw), size=len(raw))
            _set_index(img, index)
        elif name == "manifest-digest-lies":
            m_path.write_bytes(m_path.read_bytes().replace(b'"schemaVersion": 2', b'"schemaVersion": 3'))
        elif name == "manifest-unknown-media-type":
            _set_manifest(img, {**manifest, "mediaType": "application/x-evil"})
        elif name == "manifest-no-config":
            _set_manifest(img, {k: v for k, v in manifest.items() if k != "config"})
        elif name == "manifest-layers-not-list":
            _set_manifest(img, {**manifest, "layers": manifest["layers"][0]})
        elif name == "manifest-layer-size-not-int":
            _set_manifest(img, {**manifest, "layers": [{**manifest["layers"][0], "size": "12"}]})
        elif name == "index-nested-too-deep":
            _nested_index(img, 6)
        elif name == "index-loop":
            # an index naming itself: content addressing makes a true loop impossible, so its
            # digest cannot match what the blob holds
            fake = "sha256:" + "ab" * 32
            raw = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                              "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
                                             "digest": fake}]}).encode()
            _blob(img, fake).write_bytes(raw)
            _set_index(img, {"schemaVersion": 2, "manifests": [{"digest": fake}]})
        elif name == "config-not-json":
            _set_config(img, lambda c: b"\xff\xfe{")
        elif name == "config-not-object":
            _set_config(img, lambda c: [c])
        elif name == "config-os-not-string":
            _set_config(img, lambda c: {**c, "os": ["linux"]})
        elif name == "config-diff-ids-count":
            _set_config(img, lambda c: {**c, "rootfs": {"type": "layers", "diff_ids": []}})
        elif name == "config-cmd-not-list":
            _set_config(img, lambda c: {**c, "config": {**c["config"], "Cmd": {"sh": 1}}})
        elif name == "env-1mb":
            _set_config(img, lambda c: {**c, "config": {**c["config"], "Env": [f"V{i}={'x' * 1000}" for i in range(1024)]}})
        elif name == "layer-diff-id-lies":
            _set_config(img, lambda c: {**c, "rootfs": {"type": "layers", "diff_ids": [t.digest(b"other")]}})
        elif name == "layer-not-a-tar":
            blob = os.urandom(4096)
            w = t.LayoutWriter(img)
            _set_config(img, lambda c: {**c, "rootfs": {"type": "layers", "diff_ids": [t.digest(blob)]}})
            _, manifest = _manifest(img)
            manifest["layers"] = [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": w.blob(blob),
                                   "size": len(blob)}]
            _set_manifest(img, manifest)
        elif name == "no-oci-layout-file":
            (img / "oci-layout").unlink()
        elif name == "no-image-tagged":
            return f"oci:{img}:nope"
        elif name == "whiteout-storm":
            shutil.rmtree(img)
            many = [t.directory("d")] + [t.file(f"d/{i}") for i in range(20000)]
            t.oci_layout(img, [HELLO + many, [t.file(f"d/.wh.{i}") for i in range(20000)]])
        elif name == "sparse-4g":
            shutil.rmtree(img)
            t.oci_layout(img, [HELLO, sparse_bomb(4 << 30)])
        elif name in ("name-too-long", "empty-symlink-target", "hardlink-to-dir", "symlink-chain-escape",
                      "gzip-bomb", "gzip-trailing-garbage", "plain-tar-says-gzip"):
            shutil.rmtree(img)
            if name == "name-too-long":
                t.oci_layout(img, [[t.file("x" * 256, "x")]])
            elif name == "empty-symlink-target":
                t.oci_layout(img, [[t.symlink("nowhere", "")]])
            elif name == "hardlink-to-dir":
                t.oci_layout(img, [[t.directory("etc"), t.hardlink("etc2", "etc")]])
            elif name == "symlink-chain-escape":
                t.oci_layout(img, [[t.symlink("a", "b"), t.symlink("b", "../../.."), t.file("a/x", "pwned")]])
            elif name == "gzip-bomb":
                t.oci_layout(img, [gzip_bomb(64 << 20)])
            elif name == "gzip-trailing-garbage":
                t.oci_layout(img, [HELLO])
                _corrupt_blob(img, _is_gzip, lambda b: b + b"garbage" * 100)
                _, m = _manifest(img)
                for d in m["layers"]:
                    if not _blob(img, d["digest"]).exists():
                        blob = next(b for b in (img / "blobs/sha256").iterdir() if _is_gzip(b.read_bytes()))
                        d.update(digest=t.digest(blob.read_bytes()), size=blob.stat().st_size)
                _set_manifest(img, m)
            elif name == "plain-tar-says-gzip":
                w = t.LayoutWriter(img)
                w.index([w.image([HELLO], compress=False)])
                _, m = _manifest(img)
                m["layers"][0]["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
                _set_manifest(img, m)
        else:
            raise AssertionError(name)
    # ---- docker-save archives
    elif name == "archive-manifest-not-json":
        return str(_docker_archive(root, manifest=b"[{"))
    elif name == "archive-manifest-entry-not-object":
        return str(_docker_archive(root, manifest=["x"]))
    elif name == "archive-missing-layer":
        return str(_docker_archive(root, change="drop-layer"))  # type: ignore[arg-type]
    elif name == "archive-config-digest-lies":
        return str(_docker_archive(root, change="lie-config"))  # type: ignore[arg-type]
    elif name == "archive-not-a-tar":
        (root / "img.tar").write_bytes(os.urandom(2048))
        return str(root / "img.tar")
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
    # bad indexes, manifests and configs
    "index-not-json": "index.json: not valid JSON",
    "index-not-object": "index.json: expected a JSON object",
    "index-manifests-not-list": "index.json: 'manifests' is not a list",
    "descriptor-digest-not-string": "index.json: a descriptor without a string 'digest'",
    "descriptor-digest-malformed": "invalid digest 'sha256:../../etc/passwd'",
    "descriptor-digest-sha512": "invalid digest 'sha512:",
    "descriptor-platform-not-object": "'platform' is not an object of strings",
    "manifest-not-json": "not valid JSON",
    "manifest-digest-lies": "manifest: content does not match its digest",
    "manifest-unknown-media-type": "unknown manifest media type 'application/x-evil'",
    "manifest-no-config": "manifest has no config",
    "manifest-layers-not-list": "manifest: 'layers' is not a list",
    "manifest-layer-size-not-int": "'size' is not an integer",
    "index-nested-too-deep": "image indexes nested too deeply",
    "index-loop": "manifest: content does not match its digest sha256:abab",
    "config-not-json": "image config: not valid JSON",
    "config-not-object": "image config: expected a JSON object",
    "config-os-not-string": "image config: 'os' is not a string",
    "config-diff-ids-count": "the config lists 0 diff_ids for 1 layers",
    "config-cmd-not-list": "config.Cmd is not a list of strings",
    "no-oci-layout-file": "a directory but not an OCI image layout (no oci-layout file)",
    "no-image-tagged": "no image tagged 'nope'",
    # layers
    "layer-diff-id-lies": "uncompressed content does not match diff_id",
    "layer-not-a-tar": "corrupt or truncated layer",
    "gzip-bomb": "the rootfs would exceed 16 MiB at 'zeros' (64 MiB)",
    "gzip-trailing-garbage": "corrupt or truncated layer (Not a gzipped file",
    "sparse-4g": "more than a 32-bit wasm memory (4096 MiB) can carry; try the compressed --rootfs erofs-lz4",
    "name-too-long": "has a name longer than Linux allows (255 bytes a component",
    "empty-symlink-target": "symlink 'nowhere' has an empty target",
    "hardlink-to-dir": "hard link 'etc2' points to 'etc', which is not a file in the rootfs",
    "symlink-chain-escape": "entry 'a/x' is written through the symlink 'a'",
    # docker-save archives
    "archive-manifest-not-json": "manifest.json is not valid JSON",
    "archive-manifest-entry-not-object": "manifest.json: an entry is not an object",
    "archive-missing-layer": "/layer.tar (layer)",
    "archive-config-digest-lies": "image config does not match its digest",
    "archive-not-a-tar": "not an OCI layout directory nor a docker-archive tar file",
}
# options a case is converted with (the bomb is small so that the test stays fast)
ARGS = {"gzip-bomb": ["--max-rootfs-size", "16"]}
# accepted, as docker accepts them: converted (--no-snapshot: the boot is tested elsewhere)
ACCEPTED = {
    "device-nodes": "device nodes are recorded in the disk (test_device_nodes_are_recorded_in_the_disk)",
    "plain-tar-says-gzip": "containerd detects compression by the magic bytes, not the media type",
    "env-1mb": "a config with 1 MB of Env (1024 variables of 1000 bytes): docker runs it",
    "whiteout-storm": "20000 files whited out one by one by the next layer (was quadratic: minutes)",
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
    r = convert(img, work, *ARGS.get(name, []))
    lines = r.stderr.strip().splitlines()
    assert r.returncode != 0
    assert len(lines) == 1 and lines[0].startswith("c2w: error: "), r.stderr
    assert REFUSED[name] in lines[0], lines[0]
    after = snapshot_tree(tmp_path)
    assert after - before == {"work/tmpdir"}, after - before  # no output, no temp left, nothing outside


def test_the_corpus_has_at_least_40_named_cases() -> None:
    assert len(REFUSED) + len(ACCEPTED) >= 40 and not set(REFUSED) & set(ACCEPTED)


@pytest.mark.parametrize("name", sorted(set(ACCEPTED) - {"device-nodes"}))
def test_hostile_looking_image_docker_accepts_converts(name: str, tmp_path: Path) -> None:
    img = build(name, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    r = convert(img, work, "--no-snapshot")
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    assert (work / "out.wasm").stat().st_size > 0
    assert sorted(p.name for p in work.iterdir()) == ["out.wasm", "tmpdir"]
    assert not list((work / "tmpdir").iterdir())  # no temp left


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
