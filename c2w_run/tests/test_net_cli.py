"""`c2w-run --net` and `-p` with a real passt, real runtimes and the default image converted by
the `c2w` CLI: the container fetches a page from the host's 127.0.0.1 (as 10.0.2.2) over each
runtime's transports (socket: pre-opened listener; stdio: the multiplex relay), a host GET
reaches busybox httpd in the container, and after every run (normal exit, SIGINT, timeout) no
passt, relay or runtime process is left."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from testsupport.servers import free_port, http_server

REPO = Path(__file__).resolve().parents[2]
BODY = b"served on the host's loopback\n"
NET_CASES = [("wasmtime46", "socket"), ("wazero", "socket"), ("wasmtime", "stdio"), ("wamr", "stdio"),
             ("node", "stdio"), ("wasmtime-py", "stdio"), ("wazero", "stdio")]


def c2w_run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "c2w_run.cli", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, env=env, timeout=timeout)


def runtimes() -> dict[str, dict[str, object]]:
    done = subprocess.run([sys.executable, "-m", "c2w_run.cli", "runtimes", "--json"], capture_output=True,
                          text=True, check=True, timeout=60)
    return {r["name"]: r for r in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("passt") is None:
        pytest.skip("passt not installed (Debian package passt, scripts/setup-system.sh)")
    oci = subprocess.run([str(REPO / "converter/guest/build-default-image.sh")], capture_output=True, text=True,
                         check=True, timeout=1800).stdout.strip().splitlines()[-1]
    out = tmp_path_factory.mktemp("netimg") / "out.wasm"
    c2w = Path(sys.executable).parent / "c2w"
    subprocess.run([str(c2w), "-q", f"oci:{oci}:latest", str(out)], check=True, timeout=1800)
    return out


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    with http_server(BODY) as port:
        yield port


@pytest.fixture
def tmpenv(tmp_path: Path) -> dict[str, str]:
    """c2w-run's temporary files (passt's log path is on passt's command line) go to tmp_path."""
    return {**os.environ, "TMPDIR": str(tmp_path)}


def processes_mentioning(*needles: str) -> list[str]:
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit() or int(d.name) == os.getpid():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(n in cmd for n in needles):
            found.append(f"{d.name}: {cmd}")
    return found


def assert_nothing_left(tmpenv: dict[str, str], image: Path, port: int | None = None) -> None:
    needles = [tmpenv["TMPDIR"]] + ([f"127.0.0.1:{port}"] if port else [])
    deadline = time.monotonic() + 5
    while (left := processes_mentioning(*needles)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, left


def need(runtime: str) -> None:
    if not runtimes()[runtime]["installed"]:
        pytest.skip(f"{runtime} not installed (make runtimes)")


@pytest.mark.parametrize("runtime,transport", NET_CASES)
def test_container_fetches_from_host_loopback(runtime: str, transport: str, image: Path, http_port: int,
                                              tmpenv: dict[str, str]) -> None:
    need(runtime)
    done = c2w_run("--runtime", runtime, "--net", "--net-transport", transport, str(image), "wget", "-q", "-O", "-",
                   f"http://10.0.2.2:{http_port}/", env=tmpenv)
    assert (done.returncode, done.stdout) == (0, BODY), done.stderr
    assert_nothing_left(tmpenv, image)


@pytest.mark.parametrize("runtime", ["wasmtime46", "wasmtime"])  # socket, stdio
def test_published_port_reaches_httpd_and_sigint_tears_down(runtime: str, image: Path,
                                                            tmpenv: dict[str, str]) -> None:
    need(runtime)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "c2w_run.cli", "--runtime", runtime, "-p", f"127.0.0.1:{port}:80", str(image),
         "sh", "-c", "mkdir -p /www && echo '<h1>c2w</h1>' > /www/index.html && exec busybox httpd -f -p 80 -h /www"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=tmpenv)
    try:
        page, deadline = None, time.monotonic() + 60
        while page is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
            except OSError:
                time.sleep(0.2)
        assert page == b"<h1>c2w</h1>\n", proc.stderr.read() if proc.poll() is not None else "no page"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # c2w-run tears down what it started
        try:
            proc.wait(30)
        finally:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0  # interrupted
    assert_nothing_left(tmpenv, image, port)


@pytest.mark.parametrize("runtime", ["wazero", "wamr"])  # socket, stdio
def test_timeout_tears_down_passt_and_the_runtime(runtime: str, image: Path, tmpenv: dict[str, str]) -> None:
    need(runtime)
    done = c2w_run("--runtime", runtime, "--net", "--timeout", "4", str(image), "sleep", "60", env=tmpenv)
    assert done.returncode == 124, done.stderr
    assert_nothing_left(tmpenv, image)


def test_net_on_a_runtime_without_the_transport_is_one_line(image: Path) -> None:
    need("wasmtime")
    done = c2w_run("--runtime", "wasmtime", "--net", "--net-transport", "socket", str(image), "true")
    lines = done.stderr.decode().strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "wasmtime has no 'socket' network transport" in lines[0] and "removed" in lines[0]
    assert "wasmtime46" in lines[0]


def test_stdio_multiplex_keeps_stdin_stdout_stderr_and_status(image: Path, tmpenv: dict[str, str]) -> None:
    need("wasmtime")
    done = subprocess.run(
        [sys.executable, "-m", "c2w_run.cli", "--runtime", "wasmtime", "--net", str(image), "sh", "-c",
         "cat > /tmp/in; head -c 3000000 /dev/urandom > /tmp/x; sha256sum < /tmp/x >&2; cat /tmp/in /tmp/x; exit 5"],
        input=b"stdin through the multiplex\n", capture_output=True, env=tmpenv, timeout=120)
    assert done.returncode == 5, done.stderr
    assert done.stdout.startswith(b"stdin through the multiplex\n")
    body = done.stdout[len(b"stdin through the multiplex\n"):]
    import hashlib
    assert len(body) == 3000000 and hashlib.sha256(body).hexdigest() in done.stderr.decode()


def test_passt_missing_names_the_debian_package(image: Path, tmpenv: dict[str, str]) -> None:
    need("wazero")
    done = c2w_run("--runtime", "wazero", "--net", str(image), "true", env={**tmpenv, "PATH": "/nonexistent"})
    lines = done.stderr.decode().strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "passt" in lines[0] and "Debian package 'passt'" in lines[0]


@pytest.mark.parametrize("args,needle", [
    (["-p", "80"], "invalid publish"),
    (["-p", "127.0.0.1:0:80"], "invalid publish"),
    (["-p", "localhost:8080:80"], "not an IPv4 address"),
    (["--mac", "02:00:00:00:00:01"], "--mac needs --net"),
])
def test_bad_network_options_are_one_line(image: Path, args: list[str], needle: str) -> None:
    done = c2w_run(*args, str(image), "true")
    lines = done.stderr.decode().strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and needle in lines[0], done.stderr


def test_net_on_a_plain_wasi_module_is_refused(tmp_path: Path) -> None:
    m = tmp_path / "m.wasm"
    m.write_bytes(b"\0asm\1\0\0\0")
    done = c2w_run("--net", str(m))
    assert done.returncode == 2 and b"need a c2w image" in done.stderr, done.stderr


def test_runtimes_lists_the_network_transport() -> None:
    rows = runtimes()
    assert rows["wasmtime46"]["net"] == "socket, stdio" and rows["wazero"]["net"] == "socket, stdio"
    assert rows["wasmtime"]["net"] == "stdio" and rows["wamr"]["net"] == "stdio"


def test_exit_status_137_comes_back_with_net_on_wasmtime46(image: Path, tmpenv: dict[str, str]) -> None:
    # wasmtime46 reports statuses > 125 through c2w-run's status-file preopen, which comes after the
    # pre-opened listening socket: the engine must still find it
    need("wasmtime46")
    done = c2w_run("--runtime", "wasmtime46", "--net", str(image), "sh", "-c", "kill -9 $$", env=tmpenv)
    assert done.returncode == 137 and b"cannot write the exit status" not in done.stderr, done.stderr
