"""IMAGE -> out.wasm: verify and unpack the layers, build the rootfs disk image, add engine,
kernel, init, disk and config as payloads, pre-boot snapshot, write atomically."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import components, foreign, layers, metadata, platforms, runconfig, snapshot, wasm
from .diskimage import have_mkfs_erofs, make_erofs, make_ext4, seed_uuid
from .erofs import make_erofs_py
from .aot import conversion
from .errors import ConvertError, UnsupportedArchitecture
from .image import Image, check_architecture, image_platform
from .platforms import NATIVE
from .sources import open_image

DEFAULT_CMDLINE = "console=hvc0 quiet panic=-1"

# a progress reporter: (stage, done, total) with stage one of "unpack", "disk", "aot-profile",
# "aot-build", "snapshot"
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


@dataclass
class Options:
    platform: str | None = None
    emulation: str | None = None  # None: choose_emulation's default; "user" (qemu-user), "system" (amd64 on Bochs)
    tls_verify: bool | None = None  # None: verify except on a loopback registry (Docker's rule)
    memory_mb: int | None = None
    rootfs: str = "erofs"  # erofs, erofs-lz4 or ext4
    rootfs_explicit: bool = False
    snapshot: bool = True
    cmdline: str = DEFAULT_CMDLINE
    max_rootfs: int = layers.DEFAULT_MAX_ROOTFS
    progress: Progress = field(default=_no_progress)
    aot: str = "off"  # auto, on, off: translate the image's hot guest pages into its engine
    aot_train: str | None = None  # the training command (default: the image's entrypoint/cmd)
    aot_pages: int = conversion.DEFAULT_MAX_PAGES


@dataclass
class Result:
    output: Path
    size: int
    meta: dict
    aot: conversion.AotEngine | None = None  # what --aot built (timings for the command line)


@contextlib.contextmanager
def atomic_output(out: Path) -> Iterator[Path]:
    """Yield a temporary path beside `out`; rename it over `out` only on success."""
    out.parent.mkdir(parents=True, exist_ok=True) if out.parent != Path("") else None
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent or ".")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def build_disk(image: Image, tree: layers.Tree, workdir: Path, opts: Options,
               emulator: foreign.Emulator | None = None) -> Path:
    staging = workdir / "rootfs"
    staging.mkdir()
    fixups = layers.materialize(image, tree, staging, lambda d, t: opts.progress("unpack", d, t))
    arch = emulator.arch if emulator else check_architecture(image)
    foreign.check_binaries(staging, image.config, arch, image.reference)
    if emulator:
        foreign.stage(staging, emulator)
    fmt = opts.rootfs
    if fmt == "erofs" and not have_mkfs_erofs():  # pure Python: sets owners and devices itself
        opts.progress("disk", 0, 1)
        disk = workdir / "rootfs.erofs"
        make_erofs_py(staging, disk, seed_uuid(image.config_digest), fixups=fixups)
        opts.progress("disk", 1, 1)
        shutil.rmtree(staging, ignore_errors=True)
        return disk
    if fmt.startswith("erofs") and fixups:  # owners/devices a non-root staging could not set
        if opts.rootfs_explicit:
            raise ConvertError(f"--rootfs {fmt} needs real owners in the staging tree: convert as root, or use ext4")
        fmt = "ext4"
    disk = workdir / f"rootfs.{fmt}"
    opts.progress("disk", 0, 1)
    if fmt == "ext4":
        make_ext4(staging, disk, seed=image.config_digest, fixups=fixups)
    else:
        make_erofs(staging, disk, seed=image.config_digest, compress="lz4hc" if fmt == "erofs-lz4" else None)
    opts.progress("disk", 1, 1)
    shutil.rmtree(staging, ignore_errors=True)
    return disk


EMULATIONS = ("user", "system")


def choose_emulation(arch: str, requested: str | None) -> str:
    """How an image of Docker architecture `arch` runs: "native" (riscv64, on the engine directly),
    "system" (amd64 on the full-system x86_64 engine, Bochs: the default for amd64) or "user"
    (qemu-user inside the riscv64 guest: `--emulation user`, and the only way for other
    architectures). `requested` is --emulation (None: the default)."""
    if requested not in (None, *EMULATIONS):
        raise UnsupportedArchitecture(f"--emulation {requested}: expected user or system")
    if arch == "amd64":
        return requested or "system"
    if requested == "system":
        raise UnsupportedArchitecture("--emulation system runs linux/amd64 images only (the x86_64 engine)")
    return "native" if arch == NATIVE else "user"


def _aot_mode(opts: Options) -> str:
    """--aot checked before any work: "on" without clang for wasm32 is an error, "auto" says why
    it is off in one line and goes on with the interpreter-only engine."""
    mode = conversion.parse_mode(opts.aot)
    conversion.parse_train(opts.aot_train)
    if opts.aot_pages < 1:
        raise ConvertError(f"--aot-pages {opts.aot_pages}: expected at least 1")
    if mode == "off":
        return mode
    why = conversion.unavailable()
    if why is None:
        return mode
    if mode == "on":
        raise ConvertError(f"--aot=on: {why}")
    print(f"c2w: AOT off: {why}", file=sys.stderr)
    return "off"


def convert(ref: str, out: Path, opts: Options | None = None) -> Result:
    opts = opts or Options()
    if out.exists() and out.is_dir():
        raise ConvertError(f"{out}: is a directory")
    if opts.emulation not in (None, *EMULATIONS):
        raise UnsupportedArchitecture(f"--emulation {opts.emulation}: expected user or system")
    if opts.platform:
        platforms.parse(opts.platform)  # a bad --platform is named before the image is fetched
    aot = _aot_mode(opts)
    image = open_image(ref, opts.platform, opts.tls_verify)
    arch = check_architecture(image, opts.platform)
    try:
        mode = choose_emulation(arch.name, opts.emulation)
    except UnsupportedArchitecture as e:
        raise UnsupportedArchitecture(f"{image.reference}: {e}; this image is {image_platform(image)}") from None
    system = mode == "system"
    if system and aot != "off":
        if aot == "on":
            raise ConvertError("--aot=on: translated pages need the riscv64 engine, not the x86_64 one")
        print("c2w: AOT off: the x86_64 engine (--emulation system) has no translated pages", file=sys.stderr)
        aot = "off"
    emulator = foreign.emulator_for(arch) if mode == "user" else None
    if not image.layers:
        raise ConvertError(f"{image.reference}: the image has no layers (an empty rootfs has nothing to run)")
    tree = layers.merge(image, opts.max_rootfs, lambda d, t: opts.progress("unpack", d, t))  # verifies every layer
    if tree.total >= 1 << 32 and opts.rootfs != "erofs-lz4":  # refused before gigabytes are unpacked
        raise ConvertError(f"{image.reference}: the rootfs holds {tree.total >> 20} MiB of files, more than a "
                           f"32-bit wasm memory (4096 MiB) can carry; try the compressed --rootfs erofs-lz4")
    try:
        engine = components.locate(components.BOCHS if system else components.ENGINE)
    except ConvertError as e:
        if system and opts.emulation is None:  # the default for amd64: name the way out
            raise ConvertError(f"{e}; or convert with --emulation user (qemu-user in the riscv64 guest)") from None
        raise
    kernel = components.locate(components.KERNEL_X86 if system else components.KERNEL)
    initrd = components.locate(components.INITRD_X86 if system else components.INITRD)
    with tempfile.TemporaryDirectory(prefix="c2w-") as tmp:
        disk = build_disk(image, tree, Path(tmp), opts, emulator)
        config = runconfig.encode(image.config, opts.memory_mb)
        payloads = [
            ("kernel", kernel.read_bytes()),
            ("initrd", initrd.read_bytes()),
            ("disk", disk.read_bytes()),
            ("config", config),
            ("cmdline", opts.cmdline.encode()),
        ]
        translated = None
        if aot != "off":
            translated = conversion.aot_engine(engine, dict(payloads), opts.memory_mb,
                                               conversion.parse_train(opts.aot_train), opts.aot_pages, Path(tmp),
                                               opts.progress)
            engine = translated.engine
        module = wasm.add_payloads(engine.read_bytes(), payloads)
        meta = metadata.describe(image, payloads, engine, kernel, snapshot=opts.snapshot)
        if translated:
            meta["engine"]["aot"] = translated.describe()
        meta["platform"] = str(image_platform(image))
        meta["emulation"] = ({"mode": "system", "engine": "bochs", "machine": "x86_64"} if system
                             else emulator.describe() if emulator else {"mode": "native"})
        meta["engine"]["kind"] = "bochs-x86_64" if system else "c2w-riscv64"
        # (an engine without a pre-boot snapshot entry point boots cold)
        take_snapshot = opts.snapshot and (not system or snapshot.INIT_FUNC in wasm.exports(module))
        meta["snapshot"] = take_snapshot
        with atomic_output(out) as partial:
            if take_snapshot:
                cold = Path(tmp) / "cold.wasm"
                cold.write_bytes(module)
                opts.progress("snapshot", 0, 1)
                module = snapshot.preboot(cold, Path(tmp) / "snap.wasm").read_bytes()
                opts.progress("snapshot", 1, 1)
            module = wasm.add_custom_section(module, metadata.SECTION, json.dumps(meta, sort_keys=True).encode())
            partial.write_bytes(module)
    return Result(out, out.stat().st_size, meta, translated)
