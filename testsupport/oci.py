"""Building small OCI layouts and docker archives from Python, for tests and the hostile corpus."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class TarEntry:
    name: str
    data: bytes = b""
    type: bytes = tarfile.REGTYPE
    mode: int = 0o644
    linkname: str = ""
    uid: int = 0
    gid: int = 0
    devmajor: int = 0
    devminor: int = 0
    size: int | None = None  # override the header size (truncation tests)


def file(name: str, data: bytes | str = b"", mode: int = 0o644, **kw: object) -> TarEntry:
    return TarEntry(name, data.encode() if isinstance(data, str) else data, mode=mode, **kw)  # type: ignore[arg-type]


def directory(name: str, mode: int = 0o755) -> TarEntry:
    return TarEntry(name, type=tarfile.DIRTYPE, mode=mode)


def symlink(name: str, target: str) -> TarEntry:
    return TarEntry(name, type=tarfile.SYMTYPE, linkname=target, mode=0o777)


def hardlink(name: str, target: str) -> TarEntry:
    return TarEntry(name, type=tarfile.LNKTYPE, linkname=target)


def chardev(name: str, major: int, minor: int) -> TarEntry:
    return TarEntry(name, type=tarfile.CHRTYPE, devmajor=major, devminor=minor, mode=0o666)


def layer_tar(entries: list[TarEntry]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            ti = tarfile.TarInfo(e.name)
            ti.type = e.type
            ti.mode = e.mode
            ti.uid, ti.gid = e.uid, e.gid
            ti.mtime = 1700000000
            ti.linkname = e.linkname
            ti.devmajor, ti.devminor = e.devmajor, e.devminor
            if e.type == tarfile.REGTYPE:
                ti.size = len(e.data)
                tf.addfile(ti, io.BytesIO(e.data))
            else:
                tf.addfile(ti)
    return buf.getvalue()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def default_config(arch: str = "riscv64", diff_ids: list[str] | None = None, **cfg: object) -> dict:
    return {
        "architecture": arch,
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], **cfg},
        "rootfs": {"type": "layers", "diff_ids": diff_ids or []},
    }


class LayoutWriter:
    """Writes an OCI image layout directory."""

    def __init__(self, root: Path):
        self.root = root
        (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')

    def blob(self, data: bytes) -> str:
        d = digest(data)
        (self.root / "blobs" / "sha256" / d[7:]).write_bytes(data)
        return d

    def image(self, layers: list[list[TarEntry]] | list[bytes], arch: str = "riscv64",
              compress: bool = True, **cfg: object) -> dict:
        """Add one image; returns its manifest descriptor (not yet in index.json)."""
        descs, diff_ids = [], []
        for layer in layers:
            raw = layer if isinstance(layer, bytes) else layer_tar(layer)
            diff_ids.append(digest(raw))
            blob = gzip.compress(raw, mtime=0) if compress else raw
            mt = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if compress else "")
            descs.append({"mediaType": mt, "digest": self.blob(blob), "size": len(blob)})
        config = json.dumps(default_config(arch, diff_ids, **cfg)).encode()
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": self.blob(config), "size": len(config)},
            "layers": descs,
        }
        m = json.dumps(manifest).encode()
        return {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": self.blob(m),
                "size": len(m), "platform": {"os": "linux", "architecture": arch}}

    def index(self, manifests: list[dict], tag: str | None = "latest") -> None:
        if tag:
            for m in manifests:
                m.setdefault("annotations", {})["org.opencontainers.image.ref.name"] = tag
        (self.root / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": manifests}))


def oci_layout(root: Path, layers: list[list[TarEntry]], arch: str = "riscv64", **cfg: object) -> Path:
    w = LayoutWriter(root)
    w.index([w.image(layers, arch, **cfg)])
    return root


def docker_archive(path: Path, layers: list[list[TarEntry]], arch: str = "riscv64", tag: str = "test:latest",
                   **cfg: object) -> Path:
    raws = [layer_tar(l) for l in layers]
    diff_ids = [digest(r) for r in raws]
    config = json.dumps(default_config(arch, diff_ids, **cfg)).encode()
    cfg_name = digest(config)[7:] + ".json"
    names = [f"{d[7:]}/layer.tar" for d in diff_ids]
    manifest = [{"Config": cfg_name, "RepoTags": [tag], "Layers": names}]
    with tarfile.open(path, "w") as tf:
        def add(name: str, data: bytes) -> None:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        add(cfg_name, config)
        for n, r in zip(names, raws):
            add(n, r)
        add("manifest.json", json.dumps(manifest).encode())
    return path


REPO = Path(__file__).resolve().parents[1]


def project_image(arch: str | None = None) -> Path:
    """The project's test image (an OCI layout: converter/guest/build-default-image.sh [ARCH]; riscv64
    when ARCH is None, else that Debian architecture's busybox-static + hello), cached by content hash."""
    r = subprocess.run([str(REPO / "converter/guest/build-default-image.sh"), *([arch] if arch else [])],
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr[-2000:]
    return Path(r.stdout.strip().splitlines()[-1])


def run_c2w(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "converter.cli", "-q", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO)


def derive(layout: Path, dest: Path, **config: object) -> Path:
    """Copy an OCI layout, replacing keys of its image config's `config` object."""
    shutil.copytree(layout, dest)
    index = json.loads((dest / "index.json").read_text())
    desc = index["manifests"][0]

    def blob(digest: str) -> Path:
        return dest / "blobs/sha256" / digest.split(":", 1)[1]

    def put(data: bytes) -> str:
        d = "sha256:" + hashlib.sha256(data).hexdigest()
        blob(d).write_bytes(data)
        return d

    manifest = json.loads(blob(desc["digest"]).read_bytes())
    cfg = json.loads(blob(manifest["config"]["digest"]).read_bytes())
    cfg["config"].update(config)
    raw_cfg = json.dumps(cfg).encode()
    manifest["config"] = {**manifest["config"], "digest": put(raw_cfg), "size": len(raw_cfg)}
    raw_manifest = json.dumps(manifest).encode()
    desc.update(digest=put(raw_manifest), size=len(raw_manifest))
    (dest / "index.json").write_text(json.dumps(index))
    return dest
