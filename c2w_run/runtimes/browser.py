"""Headless Chromium (Debian's `chromium`): the module runs in a Worker of a cross-origin
isolated loopback page, driven by c2w_run/browser/driver.py (see c2w_run/browser/README.md)."""

from __future__ import annotations

import sys

from ..adapter import NET_STDIO, Adapter, Capabilities, RuntimeInfo, dir_env_flags
from ..spec import Invocation, LaunchSpec

DRIVER = "c2w_run.browser.driver"


class Browser(Adapter):
    info = RuntimeInfo(
        name="browser",
        description="headless Chromium, WASI in a Worker (browser_wasi_shim + SharedArrayBuffer stdin)",
        env_var="C2W_BROWSER",
        install="apt-get install chromium; scripts/install-browser.sh; pip install 'c2w-run[browser]'",
        aliases=("chromium",),
        capabilities=Capabilities(
            readonly_mapdir=True,  # a read-only tree in the page (EROFS), never written back
            net_transports=(NET_STDIO,),  # the multiplex rides the page's WebSocket
            net_note="a web page has no sockets",
        ),
    )

    def locate(self) -> list[str] | None:
        try:
            import websockets  # noqa: F401
        except ImportError:
            return None
        from ..browser import chromium
        from ..browser.server import vendored

        binary = chromium.find()
        if binary is None or not vendored():
            return None
        return [sys.executable, "-m", DRIVER, f"--chromium={binary}"]

    def version(self, command: list[str]) -> str | None:
        from ..browser import chromium

        binary = next((a.split("=", 1)[1] for a in command if a.startswith("--chromium=")), None) or chromium.find()
        return chromium.version(binary) if binary else None

    def invocation(self, command: list[str], spec: LaunchSpec) -> Invocation:
        flags = dir_env_flags(spec, lambda m: [f"--dir={m.host}::{m.guest}{'::ro' if m.readonly else ''}"],
                              lambda k, v: [f"--env={k}={v}"])
        return Invocation([*command, *flags, *spec.runtime_flags, "--", str(spec.module), *spec.args])


ADAPTERS = (Browser(),)
