"""Write the seed corpora of the fuzz harnesses (corpus/<harness>/<name>): small, readable
inputs that reach each request type and each queue path once. Run after changing an input
format: python3 converter/engine/fuzz/gen_seeds.py (reproducers of fixed crashes live beside
the seeds as crash-<what>, written by hand, and are kept)."""

from __future__ import annotations

import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOFID = 0xFFFFFFFF


def s(text: str) -> bytes:
    b = text.encode()
    return struct.pack("<H", len(b)) + b


def rec(type_: int, body: bytes, tag: int = 1) -> bytes:
    msg = struct.pack("<BH", type_, tag) + body
    return struct.pack("<H", len(msg)) + msg


def walk(fid: int, new: int, *names: str) -> bytes:
    return rec(110, struct.pack("<IIH", fid, new, len(names)) + b"".join(s(n) for n in names))


def lopen(fid: int, flags: int) -> bytes:
    return rec(12, struct.pack("<II", fid, flags))


def read(fid: int, off: int = 0, n: int = 4096) -> bytes:
    return rec(116, struct.pack("<IQI", fid, off, n))


def write(fid: int, data: bytes, off: int = 0) -> bytes:
    return rec(118, struct.pack("<IQI", fid, off, len(data)) + data)


def lcreate(fid: int, name: str, flags: int = 0o102, mode: int = 0o644) -> bytes:
    return rec(14, struct.pack("<I", fid) + s(name) + struct.pack("<III", flags, mode, 0))


def clunk(fid: int) -> bytes:
    return rec(120, struct.pack("<I", fid))


def setattr(fid: int, valid: int, mode: int = 0o600, size: int = 0) -> bytes:
    return rec(26, struct.pack("<IIIIIQQQQQ", fid, valid, mode, 0, 0, size, 0, 0, 0, 0))


NINEP: dict[str, bytes] = {
    "read-file": walk(0, 1, "f") + lopen(1, 0) + read(1),
    "walk-up-and-canary": walk(0, 1, "..", "canary", "secret") + walk(0, 2, "up") + lopen(2, 0)
    + walk(0, 3, "canary") + lopen(3, 0) + rec(40, struct.pack("<IQI", 3, 0, 4096)),
    "readlink-abs": walk(0, 1, "abs") + rec(22, struct.pack("<I", 1)) + rec(24, struct.pack("<IQ", 1, 0x3FFF)),
    "create-write-read": lcreate(0, "new") + write(0, b"data" * 8) + walk(0, 1, "new") + lopen(1, 0)
    + read(1) + clunk(1),
    "create-through-symlink": walk(0, 1, "canary") + lcreate(1, "pwned") + walk(0, 2, "d", "secret")
    + lopen(2, 2) + write(2, b"x"),
    "mkdir-symlink-link": rec(72, struct.pack("<I", 0) + s("dir") + struct.pack("<II", 0o755, 0))
    + rec(16, struct.pack("<I", 0) + s("ln") + s("../canary/secret") + struct.pack("<I", 0))
    + walk(0, 1, "f") + rec(70, struct.pack("<II", 0, 1) + s("hard")),
    "rename-unlink": rec(74, struct.pack("<I", 0) + s("f") + struct.pack("<I", 0) + s("g"))
    + walk(0, 1, "d") + rec(20, struct.pack("<II", 1, 0) + s("e"))
    + rec(76, struct.pack("<I", 0) + s("e") + struct.pack("<I", 0x200))
    + rec(76, struct.pack("<I", 0) + s("up") + struct.pack("<I", 0)),
    "setattr-truncate": walk(0, 1, "f") + setattr(1, 0x1 | 0x8, size=1 << 40) + setattr(0, 0x1, mode=0)
    + walk(0, 2, "canary") + setattr(2, 0x1, mode=0o777),
    "readdir-statfs-fsync": walk(0, 1) + lopen(1, 0) + rec(40, struct.pack("<IQI", 1, 0, 100))
    + rec(40, struct.pack("<IQI", 1, 3, 100)) + rec(8, struct.pack("<I", 0)) + rec(50, struct.pack("<II", 1, 0)),
    "xattr-lock-remove": rec(30, struct.pack("<II", 0, 5) + s("user.x")) + read(5)
    + walk(0, 1, "f") + lopen(1, 2) + rec(52, struct.pack("<IBIQQI", 1, 1, 0, 0, 0, 1) + s("c"))
    + rec(54, struct.pack("<IBQQI", 1, 1, 0, 0, 1) + s("c")) + rec(122, struct.pack("<I", 1)),
    "reversion-reattach": rec(100, struct.pack("<I", 4096) + s("9P2000.L"))
    + rec(104, struct.pack("<II", 7, NOFID) + s("") + s("") + struct.pack("<I", 1000)) + walk(7, 8, "f"),
    "mknod-truncated": rec(18, struct.pack("<I", 0) + s("n")) + b"\x03\x00\x18",
}

# virtq programs (see fuzz_virtq.c): op, then operands
def q_setup(dev: int, q: int, num: int = 8, desc: int = 0x1000, avail: int = 0x2000, used: int = 0x3000) -> bytes:
    return struct.pack("<BBBHIII", 3, dev, q, num, desc, avail, used)


def desc(dev: int, q: int, i: int, addr: int, length: int, flags: int, nxt: int) -> bytes:
    return struct.pack("<BBBBIIBH", 4, dev, q, i, addr, length, flags, nxt)


def avail(dev: int, q: int, head: int) -> bytes:
    return struct.pack("<BBBH", 5, dev, q, head)


def kick(dev: int, q: int) -> bytes:
    return struct.pack("<BBB", 6, dev, q)


def ram(off: int, data: bytes) -> bytes:
    return struct.pack("<BHB", 0, off, len(data)) + data


BLK_READ = struct.pack("<IIQ", 0, 0, 1)
P9_VERSION = struct.pack("<IBHI", 19, 100, 0xFFFF, 8192) + s("9P2000.L")
VIRTQ: dict[str, bytes] = {
    "blk-read": q_setup(0, 0) + ram(0x4000, BLK_READ) + desc(0, 0, 0, 0x4000, 16, 1, 1)
    + desc(0, 0, 1, 0x5000, 512, 3, 2) + desc(0, 0, 2, 0x6000, 1, 2, 0) + avail(0, 0, 0) + kick(0, 0),
    "blk-loop": q_setup(0, 0) + ram(0x4000, BLK_READ) + desc(0, 0, 0, 0x4000, 16, 1, 1)
    + desc(0, 0, 1, 0x5000, 512, 3, 0) + avail(0, 0, 0) + kick(0, 0),
    "blk-huge-len": q_setup(0, 0) + ram(0x4000, BLK_READ) + desc(0, 0, 0, 0x4000, 16, 1, 1)
    + desc(0, 0, 1, 0x5000, 0xFFFFFFFF, 3, 2) + desc(0, 0, 2, 0xFFFF, 0xFFFFFFFF, 2, 0) + avail(0, 0, 0) + kick(0, 0),
    "blk-outside-ram": q_setup(0, 0, desc=0x80000001) + avail(0, 0, 0) + kick(0, 0)
    + q_setup(0, 0) + desc(0, 0, 0, 0x80001234, 16, 0, 0) + avail(0, 0, 0) + kick(0, 0),
    "rng": q_setup(1, 0) + desc(1, 0, 0, 0x5000, 64, 2, 0) + avail(1, 0, 0) + kick(1, 0),
    "console-ctl": q_setup(2, 3) + q_setup(2, 2, desc=0x7000, avail=0x8000, used=0x9000)
    + desc(2, 2, 0, 0xA000, 64, 2, 0) + avail(2, 2, 0) + ram(0x4000, struct.pack("<IHH", 0, 0, 1))
    + desc(2, 3, 0, 0x4000, 8, 0, 0) + avail(2, 3, 0) + kick(2, 3) + bytes([7]),
    "ctl-records": q_setup(2, 5) + ram(0x4000, bytes([0x82, 0, 0, 0, 3, 0, 0, 0]) + b"hi\n"
                                       + bytes([0x84, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0]))
    + desc(2, 5, 0, 0x4000, 23, 0, 0) + avail(2, 5, 0) + kick(2, 5),
    "console-tx": q_setup(2, 1) + ram(0x4000, b"hello console\n") + desc(2, 1, 0, 0x4000, 14, 0, 0)
    + avail(2, 1, 0) + kick(2, 1),
    "9p-version": q_setup(3, 0) + ram(0x4000, P9_VERSION) + desc(3, 0, 0, 0x4000, len(P9_VERSION), 1, 1)
    + desc(3, 0, 1, 0x5000, 8192, 2, 0) + avail(3, 0, 0) + kick(3, 0),
    "config-read": struct.pack("<BBH", 2, 3, 0x100) + struct.pack("<BBH", 2, 0, 0x1FC)
    + struct.pack("<BBHI", 1, 2, 0x1FE, 0xFFFFFFFF),
}

PAYLOAD: dict[str, bytes] = {
    "one-kernel": b"C2WPAYL1" + struct.pack("<II", 1, 0) + struct.pack("<IIII", 1, 0x100000, 4096, 0),
    "count-max": b"C2WPAYL1" + struct.pack("<II", 255, 0) + struct.pack("<IIII", 2, 0x2000, 0, 0) * 3,
    "count-too-big": b"C2WPAYL1" + struct.pack("<II", 256, 0),
}


# fuzz_net / fuzz_netmux (fuzz_net.c): flags byte, then ops
def raw(data: bytes) -> bytes:
    return bytes([0, len(data)]) + data


def fill(n: int, b: int) -> bytes:
    return bytes([1]) + struct.pack("<HB", n, b)


NEXT, DONE, STDIN = bytes([2]), bytes([3]), bytes([6])


def send(n: int, b: int) -> bytes:
    return bytes([4]) + struct.pack("<HB", n, b)


def stdout(n: int, b: int) -> bytes:
    return bytes([5]) + struct.pack("<HB", n, b)


def frame(n: int, b: int) -> bytes:  # a socket frame of n bytes
    return raw(struct.pack(">I", n)) + fill(n, b)


def msg(type_: int, n: int, b: int) -> bytes:  # a multiplex message with n data bytes
    return raw(struct.pack(">IB", n + 1, type_)) + fill(n, b)


NET: dict[str, bytes] = {
    "two-frames": b"\0" + frame(60, 0x11) + frame(1514, 0x22) + NEXT + DONE + NEXT + DONE,
    "biggest-frame": b"\0" + raw(struct.pack(">I", 65550)) + fill(65535, 0x33) + fill(15, 0x33) + NEXT + DONE,
    "split-header": b"\0" + raw(b"\0\0") + NEXT + raw(b"\0\x40") + fill(64, 1) + NEXT + DONE,
    "bad-length": b"\0" + frame(60, 1) + raw(struct.pack(">I", 0x10000000)) + NEXT + DONE + NEXT,
    "send-frames": b"\0" + send(60, 0x45) + send(9000, 0x45) + send(0, 0) + send(65535, 1),
}

NETMUX: dict[str, bytes] = {
    "frame-stdin-eof": b"\1" + msg(0, 60, 0x11) + msg(1, 3, 0x61) + raw(struct.pack(">IB", 1, 2)) + NEXT + DONE
    + STDIN,
    "stdin-unwanted-dropped": b"\0" + msg(1, 100, 0x61) + msg(0, 60, 0x11) + NEXT + DONE,
    "unknown-type-dropped": b"\1" + msg(7, 10, 0x61) + msg(0, 60, 0x11) + NEXT + DONE,
    "stdout-and-frames": b"\1" + stdout(100, 0x6f) + send(60, 0x45) + stdout(65535, 0x6f),
    # reproducer: stdin over the input queue's 4 KiB waited at the head of the buffer, and
    # net_next_frame handed it to the guest as a network frame
    "stdin-waiting-handed-out-as-frame": b"\1" + msg(1, 5000, 0x61) + msg(0, 60, 0x11) + NEXT + DONE + STDIN
    + NEXT + DONE,
    # reproducer: a full-size frame (65550 bytes + the type byte) disconnected the multiplex
    "biggest-frame": b"\0" + raw(struct.pack(">IB", 65551, 0)) + fill(60000, 0x33) + NEXT + fill(5550, 0x33)
    + NEXT + DONE,
}


def main() -> None:
    for name, seeds in (("9p", NINEP), ("virtq", VIRTQ), ("payload", PAYLOAD), ("net", NET), ("netmux", NETMUX)):
        d = HERE / "corpus" / name
        d.mkdir(parents=True, exist_ok=True)
        for k, v in seeds.items():
            (d / k).write_bytes((b"\x7e" if name == "9p" else b"") + v)


if __name__ == "__main__":
    main()
