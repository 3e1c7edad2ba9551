"""Test rootfs images: the default OCI image's layer unpacked and packed as ext4 or erofs."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path


def unpack_oci_layout(layout: Path, dest: Path) -> dict:
    """Unpack every layer of the (single-manifest) OCI layout into dest; return the config."""
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":", 1)[1]
    manifest = json.loads((layout / "blobs/sha256" / digest).read_text())
    config = json.loads(
        (layout / "blobs/sha256" / manifest["config"]["digest"].split(":", 1)[1]).read_text())
    dest.mkdir(parents=True, exist_ok=True)
    for layer in manifest["layers"]:
        blob = layout / "blobs/sha256" / layer["digest"].split(":", 1)[1]
        with tarfile.open(blob, "r:*") as tf:
            tf.extractall(dest, filter="tar")  # keeps owners and modes (we run as root)
    return config


def make_image(tree: Path, out: Path, fstype: str) -> Path:
    """Pack a directory tree as an ext4 (mkfs.ext4 -d) or erofs (mkfs.erofs) image."""
    if fstype == "ext4":
        size_kb = sum(p.lstat().st_size for p in tree.rglob("*")) // 1024 * 2 + 16384
        subprocess.run(["mkfs.ext4", "-q", "-F", "-d", str(tree), "-L", "c2w-root", str(out),
                        f"{size_kb}k"], check=True, capture_output=True)
    elif fstype == "erofs":
        subprocess.run(["mkfs.erofs", str(out), str(tree)], check=True,
                       capture_output=True)
    else:
        raise ValueError(f"unknown rootfs type {fstype}")
    return out
