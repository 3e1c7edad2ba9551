"""Linux boots on the engine: the guest kernel and the smoke initramfs (built by the
converter/guest scripts, cached) reach /init and power off through SBI SRST with status 0,
natively and under wasmtime; an idle guest sleeps in the host instead of spinning."""
from __future__ import annotations

import functools
import resource
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from testsupport.runtimes import argv as runtime_argv

HERE = Path(__file__).resolve().parent
ENGINE_DIR = HERE.parent
GUEST_DIR = ENGINE_DIR.parent / "guest"


def _last_line(argv: list[str], timeout: float) -> Path:
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, f"{' '.join(argv)} failed:\n{p.stderr[-3000:]}"
    return Path(p.stdout.strip().splitlines()[-1])


@functools.cache
def kernel() -> Path:
    if shutil.which("riscv64-linux-gnu-gcc") is None:
        pytest.skip("riscv64-linux-gnu-gcc not installed (Debian package gcc-riscv64-linux-gnu)")
    return _last_line([str(GUEST_DIR / "build-kernel.sh")], timeout=1800)


@functools.cache
def smoke_initramfs() -> Path:
    return _last_line([str(GUEST_DIR / "build-initramfs.sh"), "--smoke"], timeout=600)


@functools.cache
def busybox() -> Path:
    root = _last_line([str(GUEST_DIR / "fetch-userland.sh"), "busybox-static"], timeout=600)
    return root / "root" / "usr" / "bin" / "busybox"


def custom_initramfs(tmp: Path, init_script: str) -> Path:
    """An initramfs whose /init is init_script run by the static busybox."""
    init = tmp / "init"
    init.write_text(init_script)
    lst = tmp / "list"
    lst.write_text(
        "dir /dev 0755\nnod /dev/console 0600 c 5 1\ndir /proc 0555\ndir /sys 0555\n"
        "dir /tmp 01777\ndir /bin 0755\n"
        f"file /bin/busybox 0755 {busybox()}\nslink /bin/sh busybox\nfile /init 0755 {init}\n")
    out = tmp / "initramfs.cpio.gz"
    subprocess.run(["python3", str(GUEST_DIR / "cpio.py"), str(lst), str(out)], check=True, timeout=120)
    return out


@functools.cache
def engine(kind: str) -> Path:
    d = _last_line([str(ENGINE_DIR / "build.sh"), kind], timeout=900)
    return d / ("c2w-engine" if kind == "native" else "engine.wasm")


def boot_argv(kind: str, initrd: Path, append: str = "console=hvc0") -> list[str]:
    k = kernel()
    if kind == "native":
        return [str(engine("native")), "--kernel", str(k), "--initrd", str(initrd), "--append", append]
    return runtime_argv("wasmtime", engine("wasm"), ["--kernel", f"/k/{k.name}", "--initrd", f"/i/{initrd.name}",
                                                     "--append", append], dirs=[(k.parent, "/k"), (initrd.parent, "/i")])


def run_boot(argv: list[str], timeout: float) -> tuple[int, str, float, float]:
    """(exit status, stdout, wall seconds, host CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        pytest.fail(f"no poweroff within {timeout}s: {' '.join(argv)}\n--- output:\n{out[-3000:]}")
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    return p.returncode, out + p.stderr.decode("utf-8", "replace")[-2000:], wall, cpu


def assert_smoke(rc: int, out: str) -> None:
    assert "c2w-smoke: init running as pid 1" in out, out[-3000:]
    uname = [ln for ln in out.splitlines() if ln.startswith("Linux ")]
    assert uname and "riscv64" in uname[0], out[-3000:]
    assert rc == 0, f"exit status {rc}\n{out[-3000:]}"


def test_linux_boots_and_powers_off_with_status_0() -> None:
    rc, out, _, _ = run_boot(boot_argv("native", smoke_initramfs()), timeout=60)
    assert_smoke(rc, out)


def test_linux_boots_and_powers_off_with_status_0_under_wasmtime() -> None:
    rc, out, _, _ = run_boot(boot_argv("wasm", smoke_initramfs()), timeout=120)
    assert_smoke(rc, out)


def test_kernel_panic_exits_with_nonzero_status(tmp_path: Path) -> None:
    # init exits -> panic -> (panic=-1) SBI SRST reboot: must not look like a clean poweroff.
    initrd = custom_initramfs(tmp_path, "#!/bin/busybox sh\necho c2w-exit-test\nexit 3\n")
    rc, out, _, _ = run_boot(boot_argv("native", initrd, "console=hvc0 panic=-1"), timeout=60)
    assert "c2w-exit-test" in out, out[-3000:]
    assert rc != 0, out[-3000:]


@pytest.mark.parametrize("kind", ["native", "wasm"])
def test_idle_guest_sleeps_instead_of_spinning(kind: str, tmp_path: Path) -> None:
    initrd = custom_initramfs(
        tmp_path,
        "#!/bin/busybox sh\n/bin/busybox sleep 3\necho c2w-idle-done\n/bin/busybox poweroff -f\n")
    rc, out, wall, cpu = run_boot(boot_argv(kind, initrd, "console=hvc0 quiet"), timeout=120)
    assert rc == 0 and "c2w-idle-done" in out, out[-3000:]
    assert wall >= 3.0
    # boot costs well under a second of CPU; 3 s of guest sleep must cost almost nothing
    assert cpu < 1.5, f"{cpu:.2f} s of host CPU for {wall:.2f} s wall: the idle loop spins"
