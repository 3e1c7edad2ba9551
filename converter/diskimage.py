"""The rootfs as a read-only ext4 disk image (no journal), made without root.

`mke2fs -d` fills the image from the staging directory; owners and device nodes that an
unprivileged staging could not create are set afterwards with `debugfs -w`. The image is
reproducible: UUID and hash seed derive from the content, and every timestamp is fixed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

from .errors import ConvertError
from .layers import Entry

BLOCK = 4096


def _size_estimate(staging: Path) -> tuple[int, int]:
    blocks = 0
    inodes = 0
    for dirpath, dirnames, filenames in os.walk(staging):
        inodes += 1 + len(filenames)
        blocks += 1
        for f in filenames:
            try:
                st = os.lstat(os.path.join(dirpath, f))
            except OSError:
                continue
            blocks += (st.st_size + BLOCK - 1) // BLOCK
    return blocks, inodes


def make_ext4(staging: Path, out: Path, seed: str, fixups: list[tuple[str, Entry]] = [],
              epoch: int = 1) -> int:
    """Build `out` from `staging`; returns the image size in bytes."""
    blocks, inodes = _size_estimate(staging)
    inode_count = max(inodes + 64, int(inodes * 1.1))
    fs_uuid = seed_uuid(seed)
    total = blocks + inode_count * 256 // BLOCK + 2048
    env = {**os.environ, "E2FSPROGS_FAKE_TIME": str(epoch), "MKE2FS_CONFIG": "/dev/null"}
    for attempt in range(4):
        size_blocks = int(total * (1.1 + 0.5 * attempt))
        if out.exists():
            out.unlink()
        cmd = [
            "mke2fs", "-q", "-F", "-t", "ext4", "-b", str(BLOCK), "-N", str(inode_count), "-I", "256",
            "-m", "0", "-O", "^has_journal,^resize_inode,^metadata_csum_seed,extent,huge_file,flex_bg,dir_nlink,extra_isize,64bit",
            "-U", fs_uuid, "-E", f"hash_seed={fs_uuid},root_owner=0:0,lazy_itable_init=0",
            "-L", "rootfs", "-d", str(staging), str(out), str(size_blocks),
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if done.returncode == 0:
            break
        if "No space" not in done.stderr and "Could not allocate" not in done.stderr and "ran out" not in done.stderr:
            raise ConvertError(f"mke2fs failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
    else:
        raise ConvertError("mke2fs: the rootfs did not fit the disk image")
    extra = _ctime_lines(staging, epoch)
    if not (staging / "lost+found").exists():  # mke2fs made it; the image did not have it
        extra.append("rmdir /lost+found")
    _debugfs_fixups(out, fixups, env, extra)
    return out.stat().st_size


def _ctime_lines(staging: Path, epoch: int) -> list[str]:
    """mke2fs -d copies each file's ctime, which is when staging wrote it: set them all to `epoch`."""
    lines = [f"sif / ctime @{epoch}"]
    for dirpath, dirnames, filenames in os.walk(staging):
        dirnames.sort()
        rel = os.path.relpath(dirpath, staging)
        base = "" if rel == "." else "/" + rel
        for name in sorted(dirnames + filenames):
            lines.append(f"sif {_q(base + '/' + name)} ctime @{epoch}")
    return lines


def _debugfs_fixups(image: Path, fixups: list[tuple[str, Entry]], env: dict[str, str], extra: list[str]) -> None:
    lines = []
    for path, e in fixups:
        p = "/" + path
        if e.kind in ("chr", "blk"):
            lines.append(f"mknod {_q(p)} {'c' if e.kind == 'chr' else 'b'} {e.devmajor} {e.devminor}")
            mode = (0o20000 if e.kind == "chr" else 0o60000) | e.mode
            lines.append(f"sif {_q(p)} mode 0{mode:o}")
        lines.append(f"sif {_q(p)} uid {e.uid}")
        lines.append(f"sif {_q(p)} gid {e.gid}")
    script = "\n".join(lines + extra) + "\n"
    done = subprocess.run(["debugfs", "-w", "-f", "-", str(image)], input=script, capture_output=True,
                          text=True, env=env)
    if done.returncode != 0:
        raise ConvertError(f"debugfs failed to fix owners and times: {done.stderr.strip()[:200]}")


def _q(p: str) -> str:
    return '"' + p.replace('"', '\\"') + '"'


def seed_uuid(seed: str) -> str:
    return str(uuid.UUID(hashlib.sha256(seed.encode()).hexdigest()[:32]))


def have_mkfs_erofs() -> bool:
    """erofs-utils present? Without it the default rootfs comes from converter.erofs (pure Python)."""
    return shutil.which("mkfs.erofs") is not None


def make_erofs(staging: Path, out: Path, seed: str, epoch: int = 1, compress: str | None = "lz4hc") -> int:
    """Build an erofs image of `staging` (owners, modes, devices and mtimes as staged; inode
    change times fixed to `epoch`); returns its size. Needs a staging tree with real owners,
    i.e. one materialised as root."""
    if not have_mkfs_erofs():
        raise ConvertError("this rootfs format needs mkfs.erofs (Debian package erofs-utils); "
                           "the default --rootfs erofs works without it")
    fs_uuid = seed_uuid(seed)
    cmd = ["mkfs.erofs", "--quiet", f"-T{epoch}", "--preserve-mtime", f"-U{fs_uuid}", "-x-1"]
    if compress:
        cmd.append(f"-z{compress}")
    done = subprocess.run([*cmd, str(out), str(staging)], capture_output=True, text=True)
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr + done.stdout).splitlines() if ln.strip()]
        raise ConvertError(f"mkfs.erofs failed: {lines[-1] if lines else done.returncode}")
    return out.stat().st_size
