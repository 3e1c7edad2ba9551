#!/usr/bin/env python3
"""x86_64 rows of the engine benchmark (issue 14), in one run (also `bench/engine/run.py --x86_64`):

  kernel level, the same x86_64 bzImage (converter/guest/x86_64) and a bench initramfs (the
  host's static busybox), /init runs the shared CPU workload of run.py (loop, dd+sha; smc.c is
  RISC-V code, not run here) and reboots:
    qemu      qemu-system-x86_64 TCG (-no-reboot, serial console)
    bochs     our Bochs natively (converter/bochs/build.sh native; virtio console)
    bochs-wasm  bochs.wasm under wasmtime (converter/bochs/build.sh wasi)
  image level, the amd64 test image (converter/guest/build-default-image.sh amd64) through
  c2w-run on wasmtime, all pre-booted (snapshot at the init's READY):
    system    `c2w --emulation system` (Bochs, amd64's default)
    user      `c2w --emulation user` (qemu-user in the riscv64 guest)
    riscv64   the riscv64 test image (build-default-image.sh) on our riscv64 engine: the
              reference for the snapshot start-up of `true`
  each running `true` (start-up; after one untimed warm-up run that fills wasmtime's compile
  cache, whose time is the "first" column) and the loop workload.

Bochs' guest clock counts instructions (clock: sync=none), so every phase is timed on the host:
the moment each marker line reaches the host's pipe (boot = start to the first marker).
Usage: bench/engine/x86_64.py [--runs N] [--only qemu,bochs,bochs-wasm,system,user,riscv64]
Env: C2W_CACHE, C2W_WASMTIME.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from testsupport.runtimes import argv as runtime_argv  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import SHA_16M_ZERO, die, last_line  # noqa: E402  (run.py: the riscv64 rows)

GUEST = ROOT / "converter" / "guest"
CACHE = Path(os.environ.get("C2W_CACHE", Path.home() / ".cache" / "c2w"))
MEMORY_MB = 256
LOOP = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"
INIT = r"""#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
echo "c2w-mark: init"
""" + LOOP + r"""
echo "c2w-mark: loop"
/bin/busybox dd if=/dev/zero of=/tmp/z bs=1M count=16 2>/dev/null
/bin/busybox sha256sum /tmp/z
echo "c2w-mark: ddsha"
/bin/busybox reboot -f
"""
PHASES = ("init", "loop", "ddsha")
def bench_initramfs() -> Path:
    busybox = Path("/bin/busybox")
    if not busybox.exists():
        die("/bin/busybox missing (busybox-static, scripts/setup-system.sh)")
    h = hashlib.sha256(INIT.encode() + busybox.read_bytes() + (GUEST / "cpio.py").read_bytes())
    out = CACHE / "bench-initramfs-x86_64" / h.hexdigest()[:16]
    img = out / "initramfs.cpio.gz"
    if img.exists():
        return img
    out.mkdir(parents=True, exist_ok=True)
    (out / "init").write_text(INIT)
    entries = ["dir /dev 0755", "nod /dev/console 0600 c 5 1", "dir /proc 0555", "dir /sys 0555",
               "dir /tmp 01777", "dir /bin 0755", f"file /bin/busybox 0755 {busybox}",
               "slink /bin/sh busybox", f"file /init 0755 {out / 'init'}"]
    (out / "list").write_text("\n".join(entries) + "\n")
    part = out / "initramfs.cpio.gz.tmp"
    subprocess.run([sys.executable, str(GUEST / "cpio.py"), str(out / "list"), str(part)], check=True)
    part.rename(img)
    return img


def timed_markers(argv: list[str], marks: tuple[str, ...], timeout: float = 900) -> tuple[dict[str, float], float, str]:
    """Run argv; host seconds from start to each `c2w-mark: NAME` line, the whole run, the output."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen: dict[str, float] = {}
    lines = []
    assert p.stdout is not None
    for raw in p.stdout:
        line = raw.decode(errors="replace").rstrip("\r\n")
        lines.append(line)
        at = line.find("c2w-mark: ")  # (QEMU's BIOS leaves terminal escapes in front of the first)
        if at >= 0:
            seen[line[at + 10:]] = time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            p.kill()
            break
    p.wait()
    out = "\n".join(lines)
    missing = [m for m in marks if m not in seen]
    if missing or SHA_16M_ZERO not in out:
        die(f"{argv[0]}: markers {missing} missing (exit {p.returncode}):\n{out[-2000:]}")
    return seen, time.monotonic() - t0, out


def bochsrc(kernel: str, initrd: str, path: Path) -> Path:
    path.write_text("\n".join([
        f"memory: guest={MEMORY_MB}, host={MEMORY_MB}", "cpu: count=1, reset_on_triple_fault=1",
        "display_library: nogui", "log: -", "info: action=ignore", "debug: action=ignore",
        "error: action=ignore", "panic: action=fatal", "c2w: console=1",
        f'directboot: kernel={kernel}, initrd={initrd}, cmdline="console=hvc0 quiet panic=-1"']) + "\n")
    return path


def c2w_run(module: Path, *args: str) -> float:
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", str(module), *args],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=900, cwd=ROOT)
    if p.returncode != 0:
        die(f"c2w-run {module.name} {' '.join(args)}: exit {p.returncode}\n{p.stderr.decode()[-2000:]}")
    return time.monotonic() - t0


ROWS = ("qemu", "bochs", "bochs-wasm", "system", "user", "riscv64")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1, help="runs per row (median reported)")
    ap.add_argument("--only", default=",".join(ROWS))
    a = ap.parse_args(argv)
    which = [w for w in a.only.split(",") if w]
    for w in which:
        if w not in ROWS:
            die(f"--only: unknown row '{w}' (expected {', '.join(ROWS)})")
    kernel = last_line([str(GUEST / "x86_64" / "build-kernel.sh")])
    initrd = bench_initramfs()
    tmp = Path(tempfile.mkdtemp(prefix="c2w-bench-x86-"))
    kernel_rows: dict[str, list[str]] = {}
    if "qemu" in which:
        qemu = shutil.which("qemu-system-x86_64") or die("qemu-system-x86_64 not installed (qemu-system-x86)")
        kernel_rows["qemu"] = [qemu, "-m", str(MEMORY_MB), "-nographic", "-no-reboot", "-kernel", str(kernel),
                               "-initrd", str(initrd), "-append", "console=ttyS0 quiet panic=-1"]
    if "bochs" in which:
        bochs = last_line([str(ROOT / "converter/bochs/build.sh"), "native"]) / "bochs"
        kernel_rows["bochs"] = [str(bochs), "-q", "-f", str(bochsrc(str(kernel), str(initrd), tmp / "rc"))]
    if "bochs-wasm" in which:
        wasm = last_line([str(ROOT / "converter/bochs/build.sh"), "wasi"]) / "bochs.wasm"
        bochsrc(f"/k/{kernel.name}", f"/i/{initrd.name}", tmp / "rc-wasm")
        kernel_rows["bochs-wasm"] = runtime_argv("wasmtime", wasm, ["-q", "-f", "/r/rc-wasm"],
                                                 dirs=[(kernel.parent, "/k"), (initrd.parent, "/i"), (tmp, "/r")])
    image_rows: dict[str, Path] = {}
    first: dict[str, float] = {}
    for row in ("system", "user", "riscv64"):
        if row not in which:
            continue
        arch = [] if row == "riscv64" else ["amd64"]
        layout = last_line([str(GUEST / "build-default-image.sh"), *arch])
        how = [] if row == "riscv64" else ["--platform", "linux/amd64", "--emulation", row]
        out = tmp / f"{row}.wasm"
        p = subprocess.run([sys.executable, "-m", "converter.cli", "-q", *how, f"oci:{layout}:latest", str(out)],
                           capture_output=True, text=True, cwd=ROOT)
        if p.returncode != 0:
            die(f"c2w {' '.join(how)}: {p.stderr[-2000:]}")
        image_rows[row] = out
        first[row] = c2w_run(out, "true")  # wasmtime compiles the module into its cache

    med = statistics.median
    phases: dict[str, dict[str, list[float]]] = {n: {k: [] for k in (*PHASES, "total")} for n in kernel_rows}
    images: dict[str, dict[str, list[float]]] = {n: {"true": [], "loop": []} for n in image_rows}
    for _ in range(a.runs):  # interleaved: machine load hits all rows alike
        for n, argv in kernel_rows.items():
            seen, total, _ = timed_markers(argv, PHASES)
            prev = 0.0
            for k in PHASES:
                phases[n][k].append(seen[k] - prev)
                prev = seen[k]
            phases[n]["total"].append(total)
        for n, module in image_rows.items():
            images[n]["true"].append(c2w_run(module, "true"))
            images[n]["loop"].append(c2w_run(module, "sh", "-c", LOOP))
    for n, argv in kernel_rows.items():
        print(f"# {n}: {' '.join(argv)}")
    print(f"\n{'kernel':11} {'boot s':>7} {'loop s':>7} {'dd+sha s':>9} {'work s':>7} {'total s':>8}"
          "  vs qemu: boot; work (loop+dd+sha)")
    base = phases.get("qemu")
    for n, ph in phases.items():
        work = med([x + y for x, y in zip(ph["loop"], ph["ddsha"])])
        ratio = ""
        if base and n != "qemu":
            bwork = med([x + y for x, y in zip(base["loop"], base["ddsha"])])
            ratio = f"{med(ph['init']) / med(base['init']):.1f}x; {work / bwork:.1f}x"
        print(f"{n:11} {med(ph['init']):7.2f} {med(ph['loop']):7.2f} {med(ph['ddsha']):9.2f} "
              f"{work:7.2f} {med(ph['total']):8.2f}  {ratio}")
    if images:
        print(f"\n{'image':11} {'MB':>6} {'first s':>8} {'true s':>7} {'loop s':>7}  (c2w-run on wasmtime, "
              "host wall time)  vs user: true; loop  vs riscv64: true")
        ub, rb = images.get("user"), images.get("riscv64")
        for n, r in images.items():
            ratio = ""
            if ub and n == "system":
                ratio = f"{med(r['true']) / med(ub['true']):.2f}x; {med(r['loop']) / med(ub['loop']):.2f}x"
            if rb and n != "riscv64":
                ratio += f"  {med(r['true']) / med(rb['true']):.2f}x"
            size = image_rows[n].stat().st_size / 1e6
            print(f"{n:11} {size:6.1f} {first[n]:8.2f} {med(r['true']):7.2f} {med(r['loop']):7.2f}  {ratio}")
    print(f"\n(median of {a.runs} runs; host wall seconds between the guest's marker lines; "
          "the loop row of an image includes its start-up, so loop - true is the loop itself)")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
