"""Container mode on the native engine: virtio-console multiport with the "c2w.ctl" port, the
control protocol (converter/guest/PROTOCOL.md) against a real kernel and tests/peer/ctlpeer.c as
/init: the RUN record, stdio relay, exit statuses, bad options, idle behaviour."""
from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest

from engine_helpers import engine, field, kernel, peer_initramfs

QUIET = "console=hvc0 quiet panic=-1"


def run(*args: str, stdin: bytes | None = b"", config: Path | None = None, append: str = QUIET,
        engine_args: tuple[str, ...] = (), timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    argv = [str(engine("native")), "--kernel", str(kernel()), "--initrd", str(peer_initramfs()),
            "--append", append, *engine_args]
    if config is not None:
        argv += ["--config", str(config)]
    argv += ["--run", *args]
    return subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout)


def dump_fields(p: subprocess.CompletedProcess[bytes]) -> list[tuple[str, str]]:
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    out = []
    for line in p.stdout.decode().splitlines():
        tag, _, value = line.partition(" ")
        out.append((tag, value))
    return out


def test_run_record_has_image_defaults_then_runtime_fields(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_bytes(field("E", "/bin/sh") + field("E", "-c") + field("C", "id") + field("V", "A=1")
                    + field("W", "/srv") + field("U", "nobody"))
    p = run("--entrypoint", "/bin/entry", "--workdir", "/tmp", "--user", "1000:1000", "--no-stdin",
            "--", "dump", "x", config=cfg, engine_args=("--env", "B=2"))
    f = dump_fields(p)
    assert f[:6] == [("E", "/bin/sh"), ("E", "-c"), ("C", "id"), ("V", "A=1"), ("W", "/srv"), ("U", "nobody")]
    rest = [t for t in f[6:] if t[0] not in "Tr"]
    assert rest == [("v", "B=2"), ("e", "/bin/entry"), ("w", "/tmp"), ("u", "1000:1000"), ("a", "dump"),
                    ("a", "x"), ("i", "0")]
    t = [v for tag, v in f if tag == "T"]
    assert len(t) == 1 and len(t[0].encode().decode("unicode_escape").encode("latin-1")) == 12


def test_wall_clock_field_is_now() -> None:
    p = run("dump")
    (t,) = [v for tag, v in dump_fields(p) if tag == "T"]
    raw = t.encode().decode("unicode_escape").encode("latin-1")
    secs = int.from_bytes(raw[:8], "little")
    assert abs(secs - time.time()) < 30


def test_arguments_are_byte_exact() -> None:
    args = ["dump", "two words", "", "new\nline", "ünïcødé", "back\\slash", "x" * 100_000]
    f = dump_fields(run(*args))
    got = [v for tag, v in f if tag == "a"]

    def esc(s: str) -> str:
        return "".join(chr(b) if 0x20 < b < 0x7F and b != 0x5C else f"\\x{b:02x}" for b in s.encode())

    assert got == [esc(a) for a in args]


def test_first_non_option_starts_the_command() -> None:
    f = dump_fields(run("dump", "--workdir", "/x", "--bogus"))
    assert [v for tag, v in f if tag == "a"] == ["dump", "--workdir", "/x", "--bogus"]
    assert not [v for tag, v in f if tag == "w"]


def test_empty_entrypoint_is_one_empty_field() -> None:
    f = dump_fields(run("--entrypoint", "", "dump"))
    assert ("e", "") in f


@pytest.mark.parametrize("mode", ["poll", "nonblock", "idle"])
def test_stdin_reaches_the_container_and_eof_ends_it(mode: str) -> None:
    data = os.urandom(1_000_000)
    p = run("--stdin-mode", mode, "cat", stdin=data)
    assert p.returncode == 0, p.stderr
    assert hashlib.sha256(p.stdout).hexdigest() == hashlib.sha256(data).hexdigest()


def test_stdout_and_stderr_stay_apart_and_the_exit_status_comes_back() -> None:
    p = run("exit", "42")
    assert (p.returncode, p.stdout, p.stderr) == (42, b"out\n", b"err\n")


def test_large_stdout_arrives_whole() -> None:
    n = 5_000_000
    p = run("big", str(n))
    assert p.returncode == 0
    assert p.stdout == bytes(i % 251 for i in range(n))


def test_init_error_is_reported_with_c2w_prefix_and_125() -> None:
    p = run("error")
    assert p.returncode == 125
    assert p.stderr == b"c2w: peer error\n"


def test_poweroff_without_exit_record_is_125() -> None:
    p = run("poweroff")
    assert p.returncode == 125
    assert b"powered off without reporting an exit status" in p.stderr


def test_kernel_panic_is_125_with_the_log_tail() -> None:
    p = run("panic")
    assert p.returncode == 125
    assert b"Kernel panic" in p.stderr
    assert p.stderr.rstrip().endswith(b"rebooted (kernel panic?) without reporting an exit status")


@pytest.mark.parametrize("args, message", [
    (("--bogus", "dump"), b"unknown option --bogus"),
    (("--workdir", "relative", "dump"), b"--workdir relative: must be an absolute path"),
    (("--stdin-mode", "magic", "dump"), b"--stdin-mode magic: expected poll, nonblock, idle or none"),
    (("--mount", "nocolon", "dump"), b"--mount nocolon: expected NAME:/guest/path"),
    (("--workdir",), b"option --workdir needs a value"),
])
def test_bad_runtime_option_is_one_line_and_exit_2(args: tuple[str, ...], message: bytes) -> None:
    p = run(*args)
    assert p.returncode == 2
    assert message in p.stderr and p.stderr.count(b"\n") == 1, p.stderr


def test_console_is_discarded_without_debug_and_shown_with_it() -> None:
    # earlycon=sbi: the kernel log from the first line goes through SBI putchar to the console
    # log (hvc0 attaches only after the multiport handshake, which races with early printks)
    loud = "console=hvc0 earlycon=sbi panic=-1"
    p = run("dump", append=loud)
    assert p.returncode == 0 and p.stderr == b""
    p = run("--debug", "dump", append=loud)
    assert p.returncode == 0
    assert p.stderr.count(b"Linux version") == 1
    assert ("d", "1") in dump_fields(p)


def test_no_stdin_and_stdin_mode_none_give_dev_null() -> None:
    for opt in ("--no-stdin", "--stdin-mode=none"):
        assert ("i", "0") in dump_fields(run(opt, "dump", stdin=None))


def test_idle_guest_sleeps_in_the_host() -> None:
    t0 = time.monotonic()
    before = os.times()
    p = run("sleep", "2")
    after = os.times()
    wall = time.monotonic() - t0
    assert p.returncode == 0 and p.stdout == b"slept\n"
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    assert wall >= 2.0
    assert cpu < 1.0, f"{cpu:.2f} s of CPU for a 2 s sleep"


def test_each_run_sends_a_fresh_random_seed() -> None:
    seeds = []
    for _ in range(2):
        (r,) = [v for tag, v in dump_fields(run("dump")) if tag == "r"]
        raw = r.encode().decode("unicode_escape").encode("latin-1")
        assert len(raw) == 32
        seeds.append(raw)
    assert seeds[0] != seeds[1]


def test_init_that_never_reports_ready_gives_up_with_125(tmp_path: Path) -> None:
    from engine_helpers import busybox_initramfs
    ird = busybox_initramfs(tmp_path, "#!/bin/busybox sh\necho stuck in init\nwhile :; do /bin/busybox sleep 1; done\n")
    t0 = time.monotonic()
    p = subprocess.run([str(engine("native")), "--kernel", str(kernel()), "--initrd", str(ird), "--append", QUIET,
                        "--ready-timeout", "3", "--run", "true"], capture_output=True, timeout=60)
    assert p.returncode == 125
    assert p.stderr.endswith(b"c2w: the guest init did not report READY within 3 s\n")
    assert b"stuck in init" in p.stderr  # the console log tail
    assert time.monotonic() - t0 < 30
