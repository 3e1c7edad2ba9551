"""Mapped directories in the page: a host directory packed into one blob the page loads into its
in-memory file system, and the page's tree at exit written back to the host.

Blob format (shared with static/wasi_host.js): records of
    u8 kind (1 file, 2 dir, 3 symlink: data is its target) | u32 LE path length | path (UTF-8, relative, parents first) |
    u32 LE data length | data
Loaded: directories, regular files and symlinks whose names (and targets) are valid UTF-8 (the
shim's paths are JS strings). Special files and other names are not visible in the page and are never
touched by the write-back. The write-back changes only what the module changed relative to what
was loaded: files whose bytes differ are replaced atomically (mode kept), new files and
directories are created, loaded entries that are gone are deleted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

FILE, DIR, LINK = 1, 2, 3
MAX_FILE = (1 << 32) - 1


class DirSyncError(Exception):
    """A mapped directory cannot be loaded or written back (one-line message)."""


@dataclass
class Loaded:
    """What the page saw of one host directory: relative path -> (kind, sha256 of the bytes)."""

    root: Path
    entries: dict[str, tuple[int, bytes]] = field(default_factory=dict)


def _record(kind: int, rel: str, data: bytes) -> bytes:
    p = rel.encode()
    return struct.pack("<BI", kind, len(p)) + p + struct.pack("<I", len(data)) + data


def _visible(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # surrogate-escaped bytes: not UTF-8
        return False
    return True


def pack(root: Path) -> tuple[bytes, Loaded]:
    """The blob of `root`'s tree, and what it holds."""
    loaded = Loaded(root)
    out = bytearray()

    def walk(d: Path, prefix: str) -> None:
        try:
            names = sorted(os.listdir(d))
        except OSError as e:
            raise DirSyncError(f"cannot read mapped directory {d}: {e.strerror}") from None
        for name in names:
            if not _visible(name):
                continue
            path = d / name
            rel = f"{prefix}{name}"
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):
                out.extend(_record(DIR, rel, b""))
                loaded.entries[rel] = (DIR, b"")
                walk(path, rel + "/")
            elif stat.S_ISLNK(st.st_mode):
                target = os.readlink(path)
                if _visible(target):
                    out.extend(_record(LINK, rel, target.encode()))
                    loaded.entries[rel] = (LINK, hashlib.sha256(target.encode()).digest())
            elif stat.S_ISREG(st.st_mode):
                try:
                    data = path.read_bytes()
                except OSError as e:
                    raise DirSyncError(f"cannot read {path}: {e.strerror}") from None
                if len(data) > MAX_FILE:
                    raise DirSyncError(f"{path} is larger than 4 GiB, too big for the page's file system")
                out.extend(_record(FILE, rel, data))
                loaded.entries[rel] = (FILE, hashlib.sha256(data).digest())

    walk(root, "")
    return bytes(out), loaded


def unpack(blob: bytes) -> dict[str, tuple[int, bytes]]:
    """Parse a blob: relative path -> (kind, data), in blob order. Rejects paths that leave the root."""
    entries: dict[str, tuple[int, bytes]] = {}
    view = memoryview(blob)
    p = 0
    while p < len(blob):
        if p + 5 > len(blob):
            raise DirSyncError("truncated directory record from the page")
        kind, plen = struct.unpack_from("<BI", blob, p)
        p += 5
        rel = bytes(view[p:p + plen]).decode("utf-8", "strict")
        p += plen
        (dlen,) = struct.unpack_from("<I", blob, p)
        p += 4
        data = bytes(view[p:p + dlen])
        p += dlen
        parts = rel.split("/")
        if kind not in (FILE, DIR, LINK) or not rel or any(c in ("", ".", "..") for c in parts) or "\0" in rel:
            raise DirSyncError(f"bad path {rel!r} in a directory record from the page")
        entries[rel] = (kind, data)
    return entries


def _write_file(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".c2w-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if path.is_file() and not path.is_symlink():
            shutil.copymode(path, tmp)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _write_link(path: Path, target: str) -> None:
    tmp = path.parent / f".c2w-link-{os.getpid()}-{path.name}"
    _unlink_quietly(str(tmp))
    os.symlink(target, tmp)
    os.replace(tmp, path)


def write_back(loaded: Loaded, blob: bytes) -> None:
    """Apply the page's tree (`blob`) to the host directory `loaded.root`."""
    new = unpack(blob)
    root = loaded.root
    gone = [rel for rel, (kind, _) in loaded.entries.items() if rel not in new or new[rel][0] != kind]
    try:
        for rel in sorted(gone, key=lambda r: r.count("/"), reverse=True):
            path = root / rel
            if loaded.entries[rel][0] == DIR:
                shutil.rmtree(path, ignore_errors=True)
            elif path.is_symlink() or path.is_file():
                path.unlink()
        for rel, (kind, data) in new.items():
            path = root / rel
            old = loaded.entries.get(rel)
            if kind == DIR:
                if old is None or old[0] != DIR:
                    path.mkdir(exist_ok=True)
            elif old is None or old[0] != kind or old[1] != hashlib.sha256(data).digest():
                if kind == FILE:
                    _write_file(path, data)
                else:
                    _write_link(path, data.decode())
    except OSError as e:
        raise DirSyncError(f"cannot write back mapped directory {root}: {e}") from None
