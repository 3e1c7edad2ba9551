"""`c2w-run serve [--host H] [--port N] [-e K=V]... IMAGE.wasm [COMMAND ARG...]`: serve a page with
an xterm.js terminal running the image interactively (every page load starts a new run). Like
container2wasm's wasi-browser example, with nothing but this package and a browser."""

from __future__ import annotations

import argparse
import asyncio
import sys
import typing
from pathlib import Path

from ..image import ImageOptions, is_c2w_image
from .driver import Options, page_routes
from .server import STATIC, PageServer, vendored


class ServeError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:  # one line (no usage block), exit 2
        raise ServeError(message)


def parser() -> argparse.ArgumentParser:
    ap = Parser(prog="c2w-run serve", description="Serve a c2w image in a web page with a terminal.")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    ap.add_argument("-e", "--env", action="append", default=[], metavar="K=V", help="set an environment variable")
    ap.add_argument("module", metavar="IMAGE.wasm")
    ap.add_argument("args", nargs=argparse.REMAINDER, metavar="ARG")
    return ap


async def serve(opts: Options, host: str, port: int) -> None:
    kinds = {"stdin": "tty", "stdout": "tty", "stderr": "tty"}
    routes, _ = page_routes(opts, kinds, STATIC / "terminal.html")
    server = PageServer(routes)
    port = await server.start(host, port)
    print(f"c2w-run serve: {opts.module} at http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    try:
        await asyncio.Future()
    finally:
        await server.close()


def build(ns: argparse.Namespace) -> Options:
    module = Path(ns.module)
    if not module.is_file():
        raise ServeError(f"module {ns.module!r} does not exist")
    with module.open("rb") as f:
        if f.read(4) != b"\0asm":
            raise ServeError(f"{ns.module!r} is not a WebAssembly module")
    if not vendored():
        raise ServeError("the page's npm packages are missing: run scripts/install-browser.sh")
    if not 0 <= ns.port <= 65535:
        raise ServeError(f"invalid --port {ns.port}")
    env = []
    for e in ns.env:
        key, sep, value = e.partition("=")
        if not key or not sep:
            raise ServeError(f"invalid env {e!r}: expected KEY=VALUE")
        env.append((key, value))
    args = list(ns.args)
    if is_c2w_image(module):
        args = ImageOptions(tty=True).argv(args)
    return Options(module, args, env)


def main(argv: list[str]) -> int:
    try:
        ns = parser().parse_args(argv)
        opts = build(ns)
        asyncio.run(serve(opts, ns.host, ns.port))
    except ServeError as e:
        print(f"c2w-run: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"c2w-run: error: cannot listen on {ns.host}:{ns.port}: {e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
