"""Smoke tests of the WASI probes themselves: build them, run each on one
installed runtime (wasmtime 46 preferred) and check its documented output
(conformance/probes/README.md). The command lines come from c2w-run's own adapters; the
launcher's tests run the probes through every adapter, these only prove the probes do what
their contract says."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from c2w_run import registry
from c2w_run.adapter import BIND, PREOPEN
from c2w_run.spec import LaunchSpec, ListenSocket, MapDir

PROBES_DIR = Path(__file__).resolve().parents[1]
PREFERRED = ("wasmtime46", "wasmtime", "wazero", "wamr", "wamr-interp", "node", "wasmer")
# runtimes with preopened listeners, from their adapters' capability records
SOCKET_RUNTIMES = tuple(n for n, i in registry.runtimes().items() if i.capabilities.sockets == PREOPEN)


def available() -> dict[str, registry.Located]:
    found = {}
    for name in PREFERRED:
        try:
            found[name] = registry.require(name)
        except LookupError:
            pass
    return found


def command(located: registry.Located, wasm: Path, args=(), *, dirs=(), env=None, listen=None) -> list[str]:
    spec = LaunchSpec(module=wasm, args=list(args), env=dict(env or {}),
                      mapdirs=[MapDir(Path(h), g) for h, g in dirs])
    if listen:
        host, _, port = listen.rpartition(":")
        spec.listen = ListenSocket(host, int(port))
    inv = registry.invocation(located, spec)
    assert not inv.env and inv.cwd is None, "these runtimes need no extra environment"
    return inv.argv


@pytest.fixture(scope="session")
def probes() -> Path:
    r = subprocess.run([str(PROBES_DIR / "build.sh")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def runtime() -> tuple[str, registry.Located]:
    """The runtime for these smoke tests: $C2W_PROBE_RUNTIME, else the first installed."""
    forced = os.environ.get("C2W_PROBE_RUNTIME")
    if forced:
        try:
            return forced, registry.require(forced)
        except LookupError:
            pytest.fail(f"C2W_PROBE_RUNTIME={forced} is not installed")
    for name, located in available().items():
        return name, located
    pytest.skip("no WASI runtime installed: run scripts/install-runtimes.sh")


def run(runtime, probes, name, args=(), *, stdin=subprocess.DEVNULL, input=None, timeout=30, **kw):
    argv = command(runtime[1], probes / f"{name}.wasm", args, **kw)
    return subprocess.run(argv, stdin=None if input is not None else stdin, input=input,
                          capture_output=True, timeout=timeout)


def lines(r) -> list[str]:
    return r.stdout.decode().splitlines()


def test_build_outputs_one_module_per_source_and_is_cached(probes):
    names = sorted(p.stem for p in PROBES_DIR.glob("*.c"))
    assert sorted(p.stem for p in probes.glob("*.wasm")) == names
    for w in probes.glob("*.wasm"):
        assert w.read_bytes()[:4] == b"\0asm"
    t0 = time.monotonic()
    again = subprocess.run([str(PROBES_DIR / "build.sh")], capture_output=True, text=True, check=True)
    assert again.stdout.strip() == str(probes)
    assert time.monotonic() - t0 < 2


def test_args_env_exit_prints_argv_and_env_byte_exact_and_exits_with_code(runtime, probes):
    args = ["a b", "", "\u00e9", "-x", "--flag", "env:FOO", "env:NOPE"]
    r = run(runtime, probes, "args_env_exit", ["7", *args], env={"FOO": "b a\\r"})
    assert r.returncode == 7
    out = lines(r)
    assert out[0] == f"argc={len(args) + 2}"
    assert out[1].startswith("argv[0]=") and out[1].endswith("args_env_exit.wasm")
    assert out[2:2 + len(args) + 1] == ["argv[1]=7", "argv[2]=a b", "argv[3]=", "argv[4]=\\xc3\\xa9",
                                        "argv[5]=-x", "argv[6]=--flag", "argv[7]=env:FOO",
                                        "argv[8]=env:NOPE"]
    assert "envc=1" in out and "environ[0]=FOO=b a\\\\r" in out
    assert out[-2:] == ["env:FOO=b a\\\\r", "env:NOPE unset"]


def test_args_env_exit_rejects_a_missing_code(runtime, probes):
    r = run(runtime, probes, "args_env_exit")
    assert r.returncode == 2
    assert b"usage: args_env_exit" in r.stderr


def test_stdio_writes_distinct_text_to_stdout_and_stderr(runtime, probes):
    r = run(runtime, probes, "stdio")
    assert r.returncode == 0
    assert r.stdout == b"out 1\nout 2\n"
    assert b"err 1\nerr 2\n" in r.stderr


def test_stdin_cat_copies_binary_stdin_and_counts_bytes(runtime, probes):
    data = bytes(range(256)) * 1024 + b"\0tail"
    r = run(runtime, probes, "stdin_cat", input=data)
    assert r.returncode == 0
    assert r.stdout == data
    assert f"bytes={len(data)} ".encode() in r.stderr


def test_stdin_poll_returns_piped_data_then_eof(runtime, probes):
    r = run(runtime, probes, "stdin_poll", ["2000", "3"], input=b"hi\n")
    out = lines(r)
    assert r.returncode == 0
    assert out[0].startswith("fd0_filetype=")
    assert out[1].startswith("round=1 fired=stdin") and out[1].endswith("read=3 data=hi\\n")
    assert out[2].startswith("round=2 fired=stdin") and out[2].endswith("read=EOF")
    assert len(out) == 3


def test_stdin_poll_on_idle_pipe_returns_after_its_timeout(runtime, probes):
    r_fd, w_fd = os.pipe()
    try:
        t0 = time.monotonic()
        r = run(runtime, probes, "stdin_poll", ["200", "2"], stdin=r_fd, timeout=20)
        wall = time.monotonic() - t0
    finally:
        os.close(r_fd)
        os.close(w_fd)
    assert r.returncode == 0
    rounds = lines(r)[1:]
    assert [ln.split()[1] for ln in rounds] == ["fired=clock", "fired=clock"]
    for ln in rounds:
        ms = int(ln.split("elapsed_ms=")[1])
        assert 190 <= ms < 2000
    assert wall >= 0.38


def test_stdin_nonblock_reports_set_flags_result_and_never_blocks(runtime, probes):
    r_fd, w_fd = os.pipe()
    try:
        r = run(runtime, probes, "stdin_nonblock", ["2", "50"], stdin=r_fd, timeout=20)
    finally:
        os.close(r_fd)
        os.close(w_fd)
    out = lines(r)
    if r.returncode == 3:
        assert out[0].startswith("set_flags FAIL errno=")
        assert out[-1] == "read=SKIPPED"
    else:
        assert r.returncode == 0
        assert out[0] == "set_flags=OK"
        assert out[1].startswith("flags=")  # node reports host O_NONBLOCK (2048), wazero 5
        assert out[2:] == ["read=EAGAIN", "read=EAGAIN"]


def test_preopen_ops_runs_every_operation_and_leaves_the_renamed_file(runtime, probes, tmp_path):
    host = tmp_path / "host"
    (host / "sub").mkdir(parents=True)
    (host / "input.txt").write_bytes(b"input data\n")
    r = run(runtime, probes, "preopen_ops", ["/data"], dirs=[(str(host), "/data")])
    out = lines(r)
    assert r.returncode == 0, out
    assert out[0] == "preopens=/data"
    ops = [ln.split()[0] for ln in out[2:]]
    assert ops == ["readdir", "read", "create", "write", "stat", "mkdir", "rename", "symlink",
                   "readlink", "read_link", "unlink", "rmdir", "escape"]
    assert all(" OK" in ln for ln in out[2:])
    assert "readdir OK entries=input.txt,sub" in out
    assert "read OK data=input data\\n" in out
    assert "stat OK filetype=4 size=17" in out
    assert "readlink OK target=probe_renamed.txt" in out
    assert sorted(p.name for p in host.iterdir()) == ["input.txt", "probe_renamed.txt", "sub"]
    assert (host / "probe_renamed.txt").read_bytes() == b"written by probe\n"


def test_preopen_ops_exits_2_when_the_guest_dir_is_not_preopened(runtime, probes, tmp_path):
    r = run(runtime, probes, "preopen_ops", ["/nope"], dirs=[(str(tmp_path), "/data")])
    assert r.returncode == 2
    assert lines(r)[-1] == "preopen /nope not found"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _echo(port: int, out: dict) -> None:
    deadline = time.time() + 10
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            break
        except OSError:
            if time.time() > deadline:
                out["error"] = "cannot connect"
                return
            time.sleep(0.05)
    with s:
        s.sendall(b"ping\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(100)
            if not chunk:
                break
            data += chunk
        out["reply"] = data


def _socket_case(rt_bin, probes, name, args=(), **kw):
    port = _free_port()
    kw = {k: (v.format(port=port) if isinstance(v, str) else v) for k, v in kw.items()}
    args = [a.format(port=port) for a in args]
    res: dict = {}
    t = threading.Thread(target=_echo, args=(port, res), daemon=True)
    t.start()
    r = run(rt_bin, probes, name, args, timeout=20, **kw)
    t.join(10)
    return r, res


def test_sock_accept_echoes_one_line_on_a_preopened_listener(probes):
    found = available()
    rt = next((n for n in SOCKET_RUNTIMES if n in found), None)
    if rt is None:
        pytest.skip(f"no runtime with preopened sockets ({', '.join(SOCKET_RUNTIMES)}): "
                    "run scripts/install-runtimes.sh")
    r, res = _socket_case((rt, found[rt]), probes, "sock_accept", listen="127.0.0.1:{port}")
    out = lines(r)
    assert r.returncode == 0, (out, r.stderr)
    assert out[0].startswith("listener fd=") and out[1].startswith("accepted fd=")
    assert out[2:] == ["received=ping\\n", "sent=11"]
    assert res.get("reply") == b"echo: ping\n"


def test_sock_accept_exits_2_without_a_listener(runtime, probes):
    r = run(runtime, probes, "sock_accept")
    assert r.returncode == 2
    assert lines(r) == ["no listening socket"]


def test_sock_bind_accept_echoes_one_line_on_wamr(probes):
    found = available()
    name = next((n for n in found if found[n].info.capabilities.sockets == BIND), None)
    if name is None:
        pytest.skip("iwasm not installed: run scripts/install-runtimes.sh")
    # the module binds 127.0.0.1:PORT itself; the adapter allows it with --addr-pool=127.0.0.1/32
    r, res = _socket_case((name, found[name]), probes, "sock_bind_accept", ["127.0.0.1:{port}"],
                          listen="127.0.0.1:{port}")
    out = lines(r)
    assert r.returncode == 0, (out, r.stderr)
    assert out[2:] == ["received=ping\\n", "sent=11"]
    assert res.get("reply") == b"echo: ping\n"


def test_bigmem_has_512_mib_of_initial_memory_and_touches_it(runtime, probes):
    r = run(runtime, probes, "bigmem", timeout=60)
    assert r.returncode == 0
    pages = int(lines(r)[0].split("=")[1])
    assert pages >= 8192
    assert lines(r)[1] == "OK touched=128000"


def test_exit_code_prints_then_exits_with_the_code(runtime, probes):
    r = run(runtime, probes, "exit_code", ["42", "bye now"])
    assert (r.returncode, r.stdout) == (42, b"bye now\n")
    r = run(runtime, probes, "exit_code", ["0"])
    assert (r.returncode, r.stdout) == (0, b"exiting with 0\n")


def test_trap_prints_then_fails(runtime, probes):
    r = run(runtime, probes, "trap")
    assert r.stdout == b"about to trap\n"
    assert r.returncode != 0


def test_sleep_forever_prints_then_keeps_running(runtime, probes):
    argv = command(runtime[1], probes / "sleep_forever.wasm")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert p.stdout.readline() == b"sleeping\n"
        time.sleep(0.5)
        assert p.poll() is None
    finally:
        p.kill()
        p.wait()
