"""Generated hostile layers (Hypothesis) through the unpacker (converter/layers.py: merge, then
materialize into a staging directory): names with `..` and absolute paths, symlink and hard-link
chains, whiteouts of parents, opaque directories, duplicate entries, device nodes, truncated
and oversize members, layers cut short or followed by junk, digests that lie. The oracle:
either one ConvertError of one line, or a staging tree that holds only what the layers name,
with nothing written beside it; never another exception."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest

pytest.importorskip("hypothesis", reason="hypothesis not installed (make venv installs the test extras)")
from hypothesis import HealthCheck, event, given, settings, strategies as st  # noqa: E402

from converter import layers  # noqa: E402
from converter.errors import ConvertError  # noqa: E402
from converter.image import Image, Layer  # noqa: E402
from testsupport import oci as t  # noqa: E402

NAMES = ["a", "b", "a/b", "a/b/c", "b/a", "l", "l/x", "a/l", "h", "..", "../x", "a/../../x", "/abs",
         "/", ".", "./a", "a//b", ".wh.a", "a/.wh.b", ".wh..wh..opq", "a/.wh..wh..opq", ".wh..", ".wh.",
         "x" * 300, "dev/n"]
TARGETS = ["a", "b", "a/b", "l", "..", "../..", "/", "/etc/passwd", "../outside", "a/../../x", "h",
           "../canary/secret", ""]
SAFE = ["a", "b", "c", "a/b", "a/c", "b/c", "l", "h", "a/.wh.b", ".wh.a", "a/.wh..wh..opq"]
KINDS = ["file", "dir", "symlink", "hardlink", "chr", "blk", "fifo"]

entry = st.builds(
    lambda kind, name, target, data, size_delta: (kind, name, target, data, size_delta),
    st.sampled_from(KINDS), st.one_of(st.sampled_from(SAFE), st.sampled_from(NAMES)),
    st.one_of(st.sampled_from(SAFE), st.sampled_from(TARGETS)), st.binary(max_size=64),
    st.sampled_from([0, 0, 0, -1, 1, 512, 1 << 20]),
)
layer_spec = st.builds(
    lambda entries, compress, damage, lie: (entries, compress, damage, lie),
    st.lists(entry, max_size=8), st.booleans(),
    st.sampled_from(["none"] * 6 + ["truncate", "junk"]), st.sampled_from(["none"] * 6 + ["blob", "diff"]),
)


def tar_bytes(entries: list[tuple]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for kind, name, target, data, size_delta in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            ti.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                       "hardlink": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE,
                       "fifo": tarfile.FIFOTYPE}[kind]
            ti.mode = 0o755 if kind == "dir" else 0o644
            ti.linkname = target if kind in ("symlink", "hardlink") else ""
            ti.devmajor, ti.devminor = (1, 3) if kind in ("chr", "blk") else (0, 0)
            if kind == "file":
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            else:
                tf.addfile(ti)
    raw = buf.getvalue()
    return raw


def lie_about_size(raw: bytes, delta: int) -> bytes:
    """Rewrite the size field of the last regular member's header (truncated or oversize)."""
    pos, last = 0, None
    while pos + 512 <= len(raw) and raw[pos:pos + 512] != b"\0" * 512:
        size = int(raw[pos + 124:pos + 136].strip(b"\0 ") or b"0", 8)
        if raw[pos + 156:pos + 157] in (b"0", b"\0"):
            last = pos
        pos += 512 + (size + 511) // 512 * 512
    if last is None:
        return raw
    size = max(0, int(raw[last + 124:last + 136].strip(b"\0 ") or b"0", 8) + delta)
    hdr = bytearray(raw[last:last + 512])
    hdr[124:136] = b"%011o\0" % size
    hdr[148:156] = b" " * 8
    hdr[148:156] = b"%06o\0 " % sum(hdr)
    return raw[:last] + bytes(hdr) + raw[last + 512:]


def build_image(specs: list[tuple]) -> Image:
    image_layers, diff_ids = [], []
    for entries, compress, damage, lie in specs:
        raw = tar_bytes(entries)
        deltas = [e[4] for e in entries if e[0] == "file" and e[4]]
        if deltas:
            raw = lie_about_size(raw, deltas[0])
        diff_ids.append(t.digest(raw))
        blob = gzip.compress(raw, mtime=0) if compress else raw
        digest = t.digest(blob)
        if damage == "truncate":
            blob = blob[: len(blob) // 2]
        elif damage == "junk":
            blob = blob + b"junk" * 100
        if lie == "blob":
            digest = t.digest(blob + b"!")
        elif lie == "diff":
            diff_ids[-1] = t.digest(raw + b"!")
        mt = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if compress else "")
        image_layers.append(Layer(digest, mt, len(blob), (lambda b=blob: io.BufferedReader(io.BytesIO(b)))))
    config = t.default_config("riscv64", diff_ids)
    return Image("generated", config, "sha256:" + "0" * 64, image_layers)


def snapshot(root: Path) -> dict[str, tuple]:
    out = {}
    for p in root.rglob("*"):
        st_ = p.lstat()
        out[str(p.relative_to(root))] = (st_.st_mode, st_.st_size, st_.st_mtime_ns, st_.st_ino)
    return out


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "300")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(specs=st.lists(layer_spec, min_size=1, max_size=3))
def test_generated_layers_are_refused_in_one_line_or_contained(specs: list[tuple], tmp_path: Path) -> None:
    case = Path(tmp_path) / f"case{len(list(tmp_path.iterdir()))}"
    work = case / "work"
    canary = case / "canary"
    (work).mkdir(parents=True)
    canary.mkdir()
    (canary / "secret").write_text("canary")
    (case / "outside").write_text("beside the work dir")
    before = snapshot(case)
    image = build_image(specs)
    staging = work / "rootfs"
    try:
        tree = layers.merge(image, max_bytes=64 << 20)
        layers.materialize(image, tree, staging)
    except ConvertError as e:
        assert "\n" not in str(e) and str(e), repr(str(e))
        event(f"refused: {str(e).split(': ', 1)[-1][:30]}")
    else:
        event("unpacked")
        for p in staging.rglob("*"):
            rel = p.relative_to(staging).as_posix()
            assert rel in tree.entries, f"{rel} was written but no layer names it"
            if p.is_symlink():
                continue
            assert os.path.realpath(p).startswith(str(staging.resolve()) + "/"), rel
    after = snapshot(case)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert all(k == "work" or k.startswith("work/") for k in changed), sorted(changed)
    assert (canary / "secret").read_text() == "canary"
    shutil.rmtree(case)
