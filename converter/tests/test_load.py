"""Load and resource limits on one host: 50 concurrent `c2w-run` launches of one image (sharing
the caches), a guest filling its tmpfs, all its writable places at once (one shared budget) and a
size-limited 9p share (ENOSPC in the guest, the host untouched), and the runtime (or c2w-run itself) killed mid-run (no passt, relay or temp dir
left). Every process a run starts inherits a marker variable, so what is left can be found in
/proc whatever its name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from testsupport.oci import REPO

LAUNCHES = int(os.environ.get("C2W_LOAD_LAUNCHES", "50"))


def marked(tmp: Path) -> tuple[str, dict[str, str]]:
    mark = uuid.uuid4().hex
    tmp.mkdir(exist_ok=True)
    return mark, {**os.environ, "C2W_LOAD_MARK": mark, "TMPDIR": str(tmp), "PYTHONPATH": str(REPO)}


def processes(mark: str) -> dict[int, str]:
    """pid -> command line of every live process carrying the marker."""
    found = {}
    needle = f"C2W_LOAD_MARK={mark}".encode()
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            if needle in (p / "environ").read_bytes().split(b"\0"):
                found[int(p.name)] = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
    return found


def gone(mark: str, within: float = 20.0) -> dict[int, str]:
    """Wait until no marked process is left; returns those still alive after `within` s."""
    end = time.monotonic() + within
    while (left := processes(mark)) and time.monotonic() < end:
        time.sleep(0.2)
    return left


def c2w_run(*args: str) -> list[str]:
    return [sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", *args]


def test_50_concurrent_launches_of_one_image_all_succeed_and_leave_nothing(image_wasm: Path, tmp_path: Path) -> None:
    mark, env = marked(tmp_path / "tmp")
    start = time.monotonic()
    procs = [subprocess.Popen(c2w_run(str(image_wasm), "sh", "-c", f"echo ok {i}"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=tmp_path)
             for i in range(LAUNCHES)]
    results = [p.communicate(timeout=900) for p in procs]
    wall = time.monotonic() - start
    failed = [(i, p.returncode, err[-300:]) for i, (p, (out, err)) in enumerate(zip(procs, results))
              if p.returncode != 0 or out.decode().split() != ["ok", str(i)]]
    assert not failed, failed
    assert not gone(mark)
    assert not list((tmp_path / "tmp").iterdir())  # no temp dir left
    print(f"{LAUNCHES} concurrent launches: {wall:.1f} s wall")


def test_guest_filling_its_tmpfs_gets_enospc(image_wasm: Path, tmp_path: Path) -> None:
    mark, env = marked(tmp_path / "tmp")
    script = ("dd if=/dev/zero of=/tmp/fill bs=1M count=200 2>/dev/null; echo root=$?; rm -f /tmp/fill; "
              "dd if=/dev/zero of=/dev/shm/fill bs=1M count=200 2>&1 | grep -c 'No space left'; rm -f /dev/shm/fill; "
              "echo alive")
    r = subprocess.run(c2w_run(str(image_wasm), "sh", "-c", script), capture_output=True, text=True, env=env,
                       timeout=300, stdin=subprocess.DEVNULL)
    assert (r.returncode, r.stdout.split()) == (0, ["root=1", "1", "alive"]), r.stderr[-2000:]
    assert not gone(mark)


def test_guest_filling_tmp_shm_and_root_together_gets_enospc_each_time_and_keeps_running(
        image_wasm: Path, tmp_path: Path) -> None:
    """/tmp, /dev/shm, / and /dev share one tmpfs budget (the init's /rw, half of MemTotal): filled
    one after another and left full, each gets ENOSPC, not the OOM killer, and a new process runs."""
    mark, env = marked(tmp_path / "tmp")
    fills = ["/tmp/fill", "/dev/shm/fill", "/fill", "/dev/fill"]
    script = "".join(f"dd if=/dev/zero of={f} bs=1M count=200 2>&1 | grep -c 'No space left'; " for f in fills)
    script += ("du -k " + " ".join(fills) + " | awk '{s += $1} END {print s}'; "
               "awk '/^MemTotal:/ {print $2}' /proc/meminfo; ls /dev/shm; echo alive")
    r = subprocess.run(c2w_run(str(image_wasm), "sh", "-c", script), capture_output=True, text=True, env=env,
                       timeout=300, stdin=subprocess.DEVNULL)
    out = r.stdout.split()
    assert r.returncode == 0 and out[:4] == ["1"] * 4 and out[6:] == ["fill", "alive"], (r.stdout, r.stderr[-2000:])
    used_kib, mem_kib = int(out[4]), int(out[5])
    assert mem_kib // 2 - 4096 <= used_kib <= mem_kib // 2, (used_kib, mem_kib)  # the whole budget, no more
    assert not gone(mark)


def test_guest_filling_a_9p_share_gets_enospc(image_wasm: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a size-limited tmpfs for the share")
    share = tmp_path / "share"
    share.mkdir()
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(share)], capture_output=True, text=True)
    if m.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {m.stderr.strip()}")
    try:
        mark, env = marked(tmp_path / "tmp")
        script = ("dd if=/dev/zero of=/mnt/big bs=1M count=16 2>/tmp/err; echo dd=$?; grep -c 'No space left' /tmp/err; "
                  "echo more >> /mnt/big; echo append=$?; rm /mnt/big; echo small > /mnt/small; echo after=$?")
        r = subprocess.run(c2w_run("-v", f"{share}:/mnt", str(image_wasm), "sh", "-c", script), capture_output=True,
                           text=True, env=env, timeout=300, stdin=subprocess.DEVNULL)
        assert (r.returncode, r.stdout.split()) == (0, ["dd=1", "1", "append=1", "after=0"]), r.stderr[-2000:]
        assert (share / "small").read_text() == "small\n" and not (share / "big").exists()
        assert not gone(mark)
    finally:
        subprocess.run(["umount", str(share)], check=False)


def _start_networked(image_wasm: Path, tmp_path: Path) -> tuple[str, subprocess.Popen[bytes]]:
    mark, env = marked(tmp_path / "tmp")
    p = subprocess.Popen(c2w_run("--net", str(image_wasm), "sh", "-c", "echo started; sleep 120"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    assert p.stdout is not None
    assert p.stdout.readline() == b"started\n"
    return mark, p


def _find(mark: str, exe: str) -> list[int]:
    out = []
    for pid in processes(mark):
        try:
            if Path(os.readlink(f"/proc/{pid}/exe")).name.split(".")[0] == exe:  # passt runs passt.avx2
                out.append(pid)
        except OSError:
            pass
    return out


def _wait_for(mark: str, exe: str, within: float = 30.0) -> list[int]:
    end = time.monotonic() + within
    while not (found := _find(mark, exe)) and time.monotonic() < end:
        time.sleep(0.1)
    return found


def test_runtime_killed_mid_run_leaves_no_passt_relay_or_temp_dir(image_wasm: Path, tmp_path: Path) -> None:
    mark, p = _start_networked(image_wasm, tmp_path)
    runtime, passt = _wait_for(mark, "wasmtime"), _wait_for(mark, "passt")
    assert len(runtime) == 1 and len(passt) == 1, processes(mark)
    os.kill(runtime[0], signal.SIGKILL)
    p.communicate(timeout=60)
    assert p.returncode == 128 + signal.SIGKILL
    assert not gone(mark)
    assert not list((tmp_path / "tmp").iterdir())


def test_c2w_run_killed_mid_run_leaves_no_process_and_the_next_run_removes_its_temp_dirs(
        image_wasm: Path, tmp_path: Path) -> None:
    mark, p = _start_networked(image_wasm, tmp_path)
    assert _wait_for(mark, "passt") and _wait_for(mark, "wasmtime")
    p.kill()
    p.communicate(timeout=60)
    assert not gone(mark)
    left = sorted(x.name.split("-")[2] for x in (tmp_path / "tmp").iterdir())
    assert left == ["net", "status"]  # SIGKILL: no cleanup ran
    _, env = marked(tmp_path / "tmp")
    r = subprocess.run(c2w_run(str(image_wasm), "true"), capture_output=True, env=env, timeout=300,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr[-2000:]
    assert not list((tmp_path / "tmp").iterdir())
