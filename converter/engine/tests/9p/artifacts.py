"""Build (or take from the cache) what the virtio-9p tests need, with the project's own scripts."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINE = HERE.parent.parent
GUEST = ENGINE.parent / "guest"
CACHE = Path(os.environ.get("C2W_CACHE", Path.home() / ".cache" / "c2w"))


def last_line(argv: list[str], timeout: float = 1800) -> Path:
    """Run a build script and return the path it prints on its last stdout line."""
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stderr[-3000:]}")
    path = Path(proc.stdout.strip().splitlines()[-1])
    assert path.exists(), f"{argv[0]} printed {path}, which does not exist"
    return path


def engine(target: str) -> Path:
    out = last_line([str(ENGINE / "build.sh"), target])
    return out / ("c2w-engine" if target == "native" else "engine.wasm")


def kernel() -> Path:
    return last_line([str(GUEST / "build-kernel.sh")])


def busybox() -> Path:
    return last_line([str(GUEST / "fetch-userland.sh"), "busybox-static"]) / "root/usr/bin/busybox"


def runas() -> Path:
    """tests/9p/runas.c, static riscv64 (runs a command as another uid/gid in the guest)."""
    src = HERE / "runas.c"
    cc = ["riscv64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror"]
    h = hashlib.sha256((" ".join(cc)).encode() + src.read_bytes()).hexdigest()[:16]
    out = CACHE / "engine-9p" / "runas" / h / "runas"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name("runas.tmp")
        subprocess.run(cc + ["-o", str(tmp), str(src)], check=True)
        tmp.rename(out)
    return out


def initramfs(init_script: Path) -> Path:
    """A gzip'd cpio with static busybox, runas and init_script as /init, cached by content."""
    bb, ra = busybox(), runas()
    h = hashlib.sha256()
    for f in (init_script, bb, ra, GUEST / "cpio.py"):
        h.update(f.read_bytes())
    out = CACHE / "engine-9p" / "initramfs" / h.hexdigest()[:16] / "initramfs.cpio.gz"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    lst = out.parent / "list"
    lst.write_text(
        "dir /dev 0755\nnod /dev/console 0600 c 5 1\ndir /proc 0555\ndir /sys 0555\n"
        "dir /tmp 01777\ndir /bin 0755\ndir /mnt 0755\n"
        f"file /bin/busybox 0755 {bb}\nslink /bin/sh busybox\nfile /bin/runas 0755 {ra}\n"
        f"file /init 0755 {init_script}\n"
    )
    tmp = out.with_suffix(".tmp")
    subprocess.run(["python3", str(GUEST / "cpio.py"), str(lst), str(tmp)], check=True)
    tmp.rename(out)
    return out


def harness(target: str) -> Path:
    """tests/9p/harness.c + p9/server.c, built natively (gcc) or for wasm32-wasi (clang)."""
    override = os.environ.get("C2W_9P_HARNESS_NATIVE")  # e.g. a -fsanitize=address build
    if target == "native" and override:
        return Path(override)
    srcs = [HERE / "harness.c", ENGINE / "p9" / "server.c", ENGINE / "virtio_9p.h"]
    if target == "native":
        cc = ["gcc"]
        name = "p9harness"
    else:
        cc = ["clang", "--target=wasm32-wasi", "--sysroot=/usr"]
        name = "p9harness.wasm"
    flags = ["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-O2"]
    h = hashlib.sha256(" ".join(cc + flags).encode())
    for f in srcs:
        h.update(f.read_bytes())
    out = CACHE / "engine-9p" / "harness" / f"{target}-{h.hexdigest()[:16]}" / name
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(name + ".tmp")
        subprocess.run(cc + flags + ["-o", str(tmp), str(srcs[0]), str(srcs[1])], check=True)
        tmp.rename(out)
    return out
