"""Run one WASI command module in headless Chromium, with the process's own stdio and exit status.

usage: python -m c2w_run.browser.driver [--chromium=PATH] [--dir=HOST::GUEST[::ro]]... [--env=K=V]...
                                        -- MODULE [ARG...]

What happens: a loopback server (server.py) serves the page (static/run.html), the module, a
config document and the mapped directories; Chromium opens the page; the page runs the module in
a Worker (static/worker.js) and talks to us over one WebSocket (protocol in static/run.js):
our stdin goes in (then EOF), the module's stdout and stderr come out on ours, each writable
mapped directory comes back at exit and is written to the host (dirsync.py), and the module's
exit status is ours. A trap exits 134 (like wasmtime) after one line on stderr; the page or the
browser failing exits 125. SIGINT/SIGTERM/SIGHUP stop the browser and end us by that signal.
$C2W_BROWSER_TIMINGS=FILE: write the start-up times (JSON, ms) there.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import queue
import signal
import socket
import stat
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from . import chromium
from .dirsync import DirSyncError, Loaded, pack, write_back

if TYPE_CHECKING:  # websockets is imported once Chromium is starting (server.py): it overlaps
    from websockets.asyncio.server import ServerConnection

    from .server import Routes

STATIC = Path(__file__).with_name("static")

FAILED = 125  # the browser or the page failed before the module could finish
TRAP = 134
LOAD_TIMEOUT = 120.0  # from launch until the page connects (a cold Chromium on a busy machine)
TIMINGS_ENV = "C2W_BROWSER_TIMINGS"


@dataclass
class Options:
    module: Path
    args: list[str]
    env: list[tuple[str, str]] = field(default_factory=list)
    dirs: list[tuple[Path, str, bool]] = field(default_factory=list)
    chromium: str | None = None


class UsageError(Exception):
    pass


def parse(argv: list[str]) -> Options:
    env: list[tuple[str, str]] = []
    dirs: list[tuple[Path, str, bool]] = []
    binary = None
    i = 0
    while i < len(argv):
        a = argv[i]
        i += 1
        if a == "--":
            break
        if a.startswith("--dir="):
            parts = a[len("--dir="):].split("::")
            if len(parts) not in (2, 3) or parts[2:] not in ([], ["ro"]):
                raise UsageError(f"bad --dir {a!r}: expected --dir=HOST::GUEST[::ro]")
            dirs.append((Path(parts[0]), parts[1], parts[2:] == ["ro"]))
        elif a.startswith("--env="):
            key, _, value = a[len("--env="):].partition("=")
            env.append((key, value))
        elif a.startswith("--chromium="):
            binary = a[len("--chromium="):]
        else:
            raise UsageError(f"unknown option {a}")
    if i >= len(argv):  # no `--`, or nothing after it
        raise UsageError("no module given")
    return Options(Path(argv[i]), argv[i + 1:], env, dirs, binary)


def fd_kind(fd: int) -> str:
    """How the module should see one of our stdio fds."""
    try:
        st = os.fstat(fd)
    except OSError:
        return "pipe"
    if os.isatty(fd):
        return "tty"
    return "file" if stat.S_ISREG(st.st_mode) else "pipe"


def b64(s: str) -> str:
    return base64.b64encode(os.fsencode(s)).decode()


def page_routes(opts: Options, kinds: dict[str, str], page: Path) -> tuple[Routes, list[Loaded | None]]:
    """The server's routes for one run: the page, the module, /config.json (what worker.js
    reads: argv and environ as base64 bytes, mapped directories, how stdio looks), and each
    mapped directory's blob; with what each writable directory held when loaded."""
    routes: Routes = {"/": ("text/html; charset=utf-8", page), "/module.wasm": ("application/wasm", opts.module)}
    loaded: list[Loaded | None] = []
    dirs = []
    for index, (host, guest, readonly) in enumerate(opts.dirs):
        blob, state = pack(host)
        loaded.append(None if readonly else state)
        routes[f"/fs/{index}"] = ("application/octet-stream", blob)
        dirs.append({"guest": guest, "url": f"/fs/{index}", "readonly": readonly})
    config = {
        "module": "/module.wasm",
        "args": [b64(str(opts.module)), *(b64(a) for a in opts.args)],
        "env": [b64(f"{k}={v}") for k, v in opts.env],
        "dirs": dirs,
        "kinds": kinds,
    }
    routes["/config.json"] = ("application/json", json.dumps(config).encode())
    return routes, loaded


class Writer:
    """Our fd 1 or 2, written by a thread of its own so a slow reader never stalls the relay."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.q: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def put(self, data: bytes) -> None:
        self.q.put(data)

    def close(self) -> None:
        self.q.put(None)
        self.thread.join()

    def _run(self) -> None:
        broken = False
        while (data := self.q.get()) is not None:
            view = memoryview(data)
            while view and not broken:
                try:
                    view = view[os.write(self.fd, view):]
                except OSError:
                    broken = True  # reader gone: drop the rest, like a runtime getting EPIPE


class Run:
    """One module run: the server, the browser, the WebSocket session."""

    def __init__(self, opts: Options) -> None:
        self.opts = opts
        self.out = {1: Writer(1), 2: Writer(2)}
        self.result: asyncio.Future[int] | None = None
        self.loaded: list[Loaded | None] = []
        self.timings: dict[str, float] = {}
        self.t0 = time.monotonic()
        self.connected = False

    def say(self, text: str) -> None:
        self.out[2].put(f"browser: {text}\n".encode())

    def finish(self, code: int) -> None:
        if self.result is not None and not self.result.done():
            self.result.set_result(code)

    def routes(self) -> dict[str, tuple[str, bytes | Path]]:
        kinds = {"stdin": fd_kind(0), "stdout": fd_kind(1), "stderr": fd_kind(2)}
        routes, self.loaded = page_routes(self.opts, kinds, STATIC / "run.html")
        return routes

    async def session(self, ws: ServerConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        if self.connected:  # one page, one session
            await ws.close(1008, "busy")
            return
        self.connected = True
        self.timings["connect_ms"] = (time.monotonic() - self.t0) * 1000
        pump = asyncio.create_task(self.pump_stdin(ws))
        try:
            async for message in ws:
                if isinstance(message, str) or not message:
                    continue
                kind, body = message[0], message[1:]
                if kind in (1, 2):
                    self.out[kind].put(body)
                elif kind == 3:
                    (code,) = struct.unpack("<I", body[:4])
                    self.timings["exit_ms"] = (time.monotonic() - self.t0) * 1000
                    self.finish(code & 0xFF)
                    break
                elif kind == 4:
                    (index,) = struct.unpack("<I", body[:4])
                    self.write_back(index, body[4:])
                elif kind == 5:
                    self.say(body.decode(errors="replace"))
                elif kind == 6:
                    info = json.loads(body)
                    self.timings.update({k: v for k, v in info.items() if k.endswith("_ms")})
                    self.timings["ready_ms"] = (time.monotonic() - self.t0) * 1000
        except ConnectionClosed:
            pass
        finally:
            pump.cancel()
        if self.result is not None and not self.result.done():
            self.say("the page closed its connection before the module exited")
            self.finish(FAILED)

    def write_back(self, index: int, blob: bytes) -> None:
        loaded = self.loaded[index] if index < len(self.loaded) else None
        if loaded is None:
            return
        try:
            write_back(loaded, blob)
        except DirSyncError as e:
            self.say(str(e))

    async def pump_stdin(self, ws: ServerConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        loop = asyncio.get_running_loop()
        q: asyncio.Queue[bytes] = asyncio.Queue()

        def reader() -> None:
            while True:
                try:
                    chunk = os.read(0, 1 << 16)
                except OSError:
                    chunk = b""
                loop.call_soon_threadsafe(q.put_nowait, chunk)
                if not chunk:
                    return

        threading.Thread(target=reader, daemon=True).start()
        try:
            while chunk := await q.get():
                await ws.send(b"\0" + chunk)
            await ws.send(b"\1")
        except ConnectionClosed:
            pass

    async def main(self, browser: chromium.Browser, sock: socket.socket) -> int:
        from .server import PageServer

        loop = asyncio.get_running_loop()
        self.result = loop.create_future()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self.finish, -sig)
        server = PageServer({}, self.session)
        watcher = asyncio.create_task(self.watch(browser))
        try:
            server.routes = self.routes()
            await server.start(sock=sock)
            return await self.result
        finally:
            watcher.cancel()
            browser.close()
            self.timings["closed_ms"] = (time.monotonic() - self.t0) * 1000
            await server.close()

    async def watch(self, browser: chromium.Browser) -> None:
        """Fail the run if the browser dies, or the page never connects."""
        while self.result is not None and not self.result.done():
            await asyncio.sleep(0.1)
            if browser.proc.poll() is not None:
                await asyncio.sleep(0.5)  # a last message may be on its way
                self.say(f"chromium exited with status {browser.proc.returncode}: {browser.log_tail()}")
                self.finish(FAILED)
            elif not self.connected and time.monotonic() - self.t0 > LOAD_TIMEOUT:
                self.say(f"the page did not connect within {LOAD_TIMEOUT:g} s: {browser.log_tail()}")
                self.finish(FAILED)

    def close(self) -> None:
        for w in self.out.values():
            w.close()
        path = os.environ.get(TIMINGS_ENV)
        if path:
            self.timings["total_ms"] = (time.monotonic() - self.t0) * 1000
            Path(path).write_text(json.dumps(self.timings))


def main(argv: list[str]) -> int:
    t0 = time.monotonic()
    try:
        opts = parse(argv)
    except UsageError as e:
        print(f"browser: {e}", file=sys.stderr)
        return 2
    if not (STATIC / "vendor" / "browser_wasi_shim" / "index.js").is_file():
        print("browser: the page's npm packages are missing: run scripts/install-browser.sh", file=sys.stderr)
        return FAILED
    binary = opts.chromium or chromium.find()
    if binary is None:
        print("browser: chromium is not installed (Debian package 'chromium')", file=sys.stderr)
        return FAILED
    # the browser starts first (its start-up is most of ours): its first request waits in the
    # listening socket's backlog while we import the server and pack the mapped directories
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    browser = chromium.Browser(binary, f"http://127.0.0.1:{sock.getsockname()[1]}/")
    run = Run(opts)
    run.t0 = t0
    try:
        code = asyncio.run(run.main(browser, sock))
    except (DirSyncError, OSError) as e:
        run.say(str(e))
        code = FAILED
    finally:
        browser.close()
        run.close()
    if code < 0:  # ended by a signal: end the same way
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
