"""`c2w-run`: one command line for every WASI runtime."""

from __future__ import annotations

import argparse
import contextlib
import json
import ipaddress
import os
import stat
import sys
import termios
import tty
import typing
from dataclasses import dataclass
from pathlib import Path

from . import __version__, registry, tempdirs
from .adapter import RuntimeInfo
from .image import ImageOptions, ImageProtocol, StatusChannel, is_c2w_image
from .process import run
from .net import NetSession
from .net.transports import describe as net_transports
from .spec import LaunchSpec, ListenSocket, MapDir, NetConfig, Publish, StdinMode, Unsupported

WASM_MAGIC = b"\0asm"


class UsageError(Exception):
    """Bad input: reported as one line, exit status 2."""


def parse_mapdir(value: str) -> MapDir:
    """docker's -v syntax: HOST:GUEST[:ro|rw]."""
    parts = value.split(":")
    readonly = False
    if len(parts) == 3 and parts[2] in ("ro", "rw"):
        readonly = parts[2] == "ro"
        parts = parts[:2]
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise UsageError(f"invalid mapdir {value!r}: expected HOST:GUEST[:ro]")
    host = Path(parts[0]).expanduser()
    if not host.is_dir():
        raise UsageError(f"mapdir host path {parts[0]!r} is not a directory")
    return MapDir(host.resolve(), parts[1], readonly)


def parse_env(value: str) -> tuple[str, str]:
    """docker's -e syntax: K=V, or K alone to pass the caller's value."""
    key, sep, val = value.partition("=")
    if not key:
        raise UsageError(f"invalid env {value!r}: expected KEY=VALUE")
    if not sep:
        if key not in os.environ:
            raise UsageError(f"env {key!r} has no value and is not set in the environment")
        val = os.environ[key]
    return key, val


def parse_publish(value: str) -> Publish:
    """docker's -p syntax (TCP): [IP:]HOST_PORT:GUEST_PORT."""
    parts = value.split(":")
    ip = parts.pop(0) if len(parts) == 3 else None
    ports = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= 65535:
            ports = []
            break
        ports.append(int(part))
    if len(ports) != 2:
        raise UsageError(f"invalid publish {value!r}: expected [IP:]HOST_PORT:GUEST_PORT (ports 1-65535)")
    if ip is not None:
        try:
            ipaddress.IPv4Address(ip)
        except ValueError:
            raise UsageError(f"invalid publish {value!r}: {ip!r} is not an IPv4 address") from None
    return Publish(ip, ports[0], ports[1])


def stdin_is_null() -> bool:
    """Is fd 0 a character device that is not a terminal (/dev/null)?"""
    try:
        st = os.fstat(0)
    except OSError:
        return True
    return stat.S_ISCHR(st.st_mode) and not os.isatty(0)


def check_module(path: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"module {path!r} does not exist")
    with p.open("rb") as f:
        if f.read(4) != WASM_MAGIC:
            raise UsageError(f"{path!r} is not a WebAssembly module")
    return p


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> typing.NoReturn:  # one line (no usage block), exit 2
        raise UsageError(message)


def run_parser() -> argparse.ArgumentParser:
    ap = Parser(
        prog="c2w-run",
        description="Run a WASI command module (or a c2w container image) on any WASI runtime.",
        epilog="Subcommands: `c2w-run runtimes [--json]` lists the runtimes; "
               "`c2w-run serve [--port N] IMAGE.wasm` serves the image in a web page with a terminal.",
    )
    ap.add_argument("--runtime", "-r", help="runtime to use (default: $C2W_RUNTIME or the first installed)")
    ap.add_argument("-v", "--mapdir", "--volume", action="append", default=[], metavar="HOST:GUEST[:ro]",
                    help="map a host directory into the module")
    ap.add_argument("-e", "--env", action="append", default=[], metavar="K=V", help="set an environment variable")
    ap.add_argument("--no-stdin", action="store_true", help="give the module an empty stdin")
    ap.add_argument("-t", "--tty", action="store_true", help="keep the terminal interactive")
    img = ap.add_argument_group("c2w image options (for modules made by `c2w`)")
    img.add_argument("--entrypoint", metavar="CMD", help="replace the image Entrypoint (drops its Cmd)")
    img.add_argument("-w", "--workdir", metavar="DIR", help="working directory in the container")
    img.add_argument("-u", "--user", metavar="USER[:GROUP]", help="user (name or uid) in the container")
    img.add_argument("--stdin-mode", choices=("poll", "nonblock", "idle", "none"),
                     help="how the engine waits for stdin (default: the adapter's choice for the runtime)")
    net = ap.add_argument_group("network (c2w images; passt on the host, see c2w_run/net/README.md)")
    net.add_argument("--net", action="store_true",
                     help="give the container a network (eth0 10.0.2.15/24; the host's 127.0.0.1 is 10.0.2.2)")
    net.add_argument("--net-transport", choices=("auto", "socket", "stdio"), default="auto",
                     help="how frames reach the image (default: the best the runtime has)")
    net.add_argument("-p", "--publish", action="append", default=[], metavar="[IP:]HOST:GUEST",
                     help="forward a host TCP port into the container (implies --net)")
    net.add_argument("--mac", metavar="ADDR", help="the container's MAC address (with --net)")
    ap.add_argument("--wasi-listen", metavar="HOST:PORT",
                    help="give the module a pre-opened listening TCP socket (WASI preview1 sock_accept)")
    ap.add_argument("--timeout", type=float, metavar="S", help="kill the run after S seconds (exit 124)")
    ap.add_argument("--runtime-flag", action="append", default=[], metavar="FLAG",
                    help="extra flag passed to the runtime as is")
    ap.add_argument("--version", action="version", version=f"c2w-run {__version__}")
    ap.add_argument("module", metavar="MODULE.wasm")
    ap.add_argument("args", nargs=argparse.REMAINDER, metavar="ARG")
    return ap


@dataclass
class Request:
    """A checked `c2w-run` command line, before the runtime is known."""

    ns: argparse.Namespace
    module: Path
    env: dict[str, str]
    mapdirs: list[MapDir]
    image: ImageProtocol | None
    net: NetConfig | None
    listen: ListenSocket | None


def parse_request(ns: argparse.Namespace) -> Request:
    if ns.timeout is not None and ns.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    module = check_module(ns.module)
    publish = tuple(parse_publish(p) for p in ns.publish)
    use_net = ns.net or bool(publish)
    if ns.mac is not None and not use_net:
        raise UsageError("--mac needs --net")
    # an image polling a /dev/null stdin breaks wasmtime 46's preview1 (the socket transport
    # needs it): /dev/null is the same as no stdin, so say so
    no_stdin = ns.no_stdin or (use_net and stdin_is_null())
    opts = ImageOptions(ns.entrypoint, ns.workdir, ns.user, tty=ns.tty, no_stdin=no_stdin, stdin_mode=ns.stdin_mode)
    env = dict(parse_env(e) for e in ns.env)
    image = None
    if is_c2w_image(module):
        image = ImageProtocol(opts, net=use_net, mac=ns.mac, winsize=terminal_size() if ns.tty else None)
    elif opts.given() or use_net:
        raise UsageError(f"--entrypoint, --workdir, --user, --stdin-mode, --net and -p need a c2w image; "
                         f"{ns.module} is a plain WASI module")
    return Request(ns, module, env, [parse_mapdir(m) for m in ns.mapdir], image,
                   NetConfig(ns.net_transport, publish, ns.mac) if use_net else None,
                   parse_listen(ns.wasi_listen, use_net))


def terminal_size() -> str | None:
    """ROWSxCOLS of the terminal on stdin (None: not a terminal)."""
    try:
        size = os.get_terminal_size(sys.stdin.fileno())
    except (OSError, ValueError):
        return None
    return f"{size.lines}x{size.columns}"


def build_spec(req: Request, info: RuntimeInfo, net: NetSession | None = None,
               channel: StatusChannel | None = None) -> LaunchSpec:
    """The launch on `info`'s runtime, built once: a c2w image's protocol composed in."""
    ns = req.ns
    args, env, extra = list(ns.args), req.env, []
    if req.image is not None:
        args, env, extra = req.image.compose(args, env, info.capabilities, net.transport if net else None, channel)
    return LaunchSpec(
        module=req.module,
        args=args,
        env=env,
        mapdirs=[*req.mapdirs, *extra],
        stdin=StdinMode.NONE if ns.no_stdin else StdinMode.INHERIT,
        tty=ns.tty,
        timeout=ns.timeout,
        runtime_flags=list(ns.runtime_flag),
        net=req.net,
        listen=net.listen if net else req.listen,
    )


def parse_listen(value: str | None, use_net: bool) -> ListenSocket | None:
    if value is None:
        return None
    if use_net:
        raise UsageError("--wasi-listen and --net both use the module's listening socket: give one")
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"invalid --wasi-listen {value!r}: expected HOST:PORT")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(f"invalid --wasi-listen {value!r}: {host!r} is not an IP address") from None
    return ListenSocket(host, int(port))


@contextlib.contextmanager
def raw_terminal(wanted: bool) -> typing.Iterator[None]:
    """Like `docker run -t`: the container's pty does the line editing, echo and ^C, so the
    host terminal passes keys through untouched while the image runs."""
    if not wanted or not os.isatty(0):
        yield
        return
    saved = termios.tcgetattr(0)
    tty.setraw(0, termios.TCSANOW)
    try:
        yield
    finally:
        termios.tcsetattr(0, termios.TCSADRAIN, saved)


def cmd_run(argv: list[str]) -> int:
    ns = run_parser().parse_args(argv)
    tempdirs.reap_stale()  # what runs killed with SIGKILL left
    name = registry.resolve_name(ns.runtime).name if ns.runtime else None
    req = parse_request(ns)
    located = registry.require(name or registry.default_runtime())
    image = req.image is not None
    channel = None
    if image and ImageProtocol.needs_status_channel(located.info.capabilities):
        channel = StatusChannel()
    try:
        net = NetSession(req.net, located.info, list(registry.runtimes().values())) if req.net else None
        spec = build_spec(req, located.info, net, channel)
        inv = registry.invocation(located, spec)
        with net or contextlib.nullcontext(), raw_terminal(image and spec.tty):
            outcome = run(net.wrap(inv) if net else inv, spec)
        if outcome.timed_out:
            print(f"c2w-run: timed out after {spec.timeout:g} s; killed {located.info.name}", file=sys.stderr)
            return outcome.exit_code
        return channel.status(outcome.exit_code) if channel else outcome.exit_code
    finally:
        if channel:
            channel.close()


def runtime_rows(versions: list[str] | None = None) -> list[dict[str, object]]:
    """Every registered runtime, then each named installed release (`wasmtime@46`)."""
    rows = []
    infos = list(registry.runtimes().values()) + [registry.resolve_name(v) for v in versions or ()]
    for info in infos:
        cmd = registry.locate(info)
        located = registry.Located(info, cmd) if cmd else None
        rows.append({
            "name": info.name,
            "description": info.description,
            "installed": bool(cmd),
            "version": registry.version(located) if located else None,
            "command": cmd,
            "env_var": info.env_var,
            "aliases": list(info.aliases),
            "install": info.install,
            "net": net_transports(info),
            "capabilities": info.capabilities.to_json(),
        })
    return rows


def cmd_runtimes(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="c2w-run runtimes", description="List every runtime adapter.")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("versions", nargs="*", metavar="FAMILY@VERSION",
                    help="also list these installed releases (e.g. wasmtime@46)")
    ns = ap.parse_args(argv)
    rows = runtime_rows(ns.versions)
    if ns.json:
        print(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="c2w-run runtimes")
    for col in ("runtime", "installed", "version", "net", "binary / install"):
        table.add_column(col)
    for r in rows:
        where = " ".join(r["command"]) if r["command"] else f"[dim]{r['install']}[/dim]"  # type: ignore[arg-type]
        table.add_row(
            str(r["name"]),
            "[green]yes[/green]" if r["installed"] else "[red]not installed[/red]",
            str(r["version"] or ""),
            str(r["net"]),
            where,
        )
    Console().print(table)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if not argv:
            raise UsageError("no module given (usage: c2w-run [OPTIONS] MODULE.wasm [ARG...]; see --help)")
        if argv[:1] == ["runtimes"]:
            return cmd_runtimes(argv[1:])
        if argv[:1] == ["serve"]:
            from .browser.serve import main as cmd_serve

            return cmd_serve(argv[1:])
        return cmd_run(argv)
    except (UsageError, Unsupported, registry.UnknownRuntime, registry.RuntimeNotInstalled) as e:
        msg = e.args[0] if e.args else str(e)
        print(f"c2w-run: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
