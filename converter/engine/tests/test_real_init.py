"""The engine with the real guest init (converter/guest/init) and a real rootfs: the default
riscv64 test image converted by the lead's converter (converter.convert) with this engine.wasm,
snapshotted with `wasmtime wizer`, and the same payloads booted natively."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from engine_helpers import ENGINE_DIR, cold_default_image, engine, snapshot
from testsupport.runtimes import argv as runtime_argv, require_argv


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("real")
    cold = cold_default_image(tmp)
    return cold, snapshot(cold, tmp / "snap.wasm")


def wt(module: Path, *args: str, stdin: bytes = b"", env: dict[str, str] | None = None,
       dirs: tuple[tuple[Path, str], ...] = ()) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(runtime_argv("wasmtime", module, args, dirs=dirs, env=env), input=stdin,
                          capture_output=True, timeout=120)


def test_echo_hello_from_the_snapshot(images: tuple[Path, Path]) -> None:
    p = wt(images[1], "echo", "hello")
    assert (p.returncode, p.stdout, p.stderr) == (0, b"hello\n", b"")


def test_native_engine_runs_the_same_payloads(images: tuple[Path, Path]) -> None:
    d = images[0].parent
    p = subprocess.run([str(engine("native")), "--kernel", str(d / "kernel"), "--initrd", str(d / "initrd"),
                        "--drive", str(d / "disk"), "--config", str(d / "config"),
                        "--append", (d / "cmdline").read_text(), "--run", "--workdir", "/tmp",
                        "sh", "-c", "pwd; echo $A"], capture_output=True, timeout=120)
    assert (p.returncode, p.stdout) == (0, b"/tmp\n\n"), p.stderr


def test_status_streams_env_and_stdin_through_the_real_init(images: tuple[Path, Path]) -> None:
    snap = images[1]
    p = wt(snap, "sh", "-c", "echo out; echo err >&2; exit 3")
    assert (p.returncode, p.stdout, p.stderr) == (3, b"out\n", b"err\n")
    p = wt(snap, "sh", "-c", 'echo "$FOO"', env={"FOO": "a b"})
    assert p.stdout == b"a b\n"
    data = os.urandom(200_000)
    p = wt(snap, "cat", stdin=data)
    assert p.returncode == 0 and p.stdout == data


def wazero(module: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    # wasmtime refuses proc_exit statuses >= 126 ("invalid exit status"; it exits 1), so the
    # statuses above 125 are checked on wazero
    return subprocess.run(require_argv("wazero", module, args), capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_signal_death_is_128_plus_n(images: tuple[Path, Path]) -> None:
    p = wazero(images[1], "sh", "-c", "kill -TERM $$")
    assert p.returncode == 128 + 15, p.stderr


def test_entrypoint_workdir_user(images: tuple[Path, Path]) -> None:
    p = wt(images[1], "--entrypoint", "/bin/sh", "--workdir", "/srv/new", "--user", "1234:5678",
           "--", "-c", "pwd; id -u; id -g")
    assert (p.returncode, p.stdout) == (0, b"/srv/new\n1234\n5678\n"), p.stderr


def test_missing_command_is_127(images: tuple[Path, Path]) -> None:
    p = wazero(images[1], "no-such-command")
    assert p.returncode == 127
    assert b"executable file not found" in p.stderr


def test_idle_sleep_does_not_spin_the_host(images: tuple[Path, Path]) -> None:
    before = os.times()
    t0 = time.monotonic()
    p = wt(images[1], "sleep", "2")
    wall = time.monotonic() - t0
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    assert p.returncode == 0 and wall >= 2.0
    assert cpu < 1.0, f"{cpu:.2f} s CPU during a 2 s sleep"


def test_preopened_directory_is_mounted_over_9p(images: tuple[Path, Path], tmp_path: Path) -> None:
    if not (ENGINE_DIR / "virtio_9p.c").exists():
        pytest.skip("engine built without virtio-9p (converter/engine/virtio_9p.c not there yet)")
    (tmp_path / "hello.txt").write_text("host file\n")
    p = wt(images[1], "sh", "-c", "cat /data/hello.txt; echo new > /data/out.txt",
           dirs=((tmp_path, "/data"),))
    assert (p.returncode, p.stdout) == (0, b"host file\n"), p.stderr
    assert (tmp_path / "out.txt").read_text() == "new\n"
    p = wt(images[1], "--mount", ".:/work", "--workdir", "/work", "cat", "hello.txt", dirs=((tmp_path, "."),))
    assert (p.returncode, p.stdout) == (0, b"host file\n"), p.stderr


def test_terminal_natively_raw_host_side_guest_pty(images: tuple[Path, Path]) -> None:
    import pty
    import select

    d = images[0].parent
    master, slave = pty.openpty()
    p = subprocess.Popen([str(engine("native")), "--kernel", str(d / "kernel"), "--initrd", str(d / "initrd"),
                          "--drive", str(d / "disk"), "--config", str(d / "config"),
                          "--append", (d / "cmdline").read_text(), "--run",
                          "sh", "-c", 'tty; read x; echo "got $x"; cat'], stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    out = b""

    def read_until(marker: bytes, timeout: float = 30) -> None:
        nonlocal out
        end = time.monotonic() + timeout
        while marker not in out and time.monotonic() < end:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    out += os.read(master, 4096)
                except OSError:
                    return

    read_until(b"/dev/pts/0\r\n")
    os.write(master, b"typed\r")
    read_until(b"got typed\r\n")
    os.write(master, b"\x04")  # ^D reaches the guest's pty as VEOF: cat ends
    assert p.wait(timeout=30) == 0
    os.close(master)
    # one echo (the guest's pty), one CR per newline: the host terminal was raw
    assert out == b"/dev/pts/0\r\ntyped\r\ngot typed\r\n", out


def test_terminal_size_from_c2w_winsize_hidden_from_the_container(images: tuple[Path, Path]) -> None:
    p = wt(images[1], "--tty", "sh", "-c", "stty size; echo ${C2W_WINSIZE:-unset}", env={"C2W_WINSIZE": "30x100"})
    assert (p.returncode, p.stdout) == (0, b"30 100\r\nunset\r\n"), p.stderr
    p = wt(images[1], "--tty", "stty", "size", env={"LINES": "40", "COLUMNS": "120"})
    assert (p.returncode, p.stdout) == (0, b"40 120\r\n"), p.stderr


def test_mount_read_only_is_enforced_on_any_runtime(images: tuple[Path, Path], tmp_path: Path) -> None:
    if not (ENGINE_DIR / "virtio_9p.c").exists():
        pytest.skip("engine built without virtio-9p")
    (tmp_path / "keep.txt").write_text("keep\n")
    p = wt(images[1], "--mount", "/data:/data:ro", "sh", "-c",
           "cat /data/keep.txt; echo x > /data/new.txt || echo refused; rm /data/keep.txt || echo refused",
           dirs=((tmp_path, "/data"),))
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"keep\nrefused\nrefused\n"
    assert b"Read-only file system" in p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["keep.txt"]
