"""Write a gzip'd "newc" cpio archive (the Linux initramfs format) without root.

Entries are described in a small list file, one per line (like the kernel's gen_init_cpio):

    dir   PATH MODE
    file  PATH MODE HOSTFILE
    slink PATH TARGET
    nod   PATH MODE c|b MAJOR MINOR

MODE is octal permission bits. Owner is always 0:0 and mtime 0, so the output depends only on
the list and the file contents (reproducible).

Usage: python3 cpio.py LIST OUT.cpio.gz
"""

from __future__ import annotations

import gzip
import io
import stat
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    path: str
    mode: int  # full st_mode (type + permissions)
    data: bytes = b""
    rdev_major: int = 0
    rdev_minor: int = 0


class ListError(ValueError):
    pass


def _header(ino: int, e: Entry, name: bytes) -> bytes:
    fields = [
        ino, e.mode, 0, 0, 1 if not stat.S_ISDIR(e.mode) else 2, 0, len(e.data),
        0, 0, e.rdev_major, e.rdev_minor, len(name) + 1, 0,
    ]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def _pad4(n: int) -> bytes:
    return b"\0" * ((4 - n % 4) % 4)


def write_cpio(entries: list[Entry]) -> bytes:
    out = io.BytesIO()
    for ino, e in enumerate(entries + [Entry("TRAILER!!!", 0)], start=1):
        name = e.path.lstrip("/").encode() or b"."
        hdr = _header(0 if name == b"TRAILER!!!" else ino, e, name)
        out.write(hdr + name + b"\0")
        out.write(_pad4(len(hdr) + len(name) + 1))
        out.write(e.data)
        out.write(_pad4(len(e.data)))
    return out.getvalue()


def parse_list(text: str, base: Path) -> list[Entry]:
    entries: list[Entry] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split()
        try:
            kind = f[0]
            if kind == "dir" and len(f) == 3:
                entries.append(Entry(f[1], stat.S_IFDIR | int(f[2], 8)))
            elif kind == "file" and len(f) == 4:
                src = Path(f[3]) if Path(f[3]).is_absolute() else base / f[3]
                entries.append(Entry(f[1], stat.S_IFREG | int(f[2], 8), src.read_bytes()))
            elif kind == "slink" and len(f) == 3:
                entries.append(Entry(f[1], stat.S_IFLNK | 0o777, f[2].encode()))
            elif kind == "nod" and len(f) == 6 and f[3] in ("c", "b"):
                t = stat.S_IFCHR if f[3] == "c" else stat.S_IFBLK
                entries.append(Entry(f[1], t | int(f[2], 8), b"", int(f[4]), int(f[5])))
            else:
                raise ListError(f"line {lineno}: cannot parse '{line}'")
        except (ValueError, OSError) as exc:
            raise ListError(f"line {lineno}: {exc}") from exc
    return entries


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: cpio.py LIST OUT.cpio.gz", file=sys.stderr)
        return 2
    lst = Path(argv[1])
    try:
        entries = parse_list(lst.read_text(), lst.parent)
    except (OSError, ListError) as exc:
        print(f"cpio.py: {lst}: {exc}", file=sys.stderr)
        return 1
    Path(argv[2]).write_bytes(gzip_bytes(write_cpio(entries)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
