"""Images of other architectures run through qemu-user inside the riscv64 guest.

The converter stages the static qemu-user binary the image needs (Debian trixie riscv64, package
`qemu-user`) on the rootfs disk under `/.c2w/`, with its binfmt_misc registration in
`/.c2w/binfmt`; the guest init registers it before the container starts (converter/guest/init/
binfmt.c) and hides `/.c2w` from the container. Before that, the image's binaries are checked
against the architecture its config names (ELF e_machine of the entrypoint, else of /bin/sh).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import components
from .errors import ConvertError, UnsupportedArchitecture
from .platforms import ARCHES, Arch

STAGE_DIR = ".c2w"  # on the rootfs disk; the init whiteouts it in the container's view
# P: argv[0] preserved (docker semantics; qemu reads AT_FLAGS_PRESERVE_ARGV0), O+C: the kernel opens
# the binary and computes credentials from it (execute-only and setuid binaries work), F: the
# emulator is opened at registration, so it runs inside the container's root after pivot_root.
BINFMT_FLAGS = "POCF"
QEMU_USER = components.Component("qemu-user emulators", "C2W_QEMU_USER", "manifest.txt",
                                 ("guest/fetch-userland.sh", "qemu-user", "qemu-user-binfmt"), True)


@dataclass
class Emulator:
    arch: Arch
    binary: Path
    registration: str  # binfmt_misc register line, interpreter relative to the rootfs root
    package: str  # "qemu-user VERSION" when known

    def describe(self) -> dict:
        return {"mode": "user", "emulator": f"qemu-{self.arch.qemu}", "package": self.package,
                "digest": "sha256:" + hashlib.sha256(self.binary.read_bytes()).hexdigest(),
                "binfmt_flags": BINFMT_FLAGS}


def qemu_user_root() -> tuple[Path, str]:
    """The unpacked qemu-user packages (usr/bin/qemu-*, usr/lib/binfmt.d/) and their version.
    C2W_QEMU_USER names the manifest.txt of a fetch-userland.sh directory; else a copy shipped in
    the package (converter/data/qemu-user/), else the cached fetch."""
    shipped = components.DATA / "qemu-user" / QEMU_USER.filename
    manifest = shipped if shipped.is_file() and not os.environ.get(QEMU_USER.env_var) else components.locate(QEMU_USER)
    version = next((" ".join(line.split()[:2]) for line in manifest.read_text().splitlines()
                    if line.startswith("qemu-user ")), "qemu-user")
    return manifest.parent / "root", version


def emulator_for(arch: Arch) -> Emulator:
    root, version = qemu_user_root()
    binary = root / "usr/bin" / f"qemu-{arch.qemu}"
    conf = root / "usr/lib/binfmt.d" / f"qemu-{arch.qemu}.conf"
    if not binary.is_file() or not conf.is_file():
        raise UnsupportedArchitecture(f"linux/{arch.name}: {root} has no qemu-{arch.qemu} emulator")
    fields = conf.read_text().strip().split(":")
    if len(fields) != 8 or fields[2] != "M":
        raise ConvertError(f"{conf}: not a binfmt_misc magic registration")
    fields[6], fields[7] = f"/{STAGE_DIR}/qemu-{arch.qemu}", BINFMT_FLAGS
    return Emulator(arch, binary, ":".join(fields), version)


def stage(staging: Path, emulator: Emulator) -> None:
    """Put the emulator and its registration on the rootfs (mtime 0: reproducible disks)."""
    d = staging / STAGE_DIR
    if os.path.lexists(d):
        raise ConvertError(f"the image has /{STAGE_DIR}, where c2w puts its qemu-user emulator")
    d.mkdir(mode=0o755)
    target = d / emulator.binary.name
    shutil.copyfile(emulator.binary, target)
    os.chmod(target, 0o755)
    (d / "binfmt").write_text(emulator.registration + "\n")
    for p in (target, d / "binfmt", d):
        os.utime(p, (0x7FFFFFFF, 0), follow_symlinks=False)


# ---- are the image's binaries what its config says? ----

def _resolve(staging: Path, path: str, hops: int = 40) -> Path | None:
    """`path` (absolute, in the image) -> the file in `staging`, following symlinks inside it."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    cur: list[str] = []
    while parts:
        if hops < 0:
            return None
        name = parts.pop(0)
        if name == "..":
            cur = cur[:-1]
            continue
        p = staging.joinpath(*cur, name)
        if p.is_symlink():
            hops -= 1
            target = os.readlink(p)
            parts = [x for x in target.split("/") if x not in ("", ".")] + parts
            if target.startswith("/"):
                cur = []
            continue
        cur.append(name)
    p = staging.joinpath(*cur)
    return p if p.is_file() else None


def _lookup(staging: Path, config: dict, name: str) -> Path | None:
    if "/" in name:
        return _resolve(staging, name if name.startswith("/") else f"{config.get('WorkingDir') or '/'}/{name}")
    env = [e for e in config.get("Env") or [] if isinstance(e, str) and e.startswith("PATH=")]
    path = env[-1][5:] if env else "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    for d in path.split(":"):
        found = _resolve(staging, f"{d or '.'}/{name}") if d.startswith("/") else None
        if found is not None:
            return found
    return None


def _elf(path: Path) -> tuple[int, int, bool] | None:
    """(e_machine, bits, little-endian) of an ELF file, None for anything else."""
    with path.open("rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF" or head[4] not in (1, 2) or head[5] not in (1, 2):
        return None
    little = head[5] == 1
    return int.from_bytes(head[18:20], "little" if little else "big"), 32 * head[4], little


def _label(machine: int, bits: int, little: bool) -> str:
    for a in ARCHES.values():
        if (a.machine, a.bits, a.little) == (machine, bits, little):
            return f"{a.label} (linux/{a.name})"
    return f"ELF machine {machine}, {bits}-bit {'LE' if little else 'BE'}"


def check_binaries(staging: Path, image_config: dict, arch: Arch, reference: str) -> None:
    """Refuse an image whose entrypoint (else /bin/sh) is an ELF binary of another architecture.
    Scripts are followed to their interpreter; an image with no ELF binary to look at passes."""
    cfg = image_config.get("config") or {}
    argv = [a for a in (cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or []) if isinstance(a, str)]
    candidates = ([argv[0]] if argv else []) + ["/bin/sh"]
    for name in candidates:
        path = _lookup(staging, cfg, name)
        for _ in range(3):  # a script: look at its interpreter
            if path is None:
                break
            with path.open("rb") as f:
                head = f.read(256)
            if not head.startswith(b"#!"):
                break
            words = head[2:].split(b"\n")[0].split()
            path = _resolve(staging, words[0].decode("utf-8", "replace")) if words else None
        found = _elf(path) if path is not None else None
        if found is None:
            continue
        if found != (arch.machine, arch.bits, arch.little):
            shown = "/" + str(path.relative_to(staging))
            raise UnsupportedArchitecture(
                f"{reference}: the image config says linux/{arch.name} but {shown} is built for "
                f"{_label(*found)}")
        return
