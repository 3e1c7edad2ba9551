"""The real guest init (PID 1) under qemu-system-riscv64 -M virt, driven through PROTOCOL.md.

Each test boots our kernel + init with a virtio-blk rootfs (the default image as ext4, or erofs)
and a virtio-serial port named c2w.ctl connected to ctlpeer.py (the engine side), sends one RUN
and checks what comes back. One boot per test: the init powers off after one container.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import threading
import os
import signal
import struct
from pathlib import Path

import pytest

from ctlpeer import EXIT, READY, STDIN, STDIN_EOF, WINSIZE, Guest, RunRequest, RunResult, boot_and_run

PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def image(**kw) -> RunRequest:
    """A RUN request with the default image's config in front (Env PATH, Cmd /bin/sh)."""
    kw.setdefault("image_cmd", ["/bin/sh"])
    kw.setdefault("image_env", [PATH_ENV])
    kw.setdefault("image_workdir", "/")
    return RunRequest(**kw)


def run(guest: Guest, req: RunRequest, **kw) -> RunResult:
    r = boot_and_run(guest, req, **kw)
    assert r.ready_s > 0, f"no READY:\n{r.console[-3000:]}"
    assert r.order[0] == READY and r.order[-1] == EXIT, (r.order, r.console[-3000:])
    assert r.order.count(EXIT) == 1
    assert r.qemu_rc == 0, f"qemu exit {r.qemu_rc}:\n{r.console[-3000:]}"
    return r


def test_echo_prints_hello_and_exits_0(guest: Guest) -> None:
    r = run(guest, image(args=["echo", "-n", "hello"]))
    assert (r.status, r.stdout, r.stderr, r.errors) == (0, b"hello", b"", [])


@pytest.mark.parametrize(
    "args,status",
    [
        (["sh", "-c", "exit 7"], 7),
        (["false"], 1),
        (["sh", "-c", "kill -TERM $$"], 128 + signal.SIGTERM),
        (["sh", "-c", "kill -KILL $$"], 128 + signal.SIGKILL),
    ],
    ids=["exit7", "false", "sigterm", "sigkill"],
)
def test_exit_status_is_code_or_128_plus_signal(guest: Guest, args: list[str], status: int) -> None:
    assert run(guest, image(args=args)).status == status


def test_stdout_and_stderr_stay_apart(guest: Guest) -> None:
    r = run(guest, image(args=["sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2"]))
    assert r.stdout == b"out1\nout2\n"
    assert r.stderr == b"err1\nerr2\n"


def test_stdin_data_then_eof_reaches_cat(guest: Guest) -> None:
    data = os.urandom(200_000)  # several records, more than the 64 KiB stdin buffer
    r = run(guest, image(args=["cat"]), stdin=data)
    assert r.status == 0
    assert r.stdout == data


def test_stdin_eof_without_data_ends_cat(guest: Guest) -> None:
    r = run(guest, image(args=["sh", "-c", "cat; echo done"]), stdin=b"")
    assert (r.status, r.stdout) == (0, b"done\n")


def test_no_stdin_gives_dev_null(guest: Guest) -> None:
    r = run(guest, image(args=["sh", "-c", "cat; echo done"], no_stdin=True), stdin_eof=False)
    assert (r.status, r.stdout) == (0, b"done\n")


def test_argv_is_byte_exact(guest: Guest) -> None:
    args: list[str | bytes] = ["two words", "line1\nline2", "", b"\xff\xfe\x80 not utf-8",
                               "ünïcödé ✓", "  lead and trail  ", "$HOME `x` 'q' \"dq\" \\"]
    script = 'for a in "$@"; do printf "%s\\0" "$a"; done'
    r = run(guest, image(args=["sh", "-c", script, "sh", *args]))
    assert r.status == 0
    assert r.stdout == b"".join((a.encode() if isinstance(a, str) else a) + b"\0" for a in args)


def test_100k_argument_arrives_whole(guest: Guest) -> None:
    big = bytes(b"abcdefghij"[i % 10] for i in range(100_000))
    r = run(guest, image(args=["sh", "-c", 'printf %s "$1" | wc -c; printf %s "$1" | md5sum',
                               "sh", big]))
    import hashlib

    assert r.status == 0
    lines = r.stdout.split(b"\n")
    assert int(lines[0]) == 100_000
    assert lines[1].split()[0].decode() == hashlib.md5(big).hexdigest()


def test_env_run_overrides_image_and_key_alone_removes(guest: Guest) -> None:
    req = image(image_env=[PATH_ENV, "FOO=img", "BAR=keep", "GONE=x"],
                env=["FOO=run", "NEW=a=b c", "GONE"], args=["env"])
    r = run(guest, req)
    env = dict(line.split("=", 1) for line in r.stdout.decode().splitlines())
    assert env["FOO"] == "run"
    assert env["BAR"] == "keep"
    assert env["NEW"] == "a=b c"
    assert "GONE" not in env
    assert env["HOSTNAME"] == "c2w"
    assert env["HOME"] == "/root"
    assert env["PATH"] == PATH_ENV.split("=", 1)[1]


def test_image_entrypoint_and_cmd_concatenate_and_args_replace_cmd(guest: Guest) -> None:
    req = image(image_entrypoint=["echo", "ep"], image_cmd=["from-cmd"])
    assert run(guest, req).stdout == b"ep from-cmd\n"
    req = dataclasses.replace(req, args=["from-args"])
    assert run(guest, req).stdout == b"ep from-args\n"


def test_entrypoint_option_drops_image_cmd(guest: Guest) -> None:
    req = image(image_entrypoint=["/bin/false"], image_cmd=["from-cmd"], entrypoint=["echo"])
    r = run(guest, req)
    assert (r.status, r.stdout) == (0, b"\n")


def test_no_command_is_an_error_with_125(guest: Guest) -> None:
    r = run(guest, image(image_cmd=[], entrypoint=[""]))
    assert r.status == 125
    assert r.errors == ["no command specified"]


def test_workdir_is_created_and_used(guest: Guest) -> None:
    r = run(guest, image(workdir="/new/deep/dir", args=["sh", "-c", "pwd; ls -ld . | cut -c1-10"]))
    assert r.stdout == b"/new/deep/dir\ndrwxr-xr-x\n"
    r = run(guest, image(image_workdir="/etc", args=["pwd"]))
    assert r.stdout == b"/etc\n"


def test_user_by_name_gets_passwd_groups_and_home(guest: Guest) -> None:
    r = run(guest, image(user="user", args=["sh", "-c", "id; echo $HOME"]))
    assert r.status == 0
    assert r.stdout == b"uid=1000(user) gid=1000(user) groups=10(wheel),100(users),1000(user)\n/home/user\n"


def test_user_with_explicit_group_gets_no_supplementary_groups(guest: Guest) -> None:
    r = run(guest, image(user="user:users", args=["id"]))
    assert (r.status, r.stdout) == (0, b"uid=1000(user) gid=100(users) groups=100(users)\n")
    r = run(guest, image(user="user:nosuchgroup", args=["id"]))
    assert r.status == 125
    assert b"unable to find group nosuchgroup" in r.stderr


def test_user_by_uid_gid_without_passwd_entry(guest: Guest) -> None:
    r = run(guest, image(user="1234:5678", args=["sh", "-c", "id -u; id -g; echo $HOME"]))
    assert (r.status, r.stdout) == (0, b"1234\n5678\n/\n")


def test_image_user_applies_and_run_user_overrides(guest: Guest) -> None:
    assert run(guest, image(image_user="daemon", args=["id", "-un"])).stdout == b"daemon\n"
    assert run(guest, image(image_user="daemon", user="0", args=["id", "-un"])).stdout == b"root\n"


def test_unknown_user_fails_with_125(guest: Guest) -> None:
    r = run(guest, image(user="nosuchuser", args=["true"]))
    assert r.status == 125
    assert b"unable to find user nosuchuser" in r.stderr


def test_command_not_found_is_127_with_docker_message(guest: Guest) -> None:
    r = run(guest, image(args=["nosuchcmd", "x"]))
    assert r.status == 127
    assert b'exec: "nosuchcmd": executable file not found in $PATH' in r.stderr


def test_not_executable_is_126(guest: Guest) -> None:
    r = run(guest, image(args=["/etc/passwd"]))
    assert r.status == 126
    assert b"/etc/passwd" in r.stderr


def test_9p_mount_reads_and_writes_at_depth(guest: Guest, tmp_path: Path) -> None:
    share = tmp_path / "share"
    (share / "sub").mkdir(parents=True)
    (share / "sub" / "in.txt").write_bytes(b"from host\n")
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "f").write_text("r\n")
    script = ("cat /mnt/a/b/share/sub/in.txt && mkdir -p /mnt/a/b/share/new/dir && "
              "echo from guest > /mnt/a/b/share/new/dir/out.txt && cat /data/f && "
              "if (echo x > /data/g) 2>/dev/null; then echo ro-write-worked; fi")
    req = image(args=["sh", "-c", script],
                mounts=[("share", "/mnt/a/b/share", False), ("rodata", "/data", True)])
    r = run(guest, req, shares=[("share", share), ("rodata", ro)])
    assert (r.status, r.stdout, r.stderr) == (0, b"from host\nr\n", b"")
    assert (share / "new" / "dir" / "out.txt").read_bytes() == b"from guest\n"
    assert not (ro / "g").exists()


def test_missing_9p_tag_is_an_error_with_125(guest: Guest) -> None:
    r = run(guest, image(args=["true"], mounts=[("notthere", "/mnt", False)]))
    assert r.status == 125
    assert len(r.errors) == 1 and "notthere" in r.errors[0]


def test_hostname_and_etc_files(guest: Guest) -> None:
    r = run(guest, image(hostname="box1", args=["sh", "-c", "hostname; cat /etc/hostname; "
                                                "grep -c box1 /etc/hosts; echo $HOSTNAME"]))
    assert r.stdout == b"box1\nbox1\n1\nbox1\n"


def test_clock_comes_from_the_run_request(guest: Guest) -> None:
    r = run(guest, image(clock=1893456000.5, args=["date", "-u", "+%Y-%m-%d"]))  # 2030-01-01
    assert r.stdout == b"2030-01-01\n"


def test_container_has_own_pid_namespace_and_mounts(guest: Guest) -> None:
    script = "echo $$; ls /proc | grep -c '^[0-9]'; ls /dev | tr '\\n' ' '; echo; grep -c ' / ' /proc/mounts"
    r = run(guest, image(args=["sh", "-c", script]))
    lines = r.stdout.decode().splitlines()
    assert lines[0] == "2"  # PID 1 is the namespace's small init, like docker run --init
    assert int(lines[1]) <= 4  # 1, the shell, ls, grep
    for dev in ("null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm", "fd"):
        assert dev in lines[2].split(), lines[2]
    assert lines[3] == "1"


def test_rootfs_is_writable_through_the_overlay(guest: Guest) -> None:
    r = run(guest, image(args=["sh", "-c", "echo hi > /etc/newfile && cat /etc/newfile && "
                               "rm /usr/bin/hello && ls /usr/bin/hello"]))
    assert r.stdout == b"hi\n"
    assert r.status == 1  # ls of the removed file fails: the lower layer is hidden


def test_signal_record_reaches_the_command(guest: Guest) -> None:
    r = run(guest, image(args=["sleep", "30"]), stdin_eof=False,
            signal_after=(0.5, signal.SIGTERM))
    assert r.status == 128 + signal.SIGTERM
    assert r.total_s < 10


def test_signal_sent_right_after_run_is_not_lost(guest: Guest) -> None:
    # it reaches the container while it is still setting up (before its mini init waits for
    # signals): it must stay pending, not be dropped by the PID namespace's init
    r = run(guest, image(args=["sleep", "30"]), stdin_eof=False,
            signal_after=(0.0, signal.SIGTERM))
    assert r.status == 128 + signal.SIGTERM
    assert r.total_s < 10


def test_tty_run_has_a_terminal_with_size(guest: Guest) -> None:
    r = run(guest, image(tty=True, winsize=(33, 101),
                         args=["sh", "-c", "tty; stty size; echo $TERM; echo err >&2"]))
    assert r.status == 0
    assert r.stdout == b"/dev/pts/0\r\n33 101\r\nxterm\r\nerr\r\n"
    assert r.stderr == b""


def test_tty_stdin_eof_ends_cat(guest: Guest) -> None:
    r = run(guest, image(tty=True, args=["sh", "-c", "cat >/dev/null; echo after"]),
            stdin=b"typed\n")
    assert r.status == 0
    assert r.stdout.endswith(b"after\r\n")


def test_erofs_rootfs_boots_too(guest: Guest, rootfs_images: dict[str, Path]) -> None:
    g = dataclasses.replace(guest, rootfs=rootfs_images["erofs"])
    r = run(g, image(args=["cat", "/etc/hostname"]),
            debug=True)
    assert r.stdout == b"c2w\n"
    assert "rootfs /dev/vda is erofs" in r.console


def test_boot_to_ready_is_quick_under_qemu(guest: Guest) -> None:
    r = run(guest, image(args=["true"]))
    assert r.ready_s < 5.0, r.ready_s
    assert r.status == 0


def test_engine_hangup_stops_the_container_and_powers_off(guest: Guest) -> None:
    r = boot_and_run(guest, image(args=["sleep", "60"]), hangup_after_run=True, timeout=20)
    assert r.ready_s > 0
    assert r.qemu_rc == 0, r.console[-2000:]
    assert r.total_s < 10


def test_unmountable_rootfs_gives_error_instead_of_ready(guest: Guest) -> None:
    r = boot_and_run(guest, image(args=["true"]), append_extra="c2w.rootfstype=btrfs", timeout=20)
    assert r.ready_s < 0
    assert r.order == [0x85, EXIT]
    assert r.status == 125
    assert r.errors[0].startswith("mount rootfs /dev/vda (btrfs)"), r.errors


def test_winsize_record_resizes_the_terminal(guest: Guest) -> None:
    script = "trap 'stty size; exit 0' WINCH; stty size; echo ready; read x; echo no-winch"
    r = run(guest, image(tty=True, winsize=(24, 80), args=["sh", "-c", script]), stdin_eof=False,
            on_output=[(b"ready", WINSIZE, struct.pack("<HH", 50, 132))])
    assert r.status == 0
    assert r.stdout == b"24 80\r\nready\r\n50 132\r\n"


def test_large_output_is_drained_before_exit(guest: Guest) -> None:
    r = run(guest, image(args=["sh", "-c", "seq 1 200000; seq 1 50000 >&2; exit 3"]))
    assert r.status == 3
    assert r.stdout == "".join(f"{i}\n" for i in range(1, 200001)).encode()
    assert r.stderr == "".join(f"{i}\n" for i in range(1, 50001)).encode()


def test_stdin_sent_in_pieces_over_time(guest: Guest) -> None:
    events = [(0.1 * i, STDIN, f"chunk{i}\n".encode()) for i in range(5)] + [(0.6, STDIN_EOF, b"")]
    r = run(guest, image(args=["cat"]), stdin_eof=False, events=events)
    assert r.stdout == b"".join(f"chunk{i}\n".encode() for i in range(5))


def test_control_channel_on_a_console_port_is_raw(guest: Guest) -> None:
    data = bytes(range(256)) * 64 + os.urandom(50_000)  # ^C, ^D, ^S, CR, NL, ... must pass
    r = run(guest, image(args=["sh", "-c", "cat; printf '\\003\\r\\n' >&2"]), stdin=data,
            ctl_as_console=True)
    assert r.status == 0
    assert r.stdout == data
    assert r.stderr == b"\x03\r\n"


@pytest.mark.parametrize("as_console", [True, False], ids=["hvc1", "named-port"])
def test_init_waits_for_a_control_port_that_comes_up_late(guest: Guest, as_console: bool) -> None:
    # virtio_console sets its ports up from a workqueue, which can run after /init started (seen
    # under load). The hvc driver creates /dev/hvc0..7 at once, so /dev/hvc1 exists while open()
    # still fails with ENODEV. Here the port is hot-plugged once the init says it is waiting.
    r = run(guest, image(args=["echo", "-n", "late"]), ctl_as_console=as_console, ctl_late=True,
            debug=True)
    assert (r.status, r.stdout, r.errors) == (0, b"late", [])
    assert "waiting for the control channel" in r.console


def test_net_field_configures_eth0_and_reaches_the_host(guest: Guest, tmp_path: Path) -> None:
    (tmp_path / "hello.txt").write_bytes(b"over the network\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        script = (f"wget -q -O - http://10.0.2.2:{port}/hello.txt; cat /etc/resolv.conf; "
                  "ip -4 addr show eth0 | grep -o 'inet [0-9./]*'; ip route | grep default; "
                  "cat /sys/class/net/eth0/address /sys/class/net/eth0/mtu")
        net = "addr=10.0.2.15/24 gw=10.0.2.2 dns=10.0.2.3 mac=52:54:00:12:34:99 mtu=1400"
        r = run(guest, image(net=net, args=["sh", "-c", script]), user_net=True)
    finally:
        server.shutdown()
    assert r.status == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0] == "over the network"
    assert lines[1] == "nameserver 10.0.2.3"
    assert lines[2] == "inet 10.0.2.15/24"
    assert lines[3].startswith("default via 10.0.2.2 dev eth0")
    assert lines[4:] == ["52:54:00:12:34:99", "1400"]


def test_bad_net_field_is_an_error_with_125(guest: Guest) -> None:
    r = run(guest, image(net="addr=10.0.2.300/24", args=["true"]), user_net=True)
    assert r.status == 125
    assert r.errors == ["network: bad address '10.0.2.300'"]


def test_seed_field_reseeds_the_crng(guest: Guest) -> None:
    seed = bytes(range(256))[:32] + b"\0\0"  # binary, NULs allowed
    r = run(guest, image(seed=seed, args=["sh", "-c", "head -c 16 /dev/urandom | wc -c"]),
            debug=True)
    assert (r.status, r.stdout) == (0, b"16\n")
    assert "CRNG reseeded with 34 bytes" in r.console


class RawRun(RunRequest):
    """A RUN whose payload is given byte for byte (for malformed requests)."""

    def __init__(self, payload: bytes) -> None:
        super().__init__()
        self.payload = payload

    def encode(self) -> bytes:
        return self.payload


@pytest.mark.parametrize(
    "payload,message",
    [
        (b"a" + struct.pack("<I", 100) + b"short", "run request: field 'a' longer than the request"),
        (b"a" + struct.pack("<I", 3) + b"x\0y", "run request: field 'a' contains a NUL byte"),
        (b"T" + struct.pack("<I", 4) + b"1234", "run request: time field must be 12 bytes, not 4"),
        (b"a\x01\x00", "run request: truncated field header at byte 0"),
    ],
    ids=["overlong", "nul", "bad-time", "truncated"],
)
def test_malformed_run_is_an_error_with_125(guest: Guest, payload: bytes, message: str) -> None:
    r = run(guest, RawRun(payload))
    assert (r.status, r.errors) == (125, [message])


def test_empty_entrypoint_with_args_runs_the_args(guest: Guest) -> None:
    r = run(guest, image(image_entrypoint=["/bin/false"], entrypoint=[""], args=["echo", "x"]))
    assert (r.status, r.stdout) == (0, b"x\n")


def test_ctrl_c_on_the_terminal_interrupts_the_command(guest: Guest) -> None:
    # ^C typed before the command has the terminal would be lost: wait until it runs
    r = run(guest, image(tty=True, args=["sh", "-c", "echo ready; exec sleep 30"]),
            stdin_eof=False, on_output=[(b"ready", STDIN, b"\x03")])
    assert r.status == 128 + signal.SIGINT
    assert r.total_s < 10


def test_orphans_are_reaped(guest: Guest) -> None:
    script = "(sleep 0.2 &); (true &); sleep 1; ps -o stat,comm | grep -c '^Z'"
    r = run(guest, image(args=["sh", "-c", script]))
    assert r.stdout == b"0\n"


def test_background_processes_do_not_keep_the_run_alive(guest: Guest) -> None:
    r = run(guest, image(args=["sh", "-c", "sleep 100 & echo started"]))
    assert (r.status, r.stdout) == (0, b"started\n")
    assert r.total_s < 10


def test_signal_gets_through_while_stdin_is_not_read(guest: Guest) -> None:
    # 1 MB of stdin the command never reads: with credits the engine keeps 64 KiB in flight and
    # the SIGNAL record is not stuck behind the rest
    r = run(guest, image(args=["sleep", "30"]), stdin=b"x" * 1_000_000, stdin_eof=False,
            signal_after=(0.5, signal.SIGINT))
    assert r.status == 128 + signal.SIGINT
    assert r.total_s < 10


def test_stdin_credits_add_up_to_what_the_container_read(guest: Guest) -> None:
    data = os.urandom(300_000)
    r = run(guest, image(args=["sh", "-c", "dd bs=100000 count=1 iflag=fullblock 2>/dev/null | wc -c; sleep 0.3; wc -c"]),
            stdin=data)
    assert r.status == 0
    assert r.stdout.split() == [b"100000", b"200000"]
