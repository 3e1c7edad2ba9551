"""Platform names (`os/arch[/variant]`, Docker's spelling) and what c2w knows about each
architecture: how it runs (natively on the riscv64 engine, or through which qemu-user target) and
its ELF machine, to check an image's binaries against its config."""

from __future__ import annotations

import platform as _host
from dataclasses import dataclass

from .errors import UnsupportedArchitecture

NATIVE = "riscv64"


@dataclass(frozen=True)
class Arch:
    name: str  # OCI / Docker architecture
    qemu: str  # qemu-user target: /usr/bin/qemu-<qemu>, binfmt.d/qemu-<qemu>.conf ("" = native)
    machine: int  # ELF e_machine
    bits: int  # ELF class: 32 or 64
    little: bool  # ELF data encoding
    label: str  # how people call its binaries


# Every linux architecture Docker names (Go's GOARCH) whose qemu-user Debian trixie riscv64 ships
# (package qemu-user, static-pie). Tested: riscv64 (native), amd64, arm64, arm/v7, 386, ppc64le,
# s390x; the others convert the same way but have no test image.
ARCHES = {a.name: a for a in (
    Arch("riscv64", "", 243, 64, True, "RISC-V 64"),
    Arch("amd64", "x86_64", 62, 64, True, "x86-64"),
    Arch("arm64", "aarch64", 183, 64, True, "AArch64"),
    Arch("arm", "arm", 40, 32, True, "32-bit ARM"),
    Arch("386", "i386", 3, 32, True, "i386"),
    Arch("ppc64le", "ppc64le", 21, 64, True, "PowerPC 64 LE"),
    Arch("s390x", "s390x", 22, 64, False, "s390x"),
    Arch("ppc64", "ppc64", 21, 64, False, "PowerPC 64 BE"),
    Arch("mips", "mips", 8, 32, False, "MIPS BE"),
    Arch("mipsle", "mipsel", 8, 32, True, "MIPS LE"),
    Arch("mips64", "mips64", 8, 64, False, "MIPS64 BE"),
    Arch("mips64le", "mips64el", 8, 64, True, "MIPS64 LE"),
    Arch("loong64", "loongarch64", 258, 64, True, "LoongArch 64"),
)}
# `uname -m` -> Docker architecture, for choosing the host's platform from an index
HOST_NAMES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
              "i686": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}
# usual variant spellings that mean the default
DEFAULT_VARIANT = {"arm64": "v8", "arm": "v7"}


@dataclass(frozen=True)
class Platform:
    os: str
    arch: str
    variant: str = ""

    def __str__(self) -> str:
        return f"{self.os}/{self.arch}" + (f"/{self.variant}" if self.variant else "")

    def matches(self, os: str, arch: str, variant: str = "") -> bool:
        """Whether an index entry (os, arch, variant) is this platform; no variant asked = any."""
        if (os or "linux", arch) != (self.os, self.arch):
            return False
        if not self.variant:
            return True
        default = DEFAULT_VARIANT.get(arch, "")
        return (variant or default) == (self.variant or default)


def supported_list() -> str:
    return ", ".join(f"linux/{a}" for a in ARCHES)


def parse(text: str) -> Platform:
    """`linux/arm64`, `linux/arm/v7`, `arm64` -> Platform; unknown names refused in one line."""
    parts = text.split("/")
    if len(parts) == 1:
        parts = ["linux", *parts]
    if len(parts) > 3 or not all(parts):
        raise UnsupportedArchitecture(f"--platform {text}: expected OS/ARCH[/VARIANT], e.g. linux/arm64")
    p = Platform(*parts)
    check(p, f"--platform {text}")
    return p


def check(p: Platform, what: str) -> Arch:
    if p.os != "linux":
        raise UnsupportedArchitecture(f"{what}: only linux images run (this one is {p.os}); "
                                      f"--platform takes {supported_list()}")
    if p.arch not in ARCHES:
        raise UnsupportedArchitecture(f"{what}: no emulator for linux/{p.arch} (Debian's qemu-user for riscv64 "
                                      f"has none); --platform takes {supported_list()}")
    return ARCHES[p.arch]


def host() -> Platform:
    machine = _host.machine()
    return Platform("linux", HOST_NAMES.get(machine, machine))
