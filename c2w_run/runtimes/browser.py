"""Headless Chromium (Debian's `chromium`): the module runs in a Worker of a cross-origin
isolated loopback page, driven by c2w_run/browser/driver.py (see c2w_run/browser/README.md)."""

from __future__ import annotations

import sys

from ..hookspecs import RuntimeInfo, hookimpl
from ..spec import Invocation, LaunchSpec, reject_listen

INFO = RuntimeInfo(
    name="browser",
    description="headless Chromium, WASI in a Worker (browser_wasi_shim + SharedArrayBuffer stdin)",
    env_var="C2W_BROWSER",
    install="apt-get install chromium; scripts/install-browser.sh; pip install 'c2w-run[browser]'",
    aliases=("chromium",),
)
DRIVER = "c2w_run.browser.driver"


@hookimpl
def c2w_runtime_info() -> list[RuntimeInfo]:
    return [INFO]


@hookimpl
def c2w_runtime_locate(runtime: RuntimeInfo) -> list[str] | None:
    if runtime.name != INFO.name:
        return None
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


@hookimpl
def c2w_runtime_version(runtime: RuntimeInfo, command: list[str]) -> str | None:
    if runtime.name != INFO.name:
        return None
    from ..browser import chromium

    binary = next((a.split("=", 1)[1] for a in command if a.startswith("--chromium=")), None) or chromium.find()
    return chromium.version(binary) if binary else None


@hookimpl
def c2w_runtime_invocation(runtime: RuntimeInfo, command: list[str], spec: LaunchSpec) -> Invocation | None:
    if runtime.name != INFO.name:
        return None
    reject_listen(runtime.name, spec)
    argv = list(command)
    for m in spec.mapdirs:
        argv.append(f"--dir={m.host}::{m.guest}{'::ro' if m.readonly else ''}")
    for key, value in spec.env.items():
        argv.append(f"--env={key}={value}")
    argv += spec.runtime_flags
    argv += ["--", str(spec.module), *spec.args]
    return Invocation(argv)
