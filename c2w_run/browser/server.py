"""The loopback web server behind the page: static files, the module, generated documents and
one WebSocket endpoint, on one port. Every response carries COOP/COEP (and CORP) so the page is
cross-origin isolated: SharedArrayBuffer and Atomics.wait work in its Worker."""

from __future__ import annotations

import mimetypes
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

STATIC = Path(__file__).with_name("static")
VENDOR = STATIC / "vendor"
ISOLATION = (
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Embedder-Policy", "require-corp"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".html": "text/html; charset=utf-8",
         ".wasm": "application/wasm", ".json": "application/json"}

# a route gives (content type, body) for one path; Path bodies are read per request
Body = bytes | Path
Routes = dict[str, tuple[str, Body]]


def vendored() -> bool:
    """Are the npm packages in place (scripts/install-browser.sh)?"""
    return (VENDOR / "browser_wasi_shim" / "index.js").is_file() and (VENDOR / "xterm" / "xterm.mjs").is_file()


def response(status: int, ctype: str, body: bytes) -> Response:
    reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}.get(status, "Error")
    headers = Headers([("Content-Type", ctype), ("Content-Length", str(len(body))), ("Connection", "close"), *ISOLATION])
    return Response(status, reason, headers, body)


def static_file(path: str) -> Path | None:
    rel = path[len("/static/"):]
    target = (STATIC / rel).resolve()
    if STATIC.resolve() not in target.parents or not target.is_file():
        return None
    return target


class PageServer:
    """`routes` by exact path, /static/... from the package, and `on_ws` for /ws."""

    def __init__(self, routes: Routes, on_ws: Callable[[ServerConnection], Awaitable[None]] | None = None) -> None:
        self.routes = routes
        self.on_ws = on_ws
        self.server: Server | None = None
        self.port = 0

    def _process(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == "/ws" and self.on_ws is not None:
            return None  # go on with the WebSocket handshake
        if path in self.routes:
            ctype, body = self.routes[path]
            return response(200, ctype, body.read_bytes() if isinstance(body, Path) else body)
        if path.startswith("/static/"):
            target = static_file(path)
            if target is not None:
                ctype = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                return response(200, ctype, target.read_bytes())
        return response(404, "text/plain", b"not found\n")

    async def _handler(self, connection: ServerConnection) -> None:
        if self.on_ws is not None:
            await self.on_ws(connection)

    async def start(self, host: str = "127.0.0.1", port: int = 0, sock: socket.socket | None = None) -> int:
        """Listen on host:port, or on `sock` (already bound and listening)."""
        where = {"sock": sock} if sock is not None else {"host": host, "port": port}
        self.server = await serve(self._handler, process_request=self._process, max_size=None, compression=None,
                                  ping_interval=None, write_limit=1 << 20, **where)
        self.port = int(self.server.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
