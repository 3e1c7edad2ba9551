"""One run's network: passt joined to the image's transport, torn down on every exit path.

Stdio transport: the runtime runs under a relay process (c2w_run/net/mux.py) that starts passt
on a socketpair and speaks the engine's stdin/stdout multiplex; the relay is in the runtime's
process group, so c2w-run's signal forwarding and timeout kill reach it and passt too.

Socket transport: c2w-run picks a free loopback port and asks the adapter to pre-open it as a
listening socket for the module (`LaunchSpec.listen`); the engine (`--net`) accepts one
connection on it before it starts the container. A thread here connects to that port as soon
as the runtime listens and hands the connected socket to passt (`passt --fd`): passt speaks
QEMU's stream framing on it directly, so no relay process copies the frames. passt runs with
--one-off, so it also exits by itself when the runtime's end of the connection closes.
"""

from __future__ import annotations

import contextlib
import select
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

from .. import tempdirs
from ..adapter import RuntimeInfo
from ..spec import Invocation, ListenSocket, NetConfig
from . import passt
from .passt import NetError
from .transports import SOCKET, STDIO, missing_reason, transport_for

CONNECT_TIMEOUT = 60.0  # the runtime must listen within this (a cold compile of a big module)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NetSession:
    """Context manager around one runtime run: enter before starting the runtime."""

    def __init__(self, cfg: NetConfig, runtime: RuntimeInfo, others: list[RuntimeInfo]) -> None:
        """`others`: every registered runtime, to name the ones with a transport. The launch
        takes `transport` (for the image's --net) and `listen` (the pre-opened listener) from here."""
        self.transport = transport_for(runtime, cfg.transport)
        if self.transport is None:
            with_one = ", ".join(o.name for o in others if transport_for(o, cfg.transport))
            what = "network transport" if cfg.transport == "auto" else f"'{cfg.transport}' network transport"
            raise NetError(f"--net: {runtime.name} has no {what} ({missing_reason(runtime, cfg.transport)}); "
                           f"runtimes with one: {with_one}")
        self.passt = passt.find()
        self.publish = list(cfg.publish)
        self.port = free_port() if self.transport == SOCKET else 0
        self.listen = ListenSocket("127.0.0.1", self.port) if self.port else None
        self.dir: Path | None = None
        self.log = Path("/dev/null")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None
        self.error: str | None = None
        self.reported = False
        self._thread = threading.Thread(target=self._join, name="c2w-run-net", daemon=True)

    def __enter__(self) -> NetSession:
        self.dir = tempdirs.make("net")
        self.log = self.dir / "passt.log"
        if self.transport == SOCKET:
            self._thread.start()
        return self

    def wrap(self, inv: Invocation) -> Invocation:
        """stdio transport: run the runtime under the relay (c2w_run/net/mux.py), which starts
        passt itself. Call inside the `with` block."""
        if self.transport != STDIO:
            return inv
        argv = passt.argv(self.passt, "{fd}", self.publish, self.log)
        return Invocation([sys.executable, "-m", "c2w_run.net.mux", json.dumps(argv), "--", *inv.argv],
                          inv.env, inv.cwd)

    def _join(self) -> None:
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while not self._stop.is_set():
            try:
                conn = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            except OSError:
                if time.monotonic() > deadline:
                    self.error = f"the runtime did not listen on 127.0.0.1:{self.port} within {CONNECT_TIMEOUT:g} s"
                    return
                self._stop.wait(0.01)
                continue
            with conn:
                # start passt once the engine's first frame (its gratuitous ARP) waits in the
                # socket: passt 2023-03 crashes on a forwarded connection before any guest frame
                while not self._stop.is_set() and not select.select([conn], [], [], 0.05)[0]:
                    pass
                self._start(conn)
            return

    def _start(self, conn: socket.socket) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            fd = conn.fileno()
            try:
                self.proc = subprocess.Popen(passt.argv(self.passt, fd, self.publish, self.log), pass_fds=[fd],
                                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, process_group=0)
            except OSError as e:
                self.error = f"cannot start passt: {e}"
                return
        try:  # a bad -p (port taken, not allowed) ends passt at once: say so now
            code = self.proc.wait(0.3)
        except subprocess.TimeoutExpired:
            return
        print(f"c2w-run: --net: passt exited with status {code}: {self._log_tail()}; the container has no network",
              file=sys.stderr)
        self.reported = True

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        with self._lock:
            proc = self.proc
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(3)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            elif proc.returncode not in (0, -15) and not self.reported:
                self.error = self.error or f"passt exited with status {proc.returncode}: {self._log_tail()}"
        if self.error:
            print(f"c2w-run: --net: {self.error}", file=sys.stderr)
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            lines = [ln for ln in self.log.read_text(errors="replace").splitlines() if ln.strip()]
            if lines:
                return lines[-1].strip()
        return "(no log)"

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
