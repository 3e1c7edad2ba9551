"""virtio-9p end to end: the real kernel boots in the engine (natively, and as wasm under
wasmtime) with an initramfs whose /init (tests/9p/guest-init.sh) mounts a host directory over
9p and works in it; then the host directory is checked."""

from __future__ import annotations

import hashlib
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "9p"))
import artifacts  # noqa: E402
from testsupport.runtimes import require_argv  # noqa: E402

SENTINEL = "C2W-9P-DONE"
BIG = 8 * 1024 * 1024


def make_share(root: Path) -> tuple[Path, str]:
    share = root / "share"
    share.mkdir()
    (share / "hello.txt").write_text("hello from host\n")
    (share / "tobedeleted.txt").write_text("x\n")
    data = os.urandom(BIG)
    (share / "big.bin").write_bytes(data)
    (share / "escape-abs").symlink_to("/etc")
    (share / "escape-rel").symlink_to("../../../../../../..")
    return share, hashlib.sha256(data).hexdigest()


def boot(argv: list[str], timeout: float = 300) -> tuple[str, float]:
    """Run the engine until the guest prints the sentinel and powers off; returns the console
    output and the wall time. An engine still running 30 s after the sentinel (or at the
    timeout) is killed and the test fails."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines: queue.Queue[bytes | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    out = b""
    try:
        while SENTINEL.encode() not in out:
            left = timeout - (time.monotonic() - t0)
            try:
                line = lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                break
            if line is None:
                break
            out += line
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        rc = None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = out.decode(errors="replace").replace("\r", "")
    assert SENTINEL in text, f"guest did not finish:\n{text[-3000:]}"
    assert rc == 0, f"engine exit status {rc} after poweroff (None: still running, killed)"
    return text, time.monotonic() - t0


def check(out: str, share: Path, sha: str, tag: str, abs_link: str = "/etc",
          wasi: bool = False) -> None:
    checks = dict(re.findall(r"^CHECK (\S+) (ok|FAIL.*)$", out, re.M))
    failed = {k: v for k, v in checks.items() if v != "ok"}
    assert not failed, f"guest checks failed: {failed}\n{out[-4000:]}"
    for name in ["mount", "read_host_file", "write_deep", "rename", "rename_dir", "unlink",
                 "rmdir", "symlink", "hardlink", "ls_la", "escape_dotdot", "escape_abs_symlink",
                 "escape_rel_symlink", "many_files", "umount", "chmod_exec", "truncate", "write_zero"]:
        assert checks.get(name) == "ok", f"check {name} missing:\n{out[-4000:]}"
    values = dict(re.findall(r"^VALUE (\S+) (\S+)$", out, re.M))
    assert values["big_read_sha"] == sha
    assert values["big_copy_sha"] == sha
    assert values["readlink_abs"] == f"[{abs_link}]"
    if wasi:  # WASI has no owners: the non-root user owns the mapped files too
        assert values["user_write"] == "ok"
        assert (share / "userfile").read_text() == "from-user-1000\n"
    elif os.geteuid() == 0:  # natively the host's root-owned 0755 directory shows through
        assert values["user_write"] == "denied"

    # the host directory afterwards
    assert (share / "a/b/c/f").read_text() == "written by guest\n"
    assert (share / "new.txt").read_text() == "move-me\n" and not (share / "old.txt").exists()
    assert (share / "d2/inner").read_text() == "x\n" and not (share / "d1").exists()
    assert not (share / "del.txt").exists() and not (share / "tobedeleted.txt").exists()
    assert not (share / "emptydir").exists()
    assert os.readlink(share / "link-to-f") == "a/b/c/f"
    assert os.stat(share / "hard.txt").st_ino == os.stat(share / "new.txt").st_ino
    assert (share / "app.txt").read_text() == "line1\nline2\n"
    assert hashlib.sha256((share / "big-copy.bin").read_bytes()).hexdigest() == sha
    assert len(list((share / "many").iterdir())) == 300
    assert os.readlink(share / "escape-abs") == "/etc"  # untouched
    assert not Path("/etc/c2w-9p-escape-test").exists()
    mb = BIG / 1e6
    assert not (share / "zero.bin").exists()
    sizes = {"read": 4 * mb, "write": 4 * mb, "copy": mb}
    rate = {k: n / max(float(values[f"big_{k}_secs"]), 0.01) for k, n in sizes.items()}
    print(f"\n[{tag}] 9p read {rate['read']:.1f} MB/s, write {rate['write']:.1f} MB/s "
          f"(32 MiB each), copy {rate['copy']:.1f} MB/s (8 MiB, busybox cat); "
          f"{300 / max(float(values['create300_secs']), 0.01):.0f} creates/s, "
          f"ls -la of 300 files {float(values['lsla300_secs']):.2f} s; guest clock")


KERNEL_ARGS = ["--append", "console=hvc0 quiet panic=-1", "--no-stdin", "--memory", "128"]


def test_guest_uses_9p_share_natively(tmp_path: Path) -> None:
    share, sha = make_share(tmp_path)
    engine = artifacts.engine("native")
    initrd = artifacts.initramfs(artifacts.HERE / "guest-init.sh")
    out, secs = boot([str(engine), "--kernel", str(artifacts.kernel()), "--initrd", str(initrd),
                      *KERNEL_ARGS, "--share", f"{share}:hostdir"])
    check(out, share, sha, f"native, {secs:.1f} s total")


@pytest.mark.parametrize("runtime", ["wasmtime", "wazero", "wamr"])
def test_guest_uses_9p_share_under_wasm_runtime(tmp_path: Path, runtime: str) -> None:
    share, sha = make_share(tmp_path)
    wasm = artifacts.engine("wasm")
    kernel = artifacts.kernel()
    initrd = artifacts.initramfs(artifacts.HERE / "guest-init.sh")
    dirs = [(kernel.parent, "/kernel"), (initrd.parent, "/initrd"), (share, "/share")]
    out, secs = boot(require_argv(runtime, wasm, ["--kernel", f"/kernel/{kernel.name}",
                                                  "--initrd", f"/initrd/{initrd.name}", *KERNEL_ARGS,
                                                  "--share", "/share:hostdir"], dirs))
    # wasmtime refuses to read a symlink whose target is absolute: the guest gets EPERM
    check(out, share, sha, f"{runtime}, {secs:.1f} s total",
          abs_link="" if runtime == "wasmtime" else "/etc", wasi=True)


def test_share_option_errors_are_one_line(tmp_path: Path) -> None:
    engine = artifacts.engine("native")
    kernel = artifacts.kernel()
    for spec, needle in [(str(tmp_path / "missing"), "cannot open directory"),
                         (f"{tmp_path}:{'t' * 63}", "tag must be"), (":x", "empty host path")]:
        p = subprocess.run([str(engine), "--kernel", str(kernel), "--share", spec],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode != 0 and needle in p.stderr and p.stderr.count("\n") == 1, p.stderr
