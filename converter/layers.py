"""Applying image layers safely into a staging directory.

Pass 1 reads every layer once, verifies its digests, and builds the merged tree in memory
(whiteouts and opaque directories applied, every path checked). Pass 2 re-reads the layers
and writes only the winning entries: directories first, then files, hard links and special
files, and symlinks last, so that no write can ever pass through a symlink. No entry can name
a path outside the rootfs: absolute paths, `..`, writes below a symlink and hard links to
missing or outside files are refused with one line naming the layer and the path.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import stat
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterator

from .errors import ConvertError
from .image import LAYER_TYPES, Image, Layer

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"
DEFAULT_MAX_ROOTFS = 8 << 30
NAME_MAX, PATH_MAX = 255, 4095
# Staged files get an access time in the future, so reading them (mke2fs -d copies atime)
# never updates it under relatime: the disk image stays byte-for-byte reproducible.
STAGING_ATIME = 0x7FFFFFFF


@dataclass
class Entry:
    kind: str  # dir, file, symlink, hardlink, chr, blk, fifo
    mode: int
    uid: int
    gid: int
    mtime: int
    size: int = 0
    linkname: str = ""
    devmajor: int = 0
    devminor: int = 0
    layer: int = -1
    member: int = -1  # a file: the index of the tar member holding its data in `layer`
    xattrs: dict[str, str] = field(default_factory=dict)
    target: "Entry | None" = None  # a hard link: the file entry it was made to


class HashingReader(io.RawIOBase):
    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.hash = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.hash.update(data)
        self.count += n
        return n


def _decompressed(layer: Layer, raw: IO[bytes], what: str) -> IO[bytes]:
    head = raw.peek(4)[:4] if hasattr(raw, "peek") else b""
    kind = LAYER_TYPES.get(layer.media_type, "")
    if head[:2] == b"\x1f\x8b" or (kind == "gz" and not head):
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if head == b"\x28\xb5\x2f\xfd" or kind == "zst":
        if not shutil.which("zstd"):
            raise ConvertError(f"{what}: zstd-compressed layer and no zstd command to read it")
        proc = subprocess.Popen(["zstd", "-dc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        data, _ = proc.communicate(raw.read())
        return io.BytesIO(data)
    return raw


def norm(name: str, what: str) -> str:
    """Normalise a tar member name; refuse absolute paths and `..`."""
    if name.startswith("/"):
        raise ConvertError(f"{what}: entry {name!r} has an absolute path")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise ConvertError(f"{what}: entry {name!r} escapes the rootfs with '..'")
    if any(len(p.encode()) > NAME_MAX for p in parts) or len(name.encode()) > PATH_MAX:
        raise ConvertError(f"{what}: entry {name[:64]!r}... has a name longer than Linux allows "
                           f"({NAME_MAX} bytes a component, {PATH_MAX} in all)")
    return "/".join(parts)


class Tree:
    """The merged rootfs: path (no leading slash; '' is the root) -> Entry."""

    def __init__(self, max_bytes: int):
        self.entries: dict[str, Entry] = {"": Entry("dir", 0o755, 0, 0, 0)}
        # path -> the paths directly below it that are (or were: orphans of remove_one) entries,
        # so that a whiteout costs the size of what it removes, not of the whole tree
        self.kids: dict[str, set[str]] = {}
        self.max_bytes = max_bytes
        self.total = 0

    def _set(self, path: str, entry: Entry) -> None:
        if path not in self.entries and path:
            self.kids.setdefault(path.rsplit("/", 1)[0] if "/" in path else "", set()).add(path)
        self.entries[path] = entry

    def children(self, path: str) -> Iterator[str]:
        """Every path below `path` (all depths)."""
        out, stack = [], [path]
        while stack:
            for k in self.kids.get(stack.pop(), ()):
                out.append(k)
                stack.append(k)
        return iter(out)

    def remove(self, path: str) -> None:
        below = list(self.children(path))
        self.remove_one(path)
        for child in below:
            self.remove_one(child)

    def remove_one(self, path: str) -> None:
        e = self.entries.pop(path, None)
        if e is not None and e.kind == "file":
            self.total -= e.size
        if e is not None and path and not self.kids.get(path):  # (a path with orphans stays listed)
            self.kids.pop(path, None)
            kids = self.kids.get(path.rsplit("/", 1)[0] if "/" in path else "")
            if kids is not None:
                kids.discard(path)

    def ensure_parents(self, path: str, what: str, layer: int) -> None:
        parts = path.split("/")[:-1]
        cur = ""
        for p in parts:
            cur = f"{cur}/{p}" if cur else p
            e = self.entries.get(cur)
            if e is None:
                self._set(cur, Entry("dir", 0o755, 0, 0, 0, layer=layer))
            elif e.kind == "symlink":
                raise ConvertError(f"{what}: entry {path!r} is written through the symlink {cur!r}")
            elif e.kind != "dir":
                raise ConvertError(f"{what}: entry {path!r} has a non-directory parent {cur!r}")

    def add(self, path: str, entry: Entry, what: str) -> None:
        if not path:
            if entry.kind != "dir":
                raise ConvertError(f"{what}: the rootfs itself is replaced by a non-directory")
            old = self.entries[""]
            self.entries[""] = Entry("dir", entry.mode, entry.uid, entry.gid, entry.mtime, layer=entry.layer)
            del old
            return
        self.ensure_parents(path, what, entry.layer)
        old = self.entries.get(path)
        if old is not None and not (old.kind == "dir" and entry.kind == "dir"):
            self.remove(path)
        if entry.kind == "file":
            self.total += entry.size
            if self.total > self.max_bytes:
                raise ConvertError(
                    f"{what}: the rootfs would exceed {self.max_bytes >> 20} MiB at {path!r} "
                    f"({entry.size >> 20} MiB); raise --max-rootfs-size if this is intended"
                )
        self._set(path, entry)


def _entry(m: tarfile.TarInfo, layer: int) -> Entry:
    mode = m.mode & 0o7777
    common = dict(mode=mode, uid=m.uid, gid=m.gid, mtime=int(m.mtime), layer=layer,
                  xattrs={k[len("SCHILY.xattr."):]: v for k, v in (m.pax_headers or {}).items()
                          if k.startswith("SCHILY.xattr.")})
    if m.isdir():
        return Entry("dir", **common)
    if m.issym():
        return Entry("symlink", linkname=m.linkname, **common)
    if m.islnk():
        return Entry("hardlink", linkname=m.linkname, **common)
    if m.ischr():
        return Entry("chr", devmajor=m.devmajor, devminor=m.devminor, **common)
    if m.isblk():
        return Entry("blk", devmajor=m.devmajor, devminor=m.devminor, **common)
    if m.isfifo():
        return Entry("fifo", **common)
    if m.isreg():
        return Entry("file", size=m.size, **common)
    raise ValueError(m.type)


def _members(layer: Layer, index: int, image: Image, verify: bool) -> Iterator[tuple[tarfile.TarInfo, tarfile.TarFile]]:
    what = f"layer {index + 1} ({layer.digest[:19]})"
    raw = layer.open()
    hashing = HashingReader(raw)
    buffered = io.BufferedReader(hashing, 1 << 16)
    stream = _decompressed(layer, buffered, what)
    diff_hash = HashingReader(stream)
    tar_in = io.BufferedReader(diff_hash, 1 << 16)
    try:
        tf = tarfile.open(fileobj=tar_in, mode="r|")
        for m in tf:
            yield m, tf
        # drain the rest so digests cover the whole blob
        while tar_in.read(1 << 16):
            pass
        while buffered.read(1 << 16):
            pass
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, OSError, zlib_error()) as e:
        raise ConvertError(f"{what}: corrupt or truncated layer ({e})") from None
    finally:
        raw.close()
    if not verify:
        return
    diff_ids = (image.config.get("rootfs") or {}).get("diff_ids") or []
    if image.extra.get("diff_ids_only"):
        if f"sha256:{diff_hash.hash.hexdigest()}" != layer.digest:
            raise ConvertError(f"{what}: content does not match its digest {layer.digest}")
    else:
        if f"sha256:{hashing.hash.hexdigest()}" != layer.digest:
            raise ConvertError(f"{what}: content does not match its digest {layer.digest}")
        if index < len(diff_ids) and f"sha256:{diff_hash.hash.hexdigest()}" != diff_ids[index]:
            raise ConvertError(f"{what}: uncompressed content does not match diff_id {diff_ids[index]}")


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def merge(image: Image, max_bytes: int = DEFAULT_MAX_ROOTFS,
          progress: Callable[[int, int], None] | None = None) -> Tree:
    """Pass 1: verify every layer and compute the merged tree."""
    tree = Tree(max_bytes)
    diff_ids = (image.config.get("rootfs") or {}).get("diff_ids") or []
    if len(diff_ids) != len(image.layers):
        raise ConvertError(
            f"{image.reference}: the config lists {len(diff_ids)} diff_ids for {len(image.layers)} layers"
        )
    for i, layer in enumerate(image.layers):
        what = f"layer {i + 1} ({layer.digest[:19]})"
        for n, (m, _tf) in enumerate(_members(layer, i, image, verify=True)):
            path = norm(m.name, what)
            base = path.rsplit("/", 1)[-1]
            parent = path.rsplit("/", 1)[0] if "/" in path else ""
            if base == OPAQUE:
                tree.ensure_parents(path, what, i)
                for child in list(tree.children(parent)):
                    if tree.entries.get(child) is not None and tree.entries[child].layer < i:
                        tree.remove_one(child)
                continue
            if base.startswith(WHITEOUT):
                target = base[len(WHITEOUT):]
                if target in ("", ".", ".."):
                    raise ConvertError(f"{what}: whiteout {m.name!r} names no removable entry")
                tree.ensure_parents(path, what, i)
                tree.remove(f"{parent}/{target}" if parent else target)
                continue
            try:
                entry = _entry(m, i)
            except ValueError:
                raise ConvertError(f"{what}: entry {m.name!r} has unsupported tar type {m.type!r}") from None
            if entry.kind == "symlink" and not entry.linkname:
                raise ConvertError(f"{what}: symlink {m.name!r} has an empty target")
            if entry.kind == "symlink" and (len(entry.linkname.encode()) > PATH_MAX or "\0" in entry.linkname):
                raise ConvertError(f"{what}: symlink {m.name!r} has a target Linux cannot store")
            if entry.kind == "file":
                entry.member = n
            if entry.kind == "hardlink":
                target = norm(entry.linkname, what)
                t = tree.entries.get(target)
                if t is None or t.kind not in ("file", "hardlink"):
                    raise ConvertError(
                        f"{what}: hard link {m.name!r} points to {entry.linkname!r}, which is not a file in the rootfs"
                    )
                if t.kind == "hardlink":  # a chain: link to the file itself
                    target, t = t.linkname, t.target
                entry.linkname, entry.target = target, t
            tree.add(path, entry, what)
        if progress:
            progress(i + 1, len(image.layers))
    _detach_hardlinks(tree)
    return tree


def _detach_hardlinks(tree: Tree) -> None:
    """A hard link whose file a later entry removed or replaced keeps that file's content (as on
    overlayfs): it becomes a file of its own, read from the same tar member."""
    for path, e in sorted(tree.entries.items()):
        if e.kind != "hardlink" or e.target is None or tree.entries.get(e.linkname) is e.target:
            continue
        t = e.target
        e.kind, e.size, e.layer, e.member, e.linkname, e.target = "file", t.size, t.layer, t.member, "", None
        tree.total += e.size
        if tree.total > tree.max_bytes:
            raise ConvertError(f"layer {e.layer + 1}: the rootfs would exceed {tree.max_bytes >> 20} MiB at "
                               f"{path!r}; raise --max-rootfs-size if this is intended")


def materialize(image: Image, tree: Tree, dest: Path, progress: Callable[[int, int], None] | None = None) -> list[tuple[str, Entry]]:
    """Pass 2: write the tree into `dest` (an empty directory we own). Returns the entries
    whose owner or type could not be set here (not root) for the disk-image step to fix."""
    as_root = os.geteuid() == 0
    fixups: list[tuple[str, Entry]] = []
    dest.mkdir(parents=True, exist_ok=True)
    dirs = sorted((p for p, e in tree.entries.items() if e.kind == "dir" and p), key=lambda p: p.count("/"))
    for p in dirs:
        (dest / p).mkdir(exist_ok=True)
    # layer -> tar member index -> the paths that get its data (a duplicate member loses to the
    # last one of its name; a detached hard link reads its old file's member)
    wanted: dict[int, dict[int, list[str]]] = {}
    for p, e in tree.entries.items():
        if e.kind == "file":
            wanted.setdefault(e.layer, {}).setdefault(e.member, []).append(p)
    done = 0
    total = sum(len(paths) for v in wanted.values() for paths in v.values())
    for i, layer in enumerate(image.layers):
        files = wanted.get(i)
        if not files:
            continue
        for n, (m, tf) in enumerate(_members(layer, i, image, verify=False)):
            paths = files.pop(n, None)
            if paths is None or not m.isreg():
                continue
            src = tf.extractfile(m)
            for k, p in enumerate(paths):
                fd = os.open(dest / p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as out:
                    if k:
                        with open(dest / paths[0], "rb") as first:
                            shutil.copyfileobj(first, out, 1 << 20)
                    elif src is not None:
                        shutil.copyfileobj(src, out, 1 << 20)
                done += 1
                if progress and done % 256 == 0:
                    progress(done, total)
            if not files:
                break
    for p, e in sorted(tree.entries.items()):
        if e.kind == "hardlink":
            os.link(dest / e.linkname, dest / p, follow_symlinks=False)
        elif e.kind in ("chr", "blk", "fifo"):
            kind = {"chr": stat.S_IFCHR, "blk": stat.S_IFBLK, "fifo": stat.S_IFIFO}[e.kind]
            if as_root or e.kind == "fifo":
                os.mknod(dest / p, kind | e.mode, os.makedev(e.devmajor, e.devminor))
            else:
                fixups.append((p, e))
    for p, e in tree.entries.items():  # symlinks last: nothing is written after them
        if e.kind == "symlink":
            os.symlink(e.linkname, dest / p)
    for p, e in sorted(tree.entries.items(), key=lambda kv: -kv[0].count("/")):
        target = dest / p if p else dest
        if (e.kind in ("chr", "blk") and not as_root) or e.kind == "hardlink":
            continue  # hard links share their target's inode and metadata
        if as_root:
            os.lchown(target, e.uid, e.gid)
        elif e.uid != os.geteuid() or e.gid != os.getegid():
            fixups.append((p, e))
        if e.kind != "symlink":
            os.chmod(target, e.mode)
        os.utime(target, (STAGING_ATIME, e.mtime), follow_symlinks=False)
    if progress:
        progress(total, total)
    return fixups
