"""Real servers for tests: a free loopback port, an HTTP server answering every GET with one
body, Debian's docker-registry on loopback, and Podman's Docker-API service on a private socket
(vfs storage, its own root: the host's containers are untouched)."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def http_server(body: bytes) -> Iterator[int]:
    """An HTTP server on 127.0.0.1 answering every GET with `body`; yields its port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()


def wait_for(check, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up within {timeout:g} s")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def registry(workdir: Path) -> Iterator[str]:
    """Yield `127.0.0.1:PORT` of a running registry."""
    port = free_port()
    (workdir / "data").mkdir(parents=True)
    cfg = workdir / "config.yml"
    cfg.write_text(f"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {workdir / 'data'}\n"
                   f"http:\n  addr: 127.0.0.1:{port}\n")
    proc = subprocess.Popen(["docker-registry", "serve", str(cfg)], stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "registry.log", "wb"))
    try:
        wait_for(lambda: _port_open(port), "docker-registry")
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def push(layout_ref: str, dest: str, *, all_platforms: bool = False) -> None:
    cmd = ["skopeo", "copy", "--quiet", "--dest-tls-verify=false", *(["--all"] if all_platforms else []),
           layout_ref, f"docker://{dest}"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)


@contextmanager
def podman_service(workdir: Path) -> Iterator[str]:
    """Yield a DOCKER_HOST value for a private `podman system service`."""
    short = Path(tempfile.mkdtemp(prefix="c2wpod-", dir="/tmp"))  # podman: runroot at most 50 chars
    sock = short / "sock"
    base = ["podman", "--root", str(short / "root"), "--runroot", str(short / "run"),
            "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "none"]
    env = {**os.environ, "XDG_RUNTIME_DIR": str(workdir / "xdg"), "XDG_CONFIG_HOME": str(workdir / "config")}
    (workdir / "xdg").mkdir(parents=True)
    proc = subprocess.Popen([*base, "system", "service", "--time=0", f"unix://{sock}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=open(workdir / "podman.log", "wb"))
    try:
        wait_for(sock.exists, "podman system service")
        yield f"unix://{sock}"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        subprocess.run([*base, "system", "reset", "--force"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(short, ignore_errors=True)
