"""virtio-net and the socket transport: the default image (real init, busybox wget) fetches a
page from an HTTP server on the host's 127.0.0.1 through a real passt, which gets the
connection the engine accepted on its listening socket (`passt --fd`). Natively (inherited
listening fd), on wasmtime 46 (`-S tcplisten`) and on wazero (`-listen`)."""
from __future__ import annotations

import shutil
import socket
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine_helpers import cold_default_image, engine, snapshot
from testsupport.runtimes import argv as runtime_argv, require_argv
from testsupport.servers import free_port, http_server

BODY = b"hello from the host's loopback\n"
PASST_ARGS = ["-f", "-q", "-4", "-a", "10.0.2.15", "-n", "24", "-g", "10.0.2.2", "-D", "10.0.2.3",
              "--dns-forward", "10.0.2.3"]


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("net")
    cold = cold_default_image(tmp)
    return snapshot(cold, tmp / "out.wasm")


@pytest.fixture(scope="module")
def http_port() -> Iterator[int]:
    with http_server(BODY) as port:
        yield port


def passt() -> str:
    p = shutil.which("passt")
    if p is None:
        pytest.skip("passt not installed (Debian package passt, scripts/setup-system.sh)")
    return p


def join_passt(port: int, proc: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
    """Connect to the image's listening socket and hand the connection to passt."""
    deadline = time.monotonic() + 30
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    with conn:
        return subprocess.Popen([passt(), *PASST_ARGS, "--fd", str(conn.fileno())], pass_fds=[conn.fileno()],
                                stderr=subprocess.DEVNULL)


def run_with_passt(argv: list[str], port: int, pass_fds: tuple[int, ...] = ()) -> tuple[int, bytes, bytes]:
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            pass_fds=pass_fds)
    net = join_passt(port, proc)
    try:
        out, err = proc.communicate(b"", timeout=120)
    finally:
        proc.kill()
        net.terminate()
        net.wait(10)
    return proc.returncode, out, err


def test_native_engine_fetches_from_host_loopback_through_passt(image: Path, http_port: int) -> None:
    d = image.parent
    with socket.socket() as lsock:
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        port = lsock.getsockname()[1]
        fd = lsock.fileno()
        rc, out, err = run_with_passt(
            [str(engine("native")), "--kernel", str(d / "kernel"), "--initrd", str(d / "initrd"),
             "--drive", str(d / "disk"), "--config", str(d / "config"), "--append", (d / "cmdline").read_text(),
             "--run", f"--net=socket=listenfd={fd}", "sh", "-c",
             f"ip -4 addr show eth0 | grep -o 'inet [0-9./]*'; wget -q -O - http://10.0.2.2:{http_port}/"],
            port, pass_fds=(fd,))
    assert (rc, out) == (0, b"inet 10.0.2.15/24\n" + BODY), err


def test_wasmtime46_tcplisten_socket_carries_the_network(image: Path, http_port: int) -> None:
    port = free_port()
    rc, out, err = run_with_passt(
        require_argv("wasmtime46", image, ["--net", "--stats", "wget", "-q", "-O", "-", f"http://10.0.2.2:{http_port}/"],
                     listen=("127.0.0.1", port)), port)
    assert (rc, out) == (0, BODY), err
    assert b"c2w-engine: network: " in err


def test_wazero_listen_socket_carries_the_network_and_mac_is_honoured(image: Path, http_port: int) -> None:
    port = free_port()
    rc, out, err = run_with_passt(
        require_argv("wazero", image, ["--net", "--mac", "02:11:22:33:44:55", "sh", "-c",
                                       f"cat /sys/class/net/eth0/address; wget -q -O - http://10.0.2.2:{http_port}/"],
                     listen=("127.0.0.1", port)), port)
    assert (rc, out) == (0, b"02:11:22:33:44:55\n" + BODY), err


def test_net_without_a_listening_socket_is_one_line_and_125(image: Path) -> None:
    p = subprocess.run(runtime_argv("wasmtime", image, ["--net", "true"]), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    assert p.returncode == 125
    lines = p.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("c2w: --net: no listening socket was pre-opened"), p.stderr


@pytest.mark.parametrize("opt", [["--net=tcp"], ["--net=socket=listenfd=x"], ["--mac", "01:00:00:00:00:01"],
                                 ["--mac", "52:54:00:12:34"]])
def test_bad_net_options_are_one_line_and_exit_2(image: Path, opt: list[str]) -> None:
    p = subprocess.run(runtime_argv("wasmtime", image, [*opt, "true"]), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    assert p.returncode == 2
    assert len(p.stderr.decode().strip().splitlines()) == 1 and p.stderr.startswith(b"c2w: "), p.stderr


def test_without_net_eth0_exists_but_stays_down(image: Path) -> None:
    p = subprocess.run(runtime_argv("wasmtime", image, ["cat", "/sys/class/net/eth0/operstate",
                                                        "/sys/class/net/eth0/mtu"]),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert (p.returncode, p.stdout) == (0, b"down\n65520\n"), p.stderr


def mux_messages(data: bytes) -> list[tuple[int, bytes]]:
    out, off = [], 0
    while off + 5 <= len(data):
        (n,) = struct.unpack_from(">I", data, off)
        out.append((data[off + 4], data[off + 5:off + 4 + n]))
        off += 4 + n
    assert off == len(data), "trailing bytes after the last multiplex message"
    return out


def test_stdio_multiplex_frames_stdin_stdout_and_announces_the_guest(image: Path) -> None:
    d = image.parent
    stdin = struct.pack(">IB", 4, 1) + b"hi\n" + struct.pack(">IB", 1, 2)
    p = subprocess.run([str(engine("native")), "--kernel", str(d / "kernel"), "--initrd", str(d / "initrd"),
                        "--drive", str(d / "disk"), "--config", str(d / "config"), "--append",
                        (d / "cmdline").read_text(), "--run", "--net=stdio", "--mac", "02:00:00:00:00:07",
                        "sh", "-c", "cat; echo done; echo err >&2; exit 4"],
                       input=stdin, capture_output=True, timeout=120)
    assert (p.returncode, p.stderr) == (4, b"err\n")
    msgs = mux_messages(p.stdout)
    frames = [body for kind, body in msgs if kind == 0]
    out = b"".join(body for kind, body in msgs if kind == 1)
    assert out == b"hi\ndone\n"
    # first frame: the gratuitous ARP (broadcast, from the --mac address, for 10.0.2.15)
    arp = frames[0]
    assert arp[:6] == b"\xff" * 6 and arp[6:12] == bytes.fromhex("020000000007") and arp[12:14] == b"\x08\x06"
    assert arp[28:32] == bytes([10, 0, 2, 15])
