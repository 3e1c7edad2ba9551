"""`c2w`: convert a container image into a WASI command module; `c2w inspect`; `c2w boot`.

    c2w [--platform OS/ARCH[/VARIANT] | --target-arch ARCH] [--emulation user|system] [--no-snapshot]
        [--aot[=auto|on|off] [--aot-train 'CMD ...'] [--aot-pages N]] [-q] IMAGE [OUT]
    c2w inspect [--json] OUT.wasm
    c2w boot [--arch riscv64|x86_64] --kernel IMAGE [--initrd F] [--drive F] [--append S] [--memory MB] [--runtime R | --native]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__, layers
from .aot import conversion
from .errors import ConvertError, UnsupportedArchitecture


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse prints usage too)
        raise UsageError(message)


def convert_parser() -> argparse.ArgumentParser:
    p = Parser(prog="c2w", description="Convert a container image into one WASI command module.",
               epilog="Subcommands: `c2w inspect OUT.wasm`, `c2w boot --kernel Image ...`.")
    p.add_argument("image", metavar="IMAGE",
                   help="c2w:default (the project's small busybox image), oci:DIR[:TAG], docker-archive:FILE[:REF], docker-daemon:REF, docker://REF, "
                        "or a path, an engine image or a registry reference (tried in that order)")
    p.add_argument("output", metavar="OUT", nargs="?", help="output module (default out.wasm)")
    p.add_argument("-o", "--output", dest="output_opt", metavar="OUT", help="output module")
    p.add_argument("--platform", metavar="OS/ARCH[/VARIANT]",
                   help="choose from a multi-arch index (default: linux/riscv64, else the host's platform); "
                        "linux/amd64 runs on the full-system x86_64 engine, other architectures through "
                        "qemu-user in the riscv64 guest (see --emulation)")
    p.add_argument("--emulation", choices=("user", "system"),
                   help="how an image of another architecture runs: system = a full x86_64 system (Bochs; "
                        "linux/amd64 only, its default); user = qemu-user in the riscv64 guest (the only way "
                        "for other architectures)")
    p.add_argument("--target-arch", metavar="ARCH", help="same as --platform linux/ARCH")
    p.add_argument("--tls-verify", choices=("true", "false"),
                   help="verify the registry's TLS certificate (false for a plain-HTTP registry; default: "
                        "true, except for a registry on 127.0.0.0/8, ::1 or localhost, as Docker does)")
    p.add_argument("--memory", type=int, metavar="MB", help="guest RAM in MiB (default: the engine's, 128)")
    p.add_argument("--max-rootfs-size", type=int, metavar="MB", default=layers.DEFAULT_MAX_ROOTFS >> 20,
                   help="refuse images whose files add up to more (default %(default)s MB)")
    p.add_argument("--rootfs", choices=("erofs", "erofs-lz4", "ext4"),
                   help="rootfs disk format (default erofs; ext4 when converting without root needs owner fix-ups)")
    p.add_argument("--no-snapshot", action="store_true", help="cold-boot image (no pre-boot snapshot)")
    p.add_argument("--aot", choices=("auto", "on", "off"), default="off",
                   help="translate the guest pages the image runs most into its engine ahead of time: a "
                        "profiling run (boot + training command) during conversion, then the engine is "
                        "compiled with them (needs clang for wasm32-wasi; auto: only when it is installed; "
                        "--aot alone = on; default off)")
    p.add_argument("--aot-train", metavar="'CMD ...'",
                   help="the training command for --aot, as the arguments of `c2w-run OUT.wasm CMD ...` "
                        "(default: the image's entrypoint/cmd, which must exit by itself)")
    p.add_argument("--aot-pages", type=int, metavar="N", default=conversion.DEFAULT_MAX_PAGES,
                   help="translate at most N pages (default %(default)s; each adds ~90 KB to the module and seconds to the compile)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("--version", action="version", version=f"c2w {__version__}")
    return p


def cmd_convert(argv: list[str]) -> int:
    from .convert import Options, convert
    from .progress import RichProgress

    ns = convert_parser().parse_args(["--aot=on" if a == "--aot" else a for a in argv])
    if ns.output and ns.output_opt:
        raise UsageError("give the output either as OUT or as -o, not both")
    if ns.platform and ns.target_arch:
        raise UsageError("give either --platform or --target-arch, not both")
    out = Path(ns.output or ns.output_opt or "out.wasm")
    platform = ns.platform or (f"linux/{ns.target_arch}" if ns.target_arch else None)
    with RichProgress(enabled=not ns.quiet) as progress:
        result = convert(ns.image, out, Options(platform=platform, emulation=ns.emulation, memory_mb=ns.memory, rootfs=ns.rootfs or "erofs", rootfs_explicit=bool(ns.rootfs), max_rootfs=ns.max_rootfs_size << 20, tls_verify=None if ns.tls_verify is None else ns.tls_verify == "true", snapshot=not ns.no_snapshot,
                                                aot=ns.aot, aot_train=ns.aot_train, aot_pages=ns.aot_pages,
                                                progress=progress.update))
    aot = result.aot
    if aot and not ns.quiet:
        print(f"c2w: AOT: {aot.pages} of {aot.profiled_pages} profiled pages translated ({aot.instructions} "
              f"instructions); training run {aot.seconds_profile:.0f} s, engine build {aot.seconds_build:.0f} s",
              file=sys.stderr)
    if not ns.quiet:
        print(f"c2w: wrote {result.output} ({result.size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


def cmd_inspect(argv: list[str]) -> int:
    from . import metadata

    p = Parser(prog="c2w inspect", description="Show what a c2w image contains.")
    p.add_argument("module", metavar="OUT.wasm")
    p.add_argument("--json", action="store_true")
    ns = p.parse_args(argv)
    meta = metadata.read(Path(ns.module))
    if ns.json:
        print(json.dumps(meta, indent=2, sort_keys=True))
        return 0
    from .inspect_view import render

    render(meta)
    return 0


def cmd_boot(argv: list[str]) -> int:
    from .boot import BootRequest, boot

    p = Parser(prog="c2w boot", description="Boot a raw Linux kernel on the c2w engine: riscv64 Image, "
               "or x86_64 bzImage on the x86_64 engine (Bochs) (like qemu's -kernel/-initrd/-append); "
               "console on stdio.")
    p.add_argument("--arch", choices=("riscv64", "x86_64"), default="riscv64",
                   help="the kernel's architecture (default riscv64)")
    p.add_argument("--kernel", required=True, metavar="IMAGE")
    p.add_argument("--initrd", metavar="FILE")
    p.add_argument("--drive", metavar="FILE", help="read-only disk image (virtio-blk)")
    p.add_argument("--append", metavar="CMDLINE", help="kernel command line")
    p.add_argument("--memory", type=int, metavar="MB", help="guest RAM in MB")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--runtime", metavar="NAME", help="run engine.wasm on this WASI runtime (default: first installed)")
    where.add_argument("--native", action="store_true", help="run the native engine build")
    p.add_argument("--timeout", type=float, metavar="S", help="kill the run after S seconds (exit 124)")
    p.add_argument("--stats", action="store_true", help="print instruction count and MIPS at exit")
    ns = p.parse_args(argv)
    req = BootRequest(kernel=Path(ns.kernel), initrd=Path(ns.initrd) if ns.initrd else None,
                      drive=Path(ns.drive) if ns.drive else None, append=ns.append, memory=ns.memory,
                      runtime=ns.runtime, native=ns.native, timeout=ns.timeout, stats=ns.stats,
                      arch=ns.arch)
    return boot(req)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["inspect"]:
            return cmd_inspect(argv[1:])
        if argv[:1] == ["boot"]:
            return cmd_boot(argv[1:])
        return cmd_convert(argv)
    except (UsageError, ConvertError) as e:
        print(f"c2w: error: {e}", file=sys.stderr)
        return 2 if isinstance(e, (UsageError, UnsupportedArchitecture)) else 1
    except LookupError as e:  # c2w_run registry: unknown or missing runtime
        print(f"c2w: error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("c2w: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
