"""Build a small OCI image layout from Debian .deb files of one architecture, without Docker or root.

The image has one gzip layer: the packages' files (docs, man pages and locales left out),
merged-/usr symlinks (/bin, /sbin, /lib -> usr/...), one symlink per busybox applet in /usr/bin,
/etc/passwd and /etc/group (root, daemon, nobody, and user 1000 "user" for --user tests), /root,
/home/user and /tmp. Every entry has mtime 0, so the same .debs give the same image digest.

Usage: python3 default_image.py DEBS_DIR OUT_DIR [DEBIAN_ARCH]   (default riscv64)
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DROP = ("usr/share/doc/", "usr/share/man/", "usr/share/locale/", "usr/share/lintian/",
        "usr/share/info/")
# Debian architecture -> OCI platform (architecture, variant) and multiarch triplet
PLATFORMS = {
    "riscv64": ("riscv64", "", "riscv64-linux-gnu"),
    "arm64": ("arm64", "v8", "aarch64-linux-gnu"),
    "amd64": ("amd64", "", "x86_64-linux-gnu"),
    "armhf": ("arm", "v7", "arm-linux-gnueabihf"),
    "i386": ("386", "", "i386-linux-gnu"),
    "ppc64el": ("ppc64le", "", "powerpc64le-linux-gnu"),
    "s390x": ("s390x", "", "s390x-linux-gnu"),
}
MERGED = {"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib"}

PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
user:x:1000:1000:Test User:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
GROUP = """root:x:0:
daemon:x:1:
users:x:100:user
wheel:x:10:user
user:x:1000:
nogroup:x:65534:
"""


class DebError(ValueError):
    pass


@dataclass
class Item:
    info: tarfile.TarInfo
    data: bytes = b""


def ar_members(blob: bytes) -> dict[str, bytes]:
    if not blob.startswith(b"!<arch>\n"):
        raise DebError("not an ar archive")
    out: dict[str, bytes] = {}
    pos = 8
    while pos + 60 <= len(blob):
        hdr = blob[pos:pos + 60]
        name = hdr[:16].decode().strip().rstrip("/")
        size = int(hdr[48:58].decode().strip())
        out[name] = blob[pos + 60:pos + 60 + size]
        pos += 60 + size + (size & 1)
    return out


def deb_data_tar(path: Path) -> tarfile.TarFile:
    members = ar_members(path.read_bytes())
    for name, data in members.items():
        if name == "data.tar.xz":
            return tarfile.open(fileobj=io.BytesIO(lzma.decompress(data)))
        if name == "data.tar.gz":
            return tarfile.open(fileobj=io.BytesIO(gzip.decompress(data)))
        if name == "data.tar":
            return tarfile.open(fileobj=io.BytesIO(data))
        if name == "data.tar.zst":
            if shutil.which("zstd") is None:
                raise DebError(f"{path.name}: data.tar.zst needs the zstd tool")
            raw = subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
            return tarfile.open(fileobj=io.BytesIO(raw))
    raise DebError(f"{path.name}: no data.tar member")


def norm(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    name = name.strip("/")
    if name == ".":
        name = ""
    top, _, rest = name.partition("/")
    if top in MERGED:
        name = MERGED[top] + ("/" + rest if rest else "")
    return name


def busybox_applets(binary: bytes) -> list[str]:
    """Applet names from busybox's packed, sorted applet_names table ("[\\0[[\\0acpid\\0...")."""
    start = binary.find(b"[\x00[[\x00")
    if start < 0:
        raise DebError("busybox binary has no applet table")
    names: list[str] = []
    for raw in binary[start:start + 8192].split(b"\x00"):
        if not raw or not re.fullmatch(rb"[a-z0-9_.\[\]-]+", raw):
            break
        names.append(raw.decode())
    return names


def entry(name: str, kind: bytes, mode: int, uid: int = 0, gid: int = 0, data: bytes = b"",
          link: str = "") -> Item:
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = kind, mode, uid, gid, 0
    ti.uname = ti.gname = ""
    ti.linkname = link
    ti.size = len(data)
    return Item(ti, data)


def collect(debs: list[Path], triplet: str = "riscv64-linux-gnu") -> dict[str, Item]:
    items: dict[str, Item] = {}
    drop = (*DROP, f"usr/lib/{triplet}/gconv/")
    for deb in debs:
        with deb_data_tar(deb) as tar:
            for m in tar.getmembers():
                name = norm(m.name)
                if not name or name.startswith(drop) or name in MERGED:
                    continue
                data = b""
                if m.isfile():
                    f = tar.extractfile(m)
                    data = f.read() if f else b""
                kind = m.type if m.type != tarfile.AREGTYPE else tarfile.REGTYPE
                link = norm(m.linkname) if m.islnk() else m.linkname
                items[name] = entry(name, kind, m.mode, m.uid, m.gid, data, link)
    for top, target in MERGED.items():
        items[top] = entry(top, tarfile.SYMTYPE, 0o777, link=target)
    bb = items.get("usr/bin/busybox")
    if bb is not None:
        for applet in busybox_applets(bb.data):
            name = f"usr/bin/{applet}"
            if applet != "busybox" and name not in items and f"usr/sbin/{applet}" not in items:
                items[name] = entry(name, tarfile.SYMTYPE, 0o777, link="busybox")
    items["etc/passwd"] = entry("etc/passwd", tarfile.REGTYPE, 0o644, data=PASSWD.encode())
    items["etc/group"] = entry("etc/group", tarfile.REGTYPE, 0o644, data=GROUP.encode())
    for d, mode, uid in (("root", 0o700, 0), ("tmp", 0o1777, 0), ("home", 0o755, 0),
                         ("home/user", 0o755, 1000), ("proc", 0o555, 0), ("sys", 0o555, 0),
                         ("dev", 0o755, 0), ("etc", 0o755, 0), ("usr/sbin", 0o755, 0)):
        items.setdefault(d, entry(d, tarfile.DIRTYPE, mode, uid, uid))
    # parent directories that no package listed
    for name in list(items):
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            items.setdefault("/".join(parts[:i]), entry("/".join(parts[:i]), tarfile.DIRTYPE, 0o755))
    return items


def layer_tar(items: dict[str, Item]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(items):
            it = items[name]
            tar.addfile(it.info, io.BytesIO(it.data) if it.info.isreg() else None)
    return buf.getvalue()


def write_blob(blobs: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    (blobs / digest).write_bytes(data)
    return "sha256:" + digest


def build(debs_dir: Path, out: Path, debian_arch: str = "riscv64") -> None:
    if debian_arch not in PLATFORMS:
        raise DebError(f"unknown Debian architecture {debian_arch!r} (known: {', '.join(PLATFORMS)})")
    arch, variant, triplet = PLATFORMS[debian_arch]
    platform = {"architecture": arch, "os": "linux", **({"variant": variant} if variant else {})}
    debs = sorted(debs_dir.glob("*.deb"))
    if not debs:
        raise DebError(f"no .deb files in {debs_dir}")
    tar = layer_tar(collect(debs, triplet))
    gz = gzip.compress(tar, compresslevel=9, mtime=0)
    blobs = out / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    layer_digest = write_blob(blobs, gz)
    config = {
        "created": "1970-01-01T00:00:00Z",
        **platform,
        "config": {"Env": [PATH_ENV], "Cmd": ["/bin/sh"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
        "history": [{"created": "1970-01-01T00:00:00Z",
                     "created_by": "c2w default_image.py: " + " ".join(d.name for d in debs)}],
    }
    cfg = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    cfg_digest = write_blob(blobs, cfg)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": cfg_digest, "size": len(cfg)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer_digest, "size": len(gz)}],
    }
    man = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    man_digest = write_blob(blobs, man)
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": man_digest, "size": len(man),
                       "platform": platform,
                       "annotations": {"org.opencontainers.image.ref.name": "latest"}}],
    }
    (out / "index.json").write_text(json.dumps(index, sort_keys=True, indent=1) + "\n")
    (out / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}\n')


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print("usage: default_image.py DEBS_DIR OUT_DIR [DEBIAN_ARCH]", file=sys.stderr)
        return 2
    try:
        build(Path(argv[1]), Path(argv[2]), *argv[3:])
    except (OSError, DebError, tarfile.TarError, lzma.LZMAError) as exc:
        print(f"default_image.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
