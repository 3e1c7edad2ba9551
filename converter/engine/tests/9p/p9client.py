"""A small 9P2000.L client for the tests: speaks to tests/9p/harness.c over its stdio."""

from __future__ import annotations

import struct
import subprocess
from dataclasses import dataclass

T = {
    "lerror": 6, "statfs": 8, "lopen": 12, "lcreate": 14, "symlink": 16, "mknod": 18,
    "rename": 20, "readlink": 22, "getattr": 24, "setattr": 26, "xattrwalk": 30, "readdir": 40,
    "fsync": 50, "lock": 52, "getlock": 54, "link": 70, "mkdir": 72, "renameat": 74,
    "unlinkat": 76, "version": 100, "attach": 104, "flush": 108, "walk": 110, "read": 116,
    "write": 118, "clunk": 120, "remove": 122,
}
ENOENT, EBADF, EACCES, EEXIST, ENOTDIR, EINVAL, EROFS, ELOOP, EOPNOTSUPP, EPERM = (
    2, 9, 13, 17, 20, 22, 30, 40, 95, 1)
O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND = 0, 1, 2, 0o100, 0o1000, 0o2000
NOFID = 0xFFFFFFFF


class P9Error(Exception):
    def __init__(self, errno: int) -> None:
        super().__init__(f"Rlerror {errno}")
        self.errno = errno


@dataclass
class Qid:
    type: int
    version: int
    path: int


def s(x: str | bytes) -> bytes:
    b = x.encode() if isinstance(x, str) else x
    return struct.pack("<H", len(b)) + b


class Reader:
    def __init__(self, data: bytes) -> None:
        self.d, self.p = data, 0

    def n(self, fmt: str) -> int:
        v = struct.unpack_from("<" + fmt, self.d, self.p)[0]
        self.p += struct.calcsize(fmt)
        return v

    def str(self) -> bytes:
        n = self.n("H")
        v = self.d[self.p:self.p + n]
        self.p += n
        return v

    def qid(self) -> Qid:
        return Qid(self.n("B"), self.n("I"), self.n("Q"))

    def rest(self) -> bytes:
        return self.d[self.p:]


class Client:
    def __init__(self, argv: list[str]) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.tag = 0
        self.runtime = ""

    def close(self) -> None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=30)
        self.proc.stdout.close()
        assert rc == 0, f"9P harness exit status {rc}"

    def rpc(self, name: str, body: bytes) -> Reader:
        assert self.proc.stdin and self.proc.stdout
        self.tag = (self.tag + 1) % 0xFFFF
        msg = struct.pack("<BH", T[name], self.tag) + body
        self.proc.stdin.write(struct.pack("<I", len(msg) + 4) + msg)
        self.proc.stdin.flush()
        hdr = self.proc.stdout.read(7)
        assert len(hdr) == 7, "harness closed its output"
        size, rtype, tag = struct.unpack("<IBH", hdr)
        data = self.proc.stdout.read(size - 7)
        assert tag == self.tag
        if rtype == T["lerror"] + 1:
            raise P9Error(struct.unpack("<I", data)[0])
        assert rtype == T[name] + 1, f"reply type {rtype} to {name}"
        return Reader(data)

    # ---- messages ----
    def version(self, msize: int = 131072, ver: str = "9P2000.L") -> tuple[int, bytes]:
        r = self.rpc("version", struct.pack("<I", msize) + s(ver))
        return r.n("I"), r.str()

    def attach(self, fid: int, uid: int = 0) -> Qid:
        return self.rpc("attach", struct.pack("<II", fid, NOFID) + s("root") + s("") +
                        struct.pack("<I", uid)).qid()

    def walk(self, fid: int, newfid: int, *names: str) -> list[Qid]:
        r = self.rpc("walk", struct.pack("<IIH", fid, newfid, len(names)) +
                     b"".join(s(n) for n in names))
        return [r.qid() for _ in range(r.n("H"))]

    def lopen(self, fid: int, flags: int) -> Qid:
        return self.rpc("lopen", struct.pack("<II", fid, flags)).qid()

    def lcreate(self, fid: int, name: str, flags: int, mode: int = 0o644) -> Qid:
        return self.rpc("lcreate", struct.pack("<I", fid) + s(name) +
                        struct.pack("<III", flags, mode, 0)).qid()

    def read(self, fid: int, off: int, count: int) -> bytes:
        r = self.rpc("read", struct.pack("<IQI", fid, off, count))
        n = r.n("I")
        return r.rest()[:n]

    def write(self, fid: int, off: int, data: bytes) -> int:
        return self.rpc("write", struct.pack("<IQI", fid, off, len(data)) + data).n("I")

    def clunk(self, fid: int) -> None:
        self.rpc("clunk", struct.pack("<I", fid))

    def remove(self, fid: int) -> None:
        self.rpc("remove", struct.pack("<I", fid))

    def getattr(self, fid: int) -> dict[str, int]:
        r = self.rpc("getattr", struct.pack("<IQ", fid, 0x7FF))
        valid = r.n("Q")
        q = r.qid()
        keys = ["mode", "uid", "gid"]
        out = {"valid": valid, "qid_type": q.type, "ino": q.path}
        for k in keys:
            out[k] = r.n("I")
        for k in ["nlink", "rdev", "size", "blksize", "blocks", "atime", "atime_ns", "mtime",
                  "mtime_ns", "ctime", "ctime_ns"]:
            out[k] = r.n("Q")
        return out

    def setattr(self, fid: int, valid: int, mode: int = 0, uid: int = 0, gid: int = 0,
                size: int = 0, atime: int = 0, mtime: int = 0) -> None:
        self.rpc("setattr", struct.pack("<IIIIIQQQQQ", fid, valid, mode, uid, gid, size,
                                        atime, 0, mtime, 0))

    def readdir(self, fid: int, off: int = 0, count: int = 8192) -> list[tuple[str, int, int]]:
        r = self.rpc("readdir", struct.pack("<IQI", fid, off, count))
        n = r.n("I")
        end = r.p + n
        out = []
        while r.p < end:
            r.qid()
            o = r.n("Q")
            t = r.n("B")
            out.append((r.str().decode(), o, t))
        return out

    def mkdir(self, dfid: int, name: str, mode: int = 0o755) -> Qid:
        return self.rpc("mkdir", struct.pack("<I", dfid) + s(name) +
                        struct.pack("<II", mode, 0)).qid()

    def symlink(self, dfid: int, name: str, target: str) -> Qid:
        return self.rpc("symlink", struct.pack("<I", dfid) + s(name) + s(target) +
                        struct.pack("<I", 0)).qid()

    def readlink(self, fid: int) -> bytes:
        return self.rpc("readlink", struct.pack("<I", fid)).str()

    def unlinkat(self, dfid: int, name: str, flags: int = 0) -> None:
        self.rpc("unlinkat", struct.pack("<I", dfid) + s(name) + struct.pack("<I", flags))

    def renameat(self, ofid: int, oname: str, nfid: int, nname: str) -> None:
        self.rpc("renameat", struct.pack("<I", ofid) + s(oname) + struct.pack("<I", nfid) +
                 s(nname))

    def link(self, dfid: int, fid: int, name: str) -> None:
        self.rpc("link", struct.pack("<II", dfid, fid) + s(name))

    def statfs(self, fid: int) -> Reader:
        return self.rpc("statfs", struct.pack("<I", fid))

    def xattrwalk(self, fid: int, newfid: int, name: str) -> None:
        self.rpc("xattrwalk", struct.pack("<II", fid, newfid) + s(name))

    def lock(self, fid: int) -> int:
        return self.rpc("lock", struct.pack("<IBIQQI", fid, 1, 0, 0, 0, 1) + s("c")).n("B")

    def getlock(self, fid: int) -> int:
        return self.rpc("getlock", struct.pack("<IBQQI", fid, 1, 0, 0, 1) + s("c")).n("B")

    def fsync(self, fid: int) -> None:
        self.rpc("fsync", struct.pack("<II", fid, 0))
