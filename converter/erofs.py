"""An uncompressed erofs image of a staging tree, written in pure Python (no mkfs.erofs needed:
what an installed wheel uses on a machine without erofs-utils).

Layout (4 KiB blocks, meta_blkaddr 0): the superblock at 1024, then every inode (64-byte
extended form: 32-bit owners, mtime) in tree order, each followed by the tail of its data when
the tail fits in the rest of that block (FLAT_INLINE), else its data is all in whole blocks
(FLAT_PLAIN); then the whole data blocks. No xattrs (like `mkfs.erofs -x-1`). Owners and device
nodes an unprivileged staging could not set come from `fixups`. The same tree gives the same
bytes: UUID from the caller's seed, times as staged, inode change times = `epoch`.
"""

from __future__ import annotations

import os
import stat
import struct
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .errors import ConvertError
from .layers import Entry

BLOCK = 4096
MAGIC = 0xE0F5E1E2
SUPER_OFFSET = 1024
ISIZE = 64  # struct erofs_inode_extended
DIRENT = 12  # struct erofs_dirent: nid (le64), nameoff (le16), file_type, reserved
FLAT_PLAIN, FLAT_INLINE = 0, 2
FILE_TYPES = {stat.S_IFREG: 1, stat.S_IFDIR: 2, stat.S_IFCHR: 3, stat.S_IFBLK: 4, stat.S_IFIFO: 5,
              stat.S_IFSOCK: 6, stat.S_IFLNK: 7}
DEV_KIND = {"chr": stat.S_IFCHR, "blk": stat.S_IFBLK}


@dataclass
class Node:
    path: str  # staging-relative, "" for the root
    mode: int
    uid: int
    gid: int
    mtime: int
    mtime_ns: int
    rdev: int = 0
    size: int = 0
    nlink: int = 1
    children: list[tuple[bytes, Node]] = field(default_factory=list)
    parent: Node | None = None
    pos: int = 0  # byte offset of the inode
    inline: int = 0  # tail bytes stored after the inode
    blkaddr: int = 0
    link: bytes = b""

    @property
    def nid(self) -> int:
        return self.pos // 32

    @property
    def full_blocks(self) -> int:
        return (self.size - self.inline + BLOCK - 1) // BLOCK


def _encode_dev(major: int, minor: int) -> int:  # the kernel's new_encode_dev
    return (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12)


def _scan(staging: Path, fixups: list[tuple[str, Entry]]) -> list[Node]:
    """Every inode of the tree, root first then breadth-first, hard links sharing one Node."""
    fix = dict(fixups)
    seen: dict[tuple[int, int], Node] = {}

    def node(rel: str, st: os.stat_result) -> Node:
        n = Node(rel, st.st_mode, st.st_uid, st.st_gid, max(0, st.st_mtime_ns // 10**9), max(0, st.st_mtime_ns) % 10**9)
        if stat.S_ISREG(st.st_mode):
            n.size = st.st_size
        elif stat.S_ISLNK(st.st_mode):
            n.link = os.fsencode(os.readlink(staging / rel))
            n.size = len(n.link)
        elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            n.rdev = _encode_dev(os.major(st.st_rdev), os.minor(st.st_rdev))
        e = fix.get(rel)
        if e is not None:
            n.uid, n.gid = e.uid, e.gid
        return n

    root = node("", os.lstat(staging))
    order = [root]
    i = 0
    while i < len(order):
        d = order[i]
        i += 1
        if not stat.S_ISDIR(d.mode):
            continue
        base = staging / d.path if d.path else staging
        names = set(os.listdir(base))
        names.update(p.rpartition("/")[2] for p, e in fixups
                     if e.kind in DEV_KIND and p.rpartition("/")[0] == d.path)
        for name in sorted(names):
            rel = f"{d.path}/{name}" if d.path else name
            e = fix.get(rel)
            if e is not None and e.kind in DEV_KIND and not os.path.lexists(base / name):
                child = Node(rel, DEV_KIND[e.kind] | e.mode, e.uid, e.gid, e.mtime, 0,
                             rdev=_encode_dev(e.devmajor, e.devminor))
            else:
                st = os.lstat(base / name)
                key = (st.st_dev, st.st_ino)
                if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1 and key in seen:
                    child = seen[key]
                    child.nlink += 1
                    d.children.append((os.fsencode(name), child))
                    continue
                child = node(rel, st)
                seen[key] = child
            child.parent = d
            d.children.append((os.fsencode(name), child))
            order.append(child)
    for n in order:
        if stat.S_ISDIR(n.mode):
            n.nlink = 2 + sum(1 for _, c in n.children if stat.S_ISDIR(c.mode))
            n.size = _dir_size(n)
    return order


def _dir_entries(d: Node) -> list[tuple[bytes, Node]]:
    return sorted([(b".", d), (b"..", d.parent or d), *d.children])


def _dir_blocks(d: Node) -> list[list[tuple[bytes, Node]]]:
    blocks: list[list[tuple[bytes, Node]]] = [[]]
    used = 0
    for name, child in _dir_entries(d):
        if used + DIRENT + len(name) > BLOCK:
            blocks.append([])
            used = 0
        blocks[-1].append((name, child))
        used += DIRENT + len(name)
    return blocks


def _dir_size(d: Node) -> int:
    blocks = _dir_blocks(d)
    last = sum(DIRENT + len(name) for name, _ in blocks[-1])
    return (len(blocks) - 1) * BLOCK + last


def _dir_data(d: Node) -> bytes:
    out = bytearray()
    for block in _dir_blocks(d):
        heads = bytearray()
        names = bytearray()
        nameoff = DIRENT * len(block)
        for name, child in block:
            heads += struct.pack("<QHBB", child.nid, nameoff + len(names), FILE_TYPES[stat.S_IFMT(child.mode)], 0)
            names += name
        chunk = bytes(heads + names)
        out += chunk if len(out) + len(chunk) == d.size else chunk.ljust(BLOCK, b"\0")
    return bytes(out)


def _layout(nodes: list[Node]) -> int:
    """Place inodes (with inline tails) from just after the superblock, then whole data blocks;
    returns the total number of blocks."""
    pos = SUPER_OFFSET + 128
    for n in nodes:
        tail = n.size % BLOCK
        if tail and stat.S_IFMT(n.mode) in (stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK) and ISIZE + tail <= BLOCK:
            if pos % BLOCK + ISIZE + tail > BLOCK:
                pos = (pos + BLOCK - 1) // BLOCK * BLOCK
            n.inline = tail
        elif pos % BLOCK + ISIZE > BLOCK:
            pos = (pos + BLOCK - 1) // BLOCK * BLOCK
        n.pos = pos
        pos = (pos + ISIZE + n.inline + 31) // 32 * 32
    block = (pos + BLOCK - 1) // BLOCK
    for n in nodes:
        if n.full_blocks:
            n.blkaddr = block
            block += n.full_blocks
    return block


def _inode(n: Node, ino: int) -> bytes:
    layout = FLAT_INLINE if n.inline else FLAT_PLAIN
    i_u = n.rdev if stat.S_ISCHR(n.mode) or stat.S_ISBLK(n.mode) else n.blkaddr
    return struct.pack("<HHHHQIIIIQII16x", 1 | (layout << 1), 0, n.mode & 0xFFFF, 0, n.size, i_u, ino,
                       n.uid, n.gid, n.mtime, n.mtime_ns, n.nlink)


def _data(n: Node, staging: Path) -> bytes | None:
    """Small contents in memory (dirs, symlinks); None for a regular file read when written."""
    if stat.S_ISDIR(n.mode):
        return _dir_data(n)
    if stat.S_ISLNK(n.mode):
        return n.link
    return None


def _copy_file(n: Node, staging: Path, out: BinaryIO) -> None:
    """Write a regular file's whole blocks at its blkaddr (zero-padded) and its tail after its inode."""
    with open(staging / n.path, "rb") as f:
        head = n.size - n.inline
        out.seek(n.blkaddr * BLOCK)
        left = head
        while left:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:
                raise ConvertError(f"{n.path}: file shrank while the disk image was written")
            out.write(chunk)
            left -= len(chunk)
        if head % BLOCK:
            out.write(b"\0" * (BLOCK - head % BLOCK))
        tail = f.read(n.inline)
    out.seek(n.pos + ISIZE)
    out.write(tail)


def make_erofs_py(staging: Path, out: Path, seed_uuid: str, epoch: int = 1,
                  fixups: list[tuple[str, Entry]] = []) -> int:
    """Write `out`; returns its size in bytes."""
    nodes = _scan(staging, fixups)
    if len(nodes) >= 1 << 32:
        raise ConvertError("the rootfs has too many files for one erofs image")
    blocks = _layout(nodes)
    with open(out, "wb") as f:
        f.truncate(blocks * BLOCK)
        for ino, n in enumerate(nodes, 1):
            f.seek(n.pos)
            f.write(_inode(n, ino))
            data = _data(n, staging)
            if data is None:
                if stat.S_ISREG(n.mode) and n.size:
                    _copy_file(n, staging, f)
                continue
            head = len(data) - n.inline
            if n.inline:
                f.write(data[head:])
            if head:
                f.seek(n.blkaddr * BLOCK)
                f.write(data[:head])
        sb = struct.pack("<IIIBBHQQIIII16s16sIHHH", MAGIC, 0, 0, 12, 0, nodes[0].nid, len(nodes), epoch, 0,
                         blocks, 0, 0, uuid.UUID(seed_uuid).bytes, b"rootfs", 0, 0, 0, 0)
        f.seek(SUPER_OFFSET)
        f.write(sb.ljust(128, b"\0"))
    if nodes[0].nid >= 1 << 16:
        raise ConvertError("erofs: the root inode is out of the superblock's reach")
    return out.stat().st_size
