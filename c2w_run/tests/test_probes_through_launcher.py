"""Every WASI probe, run through the real `c2w-run` on every installed runtime.

These are the launcher's integration tests: each adapter must turn the same command line into
a run whose output, exit code and host-side files are the same on its runtime. Runtimes that
cannot be installed on this machine are skipped with the reason `c2w-run runtimes` gives.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testsupport.processes import descendants

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = [sys.executable, "-m", "c2w_run.cli"]
RUNTIMES = ["wasmtime", "wasmtime46", "wasmtime-py", "wamr", "wamr-interp", "wamr-aot", "wazero", "node", "wasmer", "wasmedge"]


def _runtimes_table() -> dict[str, dict]:
    r = subprocess.run([*LAUNCHER, "runtimes", "--json"], capture_output=True, text=True,
                       timeout=120, cwd=REPO)
    assert r.returncode == 0, r.stderr
    return {row["name"]: row for row in json.loads(r.stdout)}


_TABLE: dict[str, dict] | None = None


def table() -> dict[str, dict]:
    global _TABLE
    if _TABLE is None:
        _TABLE = _runtimes_table()
    return _TABLE


@pytest.fixture(scope="session")
def probes() -> Path:
    r = subprocess.run([str(REPO / "conformance/probes/build.sh")], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip().splitlines()[-1])


@pytest.fixture(params=RUNTIMES)
def runtime(request) -> str:
    name = request.param
    row = table()[name]
    if not row["installed"]:
        pytest.skip(f"{name} is not installed on this machine: {row['install']}")
    return name


def launch(runtime: str, module: Path, *args: str, flags: tuple[str, ...] = (),
           input: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    argv = [*LAUNCHER, "--runtime", runtime, *flags, str(module), *args]
    return subprocess.run(argv, input=input, stdin=None if input is not None else subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, cwd=REPO)


def lines(r: subprocess.CompletedProcess) -> list[str]:
    return r.stdout.decode().splitlines()


def test_args_and_env_arrive_byte_exact_and_exit_code_comes_back(runtime, probes):
    args = ["a b", "", "\u00e9t\u00e9", "line\nbreak", "--flag", "env:GREETING", "env:ABSENT"]
    empty = () if runtime == "wasmer" else ("-e", "EMPTY=")  # wasmer's CLI rejects K= (tested in the adapter)
    r = launch(runtime, probes / "args_env_exit.wasm", "3", *args,
               flags=("-e", "GREETING=hello world", *empty))
    out = lines(r)
    assert r.returncode == 3, (out, r.stderr)
    assert out[0] == f"argc={len(args) + 2}"
    assert out[2:2 + len(args) + 1] == [
        "argv[1]=3", "argv[2]=a b", "argv[3]=", "argv[4]=\\xc3\\xa9t\\xc3\\xa9",
        "argv[5]=line\\nbreak", "argv[6]=--flag", "argv[7]=env:GREETING", "argv[8]=env:ABSENT"]
    assert "env:GREETING=hello world" in out
    assert "env:ABSENT unset" in out
    assert "environ[0]=GREETING=hello world" in out or "environ[1]=GREETING=hello world" in out


def test_stdout_and_stderr_stay_apart(runtime, probes):
    r = launch(runtime, probes / "stdio.wasm")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"out 1\nout 2\n"
    assert b"err 1\nerr 2\n" in r.stderr
    assert b"out" not in r.stderr


def test_binary_stdin_reaches_the_module_unchanged(runtime, probes):
    data = bytes(range(256)) * 512 + b"\0end"
    r = launch(runtime, probes / "stdin_cat.wasm", input=data)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data
    assert f"bytes={len(data)} ".encode() in r.stderr


def test_no_stdin_gives_the_module_an_immediate_eof(runtime, probes):
    r = launch(runtime, probes / "stdin_cat.wasm", flags=("--no-stdin",), input=b"ignored")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b""
    assert b"bytes=0 " in r.stderr


OPS = ["readdir", "read", "create", "write", "stat", "mkdir", "rename", "symlink", "readlink", "read_link",
       "unlink", "rmdir", "escape"]


def test_mapped_directory_supports_every_file_operation(runtime, probes, tmp_path):
    host = tmp_path / "host dir"
    (host / "sub").mkdir(parents=True)
    (host / "input.txt").write_bytes(b"input data\n")
    r = launch(runtime, probes / "preopen_ops.wasm", "/mnt/data",
               flags=("-v", f"{host}:/mnt/data"))
    out = lines(r)
    ops = [ln for ln in out if ln.split(" ", 1)[0] in OPS]
    if runtime == "wasmer":
        # wasmer 7 has one `/` preopen holding the mapped dirs; `..` above it stays in that
        # virtual root (no host path is reachable), so the probe's escape "succeeds" there
        assert out[0].startswith("preopens=/"), out
        assert ops[-1] == "escape FAIL opened ../../..", out
        ops = ops[:-1]
    else:
        assert r.returncode == 0, (out, r.stderr)
        assert out[0] == "preopens=/mnt/data"
    assert [ln.split(" ", 1)[0] for ln in ops] == OPS[:len(ops)] and len(ops) >= len(OPS) - 1, out
    assert all(" OK" in ln for ln in ops), out
    assert "read OK data=input data\\n" in out
    assert sorted(p.name for p in host.iterdir()) == ["input.txt", "probe_renamed.txt", "sub"]
    assert (host / "probe_renamed.txt").read_bytes() == b"written by probe\n"


NO_READONLY_PREOPEN = ("wasmtime", "wasmtime46", "wamr", "wamr-interp", "wamr-aot", "node", "wasmer")


def test_read_only_mapping_refuses_writes_or_is_refused_up_front(runtime, probes, tmp_path):
    host = tmp_path / "ro"
    host.mkdir()
    (host / "input.txt").write_bytes(b"input data\n")
    r = launch(runtime, probes / "preopen_ops.wasm", "/ro", flags=("-v", f"{host}:/ro:ro"))
    if runtime in NO_READONLY_PREOPEN:  # never silently map read-write
        assert r.returncode == 2
        assert r.stdout == b""
        err = r.stderr.decode().strip().splitlines()
        assert len(err) == 1 and "cannot map a directory read-only" in err[0], err
    else:
        out = lines(r)
        assert "read OK data=input data\\n" in out, (out, r.stderr)
        assert any(ln.startswith("create FAIL") for ln in out), out
    assert sorted(p.name for p in host.iterdir()) == ["input.txt"]


def test_exit_code_of_the_module_is_the_launchers_exit_code(runtime, probes):
    for code in ("0", "3", "42"):
        r = launch(runtime, probes / "exit_code.wasm", code)
        assert r.returncode == int(code), (code, r.stderr)


def test_a_trapping_module_fails(runtime, probes):
    r = launch(runtime, probes / "trap.wasm")
    assert r.returncode != 0



def test_timeout_kills_the_whole_run_quickly_and_leaves_no_process(runtime, probes):
    argv = [*LAUNCHER, "--runtime", runtime, "--timeout", "1", str(probes / "sleep_forever.wasm")]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=REPO, start_new_session=True)
    seen: set[int] = set()
    while p.poll() is None and time.monotonic() - t0 < 10:
        seen |= descendants(p.pid)
        time.sleep(0.05)
    elapsed = time.monotonic() - t0
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)
    p.communicate()
    assert p.returncode == 124
    assert elapsed < 3, f"took {elapsed:.1f}s"
    time.sleep(0.2)
    alive = [pid for pid in seen if Path(f"/proc/{pid}").exists()
             and "Z" not in (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0])]
    assert alive == [], f"left behind: {alive}"
    assert seen, "the runtime process was never observed"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_reach_the_runtime_and_end_the_run(runtime, probes, sig):
    p = subprocess.Popen([*LAUNCHER, "--runtime", runtime, str(probes / "sleep_forever.wasm")],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    seen: set[int] = set()
    line = p.stdout.readline()  # the probe prints a line once it runs
    assert line, p.stderr.read()
    seen |= descendants(p.pid)
    p.send_signal(sig)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError(f"{runtime} still running 10 s after {sig.name}")
    assert p.returncode != 0
    time.sleep(0.2)
    alive = [pid for pid in seen if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]]
    assert alive == [], f"left behind after {sig.name}: {alive}"
