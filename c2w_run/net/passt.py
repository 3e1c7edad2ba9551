"""passt (Debian package `passt`): finding it and its command line.

The guest side is fixed and documented (converter/engine/net.h, NET_GUEST_CONFIG): eth0 is
10.0.2.15/24, the default gateway 10.0.2.2 and the DNS server 10.0.2.3, QEMU's user-network
numbers. passt is started with the same numbers; its gateway mapping makes 10.0.2.2 the host's
loopback (a guest connection to 10.0.2.2:PORT reaches 127.0.0.1:PORT on the host), and DNS
queries to 10.0.2.3 are forwarded to the host's resolver.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..spec import Publish, Unsupported

PACKAGE = "passt"
GUEST_ADDR = "10.0.2.15"
PREFIX = 24
GATEWAY = "10.0.2.2"
DNS = "10.0.2.3"
MTU = 65520


class NetError(Unsupported):
    """--net cannot be set up (one line)."""


def find() -> str:
    path = shutil.which("passt")
    if not path:
        raise NetError(f"--net needs passt, which is not installed (Debian package '{PACKAGE}': "
                       "apt-get install passt, or scripts/setup-system.sh)")
    return path


def forward_spec(p: Publish) -> str:
    """-p [IP:]HOST:GUEST in passt's -t syntax: [IP/]HOST:GUEST."""
    return f"{p.ip + '/' if p.ip else ''}{p.host_port}:{p.guest_port}"


def argv(binary: str, fd: int | str, publish: list[Publish], log: Path) -> list[str]:
    """passt in the foreground on the connected socket fd; it exits when the connection closes
    (-1), even if c2w-run itself is killed."""
    out = [binary, "--foreground", "--one-off", "--fd", str(fd), "--log-file", str(log), "--ipv4-only",
           "--address", GUEST_ADDR, "--netmask", str(PREFIX), "--gateway", GATEWAY, "--mtu", str(MTU),
           "--dns", DNS, "--dns-forward", DNS]
    for p in publish:
        out += ["--tcp-ports", forward_spec(p)]
    return out
