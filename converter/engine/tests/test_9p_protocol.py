"""The 9P2000.L server (p9/server.c) spoken to directly, message by message, natively and as
wasm32-wasi under wasmtime (the same C code the engine runs). Confinement is checked here at
the protocol level, where a guest kernel's own path resolution cannot hide a server bug."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "9p"))
import artifacts  # noqa: E402
from testsupport.runtimes import require_argv  # noqa: E402
from p9client import (  # noqa: E402
    EBADF, EEXIST, ELOOP, ENOENT, ENOTDIR, EOPNOTSUPP, EPERM, EROFS, O_APPEND, O_CREAT, O_RDONLY,
    O_RDWR, O_TRUNC, O_WRONLY, Client, P9Error,
)

Start = Callable[..., Client]


@pytest.fixture(params=["native", "wasmtime", "wazero", "wamr"])
def start(request: pytest.FixtureRequest) -> Iterator[Start]:
    clients: list[Client] = []
    if request.param == "native":
        exe = artifacts.harness("native")

        def argv(share: Path, ro: bool) -> list[str]:
            return [str(exe), str(share)] + (["ro"] if ro else [])
    else:
        runtime, wasm = request.param, artifacts.harness("wasm")

        def argv(share: Path, ro: bool) -> list[str]:
            return require_argv(runtime, wasm, ["/share"] + (["ro"] if ro else []), [(share, "/share")])

    def go(share: Path, ro: bool = False) -> Client:
        c = Client(argv(share, ro))
        c.runtime = request.param
        clients.append(c)
        assert c.version() == (131072, b"9P2000.L")
        c.attach(0)
        return c

    yield go
    for c in clients:
        c.close()


def errno_of(fn: Callable[[], object]) -> int:
    with pytest.raises(P9Error) as e:
        fn()
    return e.value.errno


@pytest.fixture
def share(tmp_path: Path) -> Path:
    d = tmp_path / "share"
    d.mkdir()
    (d / "hello.txt").write_bytes(b"hello from host\n")
    (d / "sub").mkdir()
    (d / "sub" / "inner.txt").write_bytes(b"inner\n")
    return d


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    d = tmp_path / "outside"
    d.mkdir()
    (d / "secret").write_bytes(b"host secret\n")
    return d


def test_version_negotiates_9p2000L_and_caps_msize(start: Start, share: Path) -> None:
    c = start(share)
    assert c.version(msize=1 << 20) == (128 * 1024 + 4096, b"9P2000.L")
    assert c.version(ver="9P2000.u")[1] == b"unknown"


def test_walk_open_read_host_file(start: Start, share: Path) -> None:
    c = start(share)
    qids = c.walk(0, 1, "sub", "inner.txt")
    assert [q.type for q in qids] == [0x80, 0]
    c.lopen(1, O_RDONLY)
    assert c.read(1, 0, 100) == b"inner\n"
    assert c.read(1, 2, 2) == b"ne"
    attr = c.getattr(1)
    assert attr["size"] == 6 and attr["mode"] & 0o170000 == 0o100000
    c.clunk(1)
    assert errno_of(lambda: c.read(1, 0, 1)) == EBADF


def test_walk_dotdot_stays_inside_root(start: Start, share: Path, outside: Path) -> None:
    c = start(share)
    root = c.getattr(0)["ino"]
    qids = c.walk(0, 1, "..", "..", "..")
    assert [q.path for q in qids] == [root] * 3
    # share/../outside/secret exists on the host, but ".." at the root is the root: the walk
    # stops after "..", and no fid 2 is made
    assert [q.path for q in c.walk(0, 2, "..", "outside", "secret")] == [root]
    assert errno_of(lambda: c.getattr(2)) == EBADF
    c.walk(0, 3, "sub", "..")
    assert c.getattr(3)["ino"] == root


def test_walk_refuses_slashes_and_dot_names(start: Start, share: Path) -> None:
    c = start(share)
    for name in ["/etc", "sub/inner.txt", "", "."]:
        with pytest.raises(P9Error):
            c.walk(0, 1, name)
    assert errno_of(lambda: c.walk(0, 1, "../outside")) in (ENOENT, 22)


def test_host_symlink_out_of_root_is_never_followed(start: Start, share: Path,
                                                    outside: Path) -> None:
    (share / "abs").symlink_to(outside)
    (share / "rel").symlink_to(Path("..") / "outside")
    (share / "file-link").symlink_to(outside / "secret")
    c = start(share)
    for name in ["abs", "rel"]:
        q = c.walk(0, 1, name)
        assert q[0].type == 0x02  # a symlink qid: the guest resolves it in its own namespace
        target = os.readlink(share / name)
        if c.runtime == "wasmtime" and target.startswith("/"):
            # wasmtime refuses to read symlinks with an absolute target (EPERM)
            assert errno_of(lambda: c.readlink(1)) == EPERM
        else:
            assert c.readlink(1) == target.encode()
        assert errno_of(lambda: c.lopen(1, O_RDONLY)) == ELOOP
        assert errno_of(lambda: c.walk(1, 2, "secret")) in (ELOOP, ENOTDIR)
        assert len(c.walk(0, 2, name, "secret")) == 1  # stops at the symlink: no fid 2
        assert errno_of(lambda: c.getattr(2)) == EBADF
        assert errno_of(lambda: c.lcreate(1, "planted", O_WRONLY | O_CREAT)) in (ELOOP, ENOTDIR)
        assert errno_of(lambda: c.mkdir(1, "planted")) in (ELOOP, ENOTDIR)
        c.clunk(1)
    c.walk(0, 1, "file-link")
    assert errno_of(lambda: c.lopen(1, O_RDONLY)) == ELOOP
    assert errno_of(lambda: c.setattr(1, 0x8, size=0)) in (ELOOP, 22)
    mode = os.stat(outside / "secret").st_mode
    try:
        c.setattr(1, 0x1, mode=0o777)  # a symlink's mode: ignored, never its target's
    except P9Error:
        pass
    c.setattr(1, 0x10 | 0x20 | 0x80 | 0x100, atime=1, mtime=2)  # the link's own times
    assert os.stat(outside / "secret").st_mode == mode
    assert os.stat(outside / "secret").st_mtime != 2
    # a hard link of the symlink is another symlink, never a link to the file outside
    try:
        c.link(0, 1, "hl")
    except P9Error:
        pass
    assert not (share / "hl").exists() or (share / "hl").is_symlink()
    assert os.stat(outside / "secret").st_nlink == 1
    assert sorted(p.name for p in outside.iterdir()) == ["secret"]
    assert (outside / "secret").read_bytes() == b"host secret\n"


def test_directory_swapped_for_symlink_after_walk_is_not_followed(start: Start, share: Path,
                                                                   outside: Path) -> None:
    c = start(share)
    c.walk(0, 1, "sub")  # fid 1 names "sub", a real directory now
    (share / "sub" / "inner.txt").unlink()
    (share / "sub").rmdir()
    (share / "sub").symlink_to(outside)  # swapped behind the server's back
    assert errno_of(lambda: c.walk(1, 2, "secret")) in (ELOOP, ENOTDIR)
    assert errno_of(lambda: c.lcreate(1, "planted", O_WRONLY | O_CREAT)) in (ELOOP, ENOTDIR)
    assert errno_of(lambda: c.symlink(1, "planted", "x")) in (ELOOP, ENOTDIR)
    assert errno_of(lambda: c.unlinkat(1, "secret")) in (ELOOP, ENOTDIR)
    assert errno_of(lambda: c.renameat(1, "secret", 0, "stolen")) in (ELOOP, ENOTDIR)
    c.walk(0, 3)
    assert errno_of(lambda: c.renameat(0, "hello.txt", 1, "hello.txt")) in (ELOOP, ENOTDIR)
    assert sorted(p.name for p in outside.iterdir()) == ["secret"]
    assert not (share / "stolen").exists()


def test_create_write_read_back_and_append(start: Start, share: Path) -> None:
    c = start(share)
    c.walk(0, 1)
    c.lcreate(1, "new.txt", O_RDWR | O_CREAT | O_TRUNC, 0o640)
    assert c.write(1, 0, b"abc") == 3
    assert c.write(1, 3, b"def") == 3
    assert c.read(1, 0, 100) == b"abcdef"
    c.fsync(1)
    c.clunk(1)
    assert (share / "new.txt").read_bytes() == b"abcdef"
    assert c.getattr(0)["mode"] & 0o170000 == 0o040000
    c.walk(0, 2, "new.txt")
    assert c.getattr(2)["mode"] & 0o777 == 0o640
    c.lopen(2, O_WRONLY)  # an existing file, opened for writing without O_CREAT/O_TRUNC
    assert c.write(2, 6, b"ghi") == 3
    c.clunk(2)
    assert (share / "new.txt").read_bytes() == b"abcdefghi"
    c.walk(0, 3, "hello.txt")
    c.lopen(3, O_WRONLY | O_TRUNC)
    c.write(3, 0, b"x")
    c.clunk(3)
    assert (share / "hello.txt").read_bytes() == b"x"
    c.walk(0, 4)
    assert errno_of(lambda: c.lcreate(4, "new.txt", O_WRONLY | O_CREAT | 0o200)) == EEXIST
    c.walk(0, 5, "new.txt")
    c.lopen(5, O_WRONLY | O_APPEND)
    c.write(5, 9, b"!")
    c.clunk(5)
    assert (share / "new.txt").read_bytes() == b"abcdefghi!"


def test_mkdir_at_depth_rename_unlink_link_symlink(start: Start, share: Path) -> None:
    c = start(share)
    c.mkdir(0, "a")
    c.walk(0, 1, "a")
    c.mkdir(1, "b")
    c.walk(1, 2, "b")
    c.lcreate(2, "f", O_WRONLY | O_CREAT)
    c.write(2, 0, b"deep")
    c.clunk(2)
    assert (share / "a" / "b" / "f").read_bytes() == b"deep"
    c.walk(0, 3, "a", "b")
    c.renameat(3, "f", 0, "moved")  # across directories
    assert (share / "moved").read_bytes() == b"deep" and not (share / "a" / "b" / "f").exists()
    c.renameat(0, "a", 0, "a2")  # fids under the renamed directory follow it
    c.walk(3, 4)
    c.lcreate(4, "g", O_WRONLY | O_CREAT)
    c.clunk(4)
    assert (share / "a2" / "b" / "g").exists()
    c.symlink(0, "sl", "a2/b/g")
    assert os.readlink(share / "sl") == "a2/b/g"
    c.walk(0, 5, "sl")
    assert c.readlink(5) == b"a2/b/g"
    c.walk(0, 6, "moved")
    c.link(0, 6, "hard")
    assert (share / "hard").read_bytes() == b"deep"
    assert os.stat(share / "hard").st_ino == os.stat(share / "moved").st_ino
    c.unlinkat(0, "hard")
    c.unlinkat(3, "g")
    assert errno_of(lambda: c.unlinkat(0, "a2", 0x200)) != 0  # not empty
    c.unlinkat(1, "b", 0x200)
    assert not (share / "a2" / "b").exists()
    c.remove(6)  # Tremove unlinks and clunks
    assert not (share / "moved").exists()
    assert errno_of(lambda: c.getattr(6)) == EBADF


def test_setattr_size_mode_times(start: Start, share: Path) -> None:
    c = start(share)
    c.walk(0, 1, "hello.txt")
    c.setattr(1, 0x8, size=5)
    assert (share / "hello.txt").read_bytes() == b"hello"
    c.setattr(1, 0x1, mode=0o600)
    assert c.getattr(1)["mode"] & 0o7777 == 0o600
    c.setattr(1, 0x10 | 0x20 | 0x80 | 0x100, atime=1000000000, mtime=981173106)
    assert c.getattr(1)["mtime"] == 981173106
    assert int(os.stat(share / "hello.txt").st_mtime) == 981173106
    before = time.time()
    c.setattr(1, 0x8 | 0x20 | 0x40, size=2)  # what truncate(2) sends: size, mtime = now
    c.setattr(1, 0x10 | 0x20)  # touch: atime = mtime = now
    assert (share / "hello.txt").read_bytes() == b"he"
    assert abs(os.stat(share / "hello.txt").st_mtime - before) < 30
    c.attach(7, uid=1000)  # a second guest user (Linux attaches once per user)
    c.walk(7, 8, "sub", "inner.txt")
    st = os.stat(share / "sub" / "inner.txt")
    want = (1000, 1000) if c.runtime != "native" else (st.st_uid, st.st_gid)
    assert (c.getattr(8)["uid"], c.getattr(8)["gid"]) == want  # WASI: the user who looks
    c.setattr(1, 0x2 | 0x4, uid=1234, gid=4321)  # remembered, not applied to the host
    a = c.getattr(1)
    assert (a["uid"], a["gid"]) == (1234, 4321)


def test_readdir_in_small_pieces_lists_every_entry_once(start: Start, share: Path) -> None:
    names = {f"file-{i:03d}-{'x' * (i % 40)}" for i in range(150)}
    for n in names:
        (share / "sub" / n).write_bytes(b"")
    c = start(share)
    c.walk(0, 1, "sub")
    c.lopen(1, O_RDONLY)
    got: list[str] = []
    off = 0
    while True:
        ents = c.readdir(1, off, 300)
        if not ents:
            break
        got += [e[0] for e in ents]
        off = ents[-1][1]
    assert set(got) - {".", ".."} == names | {"inner.txt"}
    assert len([g for g in got if g not in (".", "..")]) == len(names) + 1
    # restarting from an earlier offset gives the same continuation
    first = c.readdir(1, 0, 300)
    again = c.readdir(1, first[1][1], 300)
    assert again[0] == first[2]


def test_large_file_round_trip(start: Start, share: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 123)
    (share / "big.bin").write_bytes(data)
    c = start(share)
    c.walk(0, 1, "big.bin")
    c.lopen(1, O_RDONLY)
    chunk = 128 * 1024  # more than msize allows: the server returns short reads
    got = bytearray()
    while len(got) < len(data):
        piece = c.read(1, len(got), chunk)
        assert 0 < len(piece) <= 131072 - 11
        got += piece
    assert got == data and c.read(1, len(data), chunk) == b""
    assert len(c.read(1, 0, 1 << 20)) <= 128 * 1024 + 4096 - 11  # capped at msize
    c.walk(0, 2)
    c.lcreate(2, "copy.bin", O_WRONLY | O_CREAT)
    chunk = 131072 - 23
    for off in range(0, len(data), chunk):
        assert c.write(2, off, data[off:off + chunk]) == len(data[off:off + chunk])
    c.clunk(2)
    assert (share / "copy.bin").read_bytes() == data


def test_statfs_lock_xattr_mknod(start: Start, share: Path) -> None:
    c = start(share)
    r = c.statfs(0)
    assert r.n("I") == 0x01021997 and r.n("I") > 0
    c.walk(0, 1, "hello.txt")
    c.lopen(1, O_RDWR)
    assert c.lock(1) == 0
    assert c.getlock(1) == 2  # F_UNLCK: nothing conflicts
    assert errno_of(lambda: c.xattrwalk(1, 2, "security.capability")) == EOPNOTSUPP
    assert errno_of(lambda: c.rpc("mknod", b"\0" * 4 + b"\1\0p" + b"\0" * 16)) == EPERM


def test_readonly_share_refuses_every_change(start: Start, share: Path) -> None:
    c = start(share, ro=True)
    c.walk(0, 1, "hello.txt")
    assert errno_of(lambda: c.lopen(1, O_WRONLY)) == EROFS
    c.lopen(1, O_RDONLY)
    assert c.read(1, 0, 5) == b"hello"
    c.walk(0, 2)
    assert errno_of(lambda: c.lcreate(2, "x", O_WRONLY | O_CREAT)) == EROFS
    assert errno_of(lambda: c.mkdir(0, "d")) == EROFS
    assert errno_of(lambda: c.unlinkat(0, "hello.txt")) == EROFS
    assert errno_of(lambda: c.renameat(0, "hello.txt", 0, "y")) == EROFS
    assert errno_of(lambda: c.setattr(2, 0x8, size=0)) == EROFS
    assert sorted(p.name for p in share.iterdir()) == ["hello.txt", "sub"]


def test_bad_messages_get_rlerror_not_a_crash(start: Start, share: Path) -> None:
    c = start(share)
    assert errno_of(lambda: c.rpc("walk", b"\0\0")) == 71  # truncated: EPROTO
    assert errno_of(lambda: c.rpc("lcreate", b"\0" * 4 + b"\5\0ab")) == 71
    assert errno_of(lambda: c.walk(77, 78)) == EBADF
    c.attach(20)
    assert errno_of(lambda: c.remove(20)) == 16  # the root cannot be removed (EBUSY) ...
    assert errno_of(lambda: c.getattr(20)) == EBADF  # ... and the fid is clunked anyway
    c.walk(0, 1, "hello.txt")
    assert errno_of(lambda: c.walk(0, 1)) == EBADF  # newfid in use
    assert c.walk(0, 9, "sub", "missing", "x") == [c.walk(0, 10, "sub")[0]]  # partial walk
    assert errno_of(lambda: c.getattr(9)) == EBADF  # ... creates no fid


def test_harness_bad_directory_is_one_line_error(tmp_path: Path) -> None:
    exe = artifacts.harness("native")
    p = subprocess.run([str(exe), str(tmp_path / "missing")], capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "missing" in p.stderr


def test_paths_resolve_afresh_after_guest_renames_and_deletes(start: Start, share: Path) -> None:
    c = start(share)
    c.mkdir(0, "x")
    c.walk(0, 1, "x")
    c.mkdir(1, "deep")
    c.walk(1, 2, "deep")
    c.lcreate(2, "f1", O_WRONLY | O_CREAT)  # "x" and "x/deep" are now open directories
    c.clunk(2)
    c.renameat(0, "x", 0, "y")
    c.mkdir(0, "x")  # a new, different "x"
    c.walk(0, 3, "x")
    c.lcreate(3, "f2", O_WRONLY | O_CREAT)
    assert (share / "x" / "f2").exists() and not (share / "y" / "f2").exists()
    c.walk(1, 4, "deep")  # fid 1 followed the rename to "y"
    c.lcreate(4, "f3", O_WRONLY | O_CREAT)
    assert (share / "y" / "deep" / "f3").exists()
    c.walk(0, 5, "y", "deep")
    c.unlinkat(5, "f1")
    c.unlinkat(5, "f3")
    c.unlinkat(1, "deep", 0x200)
    c.mkdir(1, "deep")  # recreated: the old directory must not be used
    c.walk(1, 6, "deep")
    c.lcreate(6, "f4", O_WRONLY | O_CREAT)
    assert (share / "y" / "deep" / "f4").exists()


def test_lcreate_of_an_existing_file_opens_it_unchanged(start: Start, share: Path) -> None:
    os.chmod(share / "hello.txt", 0o604)
    c = start(share)
    c.walk(0, 1)
    c.lcreate(1, "hello.txt", O_RDWR | O_CREAT, 0o600)  # no O_EXCL: opens the existing file
    assert c.read(1, 0, 5) == b"hello"
    if c.runtime == "native":
        assert os.stat(share / "hello.txt").st_mode & 0o777 == 0o604  # mode not applied
    c.walk(0, 2)
    assert errno_of(lambda: c.lcreate(2, "sub", O_RDWR | O_CREAT)) == 21  # EISDIR
    (share / "ln").symlink_to("hello.txt")
    assert errno_of(lambda: c.lcreate(2, "ln", O_RDWR | O_CREAT)) in (EEXIST, ELOOP)


def test_walk_clones_an_open_fid(start: Start, share: Path) -> None:
    c = start(share)
    c.walk(0, 1, "sub")
    c.lopen(1, O_RDONLY)
    assert [q.type for q in c.walk(1, 2, "inner.txt")] == [0]
    c.lopen(2, O_RDONLY)
    assert c.read(2, 0, 10) == b"inner\n"


def test_random_messages_never_crash_the_server(share: Path, outside: Path) -> None:
    """5000 seeded random messages (real types, random bodies, small fids) to the native
    server: every one gets a well-formed reply, and nothing appears outside the share."""
    import random
    import struct

    from p9client import T

    (share / "link-out").symlink_to(outside)
    rnd = random.Random(1234)
    c = Client([str(artifacts.harness("native")), str(share)])
    c.version()
    c.attach(0)
    names = [b"hello.txt", b"sub", b"link-out", b"..", b".", b"", b"x", b"a/b", b"/etc"]
    for i in range(5000):
        if i % 10 == 0:  # keep some fids alive: the root, a directory, a file
            for fid, args in ((0, ()), (1, ("sub",)), (2, ("hello.txt",)), (3, ("link-out",))):
                try:
                    c.attach(fid) if fid == 0 else c.walk(0, fid, *args)
                except P9Error:
                    pass
        name = rnd.choice(list(T))
        if name in ("lerror", "version"):
            continue
        body = bytearray()
        for _ in range(rnd.randrange(6)):
            k = rnd.randrange(4)
            if k == 0:
                body += struct.pack("<I", rnd.randrange(4))  # a likely fid
            elif k == 1:
                n = rnd.choice(names)
                body += struct.pack("<H", len(n)) + n
            elif k == 2:
                body += struct.pack("<Q", rnd.choice([0, 1, 4096, 1 << 40]))
            else:
                body += rnd.randbytes(rnd.randrange(12))
        try:
            c.rpc(name, bytes(body))
        except P9Error:
            pass
    c.close()
    assert sorted(p.name for p in outside.iterdir()) == ["secret"]
    assert (outside / "secret").read_bytes() == b"host secret\n"
