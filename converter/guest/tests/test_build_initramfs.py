"""build-initramfs.sh --init: a cached gzip cpio holding a static riscv64 /init."""

from __future__ import annotations

import gzip
import struct
import subprocess
import time
from pathlib import Path

GUEST = Path(__file__).resolve().parent.parent


def cpio_entries(archive: bytes) -> dict[str, tuple[int, bytes]]:
    """name -> (mode, data) from a newc archive."""
    out, pos = {}, 0
    while True:
        hdr = archive[pos : pos + 110]
        assert hdr[:6] == b"070701", hdr[:6]
        f = [int(hdr[6 + 8 * i : 14 + 8 * i], 16) for i in range(13)]
        mode, filesize, namesize = f[1], f[6], f[11]
        name_end = pos + 110 + namesize
        name = archive[pos + 110 : name_end - 1].decode()
        data_start = (name_end + 3) & ~3
        data = archive[data_start : data_start + filesize]
        pos = (data_start + filesize + 3) & ~3
        if name == "TRAILER!!!":
            return out
        out[name] = (mode, data)


def test_init_initramfs_holds_a_static_riscv64_init(init_initramfs: Path) -> None:
    entries = cpio_entries(gzip.decompress(init_initramfs.read_bytes()))
    assert set(entries) == {"dev", "dev/console", "init"}
    mode, elf = entries["init"]
    assert mode & 0o111
    assert elf[:4] == b"\x7fELF" and elf[4] == 2  # ELF64
    assert struct.unpack_from("<H", elf, 18)[0] == 243  # EM_RISCV
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    types = [struct.unpack_from("<I", elf, phoff + i * phentsize)[0] for i in range(phnum)]
    assert 3 not in types, "PT_INTERP: the init must be static"
    assert len(elf) < 1_000_000


def test_init_build_is_cached_and_prints_the_same_path(init_initramfs: Path) -> None:
    t0 = time.monotonic()
    proc = subprocess.run([str(GUEST / "build-initramfs.sh"), "--init"], capture_output=True,
                          text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == str(init_initramfs)
    assert time.monotonic() - t0 < 5


def test_unknown_option_is_one_clear_line() -> None:
    proc = subprocess.run([str(GUEST / "build-initramfs.sh"), "--bogus"], capture_output=True,
                          text=True)
    assert proc.returncode != 0
    assert proc.stderr.strip() == ("build-initramfs: unknown option '--bogus' "
                                   "(expected [--arch riscv64|x86_64] --init or --smoke)")


def test_unknown_architecture_is_one_clear_line() -> None:
    proc = subprocess.run([str(GUEST / "build-initramfs.sh"), "--arch", "arm64", "--init"], capture_output=True,
                          text=True)
    assert proc.returncode != 0 and proc.stdout == ""
    assert proc.stderr.strip() == "build-initramfs: unknown architecture 'arm64' (expected riscv64 or x86_64)"
